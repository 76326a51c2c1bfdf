package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// checkExportFormat checks --format for the commands that export rows.
func checkExportFormat(format, out string) error {
	switch format {
	case "table", "csv", "json", "parquet":
	default:
		return usageError("--format %q: want table, csv, json or parquet", format)
	}
	if format == "parquet" && terminalOut(out) {
		if out == "" || isStdout(out) {
			return usageError("--format parquet writes binary: give --out FILE or redirect stdout")
		}
		return usageError("--format parquet writes binary, and --out %s is a terminal: give --out FILE", out)
	}
	return nil
}

// terminalOut says the rows would go to a terminal: stdout without --out,
// or an --out naming a descriptor or a device that is one (/dev/stderr,
// /dev/tty).
func terminalOut(out string) bool {
	if out == "" {
		return term.IsTerminal(1)
	}
	if fd, ok := openFD(out); ok {
		return term.IsTerminal(fd)
	}
	fi, err := os.Stat(out)
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	f, err := os.OpenFile(out, os.O_WRONLY|syscall.O_NOCTTY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return false
	}
	defer f.Close()
	return term.IsTerminal(int(f.Fd()))
}

// exportTo runs write on stdout, or, with --out, on a file beside path that
// is renamed to path once complete, so a failed export leaves no half file.
// A path that names a symbolic link is written where the link points (the
// link stays); one that names a named pipe, a device (/dev/null, a FIFO) or
// a file this process has open (/dev/stdout, /dev/fd/N: a shell's >(...) or
// 3>>file) is written to as it is; one that names a folder is refused before
// any query runs. noun names what write counts ("records", "rows") in the
// closing line.
func exportTo(cmd *cobra.Command, path, noun string, write func(io.Writer) (int64, error)) error {
	if path == "" || isStdout(path) {
		_, err := write(cmd.OutOrStdout())
		return interrupted(cmd, err, "the "+noun+" on stdout are cut short; run the command again, "+
			"or with --out FILE, which is written whole or not at all")
	}
	target, direct, err := outTarget(path, path, 0)
	if err != nil {
		return err
	}
	if isStderr(target) {
		// The export is stderr: no closing line after it.
		_, err := write(cmd.ErrOrStderr())
		return interrupted(cmd, err, "the "+noun+" on stderr are cut short; run the command again")
	}
	var n int64
	if direct {
		n, err = exportDirect(path, target, write)
		err = interrupted(cmd, err, fmt.Sprintf("%s got only part of the %s (it is written in place, not replaced); run the command again", path, noun))
	} else {
		n, err = exportRenamed(path, target, write)
		err = interrupted(cmd, err, fmt.Sprintf("nothing was written to %s, which is as it was (an export to a file is written whole or not at all); run the command again", path))
	}
	if err != nil {
		return err
	}
	if n == 1 {
		noun = strings.TrimSuffix(noun, "s") // "wrote 1 record", not "1 records"
	}
	note(cmd, slog.LevelInfo, fmt.Sprintf("wrote %d %s to %s", n, noun, path), "export written", "rows", n, "out", path)
	return nil
}

// interrupted is err of an export that a signal (Ctrl-C) cut short, said
// as what the output now holds and what to do (exit 3, as an interrupted
// load): it read "records: context canceled" and DuckDB's "INTERRUPT
// Error", which said neither.
func interrupted(cmd *cobra.Command, err error, holds string) error {
	if err == nil || cmd.Context() == nil || cmd.Context().Err() == nil {
		return err
	}
	return &exitError{code: exitUnavailable, err: errors.New("interrupted: " + holds)}
}

// isStdout says path names this process's standard output, which a shell
// may have opened for appending (>>): written as stdout is, not reopened.
func isStdout(path string) bool {
	fd, ok := openFD(path)
	return ok && fd == 1
}

// isStderr says path names this process's stderr.
func isStderr(path string) bool {
	fd, ok := openFD(path)
	return ok && fd == 2
}

// checkDescriptor refuses, before any query runs, a descriptor path names
// that is not open, is synctrack's own, is a folder or is open for reading
// only. It asks the descriptor itself: /dev/fd may not be there (no /proc
// in a sandbox), and a write to test it, even of nothing, is a message on
// a message socket.
func checkDescriptor(given string, fd int) error {
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return usageError("--out %s: no such file open in this process (%v)", given, err)
	}
	// What the shell hands over (3>FILE, >(...)) survived exec, so it is
	// not close-on-exec; what this process opened itself is (Go's runtime,
	// its poller, DuckDB): writing into one of those breaks synctrack.
	if fd > 2 {
		fl, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_GETFD, 0)
		if errno == 0 && fl&syscall.FD_CLOEXEC != 0 {
			return usageError("--out %s: descriptor %d is one synctrack opened itself, not one the shell opened for it (%d>FILE)", given, fd, fd)
		}
	}
	if st.Mode&syscall.S_IFMT == syscall.S_IFDIR {
		return usageError("--out %s: is a folder; give a file", given)
	}
	flags, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_GETFL, 0)
	if errno != 0 {
		return usageError("--out %s: no such file open in this process (%v)", given, errno)
	}
	if int(flags)&syscall.O_ACCMODE == syscall.O_RDONLY {
		return usageError("--out %s: open for reading only", given)
	}
	return nil
}

