package warehouse

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// Every syscall.Errno is a net.Error (it has Timeout and Temporary): a file
// that is not there must not read as the network not answering, while the
// network's own errors still do.
func TestFileErrorsAreNotTheNetwork(t *testing.T) {
	_, missing := os.Open(filepath.Join(t.TempDir(), "missing.json"))
	_, folder := os.ReadFile(t.TempDir())
	for _, err := range []error{missing, folder, fmt.Errorf("client: %w", &fs.PathError{Op: "open", Path: "k.json", Err: syscall.ENOENT})} {
		if e := Classify(err, OSRules); ClassOf(e) == Transient {
			t.Errorf("%v: class %s, want none of the network's", err, ClassOf(e))
		}
	}
	for _, err := range []error{
		&net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED},
		fmt.Errorf("post: %w", syscall.ECONNRESET),
		&net.DNSError{Err: "no such host", Name: "x.invalid", IsNotFound: true},
	} {
		if e := Classify(err, OSRules); ClassOf(e) != Transient {
			t.Errorf("%v: class %s, want transient", err, ClassOf(e))
		}
	}
}

// Running out of file descriptors is the process's resource, named so (it
// read as the network before: every errno passed for a net.Error).
func TestOpenFilesLimitIsAResource(t *testing.T) {
	err := Classify(&fs.PathError{Op: "open", Path: "x.parquet", Err: syscall.EMFILE}, OSRules)
	var e *Error
	if !errors.As(err, &e) || e.Class != Resource || e.Reason != "open_files" {
		t.Fatalf("EMFILE: %v (class %s), want a resource error open_files", err, ClassOf(err))
	}
}

// A command that loads nothing (query, report) says every hint as its own:
// no --batch-bytes, no next load (NotLoading).
func TestOSHintsOfCommandsThatLoadNothing(t *testing.T) {
	for _, p := range LoadOnlyHints(OSRules) {
		t.Error(p)
	}
}

// WithoutWords knows an error by its errno or type only: the machine's own
// errors keep their class and reason, while text that merely reads like
// them (an object's key quoted by a bucket's error) matches nothing.
func TestWithoutWordsMatchesByTypeOnly(t *testing.T) {
	rules := WithoutWords(OSRules)
	for _, r := range rules {
		if len(r.Contains) > 0 {
			t.Errorf("%s: still matches words %q", r.Reason, r.Contains)
		}
	}
	for err, reason := range map[error]string{
		&fs.PathError{Op: "write", Path: "stage/1.parquet", Err: syscall.ENOSPC}: "disk_full",
		&fs.PathError{Op: "open", Path: "x.parquet", Err: syscall.EACCES}:        "permission",
		&fs.PathError{Op: "read", Path: "x.parquet", Err: syscall.EIO}:           "io",
		&net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}:          "network",
	} {
		if got, _ := Explain(Classify(err, rules)); got != reason {
			t.Errorf("%v: reason %q, want %q", err, got, reason)
		}
	}
	for _, words := range []string{"permission denied", "no space left on device", "input/output error",
		"too many open files", "stale file handle", "connection refused"} {
		err := fmt.Errorf(`blob (key "runs/%s.parquet") (code=Unknown): 500`, words)
		if e := Classify(err, rules); ClassOf(e) != Unclassified {
			t.Errorf("%v: class %s, want none: its words are the key's", err, ClassOf(e))
		}
	}
	if len(OSRules[0].Contains) == 0 {
		t.Error("WithoutWords changed OSRules itself")
	}
}
