package main

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/synctrack/synctrack/loader"
)

// jsonRecords parses stderr of a command run with --log-format json as one
// log record a line, failing the test for each line that is none.
func jsonRecords(t *testing.T, args []string, stderr string) []map[string]any {
	t.Helper()
	var rs []map[string]any
	for _, l := range strings.Split(strings.TrimRight(stderr, "\n"), "\n") {
		if l == "" && stderr == "" {
			break
		}
		var r map[string]any
		if err := json.Unmarshal([]byte(l), &r); err != nil || r["level"] == nil || r["msg"] == nil {
			t.Errorf("%v: stderr line %q is no JSON log record (%v); stderr:\n%s", args, l, err, stderr)
			continue
		}
		rs = append(rs, r)
	}
	return rs
}

// withMsg is the first of rs whose msg is msg, or nil.
func withMsg(rs []map[string]any, msg string) map[string]any {
	for _, r := range rs {
		if r["msg"] == msg {
			return r
		}
	}
	return nil
}

// Under --log-format json (the flag, its variable or a config key), every
// line a command writes on stderr is a log record: the load's progress, the
// note that an export was written, that a report stopped at --limit, that
// no record matched. They were plain lines in the JSON stream, which a
// machine reading it could not parse.
func TestNotesFollowLogFormat(t *testing.T) {
	dir := t.TempDir()
	bucket, db := filepath.Join(dir, "bucket"), "duckdb://"+filepath.Join(dir, "w.duckdb")
	if code, out := runCLI(t, "generate", "--out", bucket, "--runs", "2", "--rows", "40"); code != 0 {
		t.Fatalf("generate: exit %d: %s", code, out)
	}
	cfg := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(cfg, []byte("log_format: json\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) []map[string]any {
		t.Helper()
		code, out, errs := runCLIAll(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d\nstdout:\n%s\nstderr:\n%s", args, code, out, errs)
		}
		return jsonRecords(t, args, errs)
	}
	run("plan", "--log-format", "json", "--progress", "--bucket", "file://"+bucket, "--warehouse", db)
	run("load", "--log-format", "json", "--progress", "--bucket", "file://"+bucket, "--warehouse", db)

	rs := run("records", "--log-format", "json", "--warehouse", db, "--sync", "99999")
	if r := withMsg(rs, "records: none match"); r == nil || r["level"] != "WARN" || r["hint"] == nil {
		t.Errorf("records --sync 99999: %v; want a WARN record with a hint", rs)
	}
	rs = run("records", "--log-format", "json", "--warehouse", db, "--limit", "1")
	if r := withMsg(rs, "stopped at --limit"); r == nil || r["level"] != "INFO" || r["limit"] != 1.0 || r["what"] != "records" {
		t.Errorf("records --limit 1: %v; want an INFO record of the limit", rs)
	}

	out := filepath.Join(dir, "runs.csv")
	rs = run("report", "run_summary", "--config", cfg, "--warehouse", db, "--format", "csv", "--out", out)
	if r := withMsg(rs, "export written"); r == nil || r["level"] != "INFO" || r["out"] != out || r["rows"] == nil {
		t.Errorf("report --out: %v; want an INFO record naming the file and the rows", rs)
	}
	t.Setenv("SYNCTRACK_LOG_FORMAT", "json")
	run("query", "--warehouse", db, "--out", filepath.Join(dir, "q.csv"), "--format", "csv", "SELECT 1 AS one")
	run("records", "--warehouse", db, "--identifier", "no-such-record", "--out", filepath.Join(dir, "r.json"), "--format", "json")
}

// Under --log-format json, --progress logs a record at most every
// progressLogEvery, and one as a phase it logged ends; a load done sooner
// logs none. The terminal's line, redrawn every second of a listing and
// after each batch, would be a record each.
func TestProgressLoggerPace(t *testing.T) {
	var b strings.Builder
	clock := time.Unix(0, 0)
	p := progressLogger(slog.New(slog.NewJSONHandler(&b, nil)), func() time.Time { return clock })
	tick := func(d time.Duration, pr loader.Progress) {
		clock = clock.Add(d)
		p(pr)
	}
	// A short load: nothing.
	tick(time.Second, loader.Progress{Listing: true, Listed: 1000})
	tick(time.Second, loader.Progress{Listed: 1500})
	tick(0, loader.Progress{FilesTotal: 4})
	tick(time.Second, loader.Progress{FilesDone: 4, FilesTotal: 4, Rows: 40})
	if b.Len() != 0 {
		t.Fatalf("a load of 3s logged progress:\n%s", b.String())
	}
	// A long one: a record per 10s at most, and one as each phase ends.
	clock = time.Unix(0, 0)
	p = progressLogger(slog.New(slog.NewJSONHandler(&b, nil)), func() time.Time { return clock })
	for i := 1; i <= 25; i++ {
		tick(time.Second, loader.Progress{Listing: true, Listed: 1000 * i})
	}
	tick(time.Second, loader.Progress{Listed: 25500})
	tick(0, loader.Progress{FilesTotal: 100})
	for i := 1; i <= 20; i++ {
		tick(time.Second, loader.Progress{FilesDone: 5 * i, FilesTotal: 100, Rows: int64(500 * i)})
	}
	var got []string
	for _, r := range jsonRecords(t, nil, b.String()) {
		got = append(got, fmt.Sprintf("%v %v %v", r["msg"], r["listed"], r["files_done"]))
	}
	want := []string{
		"listing the bucket 10000 <nil>", "listing the bucket 20000 <nil>", "listed the bucket 25500 <nil>",
		"loading the records files <nil> 50", "loaded the records files <nil> 100",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("records:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
