package bigquery

import (
	"regexp"
	"slices"
	"strings"

	bqv2 "google.golang.org/api/bigquery/v2"
)

// Fault is a scripted failure the fake answers a call with, in BigQuery's
// terms (cloud.google.com/bigquery/docs/error-messages): an HTTP error of
// Code with Reason, or, with Code 0, a job accepted and done with Reason and
// Message as its errorResult (how a load job's or a query's own failure
// comes back; getQueryResults then answers the query's error over HTTP).
type Fault struct {
	Code    int
	Reason  string
	Message string
}

// The faults of each class the warehouse must tell apart. The client itself
// retries 5xx, backendError and rateLimitExceeded on jobs.insert until its
// context ends; tests of those use a short JobTimeout.
var (
	quotaExceeded = Fault{Code: 403, Reason: "quotaExceeded",
		Message: "Quota exceeded: Your table exceeded quota for imports or query appends per table."}
	rateLimited = Fault{Code: 429, Reason: "rateLimitExceeded",
		Message: "Exceeded rate limits: too many api requests per user per method for this user_method."}
	accessDenied = Fault{Code: 403, Reason: "accessDenied",
		Message: "Access Denied: Project p: User does not have bigquery.jobs.create permission in project p."}
	notFound    = Fault{Code: 404, Reason: "notFound", Message: "Not found: Dataset p:synctrack"}
	unavailable = Fault{Code: 503, Reason: "backendError", Message: "Backend error. Job aborted."}
	// jobBackendError is a job that failed on BigQuery's side: the job ends
	// with it rather than the call, so the client does not retry it.
	jobBackendError = Fault{Reason: "backendError", Message: "Backend error. Job aborted."}
	// refusedProbe is what the BigQuery emulator answers every schema dry run
	// over temporary table definitions with (test/bigquery, goccy v0.8.1).
	refusedProbe = Fault{Reason: "jobInternalError", Message: "failed to analyze: Table not found: _st_file_0 [at 2:33]"}
)

// readError is BigQuery failing to read one file's data: a load job's or a
// query's error naming the object.
func readError(uri string) Fault {
	return Fault{Reason: "invalid", Message: "Error while reading data, error message: Failed to read Parquet file: " +
		"Invalid column chunk. File: " + uri}
}

// httpCode is the status getQueryResults answers a failed job's reason with.
func httpCode(reason string) int {
	switch reason {
	case "accessDenied", "quotaExceeded":
		return 403
	case "rateLimitExceeded":
		return 429
	case "notFound":
		return 404
	case "backendError":
		return 503
	case "internalError":
		return 500
	}
	return 400
}

// call is what a fault is matched against: one jobs.insert or jobs.query.
type call struct {
	Kind string   // dryrun, query (one statement), script, load, read (jobs.query) or table (tables.*)
	SQL  string   // a table call's: its method and the table's name ("PATCH sync_log")
	URIs []string // a load job's source URIs; a dry run's definitions' URIs
	Keys []string // a script's batch: the keys its staging job wrote
}

func callOf(j *bqv2.Job) call {
	c := j.Configuration
	switch {
	case c.Load != nil:
		return call{Kind: "load", URIs: c.Load.SourceUris}
	case c.Query == nil:
		return call{Kind: "other"}
	case c.DryRun:
		out := call{Kind: "dryrun", SQL: c.Query.Query}
		for _, d := range c.Query.TableDefinitions {
			out.URIs = append(out.URIs, d.SourceUris...)
		}
		return out
	case strings.Contains(c.Query.Query, ";\n"):
		return call{Kind: "script", SQL: c.Query.Query}
	}
	return call{Kind: "query", SQL: c.Query.Query}
}

// scripted is one fault and the calls it answers; times > 0 limits how
// many (then the call is answered as usual).
type scripted struct {
	match func(call) bool
	fault Fault
	times int
}

// failWhen answers every call that match takes with ft.
func (f *bqFake) failWhen(match func(call) bool, ft Fault) { f.failTimes(match, ft, 0) }

// failTimes answers the first n calls that match takes with ft.
func (f *bqFake) failTimes(match func(call) bool, ft Fault, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = append(f.faults, scripted{match: match, fault: ft, times: n})
}

func (f *bqFake) fault(c call) *Fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.faults {
		s := &f.faults[i]
		if s.times < 0 || !s.match(c) {
			continue
		}
		if s.times > 0 {
			if s.times--; s.times == 0 {
				s.times = -1 // used up
			}
		}
		ft := s.fault
		return &ft
	}
	return nil
}

// Matchers.
func kind(k string) func(call) bool { return func(c call) bool { return c.Kind == k } }

// loadOf matches the load job of one URI.
func loadOf(uri string) func(call) bool {
	return func(c call) bool { return c.Kind == "load" && slices.Contains(c.URIs, uri) }
}

// scriptReading matches a script whose external tables list uri.
func scriptReading(uri string) func(call) bool {
	return func(c call) bool { return c.Kind == "script" && strings.Contains(c.SQL, "'"+uri+"'") }
}

var batchTable = regexp.MustCompile("`(_st_batch_[0-9a-f]{12})`")

// scriptOf matches a script whose batch holds key.
func scriptOf(key string) func(call) bool {
	return func(c call) bool { return c.Kind == "script" && slices.Contains(c.Keys, key) }
}

// batchKeys are the keys of the files array staged for the batch sql reads.
func (f *bqFake) batchKeys(sql string) []string {
	m := batchTable.FindStringSubmatch(sql)
	if m == nil {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, j := range f.inserts {
		if q := j.Configuration.Query; q != nil && strings.HasPrefix(q.Query, "CREATE TABLE `synctrack`.`"+m[1]+"`") {
			return param(q, "files_2")
		}
	}
	return nil
}

// ledgerWrites are the ledger rows that scripts which ran wrote, key to
// status, the last write winning: read from the parameters of the job that
// staged each script's batch.
func (f *bqFake) ledgerWrites() map[string]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]string{}
	for _, s := range f.ran {
		q := s.Configuration.Query.Query
		m := batchTable.FindStringSubmatch(q)
		if m == nil || !strings.Contains(q, "INSERT INTO `synctrack`.`load_ledger`") {
			continue
		}
		for _, j := range f.inserts {
			jq := j.Configuration.Query
			if jq == nil || !strings.HasPrefix(jq.Query, "CREATE TABLE `synctrack`.`"+m[1]+"`") {
				continue
			}
			keys, status := param(jq, "ledger_0"), param(jq, "ledger_4")
			for i, k := range keys {
				out[k] = status[i]
			}
		}
	}
	return out
}

// param is the values of one array parameter of a query job.
func param(q *bqv2.JobConfigurationQuery, name string) []string {
	for _, p := range q.QueryParameters {
		if p.Name != name || p.ParameterValue == nil {
			continue
		}
		out := make([]string, len(p.ParameterValue.ArrayValues))
		for i, v := range p.ParameterValue.ArrayValues {
			out[i] = v.Value
		}
		return out
	}
	return nil
}
