package loader_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/duckdb"
)

// Fact files of one table that each bring hundreds of new column names:
// the table's columns are the union of its files', so a bucket of such
// files made a table of tens of thousands. The first two fit under
// loader.MaxFactColumns and load; the third would take the table past it
// and fails, named, on each load, and the table keeps every row and column
// it had.
func TestFactTableColumnsAreBounded(t *testing.T) {
	url, dir := generated(t, smallOptions())
	facts, err := filepath.Glob(filepath.Join(dir, "metadata", "*", "destinations.parquet"))
	if err != nil || len(facts) == 0 {
		t.Fatalf("no destinations file: %v", err)
	}
	wide := wideFacts(t, dir, facts[0])
	wide("9001", 0, 450)
	wide("9002", 450, 450)
	bad := wide("9003", 900, 450)
	w := openWarehouse(t)
	db := w.DB()
	b := testbucket.Open(t, url)
	var cols, rows string
	for try := 1; try <= 2; try++ {
		rep := load(t, b, dir, w)
		if len(rep.Failed) != 1 || rep.Failed[0].Key != bad || !strings.Contains(rep.Failed[0].Err.Error(), "more than the 1000") {
			t.Fatalf("load %d: failed %v, want only %s, over the cap", try, rep.Failed, bad)
		}
		n := one(t, db, `SELECT count(*) FROM duckdb_columns() WHERE schema_name = 'synctrack' AND table_name = 'destinations'`)
		r := one(t, db, `SELECT count(*) FILTER (WHERE org_id IN ('9001', '9002')) || ' ' || count(*) FILTER (WHERE org_id = '9003') FROM synctrack.destinations`)
		if r != "4 0" {
			t.Errorf("load %d: rows of the wide files that fit, of the one over: %s, want 4 0", try, r)
		}
		if try == 2 && (n != cols || r != rows) {
			t.Errorf("load 2: %s columns and rows %s, load 1: %s and %s", n, r, cols, rows)
		}
		cols, rows = n, r
	}
	// The two wide files' 900 extra columns, the files' own, and org_id,
	// _file and _loaded_at.
	if n, _ := strconv.Atoi(cols); n < 900 || n > loader.MaxFactColumns+3 {
		t.Errorf("destinations has %s columns, want the two wide files' and at most %d", cols, loader.MaxFactColumns+3)
	}
	if got := one(t, db, `SELECT attempts FROM synctrack.load_ledger WHERE key = ?`, bad); got != "2" {
		t.Errorf("the file over the cap: attempts %s, want 2", got)
	}
}

// refusingFact fails every rebuild of a fact table that reads bad, naming
// it, as an engine does for a file it cannot read.
type refusingFact struct {
	*duckdb.Warehouse
	bad string
}

func (r refusingFact) ReplaceFacts(ctx context.Context, table string, fs []warehouse.File, keep warehouse.FactsKept) error {
	for _, f := range fs {
		if f.Key == r.bad {
			return warehouse.DataError(errors.New("cannot read it"), f.Key)
		}
	}
	return r.Warehouse.ReplaceFacts(ctx, table, fs, keep)
}

// A new fact file over the cap only beside a new file that then fails
// (found by a review): it loads once the failed file leaves, and the
// failed one alone is blamed.
func TestFactFileOverTheCapFitsOnceABadOneLeaves(t *testing.T) {
	url, dir := generated(t, smallOptions())
	facts, err := filepath.Glob(filepath.Join(dir, "metadata", "*", "destinations.parquet"))
	if err != nil || len(facts) == 0 {
		t.Fatalf("no destinations file: %v", err)
	}
	wide := wideFacts(t, dir, facts[0])
	bad := wide("9001", 0, 600)
	wide("9002", 600, 600)
	w := refusingFact{Warehouse: openWarehouse(t), bad: bad}
	rep, err := loader.New(testbucket.Open(t, url), dir, w, loader.Options{BatchFiles: 7}).Load(context.Background())
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if len(rep.Failed) != 1 || rep.Failed[0].Key != bad {
		t.Fatalf("failed %v, want only %s", rep.Failed, bad)
	}
	if got := one(t, w.DB(), `SELECT count(*) FROM synctrack.destinations WHERE org_id = '9002'`); got != "2" {
		t.Errorf("rows of the file that fits once the bad one left: %s, want 2", got)
	}
}

// wideFacts returns a func writing a destinations file for org with n
// extra columns named extra_<from>..., copied from the fact file src, and
// giving its key.
func wideFacts(t *testing.T, dir, src string) func(org string, from, n int) string {
	mem := memDuckDB(t)
	return func(org string, from, n int) string {
		d := filepath.Join(dir, "metadata", org)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		cols := make([]string, n)
		for i := range cols {
			cols[i] = fmt.Sprintf("1 AS extra_%d", from+i)
		}
		if _, err := mem.Exec(`COPY (SELECT *, ` + strings.Join(cols, ", ") + ` FROM read_parquet('` + src + `') LIMIT 2) TO '` +
			filepath.Join(d, "destinations.parquet") + `'`); err != nil {
			t.Fatal(err)
		}
		return "metadata/" + org + "/destinations.parquet"
	}
}
