package loader

import (
	"log/slog"
	"time"

	"github.com/synctrack/synctrack/warehouse"
)

// Options tune a Loader. The zero value works.
type Options struct {
	Logger *slog.Logger
	Now    func() time.Time
	// StageDir is the folder where a load makes its staging area (a fresh
	// synctrack-stage-* folder, removed after; those killed loads left are
	// swept by the next), for the remote objects a local engine copies. The
	// system temp dir when empty.
	StageDir string
	// BatchFiles and BatchBytes bound one batch: one statement, one transaction,
	// and the most staged on disk at once. Zero takes the warehouse's limits
	// (warehouse.BatchLimiter), else 1,000 files and, for warehouses that read
	// staged local files, 256 MiB.
	BatchFiles int
	BatchBytes int64
	// Workers bounds concurrent object reads: downloads and footer checks
	// while staging, metadata.json reads. Object stores answer each read
	// after tens of milliseconds, so this, not the CPU, paces a load of many
	// small objects. Default 16.
	Workers int
	// Progress, when set, is told how far a long listing has got (every
	// second, once it takes one), then as records start loading and after
	// each batch.
	Progress func(Progress)
	// Views are syncs whose typed views this load rebuilds whether or not it
	// loads runs of theirs: an earlier load's Report.ViewsPending.
	Views []string
	// FindUnbuiltViews has the load look for loaded syncs whose typed view
	// no refresh built (UnbuiltViews) and build them with its own: for
	// synctrack load, after one cut short between its runs' commit and its
	// views (the daemon rebuilds every view at its start instead). One
	// query a load.
	FindUnbuiltViews bool
	// Prefixes limits a load to these bucket prefixes (see DiscoverPrefixes):
	// FactsPrefix alone refreshes the fact tables, a run folder loads that run.
	// Empty means both RunsPrefix and FactsPrefix.
	Prefixes []string
	// Settle applies to file:// buckets only: a local folder, unlike an object
	// store, shows a file while it is still being written. An object modified
	// less than Settle ago that fails is left pending (no ledger row, retried
	// next load) instead of failed. Zero: every failure counts.
	Settle time.Duration
	// QuarantineAfter is how many failed tries put an object in quarantine:
	// no longer read every load, until `synctrack retry` or a new version.
	// Zero: DefaultQuarantineAfter; negative: never.
	QuarantineAfter int
	// StallTimeout bounds each wait on the bucket: a listing page, opening an
	// object, each read of its body. A bucket silent for longer stops the
	// load with a Transient error, blaming nothing. Zero: DefaultStallTimeout.
	StallTimeout time.Duration
	// RetentionDays, when above zero, keeps that many UTC days of records
	// (today included): after each load, rows whose batch_started_at is
	// older are deleted and the files left without rows become expired in
	// the ledger, never loaded again (warehouse.Warehouse.Expire). Zero
	// keeps everything.
	RetentionDays int
}

// DefaultQuarantineAfter is Options.QuarantineAfter when unset.
const DefaultQuarantineAfter = 5

// DefaultWorkers is Options.Workers when unset.
const DefaultWorkers = 16

// batchLimits fills unset limits from the warehouse, then from the defaults.
func batchLimits(wh warehouse.Warehouse, files int, bytes int64) (int, int64) {
	if bl, ok := wh.(warehouse.BatchLimiter); ok {
		f, b := bl.BatchLimits()
		if files <= 0 {
			files = f
		}
		if bytes <= 0 {
			bytes = b
		}
	}
	if files <= 0 {
		files = 1000
	}
	if bytes <= 0 {
		bytes = 1 << 62 // nothing is staged: only the file count bounds a statement
		if _, local := wh.(warehouse.LocalReader); local {
			bytes = 256 << 20
		}
	}
	return files, bytes
}
