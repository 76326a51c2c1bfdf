package main

import (
	"context"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/synctrack/synctrack/internal/holdlock"
	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/internal/tmpfs"
	"github.com/synctrack/synctrack/warehouse/duckdb"
)

// TestHoldLockChild is not a test: it is the process that holds a database
// file's lock for the tests (see internal/holdlock).
func TestHoldLockChild(t *testing.T) { holdlock.Child(t) }

// exitFixture is TestExitCodes' bucket and warehouse, and what a case's
// setup leaves for its checks.
type exitFixture struct {
	dir, bucket, db, wh string

	release      func() // lets go of the lock lockHeld took
	ledgerBefore int64  // load_ledger rows before the lock was taken
	disk         string // the small disk diskFull mounted
	bigBucket    string // the bucket that does not fit on it
}

func newExitFixture(t *testing.T) *exitFixture {
	f := &exitFixture{dir: t.TempDir()}
	f.bucket = filepath.Join(f.dir, "bucket")
	f.db = filepath.Join(f.dir, "w.duckdb")
	f.wh = "duckdb://" + f.db
	if code, out := runCLI(t, "generate", "--out", f.bucket, "--syncs", "1", "--runs", "2", "--rows", "20"); code != 0 {
		t.Fatalf("generate: exit %d: %s", code, out)
	}
	return f
}

func saysOnStdout(words ...string) func(*testing.T, *exitFixture, string, string) {
	return func(t *testing.T, _ *exitFixture, stdout, _ string) {
		for _, w := range words {
			if !strings.Contains(stdout, w) {
				t.Fatalf("stdout does not say %q: %s", w, stdout)
			}
		}
	}
}

func notSaying(secret string) func(*testing.T, *exitFixture, string, string) {
	return func(t *testing.T, _ *exitFixture, stdout, stderr string) {
		if strings.Contains(stdout+stderr, secret) {
			t.Fatalf("the output shows the secret %q: %s %s", secret, stdout, stderr)
		}
	}
}

// oneMessage: a command that stops prints one error line, and no object is
// named as failed.
func oneMessage(t *testing.T, _ *exitFixture, stdout, stderr string) {
	t.Helper()
	if n := strings.Count(stderr, "synctrack: "); n != 1 {
		t.Fatalf("%d error messages, want 1: %s", n, stderr)
	}
	if strings.Contains(stdout, "FAILED") {
		t.Fatalf("an object was blamed: %s", stdout)
	}
}

// Root may write anywhere the mode bits forbid (CAP_DAC_OVERRIDE), so as
// root (CI) the directory is a read-only mount instead: EROFS, which is a
// permission error too.
func unwritableWarehouse(t *testing.T, f *exitFixture) []string {
	var ro string
	if os.Geteuid() == 0 {
		ro = tmpfs.ReadOnly(t)
	} else {
		ro = filepath.Join(f.dir, "read-only")
		if err := os.Mkdir(ro, 0o555); err != nil {
			t.Fatal(err)
		}
	}
	return []string{"load", "--bucket", "file://" + f.bucket, "--warehouse", "duckdb://" + filepath.Join(ro, "w.duckdb")}
}

// refusedEndpoint is an S3 bucket whose endpoint is a closed port.
func refusedEndpoint(t *testing.T, f *exitFixture) []string {
	addr := freeAddr(t)
	url := testbucket.WithEndpoint(testbucket.S3(t, "bkt"), "http://"+addr) // S3 sets the credentials
	return []string{"load", "--bucket", url, "--warehouse", "duckdb://" + filepath.Join(t.TempDir(), "w.duckdb")}
}

// lockHeld adds a file to the bucket, then has another process hold the
// warehouse open for writing, as the duckdb CLI does.
func lockHeld(t *testing.T, f *exitFixture) []string {
	f.ledgerBefore, _ = ledgerRows(t, f.db)
	copyRecords(t, f, "records_updated.88.parquet")
	f.release = holdlock.Start(t, "TestHoldLockChild", f.db)
	return []string{"load", "--bucket", "file://" + f.bucket, "--warehouse", f.wh, "--lock-wait", "300ms"}
}

