package scratch

import (
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/parquet-go/parquet-go"
)

type rec struct {
	Identifier    string `parquet:"identifier"`
	StatusMessage string `parquet:"status_message"`
}

func TestBadUTF8(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "bad.parquet")
	f, _ := os.Create(p)
	w := parquet.NewGenericWriter[rec](f)
	w.Write([]rec{{"a", "ok"}, {"b\xff", "bad \xc3\x28 x"}, {"c", "fine"}})
	w.Close()
	f.Close()
	db, _ := sql.Open("duckdb", "")
	var n int
	err := db.QueryRow("SELECT count(*) FROM read_parquet('" + p + "')").Scan(&n)
	t.Logf("count: %d %v", n, err)
	rows, err := db.Query("SELECT identifier, status_message FROM read_parquet('" + p + "')")
	t.Logf("select: %v", err)
	if err == nil {
		for rows.Next() {
			var a, b string
			err := rows.Scan(&a, &b)
			t.Logf("row %q %q %v", a, b, err)
		}
		t.Logf("rows.Err: %v", rows.Err())
	}
	_, err = db.Exec("CREATE TABLE t AS SELECT * FROM read_parquet('" + p + "')")
	t.Logf("ctas: %v", err)
	_, err = db.Exec("CREATE TABLE t2 AS SELECT * FROM read_parquet('" + p + "', binary_as_string=false)")
	t.Logf("ctas2: %v", err)
}
