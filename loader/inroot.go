package loader

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/synctrack/synctrack/warehouse"
)

// inRoot says whether the object key of the local folder root may be read:
// its path, symbolic links followed, is within the folder. A listing shows
// a link as a file, and a reader follows it, so a link to a key file or to
// another tenant's data would load them as the bucket's; such an object
// fails alone (a data error, named in the ledger). A link within the
// folder reads as it is; one that does not resolve (dangling, a loop)
// fails alone too. A path that is not there (the object is gone) is left
// to the read, which says why.
//
// Nor is an object that is no regular file read: opening a named pipe waits
// for a writer, past every timeout and signal (os.Open takes no context),
// and held a load, with its warehouse lock, forever; a device reads without
// end. Such an object fails alone, named.
//
// A folder of the bucket's the user may not search is no fault of the
// object: a permission error (BucketError), which stops the load.
func inRoot(root, key string) error {
	path := filepath.Join(root, filepath.FromSlash(key))
	p, err := filepath.EvalSymlinks(path)
	if err != nil {
		_, lerr := os.Lstat(path)
		switch {
		case errors.Is(lerr, fs.ErrNotExist):
			return nil // gone since the listing
		case machineFault(lerr):
			// A folder of the bucket's the user may no longer search (its
			// mode changed since the listing), or a disk or mount under it
			// that failed: the machine's, as a file it may not read is.
			// Taken for a link that cannot be followed, every file of a run
			// folder made unreadable, or on a mount lost, mid-load failed,
			// exit 1. (A link whose target it may not reach is the link's.)
			return BucketError(fmt.Errorf("read %w", unrooted(lerr, root)))
		}
		// A link that leads nowhere, or to itself (a loop's ELOOP read as
		// the bucket failing and stopped every load, for good: found by a
		// review), or that cannot be followed: the object's own fault.
		switch {
		case errors.Is(err, fs.ErrNotExist):
			err = fmt.Errorf("a symbolic link to a file that does not exist (%w): not read", unrooted(err, root))
		case strings.Contains(err.Error(), "too many links"), errors.Is(err, syscall.ELOOP):
			err = errors.New("a symbolic link that leads back to itself (a loop): not read")
		default:
			err = fmt.Errorf("a symbolic link that cannot be followed (%w): not read", unrooted(err, root))
		}
		return warehouse.DataError(neverReads{err}, key)
	}
	if st, err := os.Stat(p); err == nil && !st.Mode().IsRegular() {
		return warehouse.DataError(neverReads{fmt.Errorf("not a regular file (%s): not read", fileKind(st.Mode()))}, key)
	}
	r, err := filepath.EvalSymlinks(root)
	if err != nil {
		return nil
	}
	if rel, err := filepath.Rel(r, p); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return warehouse.DataError(neverReads{fmt.Errorf("a symbolic link to %s, outside the bucket's folder: not read", p)}, key)
	}
	return nil
}

// machineFault says whether err, of a path of the bucket's folder, is the
// machine's and no object's: no permission to search a folder on it, or a
// disk or mount that failed under it (EIO; ESTALE, ENOTCONN: a network or
// FUSE mount lost, as warehouse.OSRules says them). By its errno only: the
// text holds the key, which may read as anything.
func machineFault(err error) bool {
	return errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EIO) ||
		errors.Is(err, syscall.ESTALE) || errors.Is(err, syscall.ENOTCONN)
}

// neverReads marks an object inRoot refuses: no wait makes it read whole,
// so it fails at once, not left for --settle as a file still being written
// (a README audit saw such objects deferred for 30 s as in progress).
type neverReads struct{ error }

func (e neverReads) Unwrap() error { return e.error }

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

// unrooted is err with the bucket folder's path taken out of its text: the
// ledger names the key already.
func unrooted(err error, root string) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		if rel, rerr := filepath.Rel(root, pe.Path); rerr == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return fmt.Errorf("%s: %w", filepath.ToSlash(rel), pe.Err)
		}
	}
	return err
}
