package postgres

import (
	"context"
	"encoding/binary"
	"fmt"
	"time"
	"unsafe"

	"github.com/parquet-go/parquet-go"

	"github.com/synctrack/synctrack/dialects"
	analysis "github.com/synctrack/synctrack/sql"
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
	counts      *tally // nil until the file has a row
}

// recordSource streams the rows of a batch's files to one COPY, file after
// file, each row appended to the COPY's data (copyStream). It knows which
// file each COPY line came from, so an error PostgreSQL reports at a line
// names that file.
type recordSource struct {
	ctx   context.Context
	files []warehouse.File
	now   time.Time
	stats []fileStat
	next  int // next file to open
	cur   *recordFile
	line  int64
	err   error
	fp    analysis.Fingerprinter
	count bool // tally each file's rows for the counts
}

func newRecordSource(ctx context.Context, files []warehouse.File, now time.Time, count bool) *recordSource {
	return &recordSource{ctx: ctx, files: files, now: now, stats: make([]fileStat, len(files)), count: count}
}

// appendNext appends the next row to buf as a binary COPY tuple; false at
// the end or on error (s.err), buf then as it was.
func (s *recordSource) appendNext(buf []byte) ([]byte, bool) {
	for s.err == nil {
		if s.cur == nil {
			if s.next >= len(s.files) {
				return buf, false
			}
			i := s.next
			s.next++
			if s.files[i].Local == "" {
				continue // nothing staged: no rows
			}
			s.stats[i].first = s.line + 1
			if s.count {
				s.stats[i].counts = &tally{groups: map[groupKey]*group{}, fp: &s.fp}
			}
			rf, err := openRecordFile(s.files[i], &s.stats[i].fix, s.now)
			if err != nil {
				s.err = warehouse.DataError(fmt.Errorf("%s: %w", s.files[i].Key, err), s.files[i].Key)
				return buf, false
			}
			s.cur, rf.index, rf.counts = rf, i, s.stats[i].counts
		}
		if s.cur.p.next() {
			out, err := s.cur.appendRow(buf, s.stats[s.cur.index].rows)
			if err != nil {
				s.err = warehouse.DataError(fmt.Errorf("%s: row %d: %w", s.cur.f.Key, s.stats[s.cur.index].rows, err), s.cur.f.Key)
				return buf, false
			}
			s.stats[s.cur.index].rows++
			s.line++
			return out, true
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
	return buf, false
}

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
	f      warehouse.File
	p      *parquetFile
	fix    *repairs
	index  int
	counts *tally
	cols   []int // leaf index of each vendorColumns entry, -1 when missing
	extra  []int // leaf indexes of unknown columns
	names  [][]byte
	json   []byte
	// per-file constants, each a whole binary COPY field
	batchType, batchNumber, key, loadedAt []byte
}

func openRecordFile(f warehouse.File, fix *repairs, now time.Time) (*recordFile, error) {
	p, err := openParquet(f.Local)
	if err != nil {
		return nil, err
	}
	r := &recordFile{f: f, p: p, fix: fix, key: appendText(nil, f.Key), loadedAt: appendTimestamptz(nil, now),
		batchType:   textOrNull(f.BatchType),
		batchNumber: appendNull(nil)}
	if f.BatchNumber != nil {
		r.batchNumber = appendInt8(nil, int64(*f.BatchNumber))
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

// appendRow appends the current row to b as a binary COPY tuple of
// sync_records' columns; row is its position in the file (_row, from 0).
// The row's counts go to the file's tally, from the values as written.
func (r *recordFile) appendRow(b []byte, row int64) ([]byte, error) {
	start := len(b)
	b = binary.BigEndian.AppendUint16(b, uint16(len(recordColumns)))
	get := func(c int) (parquet.Value, leafType, bool) {
		i := r.cols[c]
		if i < 0 || r.p.row[i].IsNull() {
			return parquet.Value{}, leafType{}, false
		}
		return r.p.row[i], r.p.types[i], true
	}
	var cr countRow
	// text appends column c, or the file's value from its path (fallback,
	// NULL for "") when the column is missing or NULL.
	text := func(b []byte, c int, fallback string) ([]byte, nstr) {
		if v, t, ok := get(c); ok {
			s := t.text(v, r.fix)
			return appendText(b, s), nstr{s, true}
		}
		if fallback != "" {
			return appendText(b, fallback), nstr{fallback, true}
		}
		return appendNull(b), nstr{}
	}
	b, _ = text(b, 0, "")
	if v, t, ok := get(1); ok {
		b = appendJSONB(b, r.fix.payload(t.text(v, r.fix)))
	} else {
		b = appendNull(b)
	}
	b, _ = text(b, 2, "")
	b, cr.status = text(b, 3, "")
	b, cr.msg = text(b, 4, "")
	for _, c := range []int{5, 6} {
		v, t, ok := get(c)
		if !ok {
			b = appendNull(b)
			continue
		}
		ts, err := t.instant(v)
		if err != nil {
			return b[:start], fmt.Errorf("%s: %w", vendorColumns[c], err)
		}
		us, ok := timestamptzMicrosIn(ts)
		if !ok {
			return b[:start], fmt.Errorf("%s: %s is outside PostgreSQL's timestamp range", vendorColumns[c], ts.Format(time.RFC3339Nano))
		}
		b = appendInt8(b, us)
		if c == 5 {
			cr.started, cr.startedOK = us, true
		} else {
			cr.ended, cr.endedOK = us, true
		}
	}
	b, cr.sync = text(b, 7, r.f.SyncID)
	b, cr.run = text(b, 8, r.f.RunID)
	b, cr.org = text(b, 9, r.f.OrgID)
	b = append(append(append(b, r.batchType...), r.batchNumber...), r.key...)
	b = appendInt8(b, row)
	b = r.appendExtra(b)
	if r.counts != nil { // nil: the load writes no counts (SkipCounts)
		r.counts.add(&cr)
	}
	return append(b, r.loadedAt...), nil
}

// appendExtra appends the row's unknown columns as one JSON object, NULL
// when all of them are NULL (or the file has none).
func (r *recordFile) appendExtra(b []byte) []byte {
	set := false
	for _, i := range r.extra {
		if !r.p.row[i].IsNull() {
			set = true
			break
		}
	}
	if !set {
		return appendNull(b)
	}
	j := append(r.json[:0], '{')
	for k, i := range r.extra {
		if k > 0 {
			j = append(j, ',')
		}
		j = append(append(j, r.names[k]...), ':')
		j = r.p.types[i].appendJSON(j, r.p.row[i], r.fix)
	}
	r.json = append(j, '}')
	return appendJSONB(b, unsafe.String(unsafe.SliceData(r.json), len(r.json)))
}

// textOrNull is a per-file text field: NULL for "".
func textOrNull(s string) []byte {
	if s == "" {
		return appendNull(nil)
	}
	return appendText(nil, s)
}
