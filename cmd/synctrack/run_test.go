package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/synctrack/synctrack/warehouse/duckdb"
)

// TestRunChild is not a test: it is the daemon process the tests below start,
// so they can send it real signals and run two at once.
func TestRunChild(t *testing.T) {
	args := os.Getenv("SYNCTRACK_TEST_CHILD_ARGS")
	if args == "" {
		t.Skip("helper process for the daemon tests")
	}
	ctx, stop := notifyInterrupts(context.Background())
	defer stop()
	os.Exit(run(ctx, strings.Split(args, "\n")))
}

type child struct {
	cmd  *exec.Cmd
	logs chan map[string]any
}

// startDaemon runs `synctrack run args...` in a child process with JSON logs.
func startDaemon(t *testing.T, args ...string) *child {
	t.Helper()
	return startChild(t, append([]string{"run", "--log-format", "json", "--log-level", "debug", "--listen", ""}, args...)...)
}

// startChild runs `synctrack args...` in a child process; its JSON log
// records arrive on logs.
func startChild(t *testing.T, args ...string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestRunChild$")
	cmd.Env = append(os.Environ(), "SYNCTRACK_TEST_CHILD_ARGS="+strings.Join(args, "\n"))
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, logs: make(chan map[string]any, 10000)}
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var m map[string]any
			if json.Unmarshal(sc.Bytes(), &m) == nil {
				c.logs <- m
			}
		}
		close(c.logs)
	}()
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return c
}

// stop sends SIGTERM and returns the exit code.
func (c *child) stop(t *testing.T) int {
	t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	return c.wait(t)
}

// wait waits for the process to exit and returns its exit code.
func (c *child) wait(t *testing.T) int {
	t.Helper()
	for range c.logs {
	}
	err := c.cmd.Wait()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0
}

// waitLog waits for a log line with this msg; a hang fails after minutes.
func (c *child) waitLog(t *testing.T, msg string) map[string]any {
	t.Helper()
	deadline := time.After(3 * time.Minute)
	for {
		select {
		case m, ok := <-c.logs:
			if !ok {
				t.Fatalf("the child exited before logging %q", msg)
			}
			if m["msg"] == msg {
				return m
			}
		case <-deadline:
			t.Fatalf("no %q in the log", msg)
		}
	}
}