// lockChecks: one message, naming the lock and who holds it; reading is
// refused too; once the lock is let go, the ledger is as it was (the new file
// not in it) and the next load loads the new file.
func lockChecks(t *testing.T, f *exitFixture, stdout, stderr string) {
	oneMessage(t, f, stdout, stderr)
	if !strings.Contains(stderr, "another process") {
		t.Fatalf("the message does not say who holds the lock: %s", stderr)
	}
	if code, _, stderr := runCLIAll(t, "status", "--warehouse", f.wh, "--lock-wait", "300ms"); code != 3 || !strings.Contains(stderr, "Could not set lock") {
		t.Fatalf("status while locked: exit %d, want 3: %s", code, stderr)
	}
	if code, _, stderr := runCLIAll(t, "query", "--warehouse", f.wh, "--lock-wait", "300ms", "SELECT 1"); code != 3 {
		t.Fatalf("query while locked: exit %d, want 3 (unavailable, not the SQL's fault): %s", code, stderr)
	}
	f.release()
	if all, late := ledgerRows(t, f.db); all != f.ledgerBefore || late != 0 {
		t.Fatalf("the locked load wrote to the ledger: %d rows, %d before; the new file has %d", all, f.ledgerBefore, late)
	}
	if code, out := runCLI(t, "load", "--bucket", "file://"+f.bucket, "--warehouse", f.wh); code != 0 {
		t.Fatalf("load after the lock was let go: exit %d: %s", code, out)
	}
	if _, late := ledgerRows(t, f.db); late != 1 {
		t.Fatalf("the new file has %d ledger rows after the lock was let go, want 1", late)
	}
}

// ledgerRows counts load_ledger rows, and those of records_updated.88.
func ledgerRows(t *testing.T, db string) (all, late int64) {
	t.Helper()
	w, err := duckdb.Open(context.Background(), duckdb.Config{Path: db, Schema: "synctrack", MemoryLimit: "128MB", ReadOnly: true}, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.DB().QueryRow(`SELECT count(*), count(*) FILTER (WHERE key LIKE '%/records_updated.88.parquet') FROM synctrack.load_ledger`).Scan(&all, &late); err != nil {
		t.Fatal(err)
	}
	return all, late
}

// diskFull loads a 12 MB bucket (100,000 rows) into a warehouse on an 8 MB
// disk, in batches of 20 files, so the disk fills after some are in.
func diskFull(t *testing.T, f *exitFixture) []string {
	f.disk = tmpfs.Mount(t, "8m")
	f.bigBucket = generateBucket(t, "--orgs", "1", "--syncs", "4", "--runs", "5", "--files", "10", "--rows", "500")
	return []string{"load", "--bucket", "file://" + f.bigBucket, "--warehouse", "duckdb://" + filepath.Join(f.disk, "w.duckdb"),
		"--batch-files", "20"}
}

// diskFullChecks: one message, with the fix, no object blamed; with the
// disk made bigger the next load loads every file exactly once.
func diskFullChecks(t *testing.T, f *exitFixture, stdout, stderr string) {
	oneMessage(t, f, stdout, stderr)
	if n := strings.Count(stderr, "free disk space"); n != 1 || !strings.Contains(stdout, " 0 failed") {
		t.Fatalf("want the fix said once and 0 failed; stdout: %s\nstderr: %s", stdout, stderr)
	}
	tmpfs.Resize(t, f.disk, "64m")
	db := filepath.Join(f.disk, "w.duckdb")
	if code, out := runCLI(t, "load", "--bucket", "file://"+f.bigBucket, "--warehouse", "duckdb://"+db); code != 0 {
		t.Fatalf("load once the disk has room: exit %d: %s", code, out)
	}
	if files, rows := checkConsistent(t, db, f.bigBucket); files != 200 || rows != 100_000 {
		t.Fatalf("after the full disk: %d records files, %d rows; want 200, 100,000, each once", files, rows)
	}
}

// copyRecords copies a records file of the first run to name in its folder.
func copyRecords(t *testing.T, f *exitFixture, name string) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(f.bucket, "sync_tracking_datasets", "*", "*", "*", "records_*.parquet"))
	if len(files) == 0 {
		t.Fatal("no records file to copy")
	}
	raw, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(filepath.Dir(files[0]), name), raw, 0o644); err != nil {
		t.Fatal(err)
	}
}

