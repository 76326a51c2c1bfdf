package dialects

// The per-run counts, written by every load in the same transaction as the
// records they count, so pages and reports read a few rows per file instead
// of scanning sync_records. One row per records file, outcome and
// batch_started_at: a file is one batch, so in practice one row per file and
// outcome; grouping by the batch start as well keeps a `since` filter and a
// daily trend over the counts exactly what they are over the rows.

// Counts table names (public API).
const (
	OutcomeCountsTable     = "run_outcome_counts"
	FingerprintCountsTable = "run_fingerprint_counts"
)

// OutcomeCountsColumns are run_outcome_counts' columns, in order: records is
// how many rows of the file have that outcome and batch start,
// batch_ended_at the latest batch end among them.
var OutcomeCountsColumns = []Column{
	{"org_id", "VARCHAR"}, {"sync_configuration_id", "VARCHAR"}, {"sync_run_id", "VARCHAR"},
	{"batch_started_at", "TIMESTAMPTZ"}, {"batch_ended_at", "TIMESTAMPTZ"},
	{"outcome", "VARCHAR"}, {"records", "BIGINT"}, {"_file", "VARCHAR"}, {"_loaded_at", "TIMESTAMPTZ"},
}

// FingerprintCountsColumns are run_fingerprint_counts' columns, in order: one
// row per file, outcome (rejected or invalid), batch start and fingerprint
// of status_message; status_message is the least of the group's messages
// in byte order (sql.CountsInserts compares with the dialect's ByteOrder).
var FingerprintCountsColumns = []Column{
	{"org_id", "VARCHAR"}, {"sync_configuration_id", "VARCHAR"}, {"sync_run_id", "VARCHAR"},
	{"batch_started_at", "TIMESTAMPTZ"}, {"outcome", "VARCHAR"}, {"fingerprint", "VARCHAR"},
	{"status_message", "VARCHAR"}, {"records", "BIGINT"}, {"_file", "VARCHAR"}, {"_loaded_at", "TIMESTAMPTZ"},
}

// CountsTables are the counts tables with their columns, in the order they
// are written.
func CountsTables() []struct {
	Name    string
	Columns []Column
} {
	return []struct {
		Name    string
		Columns []Column
	}{{OutcomeCountsTable, OutcomeCountsColumns}, {FingerprintCountsTable, FingerprintCountsColumns}}
}

// OutcomeSQL is sync_log's outcome of the sync_records row aliased r: the one
// definition the view and the counts share.
const OutcomeSQL = "CASE lower(r.status) WHEN 'succeeded' THEN 'success' WHEN 'rejected' THEN 'rejected' ELSE 'invalid' END"

// LoadedRecordKeys is a subquery of the keys of the records files the
// ledger has loaded with rows: the files whose counts a backfill takes.
func LoadedRecordKeys(d Dialect, schema string) string {
	q := d.Ident
	return "SELECT l." + q("key") + " FROM " + d.Table(schema, "load_ledger") + " l WHERE l." + q("status") +
		" = 'loaded' AND l." + q("kind") + " = 'records' AND l." + q("rows") + " > 0"
}
