package dialects

// The warehouse contract, documented: every table and view synctrack writes
// and what each column means. This is the one place that says it; `synctrack
// dbt` writes its sources.yml from here, and tests hold these lists against
// the DDL lists of this package and against the catalog of a loaded DuckDB
// and PostgreSQL. A new table or view is one entry in Contract (its columns
// in the order the warehouse lists them).

// Relation is one table or view of the contract.
type Relation struct {
	Name string
	View bool
	// Doc says what one row is and where it comes from. An analysis view's
	// doc is its template's header (package sql), so Doc is empty there.
	Doc     string
	Columns []ColumnDoc
	// Analysis marks the views installed from the analysis templates.
	Analysis bool
	// Open marks a table whose files may add columns after these: the fact
	// tables (columns as written), and sync_records on BigQuery, which adds
	// the vendor's new columns (every engine also keeps them in _extra).
	// Columns is what synctrack guarantees; dbt needs no other declared.
	Open bool
}

// ColumnDoc is one column of a relation and what it means.
type ColumnDoc struct {
	Name, Doc string
	// Daemon marks a column only `synctrack run` writes (the run state);
	// every engine makes its table with it (a DuckDB file made before
	// them gets them at its next load).
	Daemon bool
	// What always holds of the column's values: unique, never NULL, one
	// of Values.
	Unique, NotNull bool
	Values          []string
	// References is the table.column it points to. Fact tables lag the
	// runs by up to six hours, so a value may be missing there for a while.
	References string
}

// Outcomes are the values of sync_log.outcome.
var Outcomes = []string{"success", "rejected", "invalid"}

// Contract lists the relations in the order a reader meets them: the
// records, the vendor's log view, the runs, the fact tables, the typed
// views' catalog, the ledger, then the analysis views. The typed views
// themselves (sync_records_<sync id>) depend on the data: TypedViewDoc and
// TypedViewColumns describe them. daemon_lease, the daemon's lock row, is
// bookkeeping, not data, and is left out.
func Contract() []Relation {
	return append(baseRelations(), analysisRelations()...)
}

// Lookup finds a relation of the contract by name.
func Lookup(name string) (Relation, bool) {
	for _, r := range Contract() {
		if r.Name == name {
			return r, true
		}
	}
	return Relation{}, false
}

func baseRelations() []Relation {
	return []Relation{
		{Name: "sync_records", Open: true, Doc: "One row per record per records file (sync_tracking_datasets/ORG/SYNC/RUN/<batch_type>.<n>.parquet), loaded exactly once per file version; a changed file's rows are replaced. Columns the vendor adds are kept per row in _extra (on BigQuery also as columns of their own, after these).",
			Columns: recordsDocs},
		{Name: "sync_log", View: true, Doc: "One row per record: sync_records joined with its run's metadata.json, under the column names of the vendor's own warehouse log view, plus org_id, workspace_id, outcome, _file and _row.",
			Columns: syncLogDocs},
		{Name: "sync_runs", Doc: "One row per run folder with a readable metadata.json; a changed metadata.json replaces its row.",
			Columns: runsDocs},
		{Name: "source_objects", Open: true, Doc: "Fact table: the vendor's source objects (models, business objects, ...), replaced whole from metadata/ORG/*.parquet (refreshed every six hours, so it can lag the runs). Files may add columns of their own after these.",
			Columns: factDocs("source object", "model_id", "The model the source object reads, if any.",
				"business_object_id", "The business object, if any.",
				"filter_segment_id", "The filter segment, if any.",
				"cohort_id", "The cohort, if any.")},
		{Name: "destinations", Open: true, Doc: "Fact table: the vendor's destinations (connected apps), replaced whole from metadata/ORG/*.parquet (can lag the runs). Files may add columns of their own after these.",
			Columns: factDocs("destination")},
		{Name: "destination_objects", Open: true, Doc: "Fact table: objects within destinations (e.g. a CRM object), replaced whole from metadata/ORG/*.parquet (can lag the runs). Files may add columns of their own after these.",
			Columns: factDocs("destination object")},
		{Name: "payload_columns", Doc: "One row per payload field per sync: the catalog of the typed views, mapping each field name as written in metadata.json to its column in sync_records_<sync id>.",
			Columns: payloadColumnsDocs},
		{Name: OutcomeCountsTable, Doc: "Per-run outcome counts, written by every load in the same transaction as the rows they count: one row per records file, outcome and batch start (in practice one per file and outcome). Sum over files for a run; a changed or expired file's rows go with its records.",
			Columns: outcomeCountsDocs},
		{Name: FingerprintCountsTable, Doc: "Per-run counts of rejected and invalid rows by message fingerprint, written with the rows like run_outcome_counts: one row per records file, outcome, batch start and fingerprint.",
			Columns: fingerprintCountsDocs},
		{Name: "load_ledger", Doc: "One row per object version (key + etag) seen in the bucket: what synctrack loaded, skipped or failed, and why. Loaded rows are never loaded again.",
			Columns: ledgerDocs},
	}
}

