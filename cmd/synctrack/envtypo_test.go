package main

import (
	"strings"
	"testing"
)

// A SYNCTRACK_ variable a letter or two from a setting is named with the
// setting it was likely meant to be: it is ignored, and a cron job given
// SYNCTRACK_WAREHOSE loaded into the default warehouse without a word.
// Settings themselves, far names and other tools' variables say nothing.
func TestEnvTyposWarned(t *testing.T) {
	var b strings.Builder
	warnEnvTypos(newRootCommand(), []string{
		"SYNCTRACK_WAREHOSE=duckdb:///x.duckdb", // a typo of a flag's
		"SYNCTRACK_WEB_TOKN=secret",             // of a secret's
		"SYNCTRACK_WAREHOUSE=duckdb:///y.duckdb",
		"SYNCTRACK_WEB_TOKEN=t",
		"SYNCTRACK_REQUIRE_POSTGRES=1", // the tests' own
		"SYNCTRACK_NEW=1",              // one edit from no long name
		"PATH=/usr/bin", "WAREHOSE=x",
	}, &b)
	got := b.String()
	for _, want := range []string{
		"SYNCTRACK_WAREHOSE is no setting of synctrack's and is ignored (did you mean SYNCTRACK_WAREHOUSE?)",
		"SYNCTRACK_WEB_TOKN is no setting of synctrack's and is ignored (did you mean SYNCTRACK_WEB_TOKEN?)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("stderr %q, want %q", got, want)
		}
	}
	if n := strings.Count(got, "\n"); n != 2 {
		t.Errorf("%d lines, want the two typos only:\n%s", n, got)
	}
	// Through the command: the warning comes, the command still runs.
	t.Setenv("SYNCTRACK_BATCH_FILS", "7")
	code, _, errs := runCLIAll(t, "sql", "list")
	if code != 0 || !strings.Contains(errs, "SYNCTRACK_BATCH_FILS is no setting of synctrack's and is ignored (did you mean SYNCTRACK_BATCH_FILES?)") {
		t.Errorf("sql list: exit %d, stderr %q", code, errs)
	}
}
