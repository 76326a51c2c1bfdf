package sql

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// The rendered Snowflake, BigQuery and PostgreSQL SQL is reviewed through these
// files: no engine runs here (PostgreSQL runs them in the conformance suite), so a change shows up as a diff to read. DuckDB's SQL is
// checked by running it (duckdb_test.go), and the others' meaning by being
// DuckDB's query but for the helpers' spellings (samequery_test.go), which
// -update does not change.
func TestGoldenSQL(t *testing.T) {
	for _, dn := range []string{"snowflake", "bigquery", "postgres"} {
		d := dialectNamed(t, dn)
		ts, err := List(dn)
		if err != nil {
			t.Fatal(err)
		}
		for _, tp := range ts {
			got := "-- rendered with parameters: " + tp.Name + "\n"
			sql, err := Render(d, "synctrack", tp.Name, valuesFor(tp, allValues()))
			if err != nil {
				t.Fatal(err)
			}
			got += sql
			if tp.View {
				sql, err = Render(d, "synctrack", tp.Name, Values{})
				if err != nil {
					t.Fatal(err)
				}
				got += "\n-- rendered as a view, without parameters\n" + sql
			}
			path := filepath.Join("testdata", dn, tp.Name+".golden.sql")
			if *update {
				os.MkdirAll(filepath.Dir(path), 0o755)
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./sql -run Golden -update)", err)
			}
			if string(want) != got {
				t.Errorf("%s differs from the rendered SQL; review and rerun with -update:\n%s", path, got)
			}
		}
	}
}
