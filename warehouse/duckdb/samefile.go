package duckdb

import (
	"os"

	"github.com/synctrack/synctrack/warehouse"
)

// statFiles is what each file's local copy is before the INSERT reads it
// (nil for a file without one, or one that cannot be read).
func statFiles(files []warehouse.File) []os.FileInfo {
	out := make([]os.FileInfo, len(files))
	for i, f := range files {
		if f.Local != "" {
			out[i], _ = os.Stat(f.Local)
		}
	}
	return out
}

// sameFiles says each local copy is still the file statFiles saw: the same
// file (not another renamed over it), size and modification time.
func sameFiles(files []warehouse.File, read []os.FileInfo) bool {
	for i, f := range files {
		if f.Local == "" {
			continue
		}
		now, err := os.Stat(f.Local)
		if err != nil || !sameFile(now, read[i]) {
			return false
		}
	}
	return true
}

// sameFile says a and b are the same file (not another renamed over it),
// of the same size, modification and (where there is one) change time;
// false if either is nil. The change time catches a rewrite in place that
// kept the size and set the modification time back (rsync --inplace -t).
func sameFile(a, b os.FileInfo) bool {
	return a != nil && b != nil && os.SameFile(a, b) && a.Size() == b.Size() && a.ModTime().Equal(b.ModTime()) &&
		changeTime(a) == changeTime(b)
}
