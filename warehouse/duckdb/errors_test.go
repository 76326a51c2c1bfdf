package duckdb

import (
	"errors"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/warehouse"
)

// What DuckDB says when the file is held, by another process or by a load
// in this one, is a transient "locked": the pages answer 503 and the
// loader tries again, instead of a 500 or a failed object.
func TestLockedIsTransient(t *testing.T) {
	for _, msg := range []string{
		`IO Error: Could not set lock on file "/tmp/w.duckdb": Conflicting lock is held in /usr/bin/duckdb (PID 1)`,
		`Connection Error: Can't open a connection to same database file with a different configuration than existing connections`,
		`database/sql/driver: could not connect to database: Binder Error: Unique file handle conflict: Cannot attach "w" - the database file "/tmp/w.duckdb" is already attached by database "w"`,
	} {
		err := classify(errors.New(msg), nil)
		var e *warehouse.Error
		if !errors.As(err, &e) || e.Class != warehouse.Transient || e.Reason != "locked" {
			t.Errorf("%s: %v (class %v), want transient, locked", msg, err, warehouse.ClassOf(err))
		}
	}
}

// DuckDB's parser splits statements: a ';' in a literal or a comment ends
// none, and empty ones (trailing ';') are not counted.
func TestCountStatements(t *testing.T) {
	for q, want := range map[string]int{
		"select 1": 1, "select 1;": 1, "select 1; ;  \n": 1, "select ';'": 1, "select 1 -- ; x\n": 1,
		"select 1; -- done\n": 1, "select 1; select 2": 2, "select 1;\nselect 2;select 3;": 3,
	} {
		if n, err := countStatements(q); n != want || err != nil {
			t.Errorf("%q: %d statements, %v; want %d", q, n, err, want)
		}
	}
	if _, err := countStatements("selec 1"); err == nil || !strings.Contains(err.Error(), "Parser Error") {
		t.Errorf("a syntax error: %v", err)
	}
}
