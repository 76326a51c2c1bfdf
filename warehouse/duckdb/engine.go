package duckdb

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/warehouse"
)

// Engine describes DuckDB for the registry.
func Engine() warehouse.Engine {
	return warehouse.Engine{
		Name:    "duckdb",
		Schemes: []string{"duckdb"},
		Example: "duckdb://./sync-logs.duckdb",
		Dialect: dialects.DuckDB{},
		Check:   func(raw string) error { _, err := ParseURL(raw); return err },
		Open:    open,
		CheckPlace: func(raw string) error {
			c, err := ParseURL(raw)
			if err != nil {
				return warehouse.Wrap(err, warehouse.Config, "bad_url", "")
			}
			return checkFolder(c.Path)
		},
		Exists:  exists,
		Local:   func(path string) string { return "duckdb://" + path },
		Readers: readers,
		// One file is one warehouse, whatever its schema: loads lock it whole.
		Identity: func(raw string) string {
			c, err := ParseURL(raw)
			if err != nil {
				return raw
			}
			return "duckdb://" + samePath(c.Path)
		},
		// The file-named catalog ParseURL refuses too needs the URL's file.
		CheckSchema: checkSchema,
		Sample:      (*Warehouse)(nil),
	}
}

func open(ctx context.Context, raw string, o warehouse.Options) (warehouse.Warehouse, error) {
	c, err := ParseURL(raw)
	if err != nil {
		return nil, warehouse.Wrap(err, warehouse.Config, "bad_url", "")
	}
	c.ReadOnly = o.ReadOnly
	c.Logger = o.Logger
	if o.LockWait <= 0 {
		return Open(ctx, c, o.Now)
	}
	return openWaiting(ctx, c, o.Now, o.LockWait)
}

// openWaiting is Open for writing that, while the file is locked by another
// process, tries again every lockPoll until wait has passed: a page server
// lets the file go between its pages (Readers), and a load from cron should
// take that moment rather than fail.
func openWaiting(ctx context.Context, c Config, now func() time.Time, wait time.Duration) (*Warehouse, error) {
	deadline := time.Now().Add(wait)
	for {
		w, err := Open(ctx, c, now)
		if err == nil || !locked(err) {
			return w, err
		}
		if time.Now().Add(lockPoll).After(deadline) {
			// Said, so that exit 3 after a wait reads as one.
			var e *warehouse.Error
			if errors.As(err, &e) {
				e.Err = fmt.Errorf("%w (waited %v for it: --lock-wait)", e.Err, wait)
			}
			return w, err
		}
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(lockPoll):
		}
	}
}

// lockPoll is how often openWaiting tries the lock: well inside the pause
// Readers leaves between its holds (readersGap).
const lockPoll = 20 * time.Millisecond

// locked says err is another process holding the file.
func locked(err error) bool {
	reason, _ := warehouse.Explain(err)
	return warehouse.ClassOf(err) == warehouse.Transient && reason == "locked"
}

// exists says whether the URL's database file exists yet. A path under a
// regular file (o.txt/w.duckdb) is refused as a load refuses it
// (checkFolder): stat's "not a directory" was exit 3, to try again later.
func exists(raw string) (bool, error) {
	c, err := ParseURL(raw)
	if err != nil {
		return false, warehouse.Wrap(err, warehouse.Config, "bad_url", "")
	}
	_, err = os.Stat(c.Path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if errors.Is(err, syscall.ENOTDIR) {
		return false, checkFolder(c.Path)
	}
	return err == nil, classify(err, nil)
}

// samePath is path as every spelling of one file agrees on it: absolute,
// its links resolved, a dangling one's too (the file it names is the one a
// load would make). ./w.duckdb and /srv/w.duckdb from /srv were two
// warehouses to the daemon's check of its targets.
func samePath(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	for range 40 { // as the kernel's limit on links followed
		if real, err := filepath.EvalSymlinks(path); err == nil {
			return real
		}
		dir, err := filepath.EvalSymlinks(filepath.Dir(path))
		if err != nil {
			return path
		}
		path = filepath.Join(dir, filepath.Base(path))
		link, err := os.Readlink(path)
		if err != nil {
			return path
		}
		if !filepath.IsAbs(link) {
			link = filepath.Join(dir, link)
		}
		path = link
	}
	return path
}
