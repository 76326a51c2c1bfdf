package bigquery

import (
	"context"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
)

// counting counts the loader's LoadRecords calls; every other method is the
// warehouse's own (BatchLimits included).
type counting struct {
	*Warehouse
	calls int
}

func (c *counting) LoadRecords(ctx context.Context, files []warehouse.File) (warehouse.Loaded, error) {
	c.calls++
	return c.Warehouse.LoadRecords(ctx, files)
}

// truncate cuts an object to half its bytes: no footer.
func truncate(t *testing.T, c *countedBucket, key string) {
	t.Helper()
	whole, err := c.b.ReadAll(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.b.WriteAll(context.Background(), key, whole[:len(whole)/2], nil); err != nil {
		t.Fatal(err)
	}
}

// One bad file among eight costs no halving: the loader calls LoadRecords
// once, the bad file comes back in Loaded.Failed (the only failed ledger
// row, with BigQuery's cause) and the seven others load in that call, each
// load job run once.
func TestOneBadFileOneCall(t *testing.T) {
	for _, tc := range []struct {
		name string
		path string
		bad  func(t *testing.T, f *bqFake, c *countedBucket, key string)
		want string // in the failure's text
		// the jobs of the whole load: dry runs, query jobs (the ledger's reads, by prefix: runs and facts,
		// each call's staging job and script, and the failure's staging job
		// and script), load jobs
		dry, queries, loads int
	}{
		{"path a, dry run cannot read it", PathQuery,
			func(t *testing.T, f *bqFake, c *countedBucket, key string) { truncate(t, c, key) },
			"Error while reading table", 2, 6, 0},
		{"path a, script cannot read it", PathQuery,
			func(t *testing.T, f *bqFake, c *countedBucket, key string) {
				f.failWhen(scriptReading("gs://"+fakeBucket+"/"+key), readError("gs://"+fakeBucket+"/"+key))
			}, "Error while reading data", 1, 9, 0}, // + the failed script's staging job, and its drop
		{"path b, footer unreadable", PathLoad,
			func(t *testing.T, f *bqFake, c *countedBucket, key string) { truncate(t, c, key) },
			"not a readable parquet file", 0, 6, 7},
		{"path b, load job cannot read it", PathLoad,
			func(t *testing.T, f *bqFake, c *countedBucket, key string) {
				f.failWhen(loadOf("gs://"+fakeBucket+"/"+key), readError("gs://"+fakeBucket+"/"+key))
			}, "Error while reading data", 0, 6, 8},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newBQFake(t)
			c := newCountedBucket(t)
			f.schema = serverSchema(c)
			keys := writeRecords(t, c, "r1", 0, 8, gen.Shape{})
			bad := keys[5]
			tc.bad(t, f, c, bad)
			w := &counting{Warehouse: openFakeWith(t, f, c, Config{Path: tc.path})}
			rep, err := loader.New(c.b, "", w, loader.Options{Now: fixedNow}).Load(context.Background())
			if err != nil {
				t.Fatalf("load: %v", err)
			}
			st := w.Stats()
			t.Logf("%s: %d LoadRecords calls, %d dry runs, %d query jobs, %d load jobs (the failure's ledger row included)",
				tc.name, w.calls, st.DryRuns, st.Queries, st.LoadJobs)
			if len(rep.Failed) != 1 || rep.Failed[0].Key != bad || !strings.Contains(rep.Failed[0].Err.Error(), tc.want) {
				t.Fatalf("failed %+v, want %s alone, with %q", rep.Failed, bad, tc.want)
			}
			if warehouse.ClassOf(rep.Failed[0].Err) != warehouse.Data {
				t.Errorf("the failure is of class %s, want data", warehouse.ClassOf(rep.Failed[0].Err))
			}
			if rep.Files != 7 {
				t.Errorf("%d files loaded, want the other 7", rep.Files)
			}
			ledger := f.ledgerWrites()
			for _, k := range keys {
				if want := map[bool]string{true: "failed", false: "loaded"}[k == bad]; ledger[k] != want {
					t.Errorf("ledger row of %s: %q, want %s", k, ledger[k], want)
				}
			}
			if w.calls != 1 || st.DryRuns != tc.dry || st.Queries != tc.queries || st.LoadJobs != tc.loads {
				t.Errorf("%d calls, %d dry runs, %d query jobs, %d load jobs; want 1, %d, %d, %d",
					w.calls, st.DryRuns, st.Queries, st.LoadJobs, tc.dry, tc.queries, tc.loads)
			}
			for table, n := range st.LoadsPer {
				if n != 1 {
					t.Errorf("%d load jobs into %s: a file was loaded twice", n, table)
				}
			}
		})
	}
}
