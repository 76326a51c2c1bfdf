package duckdb_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/sql/export"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/duckdb"
)

// A JSON column comes back as the text stored, not as encoding/json
// decoded it: a number past 2^53 keeps its digits, keys keep their order,
// and the export still nests it in JSON output. Order by the query holds
// through the cast, and a query without JSON columns is untouched.
func TestQueryGivesJSONAsStored(t *testing.T) {
	w, err := duckdb.Open(context.Background(), duckdb.Config{Path: filepath.Join(t.TempDir(), "w.duckdb"), Schema: "synctrack", MemoryLimit: "128MB"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.DB().Exec(`CREATE TABLE synctrack.p (i INTEGER, "Payload ""x""" JSON);
INSERT INTO synctrack.p VALUES (2, '{"z":1,"a":12345678901234567890,"m":{"y":0.1000000000000000055511151231257827,"b":[1e400]}}'), (1, '[3,2,1]'), (3, NULL)`); err != nil {
		t.Fatal(err)
	}
	q := `SELECT i, "Payload ""x""" FROM synctrack.p WHERE i >= $1 ORDER BY i DESC -- last line comment`
	var csv bytes.Buffer
	ew, _ := export.New("csv", &csv)
	rows, err := w.Query(context.Background(), q, argsOf(1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := export.Stream(rows, ew); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	want := "i,\"Payload \"\"x\"\"\"\n3,\n2,\"{\"\"z\"\":1,\"\"a\"\":12345678901234567890,\"\"m\"\":{\"\"y\"\":0.1000000000000000055511151231257827,\"\"b\"\":[1e400]}}\"\n1,\"[3,2,1]\"\n"
	if csv.String() != want {
		t.Errorf("csv:\n%s\nwant:\n%s", csv.String(), want)
	}
	var js bytes.Buffer
	ew, _ = export.New("json", &js)
	rows, err = w.Query(context.Background(), q, argsOf(2))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := export.Stream(rows, ew); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if !strings.Contains(js.String(), `"Payload \"x\"":{"z":1,"a":12345678901234567890,"m":{"y":0.1000000000000000055511151231257827,"b":[1e400]}}`) {
		t.Errorf("json export does not nest the payload as stored:\n%s", js.String())
	}
	// No JSON column: the same query runs, types as DuckDB says.
	rows, err = w.Query(context.Background(), `SELECT i FROM synctrack.p ORDER BY i`, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if _, ok := rows.(interface{ ColumnTypeNames() []string }); ok {
		t.Errorf("a query without JSON columns was rewritten")
	}
}

func argsOf(vals ...any) []warehouse.Arg {
	args := make([]warehouse.Arg, len(vals))
	for i, v := range vals {
		args[i] = warehouse.Arg{Value: v}
	}
	return args
}

// The same for a query ending in semicolons and comments, with result
// columns whose names differ only in case or repeat; a query that fails
// runs once.
func TestQueryGivesJSONAsStoredWhateverItsEnd(t *testing.T) {
	w, err := duckdb.Open(context.Background(), duckdb.Config{Path: filepath.Join(t.TempDir(), "w.duckdb"), Schema: "synctrack", MemoryLimit: "128MB"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	const stored = `{"b":1,"a":12345678901234567890}`
	for _, q := range []string{
		`SELECT '` + stored + `'::JSON AS j ; -- done`,
		"SELECT '" + stored + "'::JSON AS j;\n-- done\n",
		`SELECT '` + stored + `'::JSON AS j ; /* c */ ;`,
		`SELECT '` + stored + `'::JSON AS j, 1 AS x, 2 AS X, 3 AS x`,
	} {
		rows, err := w.Query(context.Background(), q, nil)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		cols, _ := rows.Columns()
		var vals []any
		for rows.Next() {
			vals = make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
		}
		rows.Close()
		if len(vals) == 0 || vals[0] != stored {
			t.Errorf("%q: %v, want %s as stored", q, vals, stored)
		}
		if len(cols) == 4 && strings.Join(cols, ",") != "j,x,X,x" {
			t.Errorf("%q: columns %v", q, cols)
		}
	}
}
