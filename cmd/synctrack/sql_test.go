package main

import (
	"strings"
	"testing"
)

// sql render reads its --param values as report reads its flags: an empty
// one is a filter left out (it rendered a filter on an empty sync id,
// which matches no row), and an empty count is refused as report's
// --limit "" is.
func TestSQLRenderParamsAsReport(t *testing.T) {
	code, want := runCLI(t, "sql", "render", "records")
	if code != 0 {
		t.Fatalf("sql render records: exit %d", code)
	}
	code, got := runCLI(t, "sql", "render", "records", "--param", "sync=", "--param", "run=",
		"--param", "identifier=", "--param", "status=", "--param", "since=")
	if code != 0 || got != want {
		t.Errorf("empty --param values: exit %d, SQL differs from none given:\n%s", code, got)
	}
	code, _, stderr := runCLIAll(t, "sql", "render", "records", "--param", "limit=")
	if code != 2 || !strings.Contains(stderr, `limit=""`) {
		t.Errorf("--param limit=: exit %d, want 2 naming it: %s", code, stderr)
	}
}
