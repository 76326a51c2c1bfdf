package engines

import (
	"os"
	"path/filepath"
	"testing"
)

// Two URLs naming one warehouse have one identity, found through the
// registry (the daemon refuses two targets on one warehouse by it): a
// DuckDB file by its cleaned path, a PostgreSQL schema by server, database
// and schema however the URL is written; anything else as written.
func TestIdentity(t *testing.T) {
	for _, same := range [][2]string{
		{"duckdb://./w.duckdb", "duckdb://w.duckdb?threads=2"},
		{"duckdb:///tmp/./w.duckdb", "duckdb:///tmp/w.duckdb?schema=other"},
		{"postgres://u@/st?host=/run/pg&port=5433&schema=dup", "postgresql://u@/st?port=5433&host=/run/pg/&schema=dup"},
		{"postgres://loader@db.example/analytics", "postgres://other@DB.example:5432/analytics?sslmode=require&schema=synctrack"},
		{"snowflake://u@acct/db/s?warehouse=wh", "snowflake://u@acct/db/s?warehouse=wh"},
	} {
		if a, b := Identity(same[0]), Identity(same[1]); a != b {
			t.Errorf("%s and %s: identities %q and %q, want one", same[0], same[1], a, b)
		}
	}
	for _, two := range [][2]string{
		{"duckdb:///tmp/a.duckdb", "duckdb:///tmp/b.duckdb"},
		{"postgres://u@db/st", "postgres://u@db/st?schema=two"},
		{"postgres://u@db/st", "postgres://u@db:5433/st"},
		{"bigquery://p/a", "bigquery://p/b"},
	} {
		if a, b := Identity(two[0]), Identity(two[1]); a == b {
			t.Errorf("%s and %s: one identity %q, want two", two[0], two[1], a)
		}
	}
	// A relative path and the absolute one of the same file, and a link to
	// it, are one warehouse (a README audit ran two targets on one file).
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.WriteFile("w.duckdb", nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "w.duckdb"), "link.duckdb"); err != nil {
		t.Fatal(err)
	}
	// A dangling link names the file a load through it makes (a review).
	if err := os.Symlink("new.duckdb", "dangling.duckdb"); err != nil {
		t.Fatal(err)
	}
	if a, b := Identity("duckdb://dangling.duckdb"), Identity("duckdb://"+filepath.Join(dir, "new.duckdb")); a != b {
		t.Errorf("a dangling link and the file it names: identities %q and %q, want one", a, b)
	}
	for _, u := range []string{"duckdb://" + filepath.Join(dir, "w.duckdb"), "duckdb://link.duckdb"} {
		if a, b := Identity("duckdb://./w.duckdb"), Identity(u); a != b {
			t.Errorf("duckdb://./w.duckdb and %s from %s: identities %q and %q, want one", u, dir, a, b)
		}
	}
	if got := Identity("mysql://x"); got != "mysql://x" {
		t.Errorf("a URL no engine reads: identity %q, want it as written", got)
	}
}
