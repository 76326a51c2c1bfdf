package loader_test

import (
	"bytes"
	"context"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
	"gocloud.dev/blob"

	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/internal/faultproxy"
	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse/duckdb"
)

// faultBucket is the name of the fake S3 bucket behind the proxy.
const faultBucket = "bkt"

// faultRig is a generated bucket in the S3 fake, reached by the loader only
// through a fault proxy, and a DuckDB warehouse.
type faultRig struct {
	direct  *blob.Bucket // the fake itself: to count what the files hold
	bucket  *blob.Bucket // the same bucket through the proxy: what the loader reads
	proxy   *faultproxy.Proxy
	w       *duckdb.Warehouse
	records map[string]int64 // rows per records file, from each file's own footer
	runs    []string         // metadata.json keys
	facts   []string         // fact file keys
}

func newFaultRig(t *testing.T) *faultRig {
	t.Helper()
	url := testbucket.S3(t, faultBucket)
	r := &faultRig{direct: testbucket.Open(t, url), records: map[string]int64{}}
	o := gen.DefaultOptions()
	o.SyncsPerOrg, o.RunsPerSync, o.RowsPerFile = 2, 2, 40 // 24 records files, 8 runs, 6 fact files
	if _, err := gen.Generate(context.Background(), r.direct, o); err != nil {
		t.Fatalf("generate: %v", err)
	}
	r.count(t)
	r.proxy = faultproxy.Start(t, testbucket.Endpoint(url))
	r.bucket = testbucket.Open(t, testbucket.WithEndpoint(url, r.proxy.URL))
	r.w = openWarehouse(t)
	return r
}

// count reads every records file's row count from its parquet footer,
// straight from the fake: independent of the loader and of the generator's
// own manifest.
func (r *faultRig) count(t *testing.T) {
	ctx := context.Background()
	it := r.direct.List(nil)
	for {
		o, err := it.Next(ctx)
		if err != nil {
			break
		}
		obj := loader.Classify(o.Key)
		switch obj.Kind {
		case loader.KindMetadata:
			r.runs = append(r.runs, o.Key)
		case loader.KindFact:
			r.facts = append(r.facts, o.Key)
		case loader.KindRecords:
			raw, err := r.direct.ReadAll(ctx, o.Key)
			if err != nil {
				t.Fatal(err)
			}
			f, err := parquet.OpenFile(bytes.NewReader(raw), int64(len(raw)))
			if err != nil {
				t.Fatalf("%s: %v", o.Key, err)
			}
			r.records[o.Key] = f.NumRows()
		}
	}
	if len(r.records) == 0 || len(r.runs) == 0 || len(r.facts) == 0 {
		t.Fatalf("generated bucket has %d records files, %d runs, %d fact files", len(r.records), len(r.runs), len(r.facts))
	}
}

// recordsKey is the n-th records key in key order: a fixed file for the
// fault, with files on either side of it.
func (r *faultRig) recordsKey(n int) string {
	keys := make([]string, 0, len(r.records))
	for k := range r.records {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys[n%len(keys)]
}

// load runs one load through the proxy, with the loader's stall timeout
// (0: the default). A load that has not ended after minutes has hung: that
// fails the test instead of the whole package.
func (r *faultRig) load(t *testing.T, stall time.Duration) (*loader.Report, error) {
	t.Helper()
	type result struct {
		rep *loader.Report
		err error
	}
	done := make(chan result, 1)
	go func() {
		rep, err := loader.New(r.bucket, "", r.w, loader.Options{BatchFiles: 5, Workers: 4, StallTimeout: stall}).
			Load(context.Background())
		done <- result{rep, err}
	}()
	select {
	case res := <-done:
		return res.rep, res.err
	case <-time.After(3 * time.Minute):
	}
	// Hung: stop the proxy, which ends its stalls, so the load can return
	// before the test's cleanup closes the warehouse under it.
	r.proxy.Close()
	res := <-done
	t.Fatalf("the load hung until the proxy stopped; then: %v", res.err)
	return nil, nil
}

// tally compares sync_records with the files: rows of each file missing
// (lost) or there twice (duplicated), and records files loaded.
type tally struct {
	files, lost, duplicated int64
}

func (r *faultRig) tally(t *testing.T) tally {
	t.Helper()
	db := r.w.DB()
	got := map[string]int64{}
	rs, err := db.Query(`SELECT _file, count(*), count(DISTINCT _row) FROM synctrack.sync_records GROUP BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	var c tally
	for rs.Next() {
		var key string
		var n, distinct int64
		if err := rs.Scan(&key, &n, &distinct); err != nil {
			t.Fatal(err)
		}
		got[key] = n
		c.duplicated += n - distinct
	}
	rs.Close()
	for key, want := range r.records {
		n := got[key]
		switch {
		case n > want:
			c.duplicated += n - want
		case n < want:
			c.lost += want - n
		}
		if n > 0 {
			c.files++
		}
	}
	return c
}

// ledger counts load_ledger rows by status, and the rows about key.
func (r *faultRig) ledger(t *testing.T, key string) (byStatus map[string]int, aboutKey int) {
	t.Helper()
	byStatus = map[string]int{}
	for _, row := range rows(t, r.w.DB(), `SELECT status, count(*) FROM synctrack.load_ledger GROUP BY 1`) {
		status, n, _ := strings.Cut(row, "|")
		byStatus[status] = atoi(n)
	}
	aboutKey = atoi(one(t, r.w.DB(), `SELECT count(*) FROM synctrack.load_ledger WHERE key = ?`, key))
	return byStatus, aboutKey
}

// loadedOnce checks the ledger has each object loaded once and nothing else,
// and sync_runs one row per metadata.json.
func (r *faultRig) loadedOnce(t *testing.T) {
	t.Helper()
	db := r.w.DB()
	want := len(r.records) + len(r.runs) + len(r.facts)
	if n := one(t, db, `SELECT count(DISTINCT key) FILTER (WHERE status = 'loaded') || '|' || count(*) FROM synctrack.load_ledger`); n != itoa(want)+"|"+itoa(want) {
		t.Fatalf("ledger: %s (distinct loaded keys | rows), want %d|%d", n, want, want)
	}
	if n := one(t, db, `SELECT count(*) || '|' || count(DISTINCT _file) FROM synctrack.sync_runs`); n != itoa(len(r.runs))+"|"+itoa(len(r.runs)) {
		t.Fatalf("sync_runs: %s (rows | files), want %d of each", n, len(r.runs))
	}
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

func itoa(n int) string { return strconv.Itoa(n) }
