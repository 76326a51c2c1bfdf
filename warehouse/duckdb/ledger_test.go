package duckdb_test

import (
	"path/filepath"
	"testing"

	"github.com/synctrack/synctrack/internal/conformance"
)

// An attempt count past the ledger's INTEGER is kept at its largest value.
func TestLedgerAttemptsDoNotWrap(t *testing.T) {
	w := openDuck(t, filepath.Join(t.TempDir(), "w.duckdb"))
	defer w.Close()
	conformance.CheckAttemptsKept(t, w)
}
