package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/warehouse"
)

// --errors -1 lists every failed object (the keys a retry needs), past the
// default 20; a count cuts the list, said.
func TestStatusErrorsAll(t *testing.T) {
	var rows []warehouse.LedgerEntry
	for i := range 25 {
		rows = append(rows, warehouse.LedgerEntry{Key: fmt.Sprintf("k%02d.parquet", i), Status: warehouse.StatusFailed, Error: "bad", Attempts: 1})
	}
	for _, c := range []struct {
		max, listed int
		more        bool
	}{{-1, 25, false}, {20, 20, true}, {0, 0, true}} {
		var b bytes.Buffer
		printStatus(&b, rows, c.max)
		out := b.String()
		if n := strings.Count(out, "  failed k"); n != c.listed || strings.Contains(out, "... and") != c.more {
			t.Errorf("--errors %d: %d listed, want %d; a more line: %v, want %v:\n%s", c.max, n, c.listed, !c.more, c.more, out)
		}
	}
}
