package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
)

// checkExportFormat checks --format for the commands that export rows.
func checkExportFormat(format, out string) error {
	switch format {
	case "table", "csv", "json", "parquet":
	default:
		return usageError("--format %q: want table, csv, json or parquet", format)
	}
	if format == "parquet" && out == "" && isTerminal(os.Stdout) {
		return usageError("--format parquet writes binary: give --out FILE or redirect stdout")
	}
	return nil
}

// exportTo runs write on stdout, or, with --out, on a file beside path that
// is renamed to path once complete, so a failed export leaves no half file.
// A path that names a symbolic link is written where the link points (the
// link stays); one that names a named pipe or a device (/dev/null, a FIFO)
// is written to directly; one that names a folder is refused before any
// query runs. noun names what write counts ("records", "rows") in the
// closing line.
func exportTo(cmd *cobra.Command, path, noun string, write func(io.Writer) (int64, error)) error {
	if path == "" {
		_, err := write(cmd.OutOrStdout())
		return err
	}
	target, direct, err := outTarget(path)
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

// outTarget is the file --out path writes: path itself, or where the
// symbolic link path points. direct says it is not a regular file (a named
// pipe, a device) and is written in place, not replaced.
func outTarget(path string) (target string, direct bool, err error) {
	target = path
	for range 40 { // as the kernel's limit on links followed
		fi, err := os.Lstat(target)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return target, false, nil
		case err != nil:
			return "", false, usageError("--out %s: %v", path, unwrapPath(err))
		case fi.Mode()&fs.ModeSymlink != 0:
			link, err := os.Readlink(target)
			if err != nil {
				return "", false, usageError("--out %s: %v", path, unwrapPath(err))
			}
			if !filepath.IsAbs(link) {
				link = filepath.Join(filepath.Dir(target), link)
			}
			target = link
		case fi.IsDir():
			return "", false, usageError("--out %s: is a folder; give a file name, e.g. %s", path, filepath.Join(path, "export.csv"))
		default:
			return target, !fi.Mode().IsRegular(), nil
		}
	}
	return "", false, usageError("--out %s: too many levels of symbolic links", path)
}

// exportDirect writes to a named pipe or a device as it is.
func exportDirect(target string, write func(io.Writer) (int64, error)) (int64, error) {
	f, err := os.OpenFile(target, os.O_WRONLY, 0)
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
