// Package warehouse defines what the loader asks of a warehouse engine. Each engine
// lives in its own subpackage; SQL text comes from package dialects.
package warehouse

import (
	"context"
	"math"
	"time"

	"github.com/synctrack/synctrack/dialects"
)

// Warehouse is one engine's side of a load: it reads the ledger and applies the
// loader's decisions, each file's rows and its ledger row in one transaction.
type Warehouse interface {
	// Ledger returns every ledger row: one per object version seen. Only
	// status and tests read it whole; planning reads it by prefix (ScanLedger).
	Ledger(ctx context.Context) ([]LedgerEntry, error)
	// ScanLedger streams what planning needs of the ledger rows whose key
	// starts with prefix ("" for all, a key for that key and any key it
	// begins), in byte order of key, one row at a time: a caller merges it
	// with a bucket listing (also in key order) and never holds the ledger.
	// A schema no load has made yet reads as an empty ledger.
	ScanLedger(ctx context.Context, prefix string, fn func(LedgerVersion) error) error
	// LoadRecords replaces the rows of these records files (delete by _file, insert)
	// and writes their ledger rows as loaded, all in one transaction: on error
	// nothing of the batch is kept. (An engine that commits a batch in parts,
	// each file with its rows and ledger row, returns a Transient error once a
	// part is committed, never a narrowable one: its files are loaded, and the
	// next load plans them from the ledger.) An engine that can tell, in the same
	// statement, which files it could not read loads the rest and returns
	// those in Loaded.Failed (no rows, no ledger row: the loader records
	// them). A data error naming files (Error.Keys) fails just those.
	LoadRecords(ctx context.Context, files []File) (Loaded, error)
	// LoadRuns replaces the sync_runs rows of these metadata.json files and writes
	// their ledger rows, in one transaction.
	LoadRuns(ctx context.Context, runs []Run) error
	// ReplaceFacts rebuilds one fact table from all of its current files and
	// writes the ledger rows of those that were new, and keep.Deleted, in
	// one transaction. The rows of the files keep names stay as they are
	// (FactsKept). With no files, the table keeps only the rows keep names.
	ReplaceFacts(ctx context.Context, table string, files []File, keep FactsKept) error
	// Record writes ledger rows for objects that failed or were skipped.
	Record(ctx context.Context, entries []LedgerEntry) error
	// Requeue puts quarantined objects back: their ledger rows become failed
	// with no attempts, so the next load reads them again. With no keys,
	// every quarantined object. It returns how many it put back.
	Requeue(ctx context.Context, keys []string) (int64, error)
	// RefreshViews rebuilds sync_log, the analysis views and the typed view
	// of each given sync from the payload schemas in sync_runs.
	RefreshViews(ctx context.Context, syncIDs []string) error
	// InstallViews creates or replaces the analysis views (the templates
	// that take no parameters) and returns their names.
	InstallViews(ctx context.Context) ([]string, error)
	// Expire applies retention in one transaction: the sync_records rows
	// whose batch_started_at is before r.Cutoff are deleted, the loaded
	// records files left without rows become expired in the ledger, and
	// their rows go from every per-file table (dialects.FileTables). Rows
	// without a batch_started_at are kept. In external mode the rows are the
	// bucket's files, which synctrack never deletes: a config error.
	Expire(ctx context.Context, r Retention) (Expired, error)
	Querier
	Close() error
}

// Querier answers read-only SQL: reports, record searches, the web pages.
type Querier interface {
	// Dialect is the SQL the engine speaks, for rendering its queries.
	Dialect() dialects.Dialect
	// Schema is the schema (BigQuery: the dataset) holding synctrack's tables.
	Schema() string
	// Query runs one read-only statement with bound arguments, placed as
	// the dialect's Placeholder renders them, and returns its rows. Values
	// never become SQL text. Close the rows when done.
	Query(ctx context.Context, sql string, args []Arg) (Rows, error)
}

// Arg is one bind argument: the i-th placeholder is args[i-1] for engines
// with positional placeholders; named ones bind by Name.
type Arg struct {
	Name  string
	Value any
}

// Rows is a result read one row at a time; *sql.Rows is one. Scan is given
// one *any per column.
type Rows interface {
	Columns() ([]string, error)
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close() error
}

// Loaded is what one LoadRecords did.
type Loaded struct {
	Rows   int64
	Failed []FileError // files refused alone; each Err is a data error
}

// FileError is one object that failed, and why.
type FileError struct {
	Key string
	Err error
}

// Kind says what an object in the bucket is.
type Kind string

const (
	KindRecords  Kind = "records"  // sync_tracking_datasets/ORG/SYNC/RUN/type.N.parquet
	KindMetadata Kind = "metadata" // sync_tracking_datasets/ORG/SYNC/RUN/metadata.json
	KindFact     Kind = "fact"     // metadata/ORG/*.parquet
	KindIgnored  Kind = "ignored"  // _SUCCESS, *.txt, temp files, anything else
)

// Object is one object version found in the bucket, classified by its key.
type Object struct {
	Key     string
	ETag    string
	Size    int64
	ModTime time.Time
	Kind    Kind

	// From the path.
	OrgID  string
	SyncID string // sync configuration id
	RunID  string

	// Records files: from the file name.
	BatchType   string // e.g. records_updated
	BatchNumber *int64 // nil for old-shape names without a number

	// Fact files: source_objects, destinations or destination_objects.
	FactTable string
}

