package bigquery

import (
	"context"
	"testing"
	"time"

	"github.com/synctrack/synctrack/internal/reportrun"
	analysis "github.com/synctrack/synctrack/sql"
)

// EstimateBytes at the wire: one dry-run job of the bound template, its
// parameters sent as parameters, the job's totalBytesProcessed returned,
// and nothing run.
func TestEstimateBytes(t *testing.T) {
	f := newBQFake(t)
	f.dryBytes = 8_812_345_678
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	w, err := Open(ctx, Config{Project: "p", Dataset: "synctrack", ReadOnly: true, JobTimeout: time.Minute}, fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	f.reset()

	q, err := analysis.Bind(w.Dialect(), w.Schema(), "records", analysis.Values{"sync": "s-1", "run": "r'; DROP TABLE x; --", "limit": 10})
	if err != nil {
		t.Fatal(err)
	}
	n, err := w.EstimateBytes(ctx, q.SQL, reportrun.Args(q))
	if err != nil {
		t.Fatal(err)
	}
	if n != f.dryBytes {
		t.Errorf("bytes %d, want the dry run's %d", n, f.dryBytes)
	}
	dry := f.dryRuns()
	if len(dry) != 1 || dry[0].Configuration.Query.Query != q.SQL {
		t.Fatalf("%d dry runs: want one of the template's SQL", len(dry))
	}
	params := map[string]string{}
	for _, p := range dry[0].Configuration.Query.QueryParameters {
		params[p.Name] = p.ParameterValue.Value
	}
	if len(params) != 2 || params["sync"] != "s-1" || params["run"] != "r'; DROP TABLE x; --" {
		t.Errorf("parameters %v: want sync and run bound", params)
	}
	if len(f.ran) != 0 || len(f.reads) != 0 {
		t.Errorf("%d jobs run, %d reads: a dry run runs nothing", len(f.ran), len(f.reads))
	}
}