// checkConsistent proves every records file is either wholly loaded, with its
// ledger row, or absent: each loaded file has exactly its parquet rows, no
// file without a loaded ledger row has any. It returns files and rows loaded.
func checkConsistent(t *testing.T, db, bucket string) (int, int64) {
	t.Helper()
	w, err := duckdb.Open(context.Background(), duckdb.Config{Path: db, Schema: "synctrack", MemoryLimit: "256MB", ReadOnly: true}, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var files int
	var rows int64
	one := func(q string, args ...any) int64 {
		var n int64
		if err := w.DB().QueryRow(q, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	if n := one(`SELECT count(*) - count(DISTINCT (_file, _row)) FROM synctrack.sync_records`); n != 0 {
		t.Fatalf("%d duplicate rows", n)
	}
	if n := one(`SELECT count(*) FROM (SELECT key FROM synctrack.load_ledger WHERE status = 'loaded' GROUP BY key HAVING count(*) > 1)`); n != 0 {
		t.Fatalf("%d keys loaded twice in the ledger", n)
	}
	if n := one(`SELECT count(*) FROM synctrack.sync_records r WHERE NOT EXISTS (
  SELECT 1 FROM synctrack.load_ledger l WHERE l.key = r._file AND l.status = 'loaded')`); n != 0 {
		t.Fatalf("%d rows of files the ledger does not have as loaded", n)
	}
	// The per-run counts commit with the rows: per file, they sum to its rows
	// (the fingerprint counts to its rows that are not a success).
	if n := one(`SELECT count(*) FROM (
  SELECT _file, count(*) AS n, count(*) FILTER (WHERE lower(status) IS DISTINCT FROM 'succeeded') AS failed
  FROM synctrack.sync_records GROUP BY _file) r
FULL JOIN (SELECT _file, sum(records) AS n FROM synctrack.run_outcome_counts GROUP BY _file) o USING (_file)
FULL JOIN (SELECT _file, sum(records) AS n FROM synctrack.run_fingerprint_counts GROUP BY _file) f USING (_file)
WHERE r.n IS DISTINCT FROM o.n OR coalesce(f.n, 0) <> coalesce(r.failed, 0)`); n != 0 {
		t.Fatalf("%d files whose per-run counts disagree with their rows", n)
	}
	rs, err := w.DB().Query(`SELECT l.key, l.rows, (SELECT count(*) FROM synctrack.sync_records r WHERE r._file = l.key)
FROM synctrack.load_ledger l WHERE l.kind = 'records' AND l.status = 'loaded'`)
	if err != nil {
		t.Fatal(err)
	}
	type got struct {
		key        string
		ledger, in int64
	}
	var all []got
	for rs.Next() {
		var g got
		if err := rs.Scan(&g.key, &g.ledger, &g.in); err != nil {
			t.Fatal(err)
		}
		all = append(all, g)
	}
	rs.Close()
	for _, g := range all {
		var want int64
		p := filepath.Join(bucket, filepath.FromSlash(g.key))
		if err := w.DB().QueryRow(`SELECT count(*) FROM read_parquet(?)`, p).Scan(&want); err != nil {
			t.Fatal(err)
		}
		if g.in != want || g.ledger != want {
			t.Fatalf("%s: %d rows in sync_records, ledger says %d, file has %d", g.key, g.in, g.ledger, want)
		}
		files++
		rows += want
	}
	return files, rows
}

func generateBucket(t *testing.T, args ...string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "bucket")
	if code, out := runCLI(t, append([]string{"generate", "--out", dir}, args...)...); code != 0 {
		t.Fatalf("generate: %d %s", code, out)
	}
	return dir
}

// SIGTERM during a load: exit 0, every file wholly in or wholly out, and the
// next load finishes the job. The test proves the signal landed mid-load: the
// daemon says it stopped the cycle in flight, and some files but not all were
// loaded (one file a batch, so the load outlasts the signal's delivery).
func TestRunSIGTERMMidLoad(t *testing.T) {
	const total = 4 * 8 * 12
	bucket := generateBucket(t, "--orgs", "1", "--syncs", "4", "--runs", "8", "--files", "12", "--rows", "100")
	db := filepath.Join(t.TempDir(), "w.duckdb")
	c := startDaemon(t, "--bucket", "file://"+bucket, "--warehouse", "duckdb://"+db, "--batch-files", "1",
		"--schedule", "@every 1h", "--grace-period", "1ns")
	c.waitLog(t, "batch loaded")
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	stopped := c.waitLog(t, "cycle stopped by shutdown; the batch in flight rolled back")
	if code := c.wait(t); code != 0 {
		t.Fatalf("exit %d after SIGTERM, want 0", code)
	}
	files, _ := checkConsistent(t, db, bucket)
	if files == 0 || files >= total {
		t.Fatalf("%d of %d records files loaded before SIGTERM: the signal did not land mid-load", files, total)
	}
	// The log says how much committed before the stop: every object the
	// ledger has loaded (records files, metadata.json, facts).
	code, out := runCLI(t, "query", "--warehouse", "duckdb://"+db, "--format", "csv",
		"SELECT count(*) AS n FROM synctrack.load_ledger WHERE status = 'loaded'")
	if code != 0 {
		t.Fatalf("query: %d %s", code, out)
	}
	if said, ledger := fmt.Sprint(stopped["files_committed"]), strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(out), "n")); said != ledger {
		t.Fatalf("the stop says files_committed=%s; the ledger has %s loaded (%q)", said, ledger, out)
	}
	t.Logf("%d of %d records files loaded before SIGTERM", files, total)
	if code, out := runCLI(t, "load", "--bucket", "file://"+bucket, "--warehouse", "duckdb://"+db); code != 0 {
		t.Fatalf("load after SIGTERM: %d %s", code, out)
	}
	if files, _ := checkConsistent(t, db, bucket); files != total {
		t.Fatalf("%d records files after the follow-up load, want %d", files, total)
	}
}

