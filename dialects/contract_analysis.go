package dialects

// The analysis views' columns. Each view is one template of package sql
// (its header is the view's description); its columns are listed here in
// the order the view has them, each documented once in analysisDocs, with
// a per-view override where a name means something narrower there.

var analysisViews = []struct {
	name string
	cols []string
}{
	{"flapping_records", []string{"org_id", "sync_id", "record_identifier", "runs", "changes", "outcomes"}},
	{"invalid_records", []string{"org_id", "sync_id", "sync_run_id", "invalid_check", "invalid", "records", "example_identifier", "example_message"}},
	{"new_errors", []string{"org_id", "sync_id", "sync_run_id", "fingerprint", "rejected", "records", "example_message"}},
	{"rejection_trend", []string{"day", "org_id", "sync_id", "total", "rejected", "rejection_rate"}},
	{"rejections_by_fingerprint", []string{"fingerprint", "rejected", "messages", "records", "example_message", "first_seen", "last_seen"}},
	{"rejections_by_message", []string{"status_message", "rejected", "identifiers"}},
	{"run_outcomes", []string{"org_id", "sync_id", "sync_run_id", "started_at", "files", "total", "succeeded", "rejected", "invalid", "rejection_rate"}},
	{"run_summary", []string{"org_id", "sync_id", "sync_run_id", "run_started_at", "total", "succeeded", "rejected", "invalid",
		"rejection_rate", "first_batch_started_at", "last_batch_completed_at", "source_type", "source_object_id", "source_name",
		"destination_type", "destination_id", "destination_name", "destination_object_id", "destination_object_name"}},
	{"top_errors_by_destination", []string{"org_id", "destination_id", "destination_name", "destination_type", "destination_object_id",
		"destination_object_name", "error_rank", "fingerprint", "rejected", "records", "example_message"}},
}

var analysisDocs = map[string]string{
	"org_id":                  "The organization's id.",
	"sync_id":                 "The sync's id.",
	"sync_run_id":             "The run's id.",
	"record_identifier":       "The record's sync key.",
	"runs":                    "Runs of the sync that held the record, among the last n (5).",
	"changes":                 "How many times the record's outcome changed from one run to the next.",
	"outcomes":                "The record's outcome per run (its worst row there), comma-separated, oldest run first.",
	"invalid_check":           "The status as written (NULL, DUPLICATE or another status that is neither succeeded nor rejected), or (no status) for SQL NULL.",
	"invalid":                 "Rows whose outcome is invalid.",
	"records":                 "Distinct records (identifiers) concerned.",
	"example_identifier":      "One record concerned.",
	"example_message":         "One status message, as written.",
	"fingerprint":             "The status message with ids, numbers, UUIDs, e-mails, quoted values and host names normalised (<uuid>, <email>, '<v>', <host>, <id>, <n>).",
	"rejected":                "Rejected rows.",
	"day":                     "The calendar day (UTC) of batch_started_at.",
	"total":                   "All rows.",
	"rejection_rate":          "rejected / total, a fraction rounded to 4 places.",
	"messages":                "Distinct status messages with this fingerprint.",
	"first_seen":              "The earliest batch_started_at with it (UTC).",
	"last_seen":               "The latest batch_started_at with it (UTC).",
	"status_message":          "The status message, as written.",
	"identifiers":             "The rejected records' identifiers.",
	"run_started_at":          "When the run started (sync_runs.started_at).",
	"succeeded":               "Rows whose outcome is success.",
	"first_batch_started_at":  "The run's earliest batch start (UTC).",
	"last_batch_completed_at": "The run's latest batch end (UTC).",
	"source_type":             "The source object's type (fact table; NULL until the facts list it).",
	"source_object_id":        "The source object's id.",
	"source_name":             "The source object's name (fact table; NULL until the facts list it).",
	"destination_type":        "The destination's type (fact table; NULL until the facts list it).",
	"destination_id":          "The destination's id.",
	"destination_name":        "The destination's name (fact table; NULL until the facts list it).",
	"destination_object_id":   "The destination object's id.",
	"destination_object_name": "The destination object's name (fact table; NULL until the facts list it).",
	"started_at":              "The run's earliest batch start (UTC).",
	"files":                   "Records files of the run loaded.",
	"error_rank":              "The fingerprint's rank by rejected rows within its destination object (1 is the most frequent).",

	"new_errors.rejected":            "Rejected rows with this fingerprint in the sync's latest run.",
	"new_errors.sync_run_id":         "The sync's latest run.",
	"invalid_records.records":        "Distinct records that failed the check.",
	"rejections_by_message.rejected": "Rejected rows with this message.",
}

// analysisRelations are the analysis views, with documented columns.
func analysisRelations() []Relation {
	out := make([]Relation, 0, len(analysisViews))
	for _, v := range analysisViews {
		r := Relation{Name: v.name, View: true, Analysis: true}
		for _, c := range v.cols {
			doc, ok := analysisDocs[v.name+"."+c]
			if !ok {
				doc = analysisDocs[c]
			}
			r.Columns = append(r.Columns, ColumnDoc{Name: c, Doc: doc})
		}
		out = append(out, r)
	}
	return out
}