var recordsDocs = []ColumnDoc{
	{Name: "identifier", Doc: "The record's sync key, as text (integer keys become text)."},
	{Name: "record_payload", Doc: "The full record as extracted from the source (JSON; Snowflake VARIANT, PostgreSQL jsonb), not always what reached the destination. A payload that is not valid JSON is kept as a JSON string."},
	{Name: "operation", Doc: "The sync's behaviour for the record (update, upsert, delete, append or mirror), as written."},
	{Name: "status", Doc: "The status as written: succeeded, rejected, NULL or DUPLICATE (the last two are invalid-data checks), or SQL NULL."},
	{Name: "status_message", Doc: "The destination's message for the record (the rejection reason), as written."},
	{Name: "batch_started_at", Doc: "When the record's batch started, in UTC."},
	{Name: "batch_ended_at", Doc: "When the record's batch ended, in UTC."},
	{Name: "sync_configuration_id", Doc: "The sync's id: from the file, else (files before 2025-11-18) from the path."},
	{Name: "sync_run_id", Doc: "The run's id: from the file, else from the path."},
	{Name: "org_id", Doc: "The organization's id, from the file, else the path."},
	{Name: "batch_type", Doc: "The batch type from the file name (records_updated.3.parquet -> records_updated)."},
	{Name: "batch_number", Doc: "The batch number from the file name; NULL for old names without one."},
	{Name: "_file", Doc: "The object key of the records file the row came from."},
	{Name: "_row", Doc: "The row's position in its file: with _file, the row's stable identity (log_id)."},
	{Name: "_extra", Doc: "Columns the vendor added that synctrack does not know, per row, as JSON ({\"retry_count\": 2}); NULL when none."},
	{Name: "_loaded_at", Doc: "When synctrack loaded the row (UTC)."},
}

