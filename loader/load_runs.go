package loader

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/synctrack/synctrack/warehouse"
)

// maxMetadataBytes bounds how much of a metadata.json is read.
const maxMetadataBytes = 16 << 20

// loadRuns parses each metadata.json and loads the good ones together, and
// returns the syncs of those loaded, with the error that stopped it too. The
// files are read Workers at a time: one read per run folder, each a round
// trip to the object store, would otherwise pace a first load.
func (l *Loader) loadRuns(ctx context.Context, ws []Work, rep *Report, b *blame) ([]string, error) {
	raws, errs := l.readAll(ctx, ws)
	var runs []warehouse.Run
	for i, w := range ws {
		switch {
		case errs[i] == nil:
		case warehouse.ClassOf(errs[i]) == warehouse.Data:
			b.fail(w, errs[i])
			continue
		case isGone(errs[i]):
			if err := l.leaveGone(w.Key); err != nil {
				return nil, err
			}
			continue
		default:
			return nil, fmt.Errorf("read %s: %w", w.Key, errs[i])
		}
		m, err := ParseMetadata(raws[i], w.OrgID, w.SyncID, w.RunID)
		if err != nil {
			b.fail(w, warehouse.DataError(err, w.Key))
			continue
		}
		if len(m.NotUnderstood) > 0 {
			l.log.Warn("metadata.json: values not understood, left empty; the run loads without them",
				"key", w.Key, "fields", strings.Join(m.NotUnderstood, ", "))
		}
		runs = append(runs, warehouse.Run{Object: w.Object, Meta: m, Attempts: w.Attempts})
	}
	// One insert for every run; a run the engine refuses fails alone.
	var loaded []warehouse.Run
	err := isolate(ctx, runs, func(r warehouse.Run) string { return r.Key }, func(rs []warehouse.Run) error {
		if err := l.wh.LoadRuns(ctx, rs); err != nil {
			return err
		}
		b.ok(KindMetadata)
		loaded = append(loaded, rs...)
		for _, r := range rs {
			rep.Committed = append(rep.Committed, r.Key)
		}
		return nil
	}, func(r warehouse.Run, err error) { b.fail(Work{Object: r.Object, Attempts: r.Attempts}, err) }, b.refused)
	seen := map[string]bool{}
	var syncs []string
	for _, r := range loaded {
		if id := r.Meta.SyncConfigurationID; !seen[id] {
			seen[id] = true
			syncs = append(syncs, id)
		}
	}
	sort.Strings(syncs)
	if err != nil {
		// The runs loaded before it are committed: their views are due.
		return syncs, fmt.Errorf("load run metadata: %w", err)
	}
	rep.Files += len(loaded)
	return syncs, nil
}

// readAll reads each work item's object, Workers at a time; order is kept.
func (l *Loader) readAll(ctx context.Context, ws []Work) ([][]byte, []error) {
	raws, errs := make([][]byte, len(ws)), make([]error, len(ws))
	sem := make(chan struct{}, max(1, l.o.Workers))
	var wg sync.WaitGroup
	for i, w := range ws {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			raws[i], errs[i] = l.readSmall(ctx, w.Key, w.Size)
		})
	}
	wg.Wait()
	return raws, errs
}

// readSmall reads a metadata.json. A bucket that stops sending ends the read
// after StallTimeout. A body shorter than the listing said is the transfer's
// fault, not the object's (as in Stager.download): cut short, the JSON would
// not parse and the object would be failed, and quarantined in the end, for
// a network error. Longer is not checked: a store may serve a compressed
// object decompressed.
func (l *Loader) readSmall(ctx context.Context, key string, size int64) ([]byte, error) {
	if l.root != "" {
		// Read in place, as the records files are: through the bucket, a
		// key with a control character (a newline in a folder's name) was
		// escaped on the way to its file and not found, "gone since the
		// listing" on every load, and its run never had a sync_runs row
		// (found by a review).
		if err := inRoot(l.root, key); err != nil {
			return nil, err
		}
		f, err := os.Open(filepath.Join(l.root, filepath.FromSlash(key)))
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w: %w", errGone, err)
		}
		if err != nil {
			return nil, BucketError(fmt.Errorf("read: %w", err))
		}
		defer f.Close()
		return readMetadata(f, key, func(err error) error { return err })
	}
	g := newStallGuard(ctx, l.o.StallTimeout)
	defer g.close()
	g.begin()
	r, err := l.bucket.NewReader(g.ctx, key, nil)
	g.end()
	if err != nil {
		return nil, BucketError(fmt.Errorf("read: %w", g.err(err)))
	}
	defer r.Close()
	raw, err := readMetadata(g.reader(r), key, g.err)
	if err != nil {
		return nil, err
	}
	if int64(len(raw)) < size {
		return nil, BucketError(fmt.Errorf("short read of %s: %d of %d bytes", key, len(raw), size))
	}
	return raw, nil
}

// readMetadata reads a metadata.json's bytes from r, at most
// maxMetadataBytes; explain says what stopped a read that failed.
func readMetadata(r io.Reader, key string, explain func(error) error) ([]byte, error) {
	raw, err := io.ReadAll(io.LimitReader(r, maxMetadataBytes+1))
	if err != nil {
		return nil, BucketError(fmt.Errorf("read: %w", explain(err)))
	}
	if len(raw) > maxMetadataBytes {
		return nil, warehouse.DataError(fmt.Errorf("metadata.json larger than %d bytes", maxMetadataBytes), key)
	}
	return raw, nil
}
