package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/synctrack/synctrack/internal/unprivileged"
)

// exportLine runs exportTo onto path with a writer of one line, and says
// whether the writer ran.
func exportLine(t *testing.T, path string) (ran bool, err error) {
	t.Helper()
	cmd := &cobra.Command{}
	cmd.SetErr(io.Discard)
	err = exportTo(cmd, path, "rows", func(w io.Writer) (int64, error) {
		ran = true
		_, err := io.WriteString(w, "a,b\n")
		return 1, err
	})
	return ran, err
}

// --out through a symbolic link writes where it points and keeps the link;
// a dangling link makes its target.
func TestOutThroughASymbolicLink(t *testing.T) {
	dir := t.TempDir()
	target, link := filepath.Join(dir, "real.csv"), filepath.Join(dir, "link.csv")
	if err := os.WriteFile(target, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real.csv", link); err != nil {
		t.Fatal(err)
	}
	dangling, made := filepath.Join(dir, "dangling.csv"), filepath.Join(dir, "sub", "made.csv")
	if err := os.Mkdir(filepath.Dir(made), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(made, dangling); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ out, want string }{{link, target}, {dangling, made}} {
		if _, err := exportLine(t, c.out); err != nil {
			t.Fatalf("--out %s: %v", c.out, err)
		}
		if fi, err := os.Lstat(c.out); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			t.Errorf("--out %s: no longer a symbolic link (%v)", c.out, err)
		}
		if b, err := os.ReadFile(c.want); err != nil || string(b) != "a,b\n" {
			t.Errorf("--out %s: %s holds %q (%v), want the export", c.out, c.want, b, err)
		}
	}
}

// --out naming a named pipe writes into the pipe, which stays one (as it
// would a device such as /dev/null: not tried here, where a failing test run
// as root would replace it); naming a folder is refused before anything is
// written.
func TestOutOntoAPipeADeviceAndAFolder(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	got := make(chan string, 1)
	go func() {
		b, _ := os.ReadFile(fifo)
		got <- string(b)
	}()
	if _, err := exportLine(t, fifo); err != nil {
		t.Fatalf("--out FIFO: %v", err)
	}
	pipeGot(t, got)
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&fs.ModeNamedPipe == 0 {
		t.Errorf("--out FIFO: no longer a named pipe (%v)", err)
	}
	ran, err := exportLine(t, dir)
	var ee *exitError
	if ran || !errors.As(err, &ee) || ee.code != exitConfig || !strings.Contains(err.Error(), "is a folder") {
		t.Errorf("--out FOLDER: ran %v, %v; want exit 2 before the export runs", ran, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the folder holds %d entries, want the pipe only", len(entries))
	}
}

// A relative link reached through a linked folder points where the kernel
// says: a/b -> x/y, x/y/link.csv -> ../z.csv writes x/z.csv, not a/z.csv.
func TestOutThroughALinkedFolder(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"a", "x/y"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Join(dir, "x", "y"), filepath.Join(dir, "a", "b")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../z.csv", filepath.Join(dir, "x", "y", "link.csv")); err != nil {
		t.Fatal(err)
	}
	for _, old := range []bool{false, true} { // dangling, then there
		if _, err := exportLine(t, filepath.Join(dir, "a", "b", "link.csv")); err != nil {
			t.Fatal(err)
		}
		if b, err := os.ReadFile(filepath.Join(dir, "x", "z.csv")); err != nil || string(b) != "a,b\n" {
			t.Errorf("x/z.csv (there before: %v) holds %q, %v", old, b, err)
		}
		if _, err := os.Stat(filepath.Join(dir, "a", "z.csv")); err == nil {
			t.Errorf("a/z.csv was written (there before: %v)", old)
		}
	}
}

// --out /dev/stdout is the command's stdout (a shell's >> kept: nothing
// replaced); /dev/fd/N of a pipe (a shell's >(...)) is written into.
func TestOutOntoStdoutAndAShellsPipe(t *testing.T) {
	var out bytes.Buffer
	cmd := &cobra.Command{}
	cmd.SetOut(&out)
	cmd.SetErr(io.Discard)
	err := exportTo(cmd, "/dev/stdout", "rows", func(w io.Writer) (int64, error) {
		_, err := io.WriteString(w, "a,b\n")
		return 1, err
	})
	if err != nil || out.String() != "a,b\n" {
		t.Errorf("--out /dev/stdout: %v, stdout %q", err, out.String())
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(r)
		got <- string(b)
	}()
	fd := fmt.Sprintf("/dev/fd/%d", inherited(t, w.Fd()))
	if _, err := os.Stat(fd); err != nil {
		t.Skipf("no %s here: %v", fd, err)
	}
	_, err = exportLine(t, fd)
	w.Close()
	if err != nil {
		t.Fatalf("--out %s: %v", fd, err)
	}
	pipeGot(t, got)
}

