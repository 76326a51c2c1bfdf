// Package sffake is an in-process Snowflake for tests: it speaks the part of
// Snowflake's REST protocol the real gosnowflake driver uses, so code under
// test runs unchanged, records every statement, and answers from a little
// state of its own or from scripted results (Answer).
package sffake

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"gocloud.dev/blob"
)

// Server is an in-process server for the part of Snowflake's REST protocol
// gosnowflake v1.19.1 uses: login, query submit with JSON result sets,
// session close and telemetry. It records every statement and keeps just
// enough state to answer ours and let tests check what a load left: which
// tables and views exist, the ledger (written by running synctrack's own
// UPDATE and MERGE, sql.go), sync_runs' payload schemas, COPY's load history
// and the rows loaded per table and _file (records.go), all transactional.
// What COPY finds in a file comes from a stage bucket or a test's script
// (stage.go).
type Server struct {
	t   testing.TB
	srv *httptest.Server

	mu       sync.Mutex
	stmts    []string
	requests map[string]int // HTTP requests per path
	fails    []*Rule

	committed, pending *fakeState
	inTx               bool
	answers            []answer
	bindings           []map[string]Binding
	params             []map[string]any // each query request's session parameters
	described          []string         // statements sent describe-only
	commits            []*commitRule
	// What COPY finds in a file (stage.go): the stage bucket's own, else
	// what a test scripted.
	stage      *blob.Bucket
	unreadable map[string]string // key -> why COPY cannot read it
	sizes      map[string]int64  // key -> rows a COPY loads (default 10)
}

type fakeState struct {
	tables  map[string]bool
	rows    map[string][]row    // rows of the tables the fake interprets writes to (modeled)
	schemas map[string][]string // sync id -> payload schemas
	history map[string]bool     // COPY load history
	copied  map[string]int      // key -> COPYs that loaded it
	files   fileRows            // rows per table and _file (records.go)
	views   map[string]bool     // created tables and views: true for a view
}

func newFakeState() *fakeState {
	return &fakeState{tables: map[string]bool{}, rows: map[string][]row{}, schemas: map[string][]string{},
		history: map[string]bool{}, copied: map[string]int{}, files: fileRows{}, views: map[string]bool{}}
}

func (s *fakeState) clone() *fakeState {
	c := newFakeState()
	for k, v := range s.tables {
		c.tables[k] = v
	}
	for t, rs := range s.rows {
		for _, r := range rs {
			cr := make(row, len(r))
			for k, v := range r {
				cr[k] = v
			}
			c.rows[t] = append(c.rows[t], cr)
		}
	}
	for k, v := range s.schemas {
		c.schemas[k] = append([]string(nil), v...)
	}
	for k, v := range s.history {
		c.history[k] = v
	}
	for k, v := range s.copied {
		c.copied[k] = v
	}
	c.files = s.files.clone()
	for k, v := range s.views {
		c.views[k] = v
	}
	return c
}

func New(t testing.TB) *Server {
	f := &Server{t: t, requests: map[string]int{}, committed: newFakeState(),
		unreadable: map[string]string{}, sizes: map[string]int64{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// dsn is the snowflake:// URL that reaches the fake over plain HTTP.
func (f *Server) URL(extra string) string {
	host := strings.TrimPrefix(f.srv.URL, "http://")
	return "snowflake://loader@" + host + "/ANALYTICS/synctrack?account=acme&protocol=http&warehouse=LOAD_WH" + extra
}

func (f *Server) Statements() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.stmts...)
}

func (f *Server) Reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stmts, f.requests, f.bindings, f.params, f.described = nil, map[string]int{}, nil, nil, nil
}

func (f *Server) serve(w http.ResponseWriter, r *http.Request) {
	var body io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		body = zr
	}
	raw, _ := io.ReadAll(body)
	f.mu.Lock()
	f.requests[r.URL.Path]++
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch r.URL.Path {
	case "/session/v1/login-request":
		if resp, status, failed := f.failure("", true); failed {
			writeStatus(w, status, resp)
			return
		}
		writeJSON(w, map[string]any{"success": true, "code": nil, "message": nil, "data": map[string]any{
			"token": "session-token", "masterToken": "master-token", "sessionId": 4242,
			"validityInSeconds": 3600, "masterValidityInSeconds": 14400,
			"parameters":  []map[string]any{{"name": "TIMEZONE", "value": "UTC"}},
			"sessionInfo": map[string]any{"databaseName": "ANALYTICS", "schemaName": "SYNCTRACK", "warehouseName": "LOAD_WH", "roleName": "SYNCTRACK_LOADER"},
		}})
	case "/queries/v1/query-request":
		var req struct {
			SQLText      string             `json:"sqlText"`
			Bindings     map[string]Binding `json:"bindings"`
			DescribeOnly bool               `json:"describeOnly"`
			Parameters   map[string]any     `json:"parameters"`
		}
		if err := json.Unmarshal(raw, &req); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		f.mu.Lock()
		f.bindings = append(f.bindings, req.Bindings)
		f.mu.Unlock()
		f.mu.Lock()
		f.params = append(f.params, req.Parameters)
		f.mu.Unlock()
		if resp, status, failed := f.failure(req.SQLText, false); failed {
			writeStatus(w, status, resp)
			return
		}
		if req.DescribeOnly {
			writeJSON(w, f.describe(req.SQLText))
			return
		}
		writeJSON(w, f.query(req.SQLText))
	default: // session close, telemetry, heartbeat
		writeJSON(w, map[string]any{"success": true, "data": nil})
	}
}
