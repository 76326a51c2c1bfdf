package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// synctrack demo | head -1: the reader leaves after the first line, and the
// demo's next write used to end the process by SIGPIPE before it removed
// its generated bucket from the temp dir (found by a walkthrough).
func TestDemoPipedToAnEarlyReaderCleansUp(t *testing.T) {
	tmp := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestRunChild$")
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp,
		"SYNCTRACK_TEST_CHILD_ARGS=demo\n--warehouse\nduckdb://"+filepath.Join(t.TempDir(), "demo.duckdb"))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("no first line: %v", err)
	}
	out.Close() // as head does after its lines
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(3 * time.Minute):
		cmd.Process.Kill()
		t.Fatal("the demo did not end")
	}
	left, _ := filepath.Glob(filepath.Join(tmp, "synctrack-demo-bucket-*"))
	if len(left) > 0 {
		t.Errorf("the demo left %v behind (first line %q)", left, line)
	}
	// The line names the folder, which is gone by the end: it says so.
	if !strings.Contains(line, "removed at the end: --keep keeps it") {
		t.Errorf("first line %q: want it to say the folder is removed at the end", line)
	}
}
