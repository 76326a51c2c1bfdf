package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
)

// A bucket's object keys and what its files make errors say are data: a
// local folder's file name may hold an escape sequence or a line break,
// which printed as it is would recolour or clear the user's terminal, or
// forge a line of the report. Each shows escaped, on its own line.
func TestReportsEscapeControlCharacters(t *testing.T) {
	key := "sync_tracking_datasets/1/2/r\x1b[2J\u202e\nFAILED fake/records_updated.0.parquet"
	err := errors.New("bad column \"a\rb\x07\"")
	var b bytes.Buffer
	printReport(&b, &loader.Report{Failed: []loader.Failure{{Key: key, Err: err}}})
	printStatus(&b, []warehouse.LedgerEntry{{Key: key, Kind: warehouse.KindRecords, Status: warehouse.StatusFailed, Error: err.Error(), Attempts: 1}}, 20)
	printPlan(&b, &loader.Plan{Ignored: []loader.Object{{Key: key + ".txt"}}, Gone: []warehouse.LedgerVersion{{Key: key, Status: warehouse.StatusFailed}}}, true)
	out := b.String()
	if strings.ContainsAny(out, "\x1b\r\x07\u202e") {
		t.Errorf("control characters reach the terminal:\n%q", out)
	}
	if n := strings.Count(out, "FAILED fake"); n != 4 {
		t.Errorf("the key shows %d times, want 4:\n%s", n, out)
	}
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if strings.HasPrefix(l, "FAILED fake") {
			t.Errorf("a key's line break forged a line %q:\n%s", l, out)
		}
	}
	if !strings.Contains(out, `r\x1b[2J\u202e\nFAILED fake`) {
		t.Errorf("the key is not shown escaped:\n%s", out)
	}
}

// The message a failed command ends with can quote a bucket's bytes too (an
// engine's error naming a file): on a terminal it shows them escaped, its
// own line breaks kept.
func TestFatalMessageEscapesControlCharacters(t *testing.T) {
	code, _, stderr := runCLIAll(t, "load", "--bucket", "file://"+t.TempDir()+"/no%1B%5B2Jsuch", "--warehouse", "duckdb://"+t.TempDir()+"/w.duckdb")
	if code != exitConfig || !strings.Contains(stderr, `no\x1b[2Jsuch`) || strings.Contains(stderr, "\x1b") {
		t.Errorf("exit %d, stderr %q: want 2 and the folder's name escaped", code, stderr)
	}
}

// A mistyped command's suggestion is indented by a tab (cobra's), shown as
// an indent, not as the two characters \t.
func TestSuggestionIsIndented(t *testing.T) {
	code, _, stderr := runCLIAll(t, "lod")
	if code != exitConfig || !strings.Contains(stderr, "Did you mean this?\n  load") || strings.Contains(stderr, `\t`) {
		t.Errorf("exit %d, stderr %q: want 2 and the suggestion indented", code, stderr)
	}
}
