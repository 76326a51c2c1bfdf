package postgres

import (
	"testing"

	"github.com/synctrack/synctrack/warehouse"
)

// A command that loads nothing (query, report) says every hint as its own:
// no --batch-bytes, no next load (warehouse.NotLoading).
func TestHintsOfCommandsThatLoadNothing(t *testing.T) {
	for _, p := range warehouse.LoadOnlyHints(errorRules) {
		t.Error(p)
	}
}