// openFD is the descriptor path names, if it names one of this process's.
func openFD(path string) (int, bool) {
	path = filepath.Clean(path)
	switch path {
	case "/dev/stdout":
		return 1, true
	case "/dev/stderr":
		return 2, true
	}
	for _, dir := range []string{"/dev/fd/", "/proc/self/fd/"} {
		if n, ok := strings.CutPrefix(path, dir); ok {
			fd, err := strconv.Atoi(n)
			return fd, err == nil && fd >= 0
		}
	}
	return 0, false
}

// outTarget is the file --out path writes: path itself, or where the
// symbolic links on the way point, resolved as the kernel resolves them.
// direct says it is not a regular file (a named pipe, a device, a shell's
// >(...)) or is one this process has open, and is written in place, not
// replaced. given is the --out given, for messages; links counts the links
// followed so far.
func outTarget(given, path string, links int) (target string, direct bool, err error) {
	if links > 40 { // the kernel's own limit is about that
		return "", false, usageError("--out %s: too many levels of symbolic links", given)
	}
	if fd, ok := openFD(path); ok {
		return path, true, checkDescriptor(given, fd)
	}
	fi, err := os.Stat(path) // through every link
	switch {
	case err == nil && fi.IsDir():
		return "", false, usageError("--out %s: is a folder; give a file name, e.g. %s", given, filepath.Join(given, "export.csv"))
	case err == nil && !fi.Mode().IsRegular():
		return path, true, nil
	case err == nil:
		target, err := filepath.EvalSymlinks(path)
		if err != nil {
			return "", false, usageError("--out %s: %v", given, unwrapPath(err))
		}
		return target, false, nil
	case !errors.Is(err, fs.ErrNotExist):
		return "", false, usageError("--out %s: %v", given, unwrapPath(err))
	}
	// Not there yet: a new file in a folder that must be there, or a
	// dangling link naming where the file is to be.
	dir, err := filepath.EvalSymlinks(filepath.Dir(path))
	if err != nil {
		return "", false, usageError("--out %s: cannot write a file in %s: %v", given, filepath.Dir(path), unwrapPath(err))
	}
	next := filepath.Join(dir, filepath.Base(path))
	link, err := os.Readlink(next)
	if err != nil { // not a link: the new file
		return next, false, nil
	}
	if !filepath.IsAbs(link) {
		link = filepath.Join(dir, link)
	}
	return outTarget(given, link, links+1)
}

// exportDirect writes to a named pipe, a device or an open descriptor as it
// is. given is the --out given, for messages.
func exportDirect(given, target string, write func(io.Writer) (int64, error)) (int64, error) {
	if fd, ok := openFD(target); ok {
		// Written through a copy of the descriptor: the shell's open file,
		// its offset and its mode (>> appends; a non-blocking pipe waits
		// for its reader) kept. Opened again by its name, the file would
		// be written from its start, over what the descriptor writes
		// after. Closing the copy leaves the shell's.
		dup, err := syscall.Dup(fd)
		if err != nil {
			return 0, usageError("--out %s: %v", given, err)
		}
		return writeClose(os.NewFile(uintptr(dup), given), write)
	}
	f, err := os.OpenFile(target, os.O_WRONLY, 0)
	if err != nil {
		return 0, usageError("--out %s: %v", given, unwrapPath(err))
	}
	return writeClose(f, write)
}

// writeClose writes the export into f through a buffer and closes it.
func writeClose(f *os.File, write func(io.Writer) (int64, error)) (int64, error) {
	buf := bufio.NewWriterSize(f, 1<<20)
	n, err := write(buf)
	if err == nil {
		err = buf.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return n, err
}

// exportRenamed writes a temporary file beside target and renames it to
// target once complete. In a folder the user may not add to, holding a file
// they may write, the temporary file is made in $TMPDIR and copied over the
// file once complete, as a shell's > would write it (a failed export leaves
// the file as it was). path is the --out the user gave, for messages.
func exportRenamed(path, target string, write func(io.Writer) (int64, error)) (int64, error) {
	tmp, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".*")
	copyOver := false
	if errors.Is(err, fs.ErrPermission) && writable(target) {
		// The spool stays 0600: $TMPDIR is shared, the rows are not.
		copyOver = true
		if tmp, err = os.CreateTemp("", "synctrack-out-*"); err != nil {
			return 0, usageError("--out %s: its folder takes no new file, so the export is spooled in $TMPDIR (%s) first, which failed: %v",
				path, os.TempDir(), unwrapPath(err))
		}
	}
	if err != nil {
		// Named as given, not as the temp file: a missing folder or one
		// not writable is the user's to fix (exit 2).
		return 0, usageError("--out %s: cannot write a file in %s: %v", path, filepath.Dir(target), unwrapPath(err))
	}
	defer os.Remove(tmp.Name())
	if !copyOver {
		if err := tmp.Chmod(0o644); err != nil { // CreateTemp makes 0600; an export is for sharing
			tmp.Close()
			return 0, err
		}
	}
	n, err := writeClose(tmp, write)
	if err != nil {
		return n, err
	}
	if copyOver {
		return n, copyFile(tmp.Name(), target, path)
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		return n, fmt.Errorf("--out %s: %v", path, unwrapPath(err))
	}
	return n, nil
}

// writable says the user may write the file at path.
func writable(path string) bool {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err == nil {
		f.Close()
	}
	return err == nil
}

// copyFile writes the file from over the file to (given is the --out given).
func copyFile(from, to, given string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return usageError("--out %s: %v", given, unwrapPath(err))
	}
	_, err = io.Copy(out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}

// unwrapPath is a path error's cause without the path, which the message
// names as the user gave it.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}
