package bigquery_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/internal/reportrun"
	"github.com/synctrack/synctrack/sql"
	"github.com/synctrack/synctrack/sql/export"
	"github.com/synctrack/synctrack/warehouse"
	bq "github.com/synctrack/synctrack/warehouse/bigquery"
)

// collector is an export.Writer keeping rows as fmtValue strings.
type collector struct {
	cols []export.Column
	rows []string
}

func (c *collector) Begin(cols []export.Column) error { c.cols = cols; return nil }
func (c *collector) Close() error                     { sort.Strings(c.rows); return nil }
func (c *collector) Row(vals []any) error {
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = fmtValue(v)
	}
	c.rows = append(c.rows, strings.Join(parts, "|"))
	return nil
}

// run is what synctrack report and records do once the warehouse is open.
func run(t *testing.T, wh warehouse.Querier, name string, v sql.Values, ew export.Writer) int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	n, err := reportrun.Run(ctx, wh, name, v, ew)
	if err != nil {
		t.Fatalf("%s on %s %v: %v", name, wh.Dialect().Name(), v, err)
	}
	return n
}

// report and records on BigQuery, opened read-only as the commands open it,
// through the shared runner: bound @name parameters, rows streamed from the
// query iterator through the exporters, the same answers as DuckDB's.
func TestReportAndRecordsCommands(t *testing.T) {
	e := newEnv(t)
	e.generate(t, smallOptions())
	w := e.open(t)
	ref := e.duck(t)
	loadBQ(t, e, w)
	fixMillis(t, w)
	fixLocalMicros(t, e, w)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ro, err := bq.Open(ctx, bq.Config{Project: project, Dataset: "synctrack", ReadOnly: true, JobTimeout: time.Minute}, time.Now)
	if err != nil {
		t.Fatalf("open read-only: %v", err)
	}
	defer ro.Close()
	if d := ro.Dialect().Name(); d != "bigquery" {
		t.Fatalf("dialect of the BigQuery warehouse: %s", d)
	}

	var sync string
	var since time.Time
	if err := ref.DB().QueryRow("SELECT MIN(sync_id), MAX(batch_started_at) FROM synctrack.sync_log").Scan(&sync, &since); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		v    sql.Values
	}{
		{"run_summary", sql.Values{"sync": sync}},
		{"rejections_by_message", sql.Values{"since": since, "limit": 5}},
		{"rejections_by_fingerprint", sql.Values{"sync": sync}},
	} {
		var got, want collector
		run(t, ro, c.name, c.v, &got)
		run(t, ref, c.name, c.v, &want)
		same(t, c.name, got.rows, want.rows)
	}

	// report --dry-run: the emulator's dry run accepts each bound template
	// with its parameters and runs nothing (its byte counts are not
	// BigQuery's; warehouse/bigquery's TestEstimateBytes checks the wire).
	before := ro.Stats()
	for _, c := range []struct {
		name string
		v    sql.Values
	}{
		{"records", sql.Values{"sync": sync, "status": "rejected", "limit": 100}},
		{"rejection_trend", sql.Values{"since": since}},
	} {
		q, err := sql.Bind(ro.Dialect(), ro.Schema(), c.name, c.v)
		if err != nil {
			t.Fatal(err)
		}
		if n, err := ro.EstimateBytes(ctx, q.SQL, reportrun.Args(q)); err != nil || n < 0 {
			t.Errorf("dry run of %s: %d bytes, %v", c.name, n, err)
		}
	}
	if after := ro.Stats(); after.Queries != before.Queries || after.DryRuns != before.DryRuns+2 {
		t.Errorf("dry runs ran %d queries and %d dry runs: want 0 and 2", after.Queries-before.Queries, after.DryRuns-before.DryRuns)
	}

	// records --status rejected --sync S --format csv: parses back through
	// encoding/csv, one line a row, the same rows as DuckDB's but for log_id
	// (differs by design: templates_test.go).
	v := sql.Values{"sync": sync, "status": "rejected"}
	var bqOut, duckOut bytes.Buffer
	recs := func(wh warehouse.Querier, out *bytes.Buffer) []string {
		ew, err := export.New("csv", out)
		if err != nil {
			t.Fatal(err)
		}
		n := run(t, wh, "records", v, ew)
		lines, err := csv.NewReader(bytes.NewReader(out.Bytes())).ReadAll()
		if err != nil || int64(len(lines)) != n+1 {
			t.Fatalf("records csv on %s: %d rows, %d lines, %v", wh.Dialect().Name(), n, len(lines), err)
		}
		var rows []string
		for _, l := range lines[1:] {
			var cells []string
			for i, cell := range l {
				if lines[0][i] != "log_id" {
					cells = append(cells, fmtValue(cell))
				}
			}
			rows = append(rows, strings.Join(cells, "|"))
		}
		sort.Strings(rows)
		return rows
	}
	got, want := recs(ro, &bqOut), recs(ref, &duckOut)
	if head := strings.SplitN(bqOut.String(), "\n", 2)[0]; head != strings.SplitN(duckOut.String(), "\n", 2)[0] {
		t.Errorf("records csv header %q, DuckDB's %q", head, strings.SplitN(duckOut.String(), "\n", 2)[0])
	}
	same(t, "records --format csv", got, want)

	// records --format parquet and json take BigQuery's column types and values.
	for _, format := range []string{"parquet", "json"} {
		var out bytes.Buffer
		ew, err := export.New(format, &out)
		if err != nil {
			t.Fatal(err)
		}
		if n := run(t, ro, "records", v, ew); n != int64(len(want)) || out.Len() == 0 {
			t.Errorf("records --format %s: %d rows, %d bytes; want %d rows", format, n, out.Len(), len(want))
		}
		if format == "parquet" {
			f, err := parquet.OpenFile(bytes.NewReader(out.Bytes()), int64(out.Len()))
			if err != nil {
				t.Fatalf("records parquet: %v", err)
			}
			if f.NumRows() != int64(len(want)) {
				t.Errorf("records parquet: %d rows, want %d", f.NumRows(), len(want))
			}
		}
	}

	// A hostile --sync is a query parameter: the SQL holds @sync, not the value,
	// and it matches nothing (pasted in, it would match every row).
	hostile := "x' OR '1'='1"
	q, err := sql.Bind(dialects.BigQuery{}, "synctrack", "records", sql.Values{"sync": hostile})
	if err != nil || strings.Contains(q.SQL, hostile) || !strings.Contains(q.SQL, "@sync") {
		t.Fatalf("bound records SQL holds the value or no @sync (%v):\n%s", err, q.SQL)
	}
	var none collector
	if n := run(t, ro, "records", sql.Values{"sync": hostile}, &none); n != 0 {
		t.Errorf("records --sync %q: %d rows, want none", hostile, n)
	}
	var all collector
	if n := run(t, ro, "records", sql.Values{}, &all); n == 0 {
		t.Error("records without filters: no rows")
	}
}
