package export

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A result whose columns share a name (select 1 AS a, 2 AS a) has unique
// names in every format: the later one is a_2, or a_3 where the result has
// an a_2 of its own. JSON wrote two "a" keys, of which a reader keeps one,
// and parquet refused the export.
func TestDuplicateColumnNamesMadeUnique(t *testing.T) {
	db := duckDB(t)
	export := func(format string) []byte {
		t.Helper()
		out, err := exportQuery(t, db, "SELECT 1 AS a, 2 AS a, 3 AS a_2, 4 AS a, 5 AS b", format)
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		return out
	}
	want := []string{"a", "a_3", "a_2", "a_4", "b"}

	if got := string(export("json")); !strings.Contains(got, `{"a":1,"a_3":2,"a_2":3,"a_4":4,"b":5}`) {
		t.Errorf("json: %s", got)
	}
	recs, err := csv.NewReader(bytes.NewReader(export("csv"))).ReadAll()
	if err != nil || len(recs) != 2 || strings.Join(recs[0], ",") != strings.Join(want, ",") {
		t.Errorf("csv: %q, %v; want header %v", recs, err, want)
	}
	if got := strings.Fields(strings.SplitN(string(export("table")), "\n", 2)[0]); strings.Join(got, ",") != strings.ToUpper(strings.Join(want, ",")) {
		t.Errorf("table header %v, want %v upper case", got, want)
	}

	path := filepath.Join(t.TempDir(), "dup.parquet")
	if err := os.WriteFile(path, export("parquet"), 0o600); err != nil {
		t.Fatal(err)
	}
	var row map[string]any
	var b []byte
	if err := db.QueryRow("SELECT to_json(p)::VARCHAR FROM read_parquet(?) p", path).Scan(&b); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &row); err != nil || len(row) != 5 || row["a_3"] != 2.0 || row["a_4"] != 4.0 {
		t.Errorf("parquet reads back as %s, %v", b, err)
	}
}
