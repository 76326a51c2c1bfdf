package loader_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/duckdb"
)

// apartRebuilds refuses, with an error no rule knows, a fact rebuild that
// holds two files whose keys have ".a." and ".b.": each rebuilds the table
// with the others, the two together do not.
type apartRebuilds struct{ *duckdb.Warehouse }

func (r apartRebuilds) ReplaceFacts(ctx context.Context, table string, files []warehouse.File, keep warehouse.FactsKept) error {
	a, b := false, false
	for _, f := range files {
		a = a || strings.Contains(f.Key, ".a.")
		b = b || strings.Contains(f.Key, ".b.")
	}
	if a && b {
		return errors.New("some error synctrack does not know")
	}
	return r.Warehouse.ReplaceFacts(ctx, table, files, keep)
}

// Two new fact files that rebuild the table apart but not together: the
// narrowing rebuilt the table with each in turn, each commit writing its
// files' ledger rows, and then marked nothing failed that the warehouse
// had not blamed, so the ledger said both loaded while the table held the
// last one's rows only; the next load, finding nothing new, never brought
// the first back (noted by the last session, found by a review before it).
// Every file the ledger says loaded has its rows in the table; the file
// that does not fit is failed, named, and tried again.
func TestFactFilesThatRebuildOnlyApart(t *testing.T) {
	url, dir := generated(t, smallOptions())
	w := openWarehouse(t)
	b := testbucket.Open(t, url)
	load(t, b, dir, w)
	mem := memDuckDB(t)
	src := filepath.Join(dir, "metadata", "1001", "destinations.parquet")
	for _, part := range []string{"a", "b"} {
		to := filepath.Join(dir, "metadata", "1001", "destinations."+part+".parquet")
		if _, err := mem.Exec(`COPY (SELECT * REPLACE (id || '-` + part + `' AS id) FROM read_parquet('` + src + `')) TO '` + to + `' (FORMAT parquet)`); err != nil {
			t.Fatal(err)
		}
	}
	ld := loader.New(b, dir, apartRebuilds{w}, loader.Options{BatchFiles: 7, QuarantineAfter: 3})
	for i := 1; i <= 4; i++ {
		rep, err := ld.Load(context.Background())
		if err != nil {
			t.Fatalf("load %d: %v", i, err)
		}
		missing := rows(t, w.DB(), `SELECT l.key FROM synctrack.load_ledger l
			WHERE l.key LIKE 'metadata/%/destinations%' AND l.status = 'loaded'
			AND NOT EXISTS (SELECT 1 FROM synctrack.destinations d WHERE d._file = l.key)`)
		if len(missing) > 0 {
			t.Errorf("load %d: the ledger says loaded, the table has no rows of: %v", i, missing)
		}
		got := rows(t, w.DB(), `SELECT key || ' ' || status FROM synctrack.load_ledger
			WHERE key LIKE 'metadata/1001/destinations.%.parquet' ORDER BY key`)
		if len(got) != 2 || !strings.HasSuffix(got[0], " loaded") || strings.HasSuffix(got[1], " loaded") {
			t.Errorf("load %d: ledger %v, want the first loaded and the second not", i, got)
		}
		if i == 1 && (len(rep.Failed) != 1 || !strings.Contains(rep.Failed[0].Err.Error(), "destinations.a.parquet")) {
			t.Errorf("load 1 failed %v, want the second file, its error naming the first", rep.Failed)
		}
	}
	got := rows(t, w.DB(), `SELECT status FROM synctrack.load_ledger WHERE key = 'metadata/1001/destinations.b.parquet'`)
	if len(got) != 1 || got[0] != "quarantined" {
		t.Errorf("the file that does not fit ends %v, want quarantined", got)
	}
}
