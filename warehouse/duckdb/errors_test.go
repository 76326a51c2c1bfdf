package duckdb

import (
	"errors"
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
