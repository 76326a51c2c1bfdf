package memguard

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// A process past its limit prints its goroutines and exits 3, rather than
// running on until the OOM killer ends it without a word.
func TestWatchReportsAndExits(t *testing.T) {
	if os.Getenv("MEMGUARD_CHILD") == "1" {
		holdBig()
		Watch(1 << 20) // any test binary is past 1 MiB
		select {}
	}
	if _, ok := rss(); !ok {
		t.Skip("no /proc/self/status here")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestWatchReportsAndExits$")
	cmd.Env = append(os.Environ(), "MEMGUARD_CHILD=1")
	out, err := cmd.CombinedOutput()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 3 || !strings.Contains(string(out), "memguard: resident memory") ||
		!strings.Contains(string(out), "TestWatchReportsAndExits") ||
		!strings.Contains(string(out), "memguard: 300 MiB allocated in 1 objects (300 MiB still in use) at:") || !strings.Contains(string(out), "memguard.holdBig") {
		t.Fatalf("child: %v\n%.2000s", err, out)
	}
}

var held []byte

// holdBig allocates what the report must name, untouched as the runaway's was.
func holdBig() { held = make([]byte, 300<<20) }
