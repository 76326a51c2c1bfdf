package postgres_test

import (
	"testing"

	"github.com/synctrack/synctrack/internal/conformance"
	"github.com/synctrack/synctrack/internal/pgtest"
	"github.com/synctrack/synctrack/warehouse"
)

// An attempt count past the ledger's INTEGER is kept at its largest value.
func TestLedgerAttemptsDoNotWrap(t *testing.T) {
	conformance.CheckAttemptsKept(t, open(t, pgtest.URL(t), warehouse.Options{}))
}