// inherited clears fd's close-on-exec, as a descriptor the shell hands
// over has it clear (it survived exec), and returns fd.
func inherited(t *testing.T, fd uintptr) uintptr {
	t.Helper()
	if _, _, errno := syscall.Syscall(syscall.SYS_FCNTL, fd, syscall.F_SETFD, 0); errno != 0 {
		t.Fatalf("fcntl F_SETFD %d: %v", fd, errno)
	}
	return fd
}

// pipeGot checks that a pipe's reader got the export's line.
func pipeGot(t *testing.T, got <-chan string) {
	t.Helper()
	select {
	case s := <-got:
		if s != "a,b\n" {
			t.Errorf("the pipe's reader got %q", s)
		}
	case <-time.After(10 * time.Second):
		t.Error("the pipe's reader got nothing in 10s")
	}
}

// /dev/fd/N of a file a shell opened with >> is written after what it
// holds, not replaced (a review); a link to a missing folder is refused
// naming the --out given, not the link's target.
func TestOutOntoAnOpenFileAndABadLink(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "log.csv")
	if err := os.WriteFile(file, []byte("first\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fd := fmt.Sprintf("/dev/fd/%d", inherited(t, f.Fd()))
	if _, err := os.Stat(fd); err != nil {
		t.Skipf("no %s here: %v", fd, err)
	}
	if _, err := exportLine(t, fd); err != nil {
		t.Fatalf("--out %s: %v", fd, err)
	}
	if b, err := os.ReadFile(file); err != nil || string(b) != "first\na,b\n" {
		t.Errorf("the file opened for appending holds %q (%v)", b, err)
	}
	// Opened with > (no append), the descriptor's offset moves past the
	// export: what the shell writes after it follows it (it wrote over it).
	g, err := os.OpenFile(file, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if _, err := exportLine(t, fmt.Sprintf("/dev/fd/%d", inherited(t, g.Fd()))); err != nil {
		t.Fatal(err)
	}
	if _, err := g.WriteString("after\n"); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(file); err != nil || string(b) != "a,b\nafter\n" {
		t.Errorf("the file opened with > holds %q (%v)", b, err)
	}
	// /dev/stderr is the command's stderr, with no closing line after the
	// export (2>f.csv had "wrote 1 rows" over its header).
	var errs bytes.Buffer
	cmd := &cobra.Command{}
	cmd.SetErr(&errs)
	err = exportTo(cmd, "/dev/stderr", "rows", func(w io.Writer) (int64, error) {
		_, err := io.WriteString(w, "a,b\n")
		return 1, err
	})
	if err != nil || errs.String() != "a,b\n" {
		t.Errorf("--out /dev/stderr: %v, stderr %q", err, errs.String())
	}
	link := filepath.Join(dir, "l2")
	if err := os.Symlink(filepath.Join("nodir", "x.csv"), link); err != nil {
		t.Fatal(err)
	}
	if _, err := exportLine(t, link); err == nil || !strings.HasPrefix(err.Error(), "--out "+link+":") {
		t.Errorf("--out %s, a link into a missing folder: %v; want it named", link, err)
	}
}

// A file the user may write, in a folder they may not add to, is written
// over once the export is whole (spooled in $TMPDIR, left 0600 there), as a
// shell's > would write it: the temporary file beside it was refused, exit 2
// (a review).
func TestOutOntoAWritableFileInAReadOnlyFolder(t *testing.T) {
	if unprivileged.Ran(t) {
		return
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "out.csv")
	if err := os.WriteFile(file, []byte("old, and longer than the export\n"), 0o666); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(dir, 0o755)
	// An export that fails leaves the file as it was.
	err := exportTo(&cobra.Command{}, file, "rows", func(io.Writer) (int64, error) { return 0, errors.New("the query failed") })
	if b, _ := os.ReadFile(file); err == nil || string(b) != "old, and longer than the export\n" {
		t.Errorf("a failed export: %v; the file holds %q", err, b)
	}
	if _, err := exportLine(t, file); err != nil {
		t.Fatalf("--out a writable file in a read-only folder: %v", err)
	}
	if b, err := os.ReadFile(file); err != nil || string(b) != "a,b\n" {
		t.Errorf("the file holds %q (%v)", b, err)
	}
}

// A descriptor that is not open, is open for reading only or is a folder is
// refused before the query runs (it failed after it, exit 3); a pipe left
// non-blocking by its parent (node, asyncio) waits for a slow reader (it
// failed at once with EAGAIN). A review found both.
func TestOutOntoDescriptorsOfEveryKind(t *testing.T) {
	dir := t.TempDir()
	ro, err := os.Open(filepath.Join(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	file := filepath.Join(dir, "f")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	rf, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer rf.Close()
	// Every file Go opens is close-on-exec: this one is as synctrack's own
	// descriptors are (its runtime's poller, DuckDB's), the others as the
	// shell hands them over.
	own, err := os.Create(filepath.Join(dir, "own"))
	if err != nil {
		t.Fatal(err)
	}
	defer own.Close()
	for fd, says := range map[uintptr]string{987: "no such file open", inherited(t, ro.Fd()): "is a folder",
		inherited(t, rf.Fd()): "open for reading only", own.Fd(): "synctrack opened itself"} {
		ran, err := exportLine(t, fmt.Sprintf("/dev/fd/%d", fd))
		var ee *exitError
		if ran || !errors.As(err, &ee) || ee.code != exitConfig || !strings.Contains(err.Error(), says) {
			t.Errorf("/dev/fd/%d: ran %v, %v; want exit 2 saying %q before the export", fd, ran, err, says)
		}
	}
	// A message socket's first message is the export: a write of nothing
	// to test the descriptor sent an empty one, read as the end (a review).
	sp, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_SEQPACKET|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(sp[1])
	if _, err := exportLine(t, fmt.Sprintf("/dev/fd/%d", inherited(t, uintptr(sp[0])))); err != nil {
		t.Fatalf("a message socket: %v", err)
	}
	syscall.Close(sp[0])
	msg := make([]byte, 64)
	if n, _, _, _, err := syscall.Recvmsg(sp[1], msg, nil, 0); err != nil || string(msg[:n]) != "a,b\n" {
		t.Errorf("the socket's first message: %q, %v", msg[:n], err)
	}
	var p [2]int
	if err := syscall.Pipe2(p[:], syscall.O_NONBLOCK|syscall.O_CLOEXEC); err != nil {
		t.Skipf("no pipe2: %v", err)
	}
	defer syscall.Close(p[1])
	r := os.NewFile(uintptr(p[0]), "r")
	defer r.Close()
	got := make(chan int, 1)
	go func() {
		time.Sleep(200 * time.Millisecond) // the export fills the pipe first
		n, _ := io.Copy(io.Discard, r)
		got <- int(n)
	}()
	big := strings.Repeat("x", 1<<20)
	cmd := &cobra.Command{}
	cmd.SetErr(io.Discard)
	err = exportTo(cmd, fmt.Sprintf("/dev/fd/%d", inherited(t, uintptr(p[1]))), "rows", func(w io.Writer) (int64, error) {
		_, err := io.WriteString(w, big)
		return 1, err
	})
	syscall.Close(p[1])
	if err != nil {
		t.Fatalf("a non-blocking pipe: %v", err)
	}
	select {
	case n := <-got:
		if n != len(big) {
			t.Errorf("the slow reader got %d bytes, want %d", n, len(big))
		}
	case <-time.After(10 * time.Second):
		t.Error("the slow reader got nothing in 10s")
	}
}

// An export a Ctrl-C cuts short says what the output holds and what to do,
// exit 3, not "context canceled": a file is as it was, stdout or a device
// got part of the rows.
func TestInterruptedExportSaysWhatWasWritten(t *testing.T) {
	file := filepath.Join(t.TempDir(), "rows.csv")
	if err := os.WriteFile(file, []byte("before\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ out, says string }{
		{file, "interrupted: nothing was written to " + file + ", which is as it was"},
		{"", "interrupted: the rows on stdout are cut short; run the command again, or with --out FILE"},
		{"/dev/null", "interrupted: /dev/null got only part of the rows"},
	} {
		ctx, cancel := context.WithCancel(context.Background())
		cmd := &cobra.Command{}
		cmd.SetContext(ctx)
		cmd.SetOut(io.Discard)
		cmd.SetErr(io.Discard)
		err := exportTo(cmd, c.out, "rows", func(w io.Writer) (int64, error) {
			io.WriteString(w, "a,b\n1,2\n")
			cancel() // the signal, mid-export
			return 1, fmt.Errorf("records: %w", ctx.Err())
		})
		var ee *exitError
		if !errors.As(err, &ee) || ee.code != exitUnavailable || !strings.Contains(err.Error(), c.says) {
			t.Errorf("--out %q: %v, want exit 3 saying %q", c.out, err, c.says)
		}
	}
	if b, _ := os.ReadFile(file); string(b) != "before\n" {
		t.Errorf("the file holds %q", b)
	}
}

// The closing line counts in words: one record, not "1 records".
func TestExportSaysOneInTheSingular(t *testing.T) {
	dir := t.TempDir()
	for n, want := range map[int64]string{1: "wrote 1 record to ", 2: "wrote 2 records to ", 0: "wrote 0 records to "} {
		var errs bytes.Buffer
		cmd := &cobra.Command{}
		cmd.SetErr(&errs)
		err := exportTo(cmd, filepath.Join(dir, "r.csv"), "records", func(w io.Writer) (int64, error) {
			_, err := io.WriteString(w, "a\n")
			return n, err
		})
		if err != nil || !strings.HasPrefix(errs.String(), want) {
			t.Errorf("%d written: %v, said %q, want %q...", n, err, errs.String(), want)
		}
	}
}
