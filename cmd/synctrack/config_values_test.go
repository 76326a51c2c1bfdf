package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A config key with no value, or a list where a flag takes one value, is a
// config error naming the key. A null webhook_secret was the text "<nil>":
// a webhook anyone could sign. An empty one turned the webhook off unseen.
func TestConfigKeysNeedOneValue(t *testing.T) {
	dir := t.TempDir()
	base := "bucket: file://" + dir + "\nwarehouse: duckdb://" + filepath.Join(dir, "w.duckdb") + "\nlisten: 127.0.0.1:0\n"
	for _, c := range []struct{ line, want string }{
		{"webhook_secret:", "webhook_secret: no value"},
		{"webhook_secret: ~", "webhook_secret: no value"},
		{`webhook_secret: ""`, "webhook secret"},
		{`webhook_secret: "  "`, "empty or blank"},
		{"schedule: ['@every 1m', '@every 2m']", "schedule: want one value, not a list"},
		{"quiet_period: {a: 1}", "quiet_period: want one value, not a map"},
	} {
		p := filepath.Join(dir, "c.yaml")
		if err := os.WriteFile(p, []byte(base+c.line+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		code, out, errs := runCLIAll(t, "run", "--config", p, "--check")
		if code != 2 || !strings.Contains(errs, c.want) || strings.Contains(out, "webhook on") {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 2 saying %q", c.line, code, out, errs, c.want)
		}
	}
	// One file serves every command: a command that does not read the key
	// refuses it too, rather than leave it to the daemon's start.
	for _, c := range []struct{ line, want string }{
		{"webhook_secret:", "webhook_secret: no value"},
		{"schedule: ['@every 1m', '@every 2m']", "schedule: want one value, not a list"},
	} {
		p := filepath.Join(dir, "c.yaml")
		if err := os.WriteFile(p, []byte(base+c.line+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if code, _, errs := runCLIAll(t, "plan", "--config", p); code != 2 || !strings.Contains(errs, c.want) {
			t.Errorf("plan, %s: exit %d, stderr %q; want exit 2 saying %q", c.line, code, errs, c.want)
		}
	}
	p := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(p, []byte(base+"webhook_secret: s3cret\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := runCLIAll(t, "run", "--config", p, "--check"); code != 0 || !strings.Contains(out, "webhook on") {
		t.Errorf("a set secret: exit %d, %q %q", code, out, errs)
	}
}

// A SYNCTRACK_ variable set but empty is refused, named, as a config file's
// key with no value is: SYNCTRACK_MEMORY_LIMIT= and SYNCTRACK_SCHEDULE=
// gave the default limit and schedule without a word, SYNCTRACK_EVENTS=
// no events, SYNCTRACK_CONFIG= no file. SYNCTRACK_LISTEN= still turns the
// listener off (TestConfigOutOnlyForFolders).
func TestEmptyVariablesRefused(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(p, []byte("schedule: '@every 1m'\nlisten: 127.0.0.1:0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	base := []string{"run", "--bucket", "file://" + dir, "--warehouse", "duckdb://" + filepath.Join(dir, "w.duckdb"), "--listen", "127.0.0.1:0", "--check"}
	for _, c := range []struct {
		env  string
		args []string
		want string
	}{
		{"SYNCTRACK_MEMORY_LIMIT", base, "SYNCTRACK_MEMORY_LIMIT is set but empty: unset it, or give it a value"},
		{"SYNCTRACK_SCHEDULE", base, "SYNCTRACK_SCHEDULE is set but empty: unset it, or give it a value"},
		{"SYNCTRACK_SCHEDULE", append([]string{"--config", p}, base...), "SYNCTRACK_SCHEDULE is set but empty, over config " + p + "'s schedule"},
		{"SYNCTRACK_FACTS_SCHEDULE", base, "SYNCTRACK_FACTS_SCHEDULE is set but empty"},
		{"SYNCTRACK_RECONCILE_SCHEDULE", base, "SYNCTRACK_RECONCILE_SCHEDULE is set but empty"},
		{"SYNCTRACK_NAME", base, "SYNCTRACK_NAME is set but empty"},
		{"SYNCTRACK_EVENTS", base, "SYNCTRACK_EVENTS is set but empty"},
		{"SYNCTRACK_QUIET_PERIOD", base, "SYNCTRACK_QUIET_PERIOD is set but empty"},
		{"SYNCTRACK_CONFIG", base, "SYNCTRACK_CONFIG is set but empty"},
		// Only the daemon reads SYNCTRACK_LISTEN= as "no listener".
		{"SYNCTRACK_LISTEN", []string{"serve", "--warehouse", "duckdb://" + filepath.Join(dir, "w.duckdb")}, "SYNCTRACK_LISTEN is set but empty"},
		{"SYNCTRACK_STAGE_DIR", []string{"load", "--bucket", "file://" + dir, "--warehouse", "duckdb://" + filepath.Join(dir, "w.duckdb")}, "SYNCTRACK_STAGE_DIR is set but empty"},
	} {
		t.Setenv(c.env, "")
		if code, out, errs := runCLIAll(t, c.args...); code != 2 || !strings.Contains(errs, c.want) || strings.Contains(out, "config ok") {
			t.Errorf("%s= (%s): exit %d, %q %q; want 2 saying %q", c.env, c.args[0], code, out, errs, c.want)
		}
		os.Unsetenv(c.env)
	}
	// The command line wins: an empty variable under a flag given is not read.
	t.Setenv("SYNCTRACK_SCHEDULE", "")
	if code, out, errs := runCLIAll(t, append(base, "--schedule", "@every 1m")...); code != 0 || !strings.Contains(out, "runs @every 1m") {
		t.Errorf("--schedule over an empty SYNCTRACK_SCHEDULE: exit %d, %q %q", code, out, errs)
	}
}

// A value of the wrong kind from the environment, the config file or the
// command line says what the key wants, not only the Go parser's words
// (strconv.ParseBool: parsing "yes": invalid syntax; time: missing unit in
// duration "5").
func TestConfigValuesOfTheWrongKindSayWhatIsWanted(t *testing.T) {
	dir := t.TempDir()
	base := []string{"load", "--bucket", "file://" + dir, "--warehouse", "duckdb://" + filepath.Join(dir, "w.duckdb")}
	for _, c := range []struct{ env, value, want string }{
		{"SYNCTRACK_SETTLE", "5", `SYNCTRACK_SETTLE="5": want a duration such as 30s, 5m or 1h`},
		{"SYNCTRACK_WORKERS", "many", `SYNCTRACK_WORKERS="many": want a whole number`},
		{"SYNCTRACK_PROGRESS", "yes", `SYNCTRACK_PROGRESS="yes": want true or false`},
	} {
		t.Setenv(c.env, c.value)
		if code, _, errs := runCLIAll(t, base...); code != 2 || !strings.Contains(errs, c.want) {
			t.Errorf("%s=%s: exit %d, %q; want 2 saying %q", c.env, c.value, code, errs, c.want)
		}
		os.Unsetenv(c.env)
	}
	// The command line says the same, and not strconv's words.
	for _, c := range []struct{ flag, want string }{
		{"--workers=many", `--workers "many": want a whole number (invalid syntax)`},
		{"--workers=99999999999999999999", `--workers "99999999999999999999": want a whole number (value out of range)`},
		{"--settle=5", `--settle "5": want a duration such as 30s, 5m or 1h`},
		{"--progress=yes", `--progress "yes": want true or false`},
	} {
		code, _, errs := runCLIAll(t, append(base, c.flag)...)
		if code != 2 || !strings.Contains(errs, c.want) || strings.Contains(errs, "strconv") {
			t.Errorf("%s: exit %d, %q; want 2 saying %q", c.flag, code, errs, c.want)
		}
	}
	p := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(p, []byte("settle: 5\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	want := "config " + p + `: settle: want a duration such as 30s, 5m or 1h`
	if code, _, errs := runCLIAll(t, append(base, "--config", p)...); code != 2 || !strings.Contains(errs, want) {
		t.Errorf("settle: 5 in a config file: exit %d, %q; want 2 saying %q", code, errs, want)
	}
}
