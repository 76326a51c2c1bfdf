package bigquery

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/warehouse"
)

// BigQuery reads a * in a gs:// URI as a wildcard. A records file whose key
// has one (an id from a bucket is any text) was named by its URI to the dry
// run and to the external table (path a) or the load job (path b), which
// would read every object the key matches: path b loads them all into the
// file's staging table, as this file's rows. Such a file fails alone, named,
// before any job names it; the others load in the same call.
func TestWildcardKeyFailsAlone(t *testing.T) {
	for _, path := range []string{PathQuery, PathLoad} {
		t.Run(path, func(t *testing.T) {
			f := newBQFake(t)
			c := newCountedBucket(t)
			f.schema = serverSchema(c)
			keys := writeRecords(t, c, "r1", 0, 2, gen.Shape{})
			odd := writeRecords(t, c, "r*", 7, 1, gen.Shape{})[0]
			w := openFakeWith(t, f, c, Config{Path: path})
			res, err := w.LoadRecords(context.Background(), files(t, c, "sync_tracking_datasets/"))
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Failed) != 1 || res.Failed[0].Key != odd || warehouse.ClassOf(res.Failed[0].Err) != warehouse.Data ||
				!strings.Contains(res.Failed[0].Err.Error(), "wildcard") {
				t.Fatalf("failed %+v; want %s alone, a data error saying why", res.Failed, odd)
			}
			if ledger := f.ledgerWrites(); len(ledger) != len(keys) {
				t.Errorf("ledger rows written %v; want the %d others", ledger, len(keys))
			}
			f.mu.Lock()
			defer f.mu.Unlock()
			for _, j := range f.inserts {
				b, _ := json.Marshal(j.Configuration)
				if strings.Contains(string(b), "r*") {
					t.Errorf("a job names the file: %s", b)
				}
			}
		})
	}
}
