package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
)

// checkExportFormat checks --format for the commands that export rows.
func checkExportFormat(format, out string) error {
	switch format {
	case "table", "csv", "json", "parquet":
	default:
		return usageError("--format %q: want table, csv, json or parquet", format)
	}
	if format == "parquet" && (out == "" || isStdout(out)) && isTerminal(os.Stdout) {
		return usageError("--format parquet writes binary: give --out FILE or redirect stdout")
	}
	return nil
}

// exportTo runs write on stdout, or, with --out, on a file beside path that
// is renamed to path once complete, so a failed export leaves no half file.
// A path that names a symbolic link is written where the link points (the
// link stays); one that names a named pipe or a device (/dev/null, a FIFO,
// /dev/stdout, a shell's >(...)) is written to directly; one that names a
// folder is refused before any query runs. noun names what write counts
// ("records", "rows") in the closing line.
func exportTo(cmd *cobra.Command, path, noun string, write func(io.Writer) (int64, error)) error {
	if path == "" || isStdout(path) {
		_, err := write(cmd.OutOrStdout())
		return err
	}
	target, direct, err := outTarget(path, path, 0)
	if err != nil {
		return err
	}
	var n int64
	if direct {
		n, err = exportDirect(target, write)
	} else {
		n, err = exportRenamed(path, target, write)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "wrote %d %s to %s\n", n, noun, path)
	return nil
}

// isStdout says path names this process's standard output, which a shell
// may have opened for appending (>>): written as stdout is, not reopened.
func isStdout(path string) bool {
	switch filepath.Clean(path) {
	case "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1":
		return true
	}
	return false
}

// isOpenFile says path names a file this process has open (/dev/fd/N,
// /dev/stderr): a shell opened it, perhaps with >>, and it is written in
// place whatever it is, not replaced by a new file.
func isOpenFile(path string) bool {
	path = filepath.Clean(path)
	return path == "/dev/stderr" || strings.HasPrefix(path, "/dev/fd/") || strings.HasPrefix(path, "/proc/self/fd/")
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
	if isOpenFile(path) {
		return path, true, nil
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

// exportDirect writes to a named pipe or a device as it is.
func exportDirect(target string, write func(io.Writer) (int64, error)) (int64, error) {
	// Appending: a file opened through /dev/fd/N is written after what is
	// there, as the shell that opened it with >> would.
	f, err := os.OpenFile(target, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return 0, usageError("--out %s: %v", target, unwrapPath(err))
	}
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
// target once complete. path is the --out the user gave, for messages.
func exportRenamed(path, target string, write func(io.Writer) (int64, error)) (int64, error) {
	tmp, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".*")
	if errors.Is(err, fs.ErrPermission) {
		// A folder the user may not add to, holding a file they may
		// write: written in place, as a shell's > would (a failed export
		// then leaves part of a file).
		if f, ferr := os.OpenFile(target, os.O_WRONLY|os.O_TRUNC, 0); ferr == nil {
			f.Close()
			return exportDirect(target, write)
		}
	}
	if err != nil {
		// Named as given, not as the temp file: a missing folder or one
		// not writable is the user's to fix (exit 2).
		return 0, usageError("--out %s: cannot write a file in %s: %v", path, filepath.Dir(target), unwrapPath(err))
	}
	defer os.Remove(tmp.Name())
	buf := bufio.NewWriterSize(tmp, 1<<20)
	n, err := write(buf)
	if err == nil {
		err = buf.Flush()
	}
	if err == nil {
		err = tmp.Chmod(0o644) // CreateTemp makes 0600; an export is for sharing
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return n, err
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		return n, fmt.Errorf("--out %s: %v", path, unwrapPath(err))
	}
	return n, nil
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
