package dbt

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// ErrNotOurs is a file in the way that synctrack dbt did not write.
var ErrNotOurs = errors.New("not written by synctrack dbt")

// Write writes files into dir (made if missing). A file already there is
// overwritten only if synctrack dbt wrote it (its first line carries
// Marker) or force is set; otherwise nothing at all is written and the
// error, wrapping ErrNotOurs, names every such file. Each file is written
// to a temporary name and renamed, so a reader never sees half of one. It
// returns the paths written, sorted.
func Write(dir string, files map[string][]byte, force bool) ([]string, error) {
	names := make([]string, 0, len(files))
	for n := range files {
		if n != filepath.Base(n) || n == "." || n == ".." {
			return nil, fmt.Errorf("file name %q: not a plain name", n)
		}
		names = append(names, n)
	}
	sort.Strings(names)
	if !force {
		var theirs []string
		for _, n := range names {
			ours, err := writtenByUs(filepath.Join(dir, n))
			if err != nil {
				return nil, err
			}
			if !ours {
				theirs = append(theirs, filepath.Join(dir, n))
			}
		}
		if len(theirs) > 0 {
			return nil, fmt.Errorf("%w: %s (nothing written; --force overwrites them)", ErrNotOurs, strings.Join(theirs, ", "))
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var written []string
	for _, n := range names {
		path := filepath.Join(dir, n)
		if err := writeFile(path, files[n]); err != nil {
			return written, err
		}
		written = append(written, path)
	}
	return written, nil
}

// writtenByUs says whether path is free to write: missing, or a file whose
// first line carries Marker. A directory or anything else in the way is not.
func writtenByUs(path string) (bool, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return false, err
	}
	line, err := bufio.NewReader(f).ReadString('\n')
	if err != nil && line == "" {
		return false, nil // empty or unreadable: not ours
	}
	return strings.HasPrefix(line, "# "+Marker) || strings.HasPrefix(line, "-- "+Marker), nil
}

func writeFile(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}
