package bigquery

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	bqv2 "google.golang.org/api/bigquery/v2"
)

// bqFake is BigQuery's REST API as far as the warehouse uses it, in process:
// the real cloud.google.com/go/bigquery client talks to it over HTTP
// (BIGQUERY_EMULATOR_HOST, as Open reads it). It runs no SQL. It records
// every jobs.insert request; it answers a dry run with a result schema built
// from each table definition's file, read server side as BigQuery would
// (schema), or with HTTP 400; a script with success and, for its last SELECT,
// the row count scriptRows; reads (jobs.query) with no rows; tables.* from a
// map, so Open's setup and the views run as they would. A fault scripted
// with failWhen (fault_test.go) answers a matching call or job instead.
type bqFake struct {
	t   *testing.T
	srv *httptest.Server
	// schema answers for one table definition's URI: the file's columns in the
	// API's terms, or an error, which fails the dry run as BigQuery would.
	schema func(uri string) ([]*bqv2.TableFieldSchema, error)
	// scriptRows is the value a script's closing SELECT returns.
	scriptRows int64
	// statementType answers a dry run without table definitions (a
	// person's statement) with its statementType; SELECT when nil.
	statementType func(sql string) string
	// dryBytes is a dry run's totalBytesProcessed.
	dryBytes int64

	mu       sync.Mutex
	inserts  []*bqv2.Job // jobs.insert request bodies, in order
	reads    []string    // jobs.query (read) SQL, in order
	ran      []*bqv2.Job // query jobs (not dry runs) answered as done without error
	faults   []scripted  // failures to answer with, first match wins (fault_test.go)
	uploaded []uploaded  // load jobs' media (upload_test.go)
	jobs     map[string]*bqv2.Job
	tables   map[string]*bqv2.Table
	nextID   int
}

func newBQFake(t *testing.T) *bqFake {
	f := &bqFake{t: t, scriptRows: 4242, jobs: map[string]*bqv2.Job{}, tables: map[string]*bqv2.Table{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	t.Setenv("BIGQUERY_EMULATOR_HOST", f.srv.URL)
	return f
}

// dryRuns and queryJobs split the recorded jobs.insert requests; queryCount
// adds the reads (jobs.query), which are query jobs too.
func (f *bqFake) dryRuns() []*bqv2.Job   { return f.recorded(true) }
func (f *bqFake) queryJobs() []*bqv2.Job { return f.recorded(false) }

func (f *bqFake) recorded(dry bool) []*bqv2.Job {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []*bqv2.Job
	for _, j := range f.inserts {
		if j.Configuration.DryRun == dry && j.Configuration.Query != nil {
			out = append(out, j)
		}
	}
	return out
}

func (f *bqFake) queryCount() int {
	n := len(f.queryJobs())
	f.mu.Lock()
	defer f.mu.Unlock()
	return n + len(f.reads)
}

// scripts are the SQL of the query jobs that are multi-statement scripts.
func (f *bqFake) scripts() []string {
	var out []string
	for _, j := range f.queryJobs() {
		if q := j.Configuration.Query.Query; strings.Contains(q, ";\n") {
			out = append(out, q)
		}
	}
	return out
}

func (f *bqFake) reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.inserts, f.reads, f.ran = nil, nil, nil
}

func (f *bqFake) serve(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/upload/bigquery/v2/") {
		f.upload(w, r)
		return
	}
	path := strings.TrimPrefix(r.URL.Path, "/bigquery/v2")
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if len(parts) < 3 || parts[0] != "projects" {
		f.fail(w, http.StatusNotFound, "notFound", "no route "+r.Method+" "+path)
		return
	}
	project, rest := parts[1], parts[2:]
	switch {
	case rest[0] == "jobs" && len(rest) == 1 && r.Method == http.MethodPost:
		f.insert(w, r, project)
	case rest[0] == "jobs" && len(rest) == 2 && r.Method == http.MethodGet:
		f.mu.Lock()
		j := f.jobs[rest[1]]
		f.mu.Unlock()
		if j == nil {
			f.fail(w, http.StatusNotFound, "notFound", "no job "+rest[1])
			return
		}
		f.reply(w, j)
	case rest[0] == "queries" && len(rest) == 2 && r.Method == http.MethodGet:
		f.results(w, project, rest[1])
	case rest[0] == "queries" && len(rest) == 1 && r.Method == http.MethodPost:
		var q bqv2.QueryRequest
		if !f.decode(w, r, &q) {
			return
		}
		if ft := f.fault(call{Kind: "read", SQL: q.Query}); ft != nil {
			f.fail(w, ft.Code, ft.Reason, ft.Message)
			return
		}
		f.mu.Lock()
		f.reads = append(f.reads, q.Query)
		f.nextID++
		id := fmt.Sprintf("read%d", f.nextID)
		f.mu.Unlock()
		f.reply(w, &bqv2.QueryResponse{JobComplete: true, Schema: &bqv2.TableSchema{},
			JobReference: &bqv2.JobReference{ProjectId: project, JobId: id}})
	case rest[0] == "datasets" && len(rest) == 2 && r.Method == http.MethodGet:
		f.reply(w, &bqv2.Dataset{DatasetReference: &bqv2.DatasetReference{ProjectId: project, DatasetId: rest[1]}})
	case rest[0] == "datasets" && len(rest) >= 3 && rest[2] == "tables":
		f.table(w, r, project, rest[1], rest[3:])
	default:
		f.fail(w, http.StatusNotFound, "notFound", "no route "+r.Method+" "+path)
	}
}

