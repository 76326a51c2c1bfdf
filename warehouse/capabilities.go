package warehouse

import (
	"context"
	"os"

	"github.com/parquet-go/parquet-go"
)

// LocalReader is a warehouse that reads records from local files, so the loader
// must stage each object to File.Local first (DuckDB). Warehouses that read the
// bucket themselves do not implement it.
type LocalReader interface {
	ReadsLocalFiles()
}

// RecordsPreparer is a LocalReader that reads something of each records
// file as the loader stages it, from the file the stager has open (pf, its
// footer decoded; info, its stat): work LoadRecords would otherwise do after
// reading the file again (DuckDB groups the per-run counts). The stager keeps
// the result in File.Prepared; staging runs while the batch before loads.
// PrepareRecords must not fail the file: a result it cannot use, LoadRecords
// does again.
type RecordsPreparer interface {
	PrepareRecords(f File, pf *parquet.File, info os.FileInfo) any
}

// LocalCopies is a warehouse that reads the bucket itself but also loads a
// local copy of a records file in its place when File.Local is set (BigQuery,
// through a load job's upload). The loader gives it one only for a file it
// refused for strings that are not UTF-8, repaired (the fault model's "repair,
// don't drop").
type LocalCopies interface {
	LoadsLocalCopies()
}

// TextReplacer is a warehouse that refuses a records file holding strings
// that are not UTF-8 (a data error of ReasonBadText) unless
// File.ReplaceBadText asks it to replace their bad bytes with U+FFFD itself
// (Snowflake's REPLACE_INVALID_CHARACTERS). The loader counts them first,
// for the ledger row (File.Note).
type TextReplacer interface {
	ReplacesBadText()
}

// Baseline is an engine with a bare load of its own: the same files read
// by the engine alone, without the ledger or synctrack's columns. It is the
// ceiling `synctrack bench` measures loads against.
type Baseline interface {
	BaselineLoad(ctx context.Context, files []string) (rows int64, err error)
}

// CountsSkipper is an engine whose loads can leave the per-run counts out
// (run_outcome_counts, run_fingerprint_counts). Only `synctrack bench` asks
// it, on a warehouse of its own that it drops after, to show what writing
// the counts costs a load: a load after SkipCounts stores rows no page or
// report counts.
type CountsSkipper interface {
	SkipCounts()
}

// Estimator is a warehouse that can say what a query would read without
// running it (BigQuery's dry run: the bytes an on-demand query is billed
// on, before clustering prunes blocks). synctrack report --dry-run asks it.
type Estimator interface {
	EstimateBytes(ctx context.Context, sql string, args []Arg) (int64, error)
}

// IdentifierKeyer is a warehouse that keeps a key of each record's identifier
// beside it (DuckDB: a hash, sync_records._identifier_hash), so the record
// search can filter on the key first. ok is false when the keys cannot be
// trusted here (a file not yet migrated, or keys from a DuckDB that hashes
// otherwise): the search then filters on the identifier alone.
type IdentifierKeyer interface {
	IdentifierKey(ctx context.Context, identifier string) (key int64, ok bool, err error)
}

// FileRanger is a warehouse whose sync_records a range of _file narrows
// cheaply (PostgreSQL: a BRIN index on _file, and loads write a batch's
// files together, in key order), so the pages bound a run's or a sync's
// rows by their first and last file. FileRange reads those from the counts
// tables, written in the same transaction as the rows: of sync's rows, or
// of run's when run is not empty. ok is false when the counts have none:
// the query then reads without the bound.
type FileRanger interface {
	FileRange(ctx context.Context, sync, run string) (from, to string, ok bool, err error)
}

// JSONBaseline is an engine whose bare load can also store record_payload
// as its JSON type, as the contract does (PostgreSQL: jsonb, parsed on
// arrival), instead of as plain text: the second ceiling `synctrack bench`
// prints, so the cost of the payload's type is told apart from synctrack's.
type JSONBaseline interface {
	JSONBaselineLoad(ctx context.Context, files []string) (rows int64, err error)
}

// Dropper is a warehouse on a server that can drop its schema and
// everything in it: `synctrack bench` gives each phase a fresh one, as it
// gives the embedded engine a fresh file.
type Dropper interface {
	DropSchema(ctx context.Context) error
}

// BatchLimiter is a warehouse with its own idea of a batch: how many files and
// bytes one load statement should take. The loader asks it when its options
// leave the limits unset.
type BatchLimiter interface {
	BatchLimits() (files int, bytes int64)
}