// corruptFile writes a file that is not parquet into a run folder.
func corruptFile(t *testing.T, f *exitFixture) []string {
	runs, _ := filepath.Glob(filepath.Join(f.bucket, "sync_tracking_datasets", "*", "*", "*"))
	if err := os.WriteFile(filepath.Join(runs[0], "records_updated.77.parquet"), []byte("PAR1 not really"), 0o644); err != nil {
		t.Fatal(err)
	}
	return []string{"load", "--bucket", "file://" + f.bucket, "--warehouse", f.wh}
}

// A DuckDB file without the schema the URL names (a misspelt ?schema=) is a
// config error that says so, for every command that reads synctrack's
// tables, before any of them is read: not a missing table, which reads like
// a bug in synctrack's SQL. plan counts it as an empty ledger (load makes
// the schema), and query runs there (its SQL names what it reads).
func TestWrongSchemaIsConfig(t *testing.T) {
	wh, file := loadedWarehouse(t)
	other := wh + "?schema=other"
	before := fileSum(t, file)
	for _, args := range [][]string{
		{"status", "--warehouse", other},
		{"records", "--warehouse", other},
		{"report", "run_summary", "--warehouse", other},
		{"retry", "--warehouse", other, "--all"},
		{"views", "--warehouse", other},
		{"dbt", "--warehouse", other, "--out", t.TempDir()},
	} {
		code, stdout, stderr := runCLIAll(t, args...)
		want := `no schema "other" in this database (it has: synctrack); check ?schema= or run synctrack load first`
		if code != 2 || !strings.Contains(stderr, want) || strings.Contains(stderr, "please report") {
			t.Errorf("%s: exit %d, want 2 and %q: %s%s", args[0], code, want, stdout, stderr)
		}
	}
	if fileSum(t, file) != before {
		t.Error("a command on a schema that is not there changed the database file (made the schema?)")
	}
	if code, out := runCLI(t, "query", "--warehouse", other, "SELECT 1 AS one"); code != 0 {
		t.Errorf("query on another schema: exit %d: %s", code, out)
	}
}

// A command that loads nothing retries nothing: its hint for the network
// not answering says to try again, where load's says the next load tries again.
func TestUnavailableHintFitsTheCommand(t *testing.T) {
	addr := freeAddr(t) // nothing listens there now: connection refused
	wh := "postgres://nobody@" + addr + "/db"
	code, _, stderr := runCLIAll(t, "status", "--warehouse", wh)
	if code != 3 || !strings.Contains(stderr, "did not answer; try again)") || strings.Contains(stderr, "the next load tries again") {
		t.Errorf("status: exit %d, want 3 and a hint to try again: %s", code, stderr)
	}
	bucket := generateBucket(t, "--orgs", "1", "--syncs", "1", "--runs", "1", "--rows", "5")
	code, _, stderr = runCLIAll(t, "load", "--bucket", "file://"+bucket, "--warehouse", wh)
	if code != 3 || !strings.Contains(stderr, "the next load tries again") {
		t.Errorf("load: exit %d, want 3 and the load's hint: %s", code, stderr)
	}
}

// A reader of stdout that went away ended a command with exit 3 and
// "write /dev/stdout: broken pipe" (the DuckDB library ignores SIGPIPE, so
// the write fails): quietly, with 141, as SIGPIPE would.
func TestBrokenPipeIsQuiet(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	errFile, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr := os.Stdout, os.Stderr
	os.Stdout, os.Stderr = w, errFile
	code := run(context.Background(), []string{"sql", "list"})
	os.Stdout, os.Stderr = stdout, stderr
	w.Close()
	said, _ := os.ReadFile(errFile.Name())
	if code != exitBrokenPipe || len(said) != 0 {
		t.Errorf("sql list into a closed pipe: exit %d, stderr %q", code, said)
	}
	// A broken pipe that is not stdout's (a warehouse's connection) is the
	// network's, said.
	conn := &net.OpError{Op: "write", Net: "tcp", Err: os.NewSyscallError("write", syscall.EPIPE)}
	if stdoutGone(conn) || stdoutGone(fmt.Errorf("copy: %w", &fs.PathError{Op: "write", Path: "/tmp/x", Err: syscall.EPIPE})) {
		t.Error("a broken pipe not on stdout read as stdout's reader gone")
	}
}
