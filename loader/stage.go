package loader

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/parquet-go/parquet-go"
	"gocloud.dev/blob"
	"gocloud.dev/gcerrors"

	"github.com/synctrack/synctrack/warehouse"
)

// Stager puts objects where a local engine can read them: the file itself for a
// file:// bucket when its path is plain, a symlink when it is not, a downloaded
// copy otherwise. Links and copies get names of the Stager's own
// (NNNNNN.parquet), so no byte of a key the engine could read as a glob or a
// URL reaches a path it parses.
type Stager struct {
	Bucket *blob.Bucket
	// Root is the directory of a file:// bucket, "" for remote buckets.
	Root string
	// Dir is the staging area; each batch is removed after it loads.
	Dir string
	// Workers bounds concurrent downloads.
	Workers int
	// StallTimeout bounds each wait on the bucket (Options.StallTimeout).
	StallTimeout time.Duration
	// RepairOnly stages nothing: the warehouse reads the bucket itself and
	// takes a local copy only of a file Repair rewrote (warehouse.LocalCopies).
	RepairOnly bool
	// Prepare, when set, is called with each staged records file open
	// (warehouse.RecordsPreparer); its result goes in File.Prepared.
	Prepare func(warehouse.File, *parquet.File, os.FileInfo) any

	mu   sync.Mutex
	next int
}

// Staged is the outcome of staging one object.
type Staged struct {
	File warehouse.File
	Err  error // why the object cannot be loaded; names the cause
}

// Stage copies or links each work item and reads its parquet footer. Order is
// kept. A nil or RepairOnly Stager stages nothing: for warehouses that read
// the bucket (of a local folder, only what is within it: inRoot).
func (s *Stager) Stage(ctx context.Context, ws []Work) []Staged {
	out := make([]Staged, len(ws))
	if s == nil || s.RepairOnly {
		for i, w := range ws {
			out[i] = Staged{File: warehouse.File{Object: w.Object, Attempts: w.Attempts, Seen: w.Seen}}
			if s != nil && s.Root != "" {
				out[i].Err = inRoot(s.Root, w.Key)
			}
		}
		return out
	}
	workers := max(1, s.Workers) // footer reads overlap even for local files
	var wg sync.WaitGroup
	jobs := make(chan int)
	for range workers {
		wg.Go(func() {
			for i := range jobs {
				out[i] = s.stageOne(ctx, ws[i])
			}
		})
	}
	for i := range ws {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return out
}

func (s *Stager) name() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	return filepath.Join(s.Dir, fmt.Sprintf("%06d.parquet", s.next))
}

func (s *Stager) stageOne(ctx context.Context, w Work) Staged {
	f := warehouse.File{Object: w.Object, Attempts: w.Attempts, Seen: w.Seen}
	var err error
	if s.Root != "" {
		if err := inRoot(s.Root, w.Key); err != nil {
			return Staged{File: f, Err: err}
		}
		src := filepath.Join(s.Root, filepath.FromSlash(w.Key))
		if f.Local = src; !plainPath(src) {
			f.Local = s.name()
			err = os.Symlink(src, f.Local)
		}
	} else {
		f.Local = s.name()
		err = s.download(ctx, w.Key, f.Local, w.Size)
	}
	if err != nil {
		return Staged{File: f, Err: BucketError(fmt.Errorf("stage: %w", err))}
	}
	var prepare func(warehouse.File, *parquet.File, os.FileInfo) any
	if w.Kind == KindRecords && s.Prepare != nil {
		prepare = func(f warehouse.File, pf *parquet.File, st os.FileInfo) any {
			if !hasColumn(f.Columns, "identifier") {
				return nil // refused below: nothing to prepare
			}
			return s.Prepare(f, pf, st)
		}
	}
	f.Rows, f.Columns, f.Shape, f.Prepared, err = readFooter(f, prepare)
	var pe *fs.PathError
	switch {
	case errors.As(err, &pe):
		// The file could not be opened (deleted since the listing, no
		// permission to read it): none of its bytes were read, so they
		// are not at fault.
		if s.Root != "" {
			if _, serr := os.Stat(filepath.Join(s.Root, filepath.FromSlash(w.Key))); errors.Is(serr, fs.ErrNotExist) {
				err = fmt.Errorf("%w: %w", errGone, err)
			}
		}
		return Staged{File: f, Err: BucketError(err)}
	case err != nil:
		return Staged{File: f, Err: warehouse.DataError(err, w.Key)}
	}
	if w.Kind == KindRecords && !hasColumn(f.Columns, "identifier") {
		return Staged{File: f, Err: warehouse.DataError(fmt.Errorf("records file has no identifier column (its columns: %s)",
			strings.Join(f.Columns, ", ")), w.Key)}
	}
	if w.Kind == KindFact && !hasColumn(f.Columns, "id") {
		// A fact table keeps one row per (org, id): every row of such a
		// file has a NULL id, so all but one would be dropped unsaid.
		return Staged{File: f, Err: warehouse.DataError(fmt.Errorf("fact file has no id column (its columns: %s)",
			strings.Join(f.Columns, ", ")), w.Key)}
	}
	return Staged{File: f}
}

