package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
)

// A failure's message quotes the file's own values (DuckDB's conversion
// errors do), and a file:// key may hold any character: control characters
// in them reached the terminal as they were, where ESC sequences recolour,
// retitle or clear it and a CR overwrites the line. load's FAILED lines and
// status's list write them escaped, as query's tables do, one line each.
func TestFailuresPrintNoControlCharacters(t *testing.T) {
	hostile := "\x1b[31mRED\x1b]0;pwned\a\rx\nFAILED forged"
	var load strings.Builder
	printReport(&load, &loader.Report{Failed: []loader.Failure{{Key: "k\x1b[2J", Err: errors.New(`invalid timestamp "` + hostile + `"`)}}})
	var status strings.Builder
	printStatus(&status, []warehouse.LedgerEntry{{Key: "k\x1b[2J", Kind: "records", Status: warehouse.StatusFailed, Error: hostile}}, 10)
	for name, out := range map[string]string{"load": load.String(), "status": status.String()} {
		if strings.ContainsAny(out, "\x1b\a\r") || strings.Contains(out, "\nFAILED forged") {
			t.Errorf("%s wrote control characters: %q", name, out)
		}
		if !strings.Contains(out, `\x1b[31mRED`) {
			t.Errorf("%s: %q, want the value escaped", name, out)
		}
	}
}
