package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
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
	}, &b, nil)
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

// Under --log-format json, given as a flag, its variable or a config key,
// what synctrack writes on stderr before any command's logger exists is a
// log record like the others, one JSON object a line: the warning of a
// near-miss variable (level WARN), and the error that ends a command line
// refused before the config was read (an unknown flag or command), whose
// "Run 'synctrack --help' for usage." was a plain line after it. Both were
// plain text in the JSON stream.
func TestEarlyMessagesFollowLogFormat(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(cfg, []byte("log_format: json\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SYNCTRACK_BATCH_FILS", "7")
	records := func(args []string, stderr string) []map[string]any {
		t.Helper()
		var rs []map[string]any
		for _, l := range strings.Split(strings.TrimSpace(stderr), "\n") {
			var r map[string]any
			if err := json.Unmarshal([]byte(l), &r); err != nil {
				t.Errorf("%v: stderr line %q is no JSON record (%v); stderr:\n%s", args, l, err, stderr)
				continue
			}
			rs = append(rs, r)
		}
		return rs
	}
	warned := func(args []string) {
		t.Helper()
		code, _, errs := runCLIAll(t, args...)
		rs := records(args, errs)
		if code != 0 || len(rs) != 1 || rs[0]["level"] != "WARN" || rs[0]["variable"] != "SYNCTRACK_BATCH_FILS" ||
			rs[0]["did_you_mean"] != "SYNCTRACK_BATCH_FILES" || !strings.Contains(fmt.Sprint(rs[0]["msg"]), "ignored") {
			t.Errorf("%v: exit %d, stderr %q; want one WARN record naming the variable", args, code, errs)
		}
	}
	warned([]string{"sql", "list", "--log-format", "json"})
	warned([]string{"sql", "list", "--config", cfg})
	t.Setenv("SYNCTRACK_LOG_FORMAT", "json")
	warned([]string{"sql", "list"})
	for _, args := range [][]string{{"load", "--bogus"}, {"lod"}} {
		code, _, errs := runCLIAll(t, args...)
		rs := records(args, errs)
		if code != 2 || len(rs) != 1 || rs[0]["level"] != "ERROR" || rs[0]["exit"] != 2.0 {
			t.Errorf("%v: exit %d, stderr %q; want 2 and one ERROR record", args, code, errs)
		}
	}
	// Text is as it was: lines, the usage line after the error.
	t.Setenv("SYNCTRACK_LOG_FORMAT", "text")
	if code, _, errs := runCLIAll(t, "lod"); code != 2 || !strings.HasSuffix(errs, "\nRun 'synctrack --help' for usage.\n") || strings.Contains(errs, "{") {
		t.Errorf("lod: exit %d, stderr %q", code, errs)
	}
}
