package duckdb

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/synctrack/synctrack/warehouse"
)

// This process's holds on database files. DuckDB's lock is an fcntl lock,
// which belongs to the process: an instance opened on the file and the
// file ATTACHed to Readers' instance in the same process do not see each
// other's lock (DuckDB lets both in), and the first to close drops the
// other's. So the daemon, which loads the file and answers its pages in
// one process, has them take turns here: an instance (Open) waits for the
// pages' attachment to be let go, keeping new pages out meanwhile, and an
// attachment is refused (the page is a 503, "busy") while an instance has
// the file or waits for it. Another process still meets DuckDB's lock.
// (Where the process has Readers of the file, the load's Open attaches it
// for writing to their instance instead of opening an instance of its own:
// Readers.openWriter. The turns are the same.)
var files = struct {
	mu sync.Mutex
	m  map[string]*fileUse
	// readers is each file's Readers in this process, whose instance the
	// process's loads of the file use (Open, Readers.openWriter).
	readers map[string]*Readers
}{m: map[string]*fileUse{}, readers: map[string]*Readers{}}

// shareInstance makes r the Readers whose instance this process's loads
// of path use, until unshareInstance.
func shareInstance(path string, r *Readers) {
	files.mu.Lock()
	defer files.mu.Unlock()
	files.readers[fileKey(path)] = r
}

func unshareInstance(path string, r *Readers) {
	k := fileKey(path)
	files.mu.Lock()
	defer files.mu.Unlock()
	if files.readers[k] == r {
		delete(files.readers, k)
	}
}

// sharedReaders is the Readers of path in this process, or nil.
func sharedReaders(path string) *Readers {
	files.mu.Lock()
	defer files.mu.Unlock()
	return files.readers[fileKey(path)]
}

// fileUse is one file's holds in this process.
type fileUse struct {
	attached  bool          // Readers has it attached
	instances int           // instances open on it (Open)
	writers   int           // of which for writing
	waiting   int           // Opens waiting for the attachment to go
	changed   chan struct{} // closed (and made anew) when a hold is let go
}

// instanceWait is how long Open waits for this process's pages to let the
// file go: a page holds it for a second or so (readersHold), a download
// until it is spooled.
const instanceWait = 30 * time.Second

// fileKey names a file the same however its path was written, whether or
// not it exists yet (its folder's links are followed, not its own).
func fileKey(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return filepath.Clean(path)
	}
	if dir, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
		return filepath.Join(dir, filepath.Base(abs))
	}
	return abs
}

// useOf is k's entry, made when missing; on files.mu.
func useOf(k string) *fileUse {
	u := files.m[k]
	if u == nil {
		u = &fileUse{changed: make(chan struct{})}
		files.m[k] = u
	}
	return u
}

// letGo wakes the waiters of u and drops it when nothing holds it; on
// files.mu.
func letGo(k string, u *fileUse) {
	close(u.changed)
	u.changed = make(chan struct{})
	if !u.attached && u.instances == 0 && u.waiting == 0 {
		delete(files.m, k)
	}
}

// holdInstance waits until this process's pages have let path go, then
// counts an instance on it until the returned func is called.
func holdInstance(ctx context.Context, path string, writer bool) (func(), error) {
	k := fileKey(path)
	files.mu.Lock()
	defer files.mu.Unlock()
	u := useOf(k)
	// Two writers of one file in one process would not see each other's
	// lock either, and the first to close would drop the other's writes.
	if writer && u.writers > 0 {
		letGo(k, u)
		return nil, warehouse.Wrap(fmt.Errorf("open %s: another load of this process has it", path),
			warehouse.Transient, "locked", "another load of this process holds the database file; try again when it ends")
	}
	u.waiting++
	timeout := time.NewTimer(instanceWait)
	defer timeout.Stop()
	for u.attached {
		changed := u.changed
		files.mu.Unlock()
		var err error
		select {
		case <-ctx.Done():
			err = ctx.Err()
		case <-timeout.C:
			err = warehouse.Wrap(fmt.Errorf("open %s: this process's web pages held the file for %s", path, instanceWait),
				warehouse.Transient, "locked", "a page or download of this process kept the database file; try again")
		case <-changed:
		}
		files.mu.Lock()
		if err != nil {
			u.waiting--
			letGo(k, u)
			return nil, err
		}
	}
	u.waiting--
	u.instances++
	if writer {
		u.writers++
	}
	return sync.OnceFunc(func() {
		files.mu.Lock()
		defer files.mu.Unlock()
		u.instances--
		if writer {
			u.writers--
		}
		letGo(k, u)
	}), nil
}

// holdAttachment marks path attached to Readers' instance until the
// returned func is called; refused (Transient, "locked", as DuckDB's own
// lock is) while an instance of this process has the file or waits for it.
func holdAttachment(path string) (func(), error) {
	k := fileKey(path)
	files.mu.Lock()
	defer files.mu.Unlock()
	if u := files.m[k]; u != nil && (u.instances > 0 || u.waiting > 0) {
		return nil, errLoadHere(path)
	}
	u := useOf(k)
	u.attached = true
	return sync.OnceFunc(func() {
		files.mu.Lock()
		defer files.mu.Unlock()
		u.attached = false
		letGo(k, u)
	}), nil
}

// instanceWanted says an instance of this process has path or waits for
// it: pages out keep the attachment, new ones are not let in.
func instanceWanted(path string) bool {
	files.mu.Lock()
	defer files.mu.Unlock()
	u := files.m[fileKey(path)]
	return u != nil && (u.instances > 0 || u.waiting > 0)
}

func errLoadHere(path string) error {
	return warehouse.Wrap(fmt.Errorf("read %s: a load in this process holds the file", path),
		warehouse.Transient, "locked", "a load in this process holds the database file; try again when it ends")
}
