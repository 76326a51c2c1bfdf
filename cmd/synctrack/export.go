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
// noun names what write counts ("records", "rows") in the closing line.
func exportTo(cmd *cobra.Command, path, noun string, write func(io.Writer) (int64, error)) error {
	if path == "" {
		_, err := write(cmd.OutOrStdout())
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		// Named as given, not as the temp file: a missing folder or one
		// not writable is the user's to fix (exit 2).
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return usageError("--out %s: cannot write a file in %s: %v", path, filepath.Dir(path), err)
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
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "wrote %d %s to %s\n", n, noun, path)
	return nil
}