// insert is jobs.insert: a dry run is answered at once, as BigQuery does;
// any other job is done when inserted. A scripted fault answers instead:
// with an HTTP error, or with the job done and failed (Fault.Code 0).
func (f *bqFake) insert(w http.ResponseWriter, r *http.Request, project string) {
	var j bqv2.Job
	if !f.decode(w, r, &j) {
		return
	}
	f.answer(w, project, j)
}

// answer is jobs.insert's answer to the job j, however it came.
func (f *bqFake) answer(w http.ResponseWriter, project string, j bqv2.Job) {
	f.mu.Lock()
	f.inserts = append(f.inserts, &j)
	f.mu.Unlock()
	if j.JobReference == nil {
		j.JobReference = &bqv2.JobReference{ProjectId: project, JobId: fmt.Sprint(time.Now().UnixNano())}
	}
	c := callOf(&j)
	if c.Kind == "script" {
		c.Keys = f.batchKeys(c.SQL)
	}
	if ft := f.fault(c); ft != nil {
		if ft.Code != 0 {
			f.fail(w, ft.Code, ft.Reason, ft.Message)
			return
		}
		e := &bqv2.ErrorProto{Reason: ft.Reason, Message: ft.Message}
		failed := &bqv2.Job{JobReference: j.JobReference, Configuration: j.Configuration,
			Status: &bqv2.JobStatus{State: "DONE", ErrorResult: e, Errors: []*bqv2.ErrorProto{e}}}
		f.mu.Lock()
		f.jobs[j.JobReference.JobId] = failed
		f.mu.Unlock()
		f.reply(w, failed)
		return
	}
	q := j.Configuration.Query
	if j.Configuration.DryRun && q != nil {
		schema, err := f.dryRun(q)
		if err != nil {
			f.fail(w, http.StatusBadRequest, "invalid", err.Error())
			return
		}
		typ := "SELECT"
		if f.statementType != nil && len(q.TableDefinitions) == 0 {
			typ = f.statementType(q.Query)
		}
		f.reply(w, &bqv2.Job{JobReference: j.JobReference, Configuration: j.Configuration,
			Status: &bqv2.JobStatus{State: "DONE"},
			Statistics: &bqv2.JobStatistics{TotalBytesProcessed: f.dryBytes,
				Query: &bqv2.JobStatistics2{StatementType: typ, Schema: schema, TotalBytesProcessed: f.dryBytes}}})
		return
	}
	stmt := "SELECT"
	if q != nil && strings.Contains(q.Query, ";\n") {
		stmt = "SCRIPT"
	}
	done := &bqv2.Job{JobReference: j.JobReference, Configuration: j.Configuration, Status: &bqv2.JobStatus{State: "DONE"},
		Statistics: &bqv2.JobStatistics{Query: &bqv2.JobStatistics2{StatementType: stmt}}}
	f.mu.Lock()
	f.jobs[j.JobReference.JobId] = done
	if q != nil {
		f.ran = append(f.ran, &j)
	}
	f.mu.Unlock()
	f.reply(w, done)
}

// dryRun builds the result schema of dialects.BigQuery.SchemaProbe: one
// REPEATED RECORD column per table definition, holding its file's columns.
func (f *bqFake) dryRun(q *bqv2.JobConfigurationQuery) (*bqv2.TableSchema, error) {
	names := make([]string, 0, len(q.TableDefinitions))
	for n := range q.TableDefinitions {
		names = append(names, n)
	}
	sort.Strings(names)
	out := &bqv2.TableSchema{}
	for _, n := range names {
		def := q.TableDefinitions[n]
		if len(def.SourceUris) != 1 {
			return nil, fmt.Errorf("table %s: %d source URIs", n, len(def.SourceUris))
		}
		cols, err := f.schema(def.SourceUris[0])
		if err != nil {
			return nil, fmt.Errorf("Error while reading table: %s, error message: %v", n, err)
		}
		out.Fields = append(out.Fields, &bqv2.TableFieldSchema{Name: n, Type: "RECORD", Mode: "REPEATED", Fields: cols})
	}
	return out, nil
}

