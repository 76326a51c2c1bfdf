package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gocloud.dev/blob"
	_ "gocloud.dev/blob/fileblob"

	"github.com/synctrack/synctrack/gen"
)

// --retention through the CLI, as a user runs it: runs from yesterday and
// today, one day kept (today). The load deletes yesterday's rows and says
// so, status counts the expired files and names the oldest day kept, plan
// lists nothing to load, and a second load (the environment variable this
// time) loads nothing again. The clock is the real one: the bucket is
// generated around it (runs six hours apart from yesterday 08:00 UTC).
func TestRetentionCommands(t *testing.T) {
	dir := t.TempDir()
	b, err := blob.OpenBucket(context.Background(), "file://"+dir)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	o := gen.DefaultOptions()
	o.Orgs, o.SyncsPerOrg, o.RunsPerSync, o.FilesPerRun, o.RowsPerFile = 1, 2, 6, 2, 20
	o.Start = today.AddDate(0, 0, -1).Add(8 * time.Hour) // runs at 08, 14, 20 yesterday; 02, 08, 14 today
	if _, err := gen.Generate(context.Background(), b, o); err != nil {
		t.Fatal(err)
	}
	b.Close()
	bucket, wh := "file://"+dir, "duckdb://"+filepath.Join(t.TempDir(), "logs.duckdb")

	code, out := runCLI(t, "load", "--bucket", bucket, "--warehouse", wh, "--retention", "1", "--progress=false")
	if code != 0 || !strings.Contains(out, "retention: ") || !strings.Contains(out, "files expired") {
		t.Fatalf("load --retention 1: exit %d:\n%s", code, out)
	}
	code, out = runCLI(t, "query", "--warehouse", wh, "--format", "csv",
		"SELECT count(*) FILTER (WHERE batch_started_at < TIMESTAMPTZ '"+today.Format(time.RFC3339)+"') AS old, count(*) AS kept FROM synctrack.sync_records")
	if code != 0 || !strings.Contains(out, "old,kept\n0,") || strings.Contains(out, "old,kept\n0,0\n") {
		t.Errorf("rows after retention: exit %d:\n%s; want no old row and some kept", code, out)
	}
	code, out = runCLI(t, "status", "--warehouse", wh)
	if code != 0 || !strings.Contains(out, "records expired") ||
		!strings.Contains(out, "oldest day kept at the last pass: "+today.Format(time.DateOnly)) {
		t.Errorf("status after retention: exit %d:\n%s", code, out)
	}
	code, out = runCLI(t, "plan", "--bucket", bucket, "--warehouse", wh)
	if code != 0 || strings.Contains(out, "records_") {
		t.Errorf("plan after retention lists files to load: exit %d:\n%s", code, out)
	}
	t.Setenv("SYNCTRACK_RETENTION", "1")
	code, out = runCLI(t, "load", "--bucket", bucket, "--warehouse", wh, "--progress=false")
	if code != 0 || !strings.Contains(out, " 0 loaded now, ") || strings.Contains(out, "retention: ") {
		t.Errorf("second load: exit %d:\n%s; want nothing loaded or expired", code, out)
	}
	code, _, errs := runCLIAll(t, "load", "--bucket", bucket, "--warehouse", wh, "--retention", "-3")
	if code != 2 || !strings.Contains(errs, "--retention -3") {
		t.Errorf("--retention -3: exit %d, %s; want a usage error", code, errs)
	}
}