// The daemon's loads stage where --stage-dir says, as load's do (the README
// tells the daemon's users so; run had no such flag, and the config key
// stage_dir was refused as unknown): the folder is made by the first load.
func TestRunStageDir(t *testing.T) {
	bucket := generateBucket(t, "--orgs", "1", "--syncs", "1", "--runs", "1", "--rows", "20")
	dir := t.TempDir()
	stage := filepath.Join(dir, "stage")
	c := startDaemon(t, "--bucket", "file://"+bucket, "--warehouse", "duckdb://"+filepath.Join(dir, "w.duckdb"),
		"--schedule", "@every 1h", "--stage-dir", stage)
	c.waitLog(t, "loaded")
	if code := c.stop(t); code != 0 {
		t.Fatalf("exit %d after SIGTERM, want 0", code)
	}
	if fi, err := os.Stat(stage); err != nil || !fi.IsDir() {
		t.Fatalf("--stage-dir %s was not used: %v", stage, err)
	}
}

// A second SIGTERM during the grace period cancels the load in flight at
// once (it used to be ignored, and an hour's grace ran out only when the
// load did): the daemon says so, its batch rolls back, what committed
// stays, exit 0, and the next load loads the rest once.
func TestRunSecondSIGTERMCancelsAtOnce(t *testing.T) {
	const total = 4 * 8 * 12
	bucket := generateBucket(t, "--orgs", "1", "--syncs", "4", "--runs", "8", "--files", "12", "--rows", "100")
	db := filepath.Join(t.TempDir(), "w.duckdb")
	c := startDaemon(t, "--bucket", "file://"+bucket, "--warehouse", "duckdb://"+db, "--batch-files", "1",
		"--schedule", "@every 1h", "--grace-period", "1h")
	c.waitLog(t, "batch loaded")
	for _, msg := range []string{"stopping: no new loads; waiting for the load in flight",
		"stopping now, as asked again: cancelling the load in flight; its batch rolls back and loads next time, what committed stays"} {
		time.Sleep(10 * sameRequest) // the second is a new request, not the first's echo (slack for a busy machine)
		if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		c.waitLog(t, msg)
	}
	c.waitLog(t, "cycle stopped by shutdown; the batch in flight rolled back")
	if code := c.wait(t); code != 0 {
		t.Fatalf("exit %d after two SIGTERMs, want 0", code)
	}
	files, _ := checkConsistent(t, db, bucket)
	if files == 0 || files >= total {
		t.Fatalf("%d of %d records files loaded: the second SIGTERM did not stop the load in flight", files, total)
	}
	if code, out := runCLI(t, "load", "--bucket", "file://"+bucket, "--warehouse", "duckdb://"+db); code != 0 {
		t.Fatalf("load after the stop: %d %s", code, out)
	}
	if files, _ := checkConsistent(t, db, bucket); files != total {
		t.Fatalf("%d records files after the follow-up load, want %d", files, total)
	}
}

// Ctrl-C during synctrack load: it says at once that the batch in flight
// rolls back and that a second signal exits at once, then exits 3 saying
// it was interrupted (it used to end with "load: context canceled"), every
// file wholly in or out; the next load loads the rest.
func TestLoadInterrupted(t *testing.T) {
	const total = 4 * 8 * 12
	bucket := generateBucket(t, "--orgs", "1", "--syncs", "4", "--runs", "8", "--files", "12", "--rows", "100")
	db := filepath.Join(t.TempDir(), "w.duckdb")
	c := startChild(t, "load", "--bucket", "file://"+bucket, "--warehouse", "duckdb://"+db, "--batch-files", "1",
		"--log-format", "json", "--log-level", "debug", "--progress=false")
	c.waitLog(t, "records batch")
	if err := c.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	c.waitLog(t, "interrupted: cancelling the load; its batch in flight rolls back, what loaded before it stays loaded; "+
		"Ctrl-C or SIGTERM again exits at once")
	end := c.waitLog(t, "synctrack failed")
	if !strings.HasPrefix(fmt.Sprint(end["err"]), "load interrupted: the batch in flight rolled back") {
		t.Errorf("the load ended with %q", end["err"])
	}
	if code := c.wait(t); code != 3 {
		t.Fatalf("exit %d after Ctrl-C, want 3", code)
	}
	files, _ := checkConsistent(t, db, bucket)
	if files >= total {
		t.Fatalf("%d of %d records files loaded: the load was not interrupted", files, total)
	}
	if code, out := runCLI(t, "load", "--bucket", "file://"+bucket, "--warehouse", "duckdb://"+db); code != 0 {
		t.Fatalf("load after Ctrl-C: %d %s", code, out)
	}
	if files, _ := checkConsistent(t, db, bucket); files != total {
		t.Fatalf("%d records files after the follow-up load, want %d", files, total)
	}
}
