package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
)

// synctrack query on DuckDB, end to end: a SELECT in every format, from an
// argument, a file and stdin; every kind of write refused with exit 2 and
// the database file not changed by a byte; the SQL's own errors exit 2.
func TestQueryCommand(t *testing.T) {
	wh, file := loadedWarehouse(t)
	dir := t.TempDir()
	const q = "SELECT outcome, count(*) AS n FROM synctrack.sync_log GROUP BY 1 ORDER BY 1"

	code, out := runCLI(t, "query", "--warehouse", wh, q)
	if code != 0 || !strings.HasPrefix(out, "OUTCOME") || !strings.Contains(out, "rejected") || !strings.Contains(out, " rows)") {
		t.Fatalf("query as a table: exit %d:\n%s", code, out)
	}
	code, out = runCLI(t, "query", "--warehouse", wh, "--format", "csv", q)
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if code != 0 || err != nil || len(recs) < 3 || recs[0][0] != "outcome" || recs[0][1] != "n" {
		t.Fatalf("query --format csv: exit %d, %v:\n%s", code, err, out)
	}
	sqlFile := filepath.Join(dir, "q.sql")
	os.WriteFile(sqlFile, []byte("-- outcomes\n"+q+";\n"), 0o644)
	code, out = runCLI(t, "query", "--warehouse", wh, "--format", "json", "-f", sqlFile)
	var rows []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &rows) != nil || len(rows) != len(recs)-1 || rows[0]["outcome"] == nil {
		t.Fatalf("query -f FILE --format json: exit %d:\n%s", code, out)
	}
	// Columns named alike are two keys, not one key twice.
	if code, out := runCLI(t, "query", "--warehouse", wh, "--format", "json", "SELECT 1 AS a, 2 AS a"); code != 0 || out != "[\n  {\"a\":1,\"a_2\":2}\n]\n" {
		t.Errorf("query of two columns named a: exit %d:\n%s", code, out)
	}
	pq := filepath.Join(dir, "out.parquet")
	code, _, stderr := runCLIAll(t, "query", "--warehouse", wh, "--format", "parquet", "--out", pq, q)
	n, err := parquetRows(pq)
	if code != 0 || err != nil || n != int64(len(rows)) || !strings.Contains(stderr, "rows to") {
		t.Fatalf("query --format parquet --out: exit %d, %v, %d rows: %s", code, err, n, stderr)
	}
	// A value parquet's type for the column cannot hold fails the export
	// with exit 2, naming the column, and leaves no file (a HUGEINT beyond
	// INT64 was written wrapped).
	big := filepath.Join(dir, "big.parquet")
	const hugeQ = "SELECT sum(x) AS total FROM (VALUES (9223372036854775807), (1)) t(x)"
	code, _, stderr = runCLIAll(t, "query", "--warehouse", wh, "--format", "parquet", "--out", big, hugeQ)
	if _, err := os.Stat(big); code != 2 || err == nil || !strings.Contains(stderr, `column "total": 9223372036854775808 is out of range`) {
		t.Errorf("a HUGEINT beyond INT64 to parquet: exit %d, file %v: %s", code, err, stderr)
	}
	if code, out := runCLI(t, "query", "--warehouse", wh, "--format", "csv", hugeQ); code != 0 || out != "total\n9223372036854775808\n" {
		t.Errorf("the same as CSV: exit %d:\n%s", code, out)
	}
	withStdin(t, q, func() {
		if code, out := runCLI(t, "query", "--warehouse", wh, "--format", "csv", "-f", "-"); code != 0 || !strings.HasPrefix(out, "outcome,n") {
			t.Fatalf("query -f - (stdin): exit %d:\n%s", code, out)
		}
	})

	before := fileSum(t, file)
	copyTo := filepath.Join(dir, "copied.csv")
	for _, w := range []string{
		"INSERT INTO synctrack.load_ledger (key, etag) VALUES ('x', 'y')",
		"UPDATE synctrack.load_ledger SET status = 'failed'",
		"DELETE FROM synctrack.sync_records",
		"CREATE TABLE synctrack.mine AS SELECT 1 AS a",
		"DROP VIEW synctrack.sync_log",
		"SELECT 1; DELETE FROM synctrack.sync_records",
		"ATTACH '" + filepath.Join(dir, "other.duckdb") + "' AS o",
		"COPY (SELECT * FROM synctrack.sync_log) TO '" + copyTo + "'",
		"SET enable_external_access = true",
	} {
		code, stdout, stderr := runCLIAll(t, "query", "--warehouse", wh, w)
		if code != 2 || stdout != "" {
			t.Errorf("%s: exit %d, want 2 and no output: %s%s", w, code, stdout, stderr)
		}
	}
	if _, err := os.Stat(copyTo); err == nil {
		t.Error("COPY ... TO wrote a file")
	}
	if fileSum(t, file) != before {
		t.Fatal("a refused statement changed the database file")
	}
	if code, _, stderr := runCLIAll(t, "query", "--warehouse", wh, "DELETE FROM synctrack.sync_records"); !strings.Contains(stderr, "not a read-only query") {
		t.Errorf("a refused write says: %s (exit %d)", stderr, code)
	}

	for _, c := range []struct {
		name string
		args []string
	}{
		{"syntax error", []string{"query", "--warehouse", wh, "SELEC 1"}},
		{"unknown column", []string{"query", "--warehouse", wh, "SELECT nope FROM synctrack.sync_log"}},
		{"no statement", []string{"query", "--warehouse", wh}},
		{"blank statement", []string{"query", "--warehouse", wh, "  "}},
		{"argument and -f", []string{"query", "--warehouse", wh, "-f", sqlFile, q}},
		{"missing file", []string{"query", "--warehouse", wh, "-f", filepath.Join(dir, "none.sql")}},
		{"bad format", []string{"query", "--warehouse", wh, "--format", "xml", q}},
		{"no database yet", []string{"query", "--warehouse", "duckdb://" + filepath.Join(dir, "none.duckdb"), q}},
	} {
		if code, out := runCLI(t, c.args...); code != 2 {
			t.Errorf("%s: exit %d, want 2: %s", c.name, code, out)
		}
	}
}

