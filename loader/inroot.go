package loader

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/synctrack/synctrack/warehouse"
)

// inRoot says whether the object key of the local folder root may be read:
// its path, symbolic links followed, is within the folder. A listing shows
// a link as a file, and a reader follows it, so a link to a key file or to
// another tenant's data would load them as the bucket's; such an object
// fails alone (a data error, named in the ledger). A link within the
// folder reads as it is. A path that does not resolve (the object is gone)
// is left to the read, which says why.
//
// Nor is an object that is no regular file read: opening a named pipe waits
// for a writer, past every timeout and signal (os.Open takes no context),
// and held a load, with its warehouse lock, forever; a device reads without
// end. Such an object fails alone, named.
func inRoot(root, key string) error {
	p, err := filepath.EvalSymlinks(filepath.Join(root, filepath.FromSlash(key)))
	if err != nil {
		return nil
	}
	if st, err := os.Stat(p); err == nil && !st.Mode().IsRegular() {
		return warehouse.DataError(fmt.Errorf("not a regular file (%s): not read", fileKind(st.Mode())), key)
	}
	r, err := filepath.EvalSymlinks(root)
	if err != nil {
		return nil
	}
	if rel, err := filepath.Rel(r, p); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return warehouse.DataError(fmt.Errorf("a symbolic link to %s, outside the bucket's folder: not read", p), key)
	}
	return nil
}

// fileKind names a mode that is no regular file.
func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m.IsDir():
		return "a directory"
	}
	return "mode " + m.String()
}