// hasColumn says whether cols has name, in any case, as engines match them.
func hasColumn(cols []string, name string) bool {
	for _, c := range cols {
		if strings.EqualFold(c, name) {
			return true
		}
	}
	return false
}

// errGone marks a file:// bucket's file deleted since the listing (read in
// place, not through the bucket); not any file that is missing, such as a
// staging area a temp cleaner removed.
var errGone = errors.New("deleted since the listing")

// isGone says whether a staging error is the object deleted since listing.
func isGone(err error) bool {
	return gcerrors.Code(err) == gcerrors.NotFound || errors.Is(err, errGone)
}

// download copies key to dst. A body shorter than the listing said is the
// transfer's fault, not the object's: an error, so the load stops and the
// object is read again next time rather than failed as unreadable.
//
// A bucket that stops sending ends the download after StallTimeout (see
// DefaultStallTimeout), a Transient error.
func (s *Stager) download(ctx context.Context, key, dst string, size int64) error {
	g := newStallGuard(ctx, s.StallTimeout)
	defer g.close()
	g.begin()
	r, err := s.Bucket.NewReader(g.ctx, key, nil)
	g.end()
	if err != nil {
		return g.err(err)
	}
	defer r.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	n, err := io.Copy(out, g.reader(r))
	if err != nil {
		out.Close()
		return g.err(err)
	}
	if n != size && size > 0 {
		out.Close()
		return fmt.Errorf("short read of %s: %d of %d bytes", key, n, size)
	}
	return out.Close()
}

// readFooter checks the file is parquet and returns its row count,
// columns and shape (warehouse.RecordsShape), and what prepare (when not
// nil) makes of it, the file still open. A truncated or corrupt file fails
// here, before it can fail a whole batch.
func readFooter(f warehouse.File, prepare func(warehouse.File, *parquet.File, os.FileInfo) any) (rows int64, cols []string, shape string, prep any, err error) {
	fh, err := os.Open(f.Local)
	if err != nil {
		return 0, nil, "", nil, err
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return 0, nil, "", nil, err
	}
	pf, err := warehouse.OpenParquet(fh, st.Size())
	if err != nil {
		return 0, nil, "", nil, fmt.Errorf("not a readable parquet file (%d bytes): %w", st.Size(), err)
	}
	if cols, err = warehouse.ColumnNames(pf); err != nil {
		return 0, nil, "", nil, err
	}
	if prepare != nil {
		f.Rows, f.Columns = pf.NumRows(), cols
		prep = prepare(f, pf, st)
	}
	return pf.NumRows(), cols, warehouse.RecordsShape(pf), prep, nil
}

// plainPath reports whether an engine can be given p as it is: an absolute
// path of letters, digits and "/._-=" only, so nothing in it reads as a glob
// (* ? [ {), a URL scheme, or a home directory. Creating a symlink costs
// about half a millisecond on a busy disk, which is most of the time of a
// load of many small files, so plain paths are read in place.
func plainPath(p string) bool {
	if !filepath.IsAbs(p) {
		return false
	}
	for _, r := range p {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case r == '/' || r == '.' || r == '_' || r == '-' || r == '=':
		default:
			return false
		}
	}
	return true
}

// Release removes the links and copies it made; files read in place stay.
func (s *Stager) Release(fs []warehouse.File) {
	if s == nil {
		return
	}
	for _, f := range fs {
		if f.Local != "" && filepath.Dir(f.Local) == filepath.Clean(s.Dir) {
			_ = os.Remove(f.Local)
		}
	}
}
