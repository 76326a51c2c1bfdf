// Package unprivileged runs a test as user nobody when it runs as root,
// whom a file's mode never keeps from reading or writing: tests of what
// synctrack does with a file or folder it may not read need another user.
// The test binary runs itself again for the one test, as holdlock does.
package unprivileged

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

const env = "SYNCTRACK_TEST_UNPRIVILEGED"

// Ran runs the calling test again in a process of user nobody when this one
// is root, fails the test if that one failed, and says so: the caller then
// returns. Otherwise (the child, or a test not run as root) it returns
// false and the test goes on.
func Ran(t *testing.T) bool {
	t.Helper()
	if os.Getenv(env) != "" || os.Geteuid() != 0 {
		return false
	}
	// The child can neither enter go test's build folder nor root's temp dir.
	dir := t.TempDir()
	tmp := filepath.Join(dir, "tmp")
	if err := os.Mkdir(tmp, 0o777); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{filepath.Dir(dir), dir, tmp} {
		if err := os.Chmod(d, 0o777); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(dir, filepath.Base(os.Args[0]))
	copyExecutable(t, os.Args[0], bin)
	cmd := exec.Command(bin, "-test.run=^"+t.Name()+"$", "-test.v")
	cmd.Env = append(os.Environ(), env+"=1", "TMPDIR="+tmp, "HOME="+tmp)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("as user nobody: %v\n%s", err, out)
	}
	return true
}

func copyExecutable(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
