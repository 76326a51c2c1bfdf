package duckdb_test

import (
	"context"
	"database/sql"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/internal/testbucket"
	analysis "github.com/synctrack/synctrack/sql"
)

// messages are varied status messages: the rules' cases, near misses, UTF-8
// and an invalid byte, and random mixes of their parts (more than one
// DuckDB vector's worth, so the function is called on several chunks).
func messages() []string {
	parts := []string{"Record ", "0035g00000AbCdEfGH", " not found", "ana.lee@@example", " 'ABC-12' ", "db-1.internal.example.net",
		"176f82de-2faf-46ad-95f3-0c86375fa8b7", "-104.5", " 42", "u_77", "CUST-1042", "日本", "é", "\xff", "'", "@", ".", "-", "_", "x9"}
	out := []string{"", "no values here", "retry after 94 seconds", `HTTP 400: {"detail":"+1-555-1268 is bad"}`}
	r := rand.New(rand.NewPCG(7, 8))
	for len(out) < 5000 {
		var b strings.Builder
		for n := r.IntN(8); n >= 0; n-- {
			b.WriteString(parts[r.IntN(len(parts))])
		}
		out = append(out, b.String())
	}
	return out
}

// The counts' fingerprint function gives what the templates' SQL and Go's
// reference give, NULL for NULL; and it is there on a connection the pool
// opens after the first was closed.
func TestFingerprintFunction(t *testing.T) {
	w := openDuck(t, filepath.Join(t.TempDir(), "fp.duckdb"))
	defer w.Close()
	db := w.DB()
	db.SetMaxIdleConns(0) // every statement below runs on a new connection
	msgs := messages()
	// DuckDB refuses invalid UTF-8 in a VARCHAR: those go in as they would load.
	valid := make([]string, len(msgs))
	for i, m := range msgs {
		valid[i] = strings.ToValidUTF8(m, "\uFFFD")
	}
	if _, err := db.Exec(`CREATE TABLE m AS SELECT i, msg FROM (SELECT unnest($1::VARCHAR[]) AS msg, generate_subscripts($1::VARCHAR[], 1) AS i)
UNION ALL SELECT -1, NULL`, valid); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query(`SELECT i, msg, system.main.synctrack_fingerprint(msg) FROM m`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var i int
		var msg, got sql.NullString
		if err := rows.Scan(&i, &msg, &got); err != nil {
			t.Fatal(err)
		}
		n++
		if !msg.Valid {
			if got.Valid {
				t.Errorf("NULL fingerprints as %q", got.String)
			}
			continue
		}
		if want := analysis.Fingerprint(msg.String); !got.Valid || got.String != want {
			t.Errorf("%q: %q, want %q", msg.String, got.String, want)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != len(msgs)+1 {
		t.Fatalf("read %d rows, want %d", n, len(msgs)+1)
	}
}

// What a load leaves reads without the function: a DuckDB that never
// registered it (a user's CLI, `synctrack query`) opens the file and reads
// every table and view.
func TestLoadedFileNeedsNoFunction(t *testing.T) {
	url, dir := testbucket.Dir(t)
	o := gen.DefaultOptions()
	o.Orgs, o.SyncsPerOrg, o.RunsPerSync, o.FilesPerRun, o.RowsPerFile = 1, 1, 2, 2, 40
	if _, err := gen.Generate(context.Background(), testbucket.Open(t, url), o); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "plain.duckdb")
	w := openDuck(t, path)
	loadBucket(t, w, url, dir)
	if n := scalar(t, w, `SELECT count(*) FROM synctrack.run_fingerprint_counts`); n == 0 {
		t.Fatal("premise: the load wrote no fingerprint counts")
	}
	w.Close()
	db, err := sql.Open("duckdb", path+"?access_mode=read_only")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rs, err := db.Query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'synctrack'`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for rs.Next() {
		var s string
		if err := rs.Scan(&s); err != nil {
			t.Fatal(err)
		}
		names = append(names, s)
	}
	rs.Close()
	if len(names) < 4 {
		t.Fatalf("only %v in the schema", names)
	}
	for _, s := range names {
		var n int64
		if err := db.QueryRow(`SELECT count(*) FROM synctrack."` + s + `"`).Scan(&n); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
}

// A macro of the function's name in the user's file does not change the
// counts: the load calls the function by its qualified name.
func TestFingerprintNameShadowed(t *testing.T) {
	url, dir := testbucket.Dir(t)
	o := gen.DefaultOptions()
	o.Orgs, o.SyncsPerOrg, o.RunsPerSync, o.FilesPerRun, o.RowsPerFile = 1, 1, 1, 2, 40
	if _, err := gen.Generate(context.Background(), testbucket.Open(t, url), o); err != nil {
		t.Fatal(err)
	}
	w := openDuck(t, filepath.Join(t.TempDir(), "shadow.duckdb"))
	defer w.Close()
	if _, err := w.DB().Exec(`CREATE MACRO synctrack_fingerprint(x) AS 'shadow'`); err != nil {
		t.Fatal(err)
	}
	loadBucket(t, w, url, dir)
	if n := scalar(t, w, `SELECT count(*) FROM synctrack.run_fingerprint_counts WHERE fingerprint IS NOT NULL`); n == 0 {
		t.Fatal("premise: the load wrote no fingerprints")
	}
	if n := scalar(t, w, `SELECT count(*) FROM synctrack.run_fingerprint_counts WHERE fingerprint = 'shadow'`); n != 0 {
		t.Errorf("%d fingerprint counts came from the user's macro", n)
	}
}