var syncLogDocs = []ColumnDoc{
	{Name: "log_id", Doc: "The row's id: md5(_file || '#' || _row), stable across reloads.", Unique: true, NotNull: true},
	{Name: "sync_id", Doc: "The sync's id (sync_records.sync_configuration_id)."},
	{Name: "sync_run_id", Doc: "The run's id. Its sync_runs row comes from metadata.json, which can load after the records.", References: "sync_runs.sync_run_id"},
	{Name: "record_identifier", Doc: "The record's sync key, as text (sync_records.identifier)."},
	{Name: "record_payload", Doc: "The full record as extracted from the source (JSON)."},
	{Name: "batch_started_at", Doc: "When the record's batch started, in UTC."},
	{Name: "batch_completed_at", Doc: "When the record's batch ended, in UTC (sync_records.batch_ended_at)."},
	{Name: "operation", Doc: "What the sync did with the record, as written."},
	{Name: "status", Doc: "The status as written: succeeded, rejected, NULL, DUPLICATE or SQL NULL."},
	{Name: "status_message", Doc: "The destination's message for the record, as written."},
	{Name: "source_object_id", Doc: "The run's source object (from metadata.json; NULL until it loads). Fact row: source_objects.id.", References: "source_objects.id"},
	{Name: "destination_id", Doc: "The run's destination (from metadata.json). Fact row: destinations.id.", References: "destinations.id"},
	{Name: "destination_object_id", Doc: "The run's destination object (from metadata.json). Fact row: destination_objects.id.", References: "destination_objects.id"},
	{Name: "org_id", Doc: "The organization's id."},
	{Name: "workspace_id", Doc: "The run's workspace (from metadata.json)."},
	{Name: "outcome", Doc: "success (status succeeded), rejected (status rejected) or invalid (NULL, DUPLICATE, SQL NULL or anything else): the UI's grouping.", NotNull: true, Values: Outcomes},
	{Name: "_file", Doc: "The object key of the records file."},
	{Name: "_row", Doc: "The row's position in its file: with _file, the row's identity, and record_history's order within a run."},
}

var runsDocs = []ColumnDoc{
	{Name: "org_id", Doc: "The organization's id (metadata.json, else the path)."},
	{Name: "workspace_id", Doc: "The workspace's id."},
	{Name: "sync_configuration_id", Doc: "The sync's id (metadata.json, else the path)."},
	{Name: "sync_run_id", Doc: "The run's id (metadata.json, else the path)."},
	{Name: "source_type", Doc: "The source's type."},
	{Name: "source_object_id", Doc: "The source object's id: source_objects.id.", References: "source_objects.id"},
	{Name: "destination_type", Doc: "The destination's type."},
	{Name: "destination_id", Doc: "The destination's id: destinations.id.", References: "destinations.id"},
	{Name: "destination_object_id", Doc: "The destination object's id: destination_objects.id.", References: "destination_objects.id"},
	{Name: "started_at", Doc: "When the run started (UTC), if metadata.json says."},
	{Name: "payload_schema", Doc: "The run's payload schema as JSON: field name -> string, number, boolean, array or another JSON type."},
	{Name: "metadata", Doc: "The raw metadata.json."},
	{Name: "_file", Doc: "The object key of the metadata.json."},
	{Name: "_loaded_at", Doc: "When synctrack loaded it (UTC)."},
	{Name: "state", Doc: "open or complete: complete after the sync.completed webhook or a quiet period without new files; a late file reopens the run. Kept by synctrack run; NULL reads as open.", Daemon: true},
	{Name: "completed_at", Doc: "When the run was marked complete (UTC); NULL while open.", Daemon: true},
}

// factDocs documents a fact table's columns: the id, type and name every
// fact table has, extra ones given as name, doc pairs, then synctrack's own.
func factDocs(what string, extra ...string) []ColumnDoc {
	cols := []ColumnDoc{
		{Name: "id", Doc: "The " + what + "'s id, as text (so it joins with sync_runs)."},
		{Name: "type", Doc: "The " + what + "'s type."},
		{Name: "name", Doc: "The " + what + "'s name."},
	}
	for i := 0; i+1 < len(extra); i += 2 {
		cols = append(cols, ColumnDoc{Name: extra[i], Doc: extra[i+1]})
	}
	return append(cols,
		ColumnDoc{Name: "org_id", Doc: "The organization's id, from the path (metadata/ORG/)."},
		ColumnDoc{Name: "_file", Doc: "The object key of the fact file the row came from (the newest file wins per org and id)."},
		ColumnDoc{Name: "_loaded_at", Doc: "When synctrack loaded it (UTC)."})
}

var payloadColumnsDocs = []ColumnDoc{
	{Name: "sync_configuration_id", Doc: "The sync's id."},
	{Name: "view_name", Doc: "The typed view: sync_records_<sync id>, sanitized."},
	{Name: "field_name", Doc: "The payload field's name as written in metadata.json (untrusted: any text)."},
	{Name: "column_name", Doc: "Its column in the view: lower-case [a-z0-9_], at most 60 bytes, never colliding; never renamed once given."},
	{Name: "column_type", Doc: "string, number, boolean or json (a field whose type differs between runs is json)."},
}

