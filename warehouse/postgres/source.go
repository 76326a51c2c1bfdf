package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/parquet-go/parquet-go"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/warehouse"
)

// recordColumns are sync_records' columns in COPY order.
var recordColumns = dialects.Names(dialects.RecordsColumns)

// vendorColumns are the documented columns a records file may hold, in
// sync_records' order; anything else goes to _extra as JSON.
var vendorColumns = []string{"identifier", "record_payload", "operation", "status", "status_message",
	"batch_started_at", "batch_ended_at", "sync_configuration_id", "sync_run_id", "org_id"}

// fileStat is what the COPY read of one file: its first COPY line (from 1),
// its rows and what it repaired.
type fileStat struct {
	first, rows int64
	fix         repairs
}

// recordSource streams the rows of a batch's files to one COPY, file after
// file, as pgx.CopyFromSource. It knows which file each COPY line came
// from, so an error PostgreSQL reports at a line names that file.
type recordSource struct {
	ctx   context.Context
	files []warehouse.File
	now   time.Time
	stats []fileStat
	next  int // next file to open
	cur   *recordFile
	line  int64
	vals  []any
	err   error
}

var _ pgx.CopyFromSource = (*recordSource)(nil)

func newRecordSource(ctx context.Context, files []warehouse.File, now time.Time) *recordSource {
	return &recordSource{ctx: ctx, files: files, now: now, stats: make([]fileStat, len(files)),
		vals: make([]any, len(recordColumns))}
}

func (s *recordSource) Next() bool {
	for s.err == nil {
		if s.cur == nil {
			if s.next >= len(s.files) {
				return false
			}
			i := s.next
			s.next++
			if s.files[i].Local == "" {
				continue // nothing staged: no rows
			}
			s.stats[i].first = s.line + 1
			rf, err := openRecordFile(s.files[i], &s.stats[i].fix, s.now)
			if err != nil {
				s.err = warehouse.DataError(fmt.Errorf("%s: %w", s.files[i].Key, err), s.files[i].Key)
				return false
			}
			s.cur, rf.index = rf, i
		}
		if s.cur.p.next() {
			if err := s.cur.values(s.vals, s.stats[s.cur.index].rows); err != nil {
				s.err = warehouse.DataError(fmt.Errorf("%s: row %d: %w", s.cur.f.Key, s.stats[s.cur.index].rows, err), s.cur.f.Key)
				return false
			}
			s.stats[s.cur.index].rows++
			s.line++
			return true
		}
		if err := s.cur.p.err; err != nil {
			s.err = warehouse.DataError(fmt.Errorf("%s: %w", s.cur.f.Key, err), s.cur.f.Key)
		}
		s.cur.p.close()
		s.cur = nil
		if s.err == nil {
			s.err = s.ctx.Err()
		}
	}
	return false
}

func (s *recordSource) Values() ([]any, error) { return s.vals, nil }
func (s *recordSource) Err() error             { return s.err }

func (s *recordSource) close() {
	if s.cur != nil {
		s.cur.p.close()
		s.cur = nil
	}
}

// fileAt is the index of the file whose rows COPY line n (from 1) holds,
// -1 if none.
func (s *recordSource) fileAt(n int64) int {
	for i := len(s.stats) - 1; i >= 0; i-- {
		if st := s.stats[i]; st.first > 0 && st.first <= n {
			return i
		}
	}
	return -1
}

// recordFile turns one file's rows into sync_records rows.
type recordFile struct {
	f     warehouse.File
	p     *parquetFile
	fix   *repairs
	index int
	cols  []int // leaf index of each vendorColumns entry, -1 when missing
	extra []int // leaf indexes of unknown columns
	names [][]byte
	json  []byte
	// per-file constants
	batchType, batchNumber, key, loadedAt any
	orgID, syncID, runID                  any
}

func openRecordFile(f warehouse.File, fix *repairs, now time.Time) (*recordFile, error) {
	p, err := openParquet(f.Local)
	if err != nil {
		return nil, err
	}
	r := &recordFile{f: f, p: p, fix: fix, key: f.Key, loadedAt: now,
		orgID: orNil(f.OrgID), syncID: orNil(f.SyncID), runID: orNil(f.RunID), batchType: orNil(f.BatchType)}
	if f.BatchNumber != nil {
		r.batchNumber = *f.BatchNumber
	}
	known := map[string]bool{}
	for _, c := range vendorColumns {
		r.cols = append(r.cols, p.column(c))
		known[c] = true
	}
	seen := map[string]bool{}
	for i, n := range p.names {
		if n != "" && !known[n] && !seen[n] {
			seen[n] = true
			r.extra = append(r.extra, i)
			r.names = append(r.names, appendJSONString(nil, fix.text([]byte(p.orig[i]))))
		}
	}
	return r, nil
}

// values fills vals with the current row as sync_records' columns; row is
// its position in the file (_row, from 0).
func (r *recordFile) values(vals []any, row int64) error {
	get := func(c int) (parquet.Value, leafType, bool) {
		i := r.cols[c]
		if i < 0 || r.p.row[i].IsNull() {
			return parquet.Value{}, leafType{}, false
		}
		return r.p.row[i], r.p.types[i], true
	}
	text := func(c int) any {
		if v, t, ok := get(c); ok {
			return t.text(v, r.fix)
		}
		return nil
	}
	orPath := func(c int, path any) any {
		if s := text(c); s != nil {
			return s
		}
		return path
	}
	vals[0] = text(0)
	if s := text(1); s != nil {
		vals[1] = r.fix.payload(s.(string))
	} else {
		vals[1] = nil
	}
	vals[2], vals[3], vals[4] = text(2), text(3), text(4)
	for j, c := range []int{5, 6} {
		vals[5+j] = nil
		if v, t, ok := get(c); ok {
			ts, err := t.instant(v)
			if err != nil {
				return fmt.Errorf("%s: %w", vendorColumns[c], err)
			}
			vals[5+j] = ts
		}
	}
	vals[7], vals[8], vals[9] = orPath(7, r.syncID), orPath(8, r.runID), orPath(9, r.orgID)
	vals[10], vals[11], vals[12], vals[13] = r.batchType, r.batchNumber, r.key, row
	vals[14] = r.extraJSON()
	vals[15] = r.loadedAt
	return nil
}

// extraJSON is the row's unknown columns as one JSON object, nil when all
// of them are NULL (or the file has none).
func (r *recordFile) extraJSON() any {
	set := false
	for _, i := range r.extra {
		if !r.p.row[i].IsNull() {
			set = true
			break
		}
	}
	if !set {
		return nil
	}
	b := append(r.json[:0], '{')
	for k, i := range r.extra {
		if k > 0 {
			b = append(b, ',')
		}
		b = append(append(b, r.names[k]...), ':')
		b = r.p.types[i].appendJSON(b, r.p.row[i], r.fix)
	}
	r.json = append(b, '}')
	return string(r.json)
}

func orNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}
