// Package holdlock holds a DuckDB database file open for writing in another
// process, as the duckdb CLI, a BI tool or a second synctrack does, for tests
// of what a command does when it cannot take the file's lock. DuckDB locks
// the file with fcntl, which does not conflict within one process: it takes
// a second process. That process is the test binary itself, run again for one
// helper test that calls Child.
package holdlock

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/duckdb"
)

const (
	env     = "SYNCTRACK_TEST_HOLD_LOCK"
	waitEnv = "SYNCTRACK_TEST_HOLD_LOCK_WAIT"
)

// Child is the body of the helper test a package declares for Start:
//
//	func TestHoldLockChild(t *testing.T) { holdlock.Child(t) }
//
// Run by Start, it opens the database, says so on stdout, and holds it until
// its stdin closes; run by go test, it skips.
func Child(t *testing.T) {
	path := os.Getenv(env)
	if path == "" {
		t.Skip("helper process for the lock tests")
	}
	// As a load opens it: waiting up to the given time for another
	// process to let the file go (TryWaiting), or not at all.
	wait, _ := time.ParseDuration(os.Getenv(waitEnv))
	w, err := duckdb.Engine().Open(context.Background(), "duckdb://"+path+"?memory_limit=128MB", warehouse.Options{LockWait: wait})
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println("holding")
	io.Copy(io.Discard, os.Stdin)
	w.Close()
	os.Exit(0)
}

// Start runs the helper test named test (which calls Child) in a new process
// holding the database at path, once it holds it. The returned func lets go
// (and waits); the test's end does too.
func Start(t *testing.T, test, path string) (release func()) {
	t.Helper()
	release, err := Try(t, test, path)
	if err != nil {
		t.Fatal(err)
	}
	return release
}

// Try is Start for a test that expects the other process may fail to take
// the file: its error says what that process was told.
func Try(t *testing.T, test, path string) (release func(), err error) {
	t.Helper()
	return TryWaiting(t, test, path, 0)
}

// TryWaiting is Try whose process, as a load does, waits up to wait for
// another process to let the file go (warehouse.Options.LockWait).
func TryWaiting(t *testing.T, test, path string, wait time.Duration) (release func(), err error) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$")
	cmd.Env = append(os.Environ(), env+"="+path, waitEnv+"="+wait.String())
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	done := false
	release = func() {
		if !done {
			done = true
			stdin.Close()
			cmd.Wait()
		}
	}
	t.Cleanup(release)
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		line := sc.Text()
		if line == "holding" {
			return release, nil
		}
		if strings.HasPrefix(line, "error:") {
			release()
			return nil, fmt.Errorf("lock holder: %s", line)
		}
	}
	release()
	return nil, fmt.Errorf("lock holder exited without holding %s", path)
}
