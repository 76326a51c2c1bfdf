package bigquery_test

import (
	"testing"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/sql"
)

// differentColumns are columns whose values differ between the engines for a
// stated reason; they are left out of the comparison, the rest is compared.
var differentColumns = map[string]string{
	// log_id is md5(_file#_row); BigQuery has no parquet row position, so _row
	// numbers a file's rows in content order (README): another, stable, id.
	"records": "log_id",
}

// Every analysis template without required parameters gives the same rows on
// the emulator as on DuckDB for the same bucket.
func TestTemplatesMatchDuckDB(t *testing.T) {
	e := newEnv(t)
	e.generate(t, smallOptions())
	w := e.open(t)
	ref := e.duck(t)
	loadBQ(t, e, w)
	fixMillis(t, w)
	fixLocalMicros(t, e, w)
	ts, err := sql.List("bigquery")
	if err != nil {
		t.Fatal(err)
	}
	withRows := 0
	defer func() {
		if withRows < 5 {
			t.Errorf("only %d templates returned rows on DuckDB for this bucket: the comparison proves too little", withRows)
		}
	}()
	for _, tpl := range ts {
		if len(tpl.Required) > 0 {
			continue
		}
		t.Run(tpl.Name, func(t *testing.T) {
			bqSQL, err := sql.Render(dialects.BigQuery{}, "synctrack", tpl.Name, sql.Values{})
			if err != nil {
				t.Fatal(err)
			}
			duckSQL, err := sql.Render(dialects.DuckDB{}, "synctrack", tpl.Name, sql.Values{})
			if err != nil {
				t.Fatal(err)
			}
			if col, ok := differentColumns[tpl.Name]; ok {
				bqSQL = "SELECT * EXCEPT (" + col + ") FROM (" + bqSQL + ")"
				duckSQL = "SELECT * EXCLUDE (" + col + ") FROM (" + duckSQL + ")"
			}
			got := bqRows(t, w, bqSQL)
			want := duckRows(t, ref, duckSQL)
			// An empty answer is compared too (BigQuery must return none), but
			// only answers with rows count towards the suite proving something.
			if len(want) == 0 {
				if len(got) != 0 {
					t.Fatalf("%s: DuckDB returns no rows, BigQuery %d: %v", tpl.Name, len(got), got)
				}
				return
			}
			withRows++
			same(t, tpl.Name, got, want)
		})
	}
}