// The user's SQL is the user's: an error in it says DuckDB refused the
// query, with none of the hints meant for synctrack's own SQL or for loads
// ("please report", "recorded as failed"); a file is not read; more than
// one statement is refused before any runs, by DuckDB's own splitting.
func TestQueryErrorsAreTheQuerys(t *testing.T) {
	wh, _ := loadedWarehouse(t)
	for _, c := range []struct{ sql, want string }{
		{"selec 1", "DuckDB refused the query: Parser Error"},
		{"select * from synctrack.nosuch", "DuckDB refused the query: Catalog Error"},
		{"select 'a'::int", "DuckDB refused the query: Conversion Error"},
		{"select * from read_csv('/etc/hostname')", "synctrack query reads the warehouse only, no file is read or written (file access is disabled)"},
		{"select count(*) from read_parquet('/tmp/x.parquet')", "no file is read or written"},
		{"COPY (select 1) TO '/tmp/synctrack-query-test-x.csv'", "no file is read or written"},
		{"select 1; select 2", "more than one statement: DuckDB reads 2 statements"},
		{"select 1; selec 2", "DuckDB refused the query: Parser Error"},
		// A statement that controls a transaction is no query: DuckDB's
		// BEGIN ran and exited 0 with no rows.
		{"begin", "begin begins a transaction statement"},
		{"/* then */ COMMIT", "COMMIT begins a transaction statement"},
		{"start transaction", "not a query"},
	} {
		code, stdout, stderr := runCLIAll(t, "query", "--warehouse", wh, c.sql)
		if code != 2 || stdout != "" || !strings.Contains(stderr, c.want) {
			t.Errorf("%s: exit %d, want 2 and %q: %s%s", c.sql, code, c.want, stdout, stderr)
		}
		for _, hint := range []string{"please report", "recorded as failed", "load"} {
			if strings.Contains(stderr, hint) {
				t.Errorf("%s: says %q, a hint for synctrack's own SQL or loads: %s", c.sql, hint, stderr)
			}
		}
	}
	// Trailing semicolons and a ';' in a literal are one statement.
	for _, q := range []string{"select ';' AS s;", "select 1 AS s; ;\n  -- done\n", "select 'begin' AS s"} {
		if code, out, stderr := runCLIAll(t, "query", "--warehouse", wh, "--format", "csv", q); code != 0 || !strings.HasPrefix(out, "s\n") {
			t.Errorf("%q: exit %d: %s%s", q, code, out, stderr)
		}
	}
}

func parquetRows(path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		return 0, err
	}
	return pf.NumRows(), nil
}

func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(raw)
}

// withStdin runs fn with os.Stdin reading text.
func withStdin(t *testing.T, text string, fn func()) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	go func() { w.Write(bytes.NewBufferString(text).Bytes()); w.Close() }()
	old := os.Stdin
	os.Stdin = r
	defer func() { os.Stdin = old; r.Close() }()
	fn()
}