var ledgerDocs = []ColumnDoc{
	{Name: "key", Doc: "The object's key in the bucket."},
	{Name: "etag", Doc: "The object version's ETag: key + etag is one version, loaded once."},
	{Name: "size", Doc: "The object's size in bytes."},
	{Name: "kind", Doc: "records, metadata, fact or ignored."},
	{Name: "status", Doc: "loaded, failed, quarantined (failed too often: not read again until synctrack retry), skipped, replaced (a newer version replaced its rows), expired (--retention deleted all its rows; never loaded again) or deleted (removed from the bucket: failed or quarantined, no longer reported; or a loaded fact file, whose rows left its table; the row keeps the version's size, rows and loaded_at, and its error says when a load found it gone)."},
	{Name: "rows", Doc: "Rows loaded from it."},
	{Name: "error", Doc: "Why it failed; on a loaded row, what was repaired on the way (e.g. invalid UTF-8); on an expired row, the retention cutoff; on a deleted row, when a load found it gone from the bucket."},
	{Name: "attempts", Doc: "How many loads tried it."},
	{Name: "first_seen_at", Doc: "When synctrack first saw this version (UTC)."},
	{Name: "loaded_at", Doc: "When it loaded (UTC); NULL if it never loaded (a deleted row keeps it)."},
}

// TypedViewDoc describes the typed view of one sync.
func TypedViewDoc(syncID string) string {
	return "One row per record of sync " + syncID + ": sync_records' columns, then each payload field as a typed column (string -> text, number -> double, boolean -> boolean, array and other -> JSON; a value of the wrong type reads as NULL). payload_columns maps the fields to the columns."
}

// PayloadColumnDoc describes one payload column of a typed view; field is
// the name as written, already made safe to show by the caller.
func PayloadColumnDoc(field, typ string) string {
	return "Payload field " + field + " (" + typ + ")."
}

var outcomeCountsDocs = []ColumnDoc{
	{Name: "org_id", Doc: "The organization's id."},
	{Name: "sync_configuration_id", Doc: "The sync's id."},
	{Name: "sync_run_id", Doc: "The run's id."},
	{Name: "batch_started_at", Doc: "The batch start of the rows counted (UTC)."},
	{Name: "batch_ended_at", Doc: "The latest batch end among the rows counted (UTC)."},
	{Name: "outcome", Doc: "success, rejected or invalid, as sync_log derives it from status.", NotNull: true, Values: Outcomes},
	{Name: "records", Doc: "Rows of the file with this outcome and batch start."},
	{Name: "_file", Doc: "The records file counted (object key)."},
	{Name: "_loaded_at", Doc: "When synctrack loaded the file (UTC)."},
}

var fingerprintCountsDocs = []ColumnDoc{
	{Name: "org_id", Doc: "The organization's id."},
	{Name: "sync_configuration_id", Doc: "The sync's id."},
	{Name: "sync_run_id", Doc: "The run's id."},
	{Name: "batch_started_at", Doc: "The batch start of the rows counted (UTC)."},
	{Name: "outcome", Doc: "rejected or invalid.", NotNull: true, Values: []string{"rejected", "invalid"}},
	{Name: "fingerprint", Doc: "The status message with ids, numbers, UUIDs, e-mails, quoted values and host names normalised, as in rejections_by_fingerprint."},
	{Name: "status_message", Doc: "One message with this fingerprint (the least in byte order), as written."},
	{Name: "records", Doc: "Rows of the file with this outcome, batch start and fingerprint."},
	{Name: "_file", Doc: "The records file counted (object key)."},
	{Name: "_loaded_at", Doc: "When synctrack loaded the file (UTC)."},
}