// File is an object ready to load.
type File struct {
	Object
	// Local is the path of a local copy, for warehouses that are LocalReaders,
	// or of a repaired copy, for those that take LocalCopies.
	Local string
	// Rows is the row count from the file's footer, and Columns the column names
	// in its schema; both set only for LocalReaders (the loader read the file).
	Rows    int64
	Columns []string
	// Shape is the file's odd columns and their types (RecordsShape): ""
	// for most. Set with Columns.
	Shape string
	// Attempts counts this load among the object's tries, from 1.
	Attempts int
	// Seen says the ledger has a row for this key: rows of an earlier version
	// may be in the table. When no file of a batch was seen, no row of theirs
	// can be (rows and ledger rows commit together), so nothing needs deleting.
	Seen bool
	// Note says what the loader repaired in the file (its ledger row keeps it).
	Note string
	// Prepared is what a RecordsPreparer made of the file when it was
	// staged; nil if nothing.
	Prepared any
	// ReplaceBadText asks a TextReplacer to load the file with its strings
	// that are not UTF-8 repaired (Note counts them).
	ReplaceBadText bool
}

// FactsKept are the rows a fact table's rebuild keeps as they are, and
// the ledger rows of the files whose rows it drops.
type FactsKept struct {
	// Keys are the table's files loaded before that the rebuild is not
	// given (their new version failed, was not read, or is quarantined):
	// their rows stay.
	Keys []string
	// Newer are the keys of the files given that are new or changed since
	// the table's last rebuild. A row of theirs replaces a kept row of the
	// same (org, id); a row of any other file does not: the kept row won
	// over it when the table was last rebuilt, by the files' times.
	Newer []string
	// Deleted are the ledger rows (StatusDeleted) of the table's files
	// loaded before and deleted from the bucket since, which the rebuild
	// is not given: their rows go, and these rows are written with the
	// rebuild's, in its transaction, so that a table without a file's rows
	// never has a ledger saying it is loaded.
	Deleted []LedgerEntry
}

// Run is one parsed metadata.json, with its object.
type Run struct {
	Object
	Meta     RunMeta
	Attempts int
}

// RunMeta is what synctrack keeps of one run's metadata.json.
type RunMeta struct {
	OrgID               string
	WorkspaceID         string
	SyncConfigurationID string
	SyncRunID           string
	SourceType          string
	SourceObjectID      string
	DestinationType     string
	DestinationID       string
	DestinationObjectID string
	StartedAt           *time.Time
	// PayloadSchema maps each payload field name, as written, to one of
	// "string", "number", "boolean", "array" or "json" (anything else).
	PayloadSchema map[string]string
	// Raw is the file's bytes as read (valid JSON).
	Raw []byte
	// NotUnderstood names the fields the file has whose value was not
	// understood (a started_at that is no time, an id that is an object),
	// each with what it is: they stay empty. Not stored.
	NotUnderstood []string
}

// Ledger statuses.
const (
	StatusLoaded = "loaded"
	StatusFailed = "failed"
	// StatusQuarantined is an object that failed Options.QuarantineAfter
	// times: not read again until `synctrack retry` or a new version.
	StatusQuarantined = "quarantined"
	StatusSkipped     = "skipped"
	StatusReplaced    = "replaced" // an older version of a key whose rows a newer one replaced
	// StatusDeleted is a failed or quarantined version of an object that was
	// then deleted from the bucket: no failure to report any more; or a
	// loaded fact file's, whose rows its table's rebuild then removed. The
	// row keeps the version's size, rows and loaded_at; its error says when
	// the load found it gone (DeletedNote).
	StatusDeleted = "deleted"
)

// LoadedEntry is the ledger row of an object loaded at now with rows rows;
// note, what was repaired on the way, is kept in its error column.
func LoadedEntry(o Object, rows int64, attempts int, note string, now time.Time) LedgerEntry {
	t := now.UTC()
	return LedgerEntry{Key: o.Key, ETag: o.ETag, Size: o.Size, Kind: o.Kind, Status: StatusLoaded, Rows: rows,
		Error: note, Attempts: max(attempts, 1), FirstSeenAt: t, LoadedAt: &t}
}

// LedgerVersion is one ledger row as planning sees it.
type LedgerVersion struct {
	Key, ETag, Status string
	Attempts          int
}

// LedgerEntry is one row of load_ledger.
type LedgerEntry struct {
	Key         string
	ETag        string
	Size        int64
	Kind        Kind
	Status      string
	Rows        int64
	Error       string
	Attempts    int
	FirstSeenAt time.Time
	LoadedAt    *time.Time
}

// StoredAttempts is Attempts as load_ledger's INTEGER holds it: kept at
// its largest value past it, where a plain conversion would wrap to a
// negative count (an object retried for ever by a daemon gets there only
// in theory, but a count must not go backwards); a negative count is 0.
func (e LedgerEntry) StoredAttempts() int32 {
	return int32(min(max(e.Attempts, 0), math.MaxInt32))
}

// Version is what planning needs of the row.
func (e LedgerEntry) Version() LedgerVersion {
	return LedgerVersion{Key: e.Key, ETag: e.ETag, Status: e.Status, Attempts: e.Attempts}
}
