package loader

import (
	"time"

	"github.com/synctrack/synctrack/warehouse"
)

// Progress is how far a load has got: while the bucket is listed
// (Listing), the objects Listed so far, told once more with Listing false
// as the listing ends; then, as records load, the files and rows.
type Progress struct {
	Listing               bool
	Listed                int
	FilesDone, FilesTotal int
	Rows                  int64
}

// Failure is one object that could not be loaded, and why.
type Failure struct {
	Key string
	Err error
}

// Report says what a load did.
type Report struct {
	Listed   int
	UpToDate int
	Files    int // objects loaded (records, metadata and fact files)
	Rows     int64
	Runs     int // run folders touched
	Ignored  int
	// BadKeys are the keys listed that are not UTF-8: not loaded (Plan.BadKeys).
	BadKeys []string
	Failed  []Failure
	// Committed are the keys of the records, metadata.json and new fact
	// files whose rows and ledger rows are committed, as each commit
	// happens: a load
	// that ends with an error has loaded these (the daemon reopens their
	// runs: a late file loaded by a batch before a failure left its run
	// complete; found by a review).
	Committed []string
	// Quarantined counts the failures of this load that put their object in
	// quarantine (they are in Failed too).
	Quarantined int
	// InQuarantine counts listed objects not read because they are in
	// quarantine.
	InQuarantine int
	Pending      int // recently written local files that did not read whole yet
	// Deleted are the keys of failed or quarantined objects no longer in
	// the bucket, now marked deleted in the ledger (Plan.Gone).
	Deleted []string
	// DeletedFacts are the keys of loaded fact files no longer in the
	// bucket whose rows their table's rebuild removed, now marked deleted
	// in the ledger (Plan.GoneFacts).
	DeletedFacts []string
	// Expired is what the retention pass after the load deleted (zero
	// without RetentionDays).
	Expired warehouse.Expired
	// ViewsPending are the syncs whose typed views are not rebuilt although
	// their runs are loaded: the refresh failed, or the load stopped before
	// it. Options.Views of the next load rebuilds them (synctrack views does
	// every sync's).
	ViewsPending []string
	// ViewErrors are the syncs whose typed views failed for a cause of their
	// own (a view of the user's built on one, say), each with it; every other
	// sync's view is rebuilt. Their rows are loaded; the next load of a run
	// of theirs, or synctrack views, tries again.
	ViewErrors warehouse.ViewErrors
	Elapsed    time.Duration
}