// results is jobs.getQueryResults: a script closing with SumRows returns
// scriptRows, the counts' backfill check 0; anything else no rows. A failed job answers with its error,
// as BigQuery does.
func (f *bqFake) results(w http.ResponseWriter, project, id string) {
	f.mu.Lock()
	j := f.jobs[id]
	f.mu.Unlock()
	if j != nil && j.Status.ErrorResult != nil {
		e := j.Status.ErrorResult
		f.fail(w, httpCode(e.Reason), e.Reason, e.Message)
		return
	}
	res := &bqv2.GetQueryResultsResponse{JobComplete: true, Schema: &bqv2.TableSchema{},
		JobReference: &bqv2.JobReference{ProjectId: project, JobId: id}}
	if j != nil && strings.HasSuffix(j.Configuration.Query.Query, "AS `rows` FROM UNNEST(_st_ledger) l;") {
		res.Schema.Fields = []*bqv2.TableFieldSchema{{Name: "rows", Type: "INTEGER", Mode: "NULLABLE"}}
		res.Rows = []*bqv2.TableRow{{F: []*bqv2.TableCell{{V: fmt.Sprint(f.scriptRows)}}}}
		res.TotalRows = 1
	}
	// Open's check whether the counts need a backfill: the fake keeps no
	// rows, so its datasets never do.
	if j != nil && strings.HasSuffix(j.Configuration.Query.Query, ", 1, 0) AS need") {
		res.Schema.Fields = []*bqv2.TableFieldSchema{{Name: "need", Type: "INTEGER", Mode: "NULLABLE"}}
		res.Rows = []*bqv2.TableRow{{F: []*bqv2.TableCell{{V: "0"}}}}
		res.TotalRows = 1
	}
	f.reply(w, res)
}

func (f *bqFake) table(w http.ResponseWriter, r *http.Request, project, ds string, rest []string) {
	var body bqv2.Table
	name := strings.Join(rest, "/")
	if r.Method == http.MethodPost || r.Method == http.MethodPatch || r.Method == http.MethodPut {
		if !f.decode(w, r, &body) {
			return
		}
		if body.TableReference != nil && name == "" {
			name = body.TableReference.TableId
		}
	}
	if ft := f.fault(call{Kind: "table", SQL: r.Method + " " + name}); ft != nil {
		f.fail(w, ft.Code, ft.Reason, ft.Message)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(rest) == 0 && r.Method == http.MethodPost {
		t := body
		t.Etag, t.Type = "e1", "TABLE"
		if t.View != nil {
			t.Type = "VIEW"
		}
		f.tables[t.TableReference.TableId] = &t
		f.reply(w, &t)
		return
	}
	if len(rest) != 1 {
		f.fail(w, http.StatusNotFound, "notFound", "no route")
		return
	}
	t := f.tables[rest[0]]
	switch r.Method {
	case http.MethodGet:
		if t == nil {
			f.fail(w, http.StatusNotFound, "notFound", "Not found: Table "+project+":"+ds+"."+rest[0])
			return
		}
		f.reply(w, t)
	case http.MethodPatch, http.MethodPut:
		u := body
		if t == nil {
			f.fail(w, http.StatusNotFound, "notFound", "Not found: Table "+rest[0])
			return
		}
		if u.Schema != nil {
			t.Schema = u.Schema
		}
		if u.View != nil {
			t.View = u.View
		}
		f.reply(w, t)
	case http.MethodDelete:
		delete(f.tables, rest[0])
		w.WriteHeader(http.StatusNoContent)
	default:
		f.fail(w, http.StatusNotFound, "notFound", "no route")
	}
}

func (f *bqFake) decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		f.fail(w, http.StatusBadRequest, "invalid", "bad request body: "+err.Error())
		return false
	}
	return true
}

func (f *bqFake) reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(v); err != nil {
		f.t.Errorf("bq fake: %v", err)
	}
}

func (f *bqFake) fail(w http.ResponseWriter, code int, reason, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": code, "message": msg,
		"errors": []map[string]string{{"reason": reason, "message": msg}}}})
}
