package duckdb

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/format"

	analysis "github.com/synctrack/synctrack/sql"
	"github.com/synctrack/synctrack/warehouse"
)

// The per-run counts of a batch, grouped in Go from its parquet files once
// DuckDB has inserted their rows, a goroutine per core: what
// sql.CountGroups computes over the rows the INSERT stored, without
// DuckDB's single-threaded pass over them (BENCHMARKS.md, "The counts
// grouped in Go"). Run during the INSERT instead, the grouping competed with
// DuckDB's threads and cost the load twice its own CPU. Only the types whose
// conversion insertRecordsSQL's CASTs are known to do exactly are read here:
// strings, and int64 timestamps in any unit. A file with any other type for a
// column the counts read gives errNoTally, and the batch is counted by the SQL
// pass instead. TestGoCountsMatchSQL holds the two equal.

// errNoTally says a batch's counts cannot be computed here exactly.
var errNoTally = errors.New("counts not computed in Go")

// Micros since 1970 of 0001-01-01 and 10000-01-01: a timestamp outside them
// is left to the SQL pass (DuckDB has its own rules out there).
const (
	minMicros = -62135596800_000_000
	maxMicros = 253402300800_000_000
)

// nullID is the index of NULL among a batch's strings; noFP marks a string
// not fingerprinted yet.
const (
	nullID = -1
	noFP   = -2
)

// countKey is what both counts tables group a file's rows by: the run's ids
// (indexes into batchTally.strs), the batch start (micros since 1970), the
// outcome and the fingerprint (an index into strs, nullID for a success or a
// NULL message).
type countKey struct {
	org, sync, run int32
	started        int64
	startedOK      bool
	outcome        uint8
	fp             int32
}

// runKey is a countKey's run and batch start.
type runKey struct {
	org, sync, run int32
	started        int64
	startedOK      bool
}

type countGroup struct {
	rows    int64
	ended   int64
	endedOK bool
	msg     int32 // least status_message (byte order), nullID for none
}

// batchTally is the groups of a batch's files, one map per file.
type batchTally struct {
	files  []map[countKey]*countGroup
	strs   []string // every distinct id, message and fingerprint
	arena  []byte   // where strs' bytes are
	kept   int64    // bytes of the strings interned
	index  strIndex // finds a string's index in strs
	fpOf   []int32  // a string's fingerprint when a message: an index in strs, noFP until known
	fp     analysis.Fingerprinter
	dict   parquet.Dictionary // the dictionary of the column chunk being read
	codes  []int32            // what its entries are (dictCodes)
	rowBuf rowGroupCols
	kinds  [2]uint8    // the leaf kinds of batch_started_at and batch_ended_at over the files
	src    io.ReaderAt // where to read pages from, when not the file read opened
}

// rowGroupCols are one row group's values of the counts' columns, a row each.
type rowGroupCols struct {
	outcome        []uint8
	msg            []int32
	org, sync, run []int32
	started, ended []int64
	startedOK      []bool
	endedOK        []bool
}

func (t *batchTally) intern(b []byte) (int32, error) {
	i, slot, h := t.index.find(t.strs, b)
	if i >= 0 {
		return i, nil
	}
	if !utf8.Valid(b) {
		return 0, errNoTally // DuckDB refuses it; the SQL pass says so
	}
	if t.kept += int64(len(b)); t.kept > maxTallyBytes {
		// Go's memory is outside DuckDB's memory_limit: a batch of
		// mostly distinct long messages is counted by the SQL pass.
		return 0, fmt.Errorf("%w: over %d MiB of distinct strings", errNoTally, maxTallyBytes>>20)
	}
	return t.add(t.copy(b), slot, h), nil
}

// maxTallyBytes bounds the distinct ids and messages a batch's Go grouping
// keeps (each once), and maxRowGroupRows the rows of a row group it holds
// at once (about 35 bytes each), as a file's own metadata says: beyond
// either the batch falls back to the SQL pass, inside DuckDB's
// memory_limit, rather than grow the process.
var (
	maxTallyBytes   int64 = 256 << 20
	maxRowGroupRows int64 = 4 << 20
)

// internString interns a string the batch's files did not hold (a path's
// id): not counted in kept.
func (t *batchTally) internString(s string) int32 {
	b := unsafe.Slice(unsafe.StringData(s), len(s))
	i, slot, h := t.index.find(t.strs, b)
	if i >= 0 {
		return i
	}
	return t.add(s, slot, h)
}

func (t *batchTally) add(s string, slot int, h uint64) int32 {
	i := int32(len(t.strs))
	t.strs = append(t.strs, s)
	t.fpOf = append(t.fpOf, noFP)
	t.index.add(t.strs, i, slot, h)
	return i
}

// copy copies b into the batch's arena: one allocation per 256 KiB of
// strings, not one per string (a large batch has some 150,000 messages).
func (t *batchTally) copy(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > cap(t.arena)-len(t.arena) {
		// 4 KiB first, doubling to 256 KiB: a file of 100 rows staged
		// ahead (prepare.go) keeps a few KiB, not a quarter MiB.
		t.arena = make([]byte, 0, max(4<<10, min(256<<10, 2*cap(t.arena)), len(b)))
	}
	start := len(t.arena)
	t.arena = append(t.arena, b...)
	return unsafe.String(&t.arena[start], len(b))
}

// tallyCodec says whether the grouping reads a chunk of codec with
// parquet-go: not LZ4 (Hadoop's or raw). parquet-go v0.32's LZ4 decoder
// misreads sound pages that compress less than about 3:1 (DuckDB's own
// COMPRESSION lz4 files: the decoded page is dropped when the decoder's
// buffer is not the page's, parquet-go issue #608), and on bytes that are not LZ4 doubles its buffer
// for as long as a block fails to decode (checkPages now catches those,
// the misreading it cannot). Such a batch is counted from the stored rows.
func tallyCodec(c format.CompressionCodec) bool {
	switch c {
	case format.Uncompressed, format.Snappy, format.Gzip, format.Zstd, format.Brotli:
		return true
	}
	return false
}

// newBatchTally makes a batchTally for files of rows rows in all.
func newBatchTally(rows int64) *batchTally {
	hint := int(min(rows/8, 1<<20))
	return &batchTally{index: newStrIndex(hint), strs: make([]string, 0, hint), fpOf: make([]int32, 0, hint)}
}

// tallyFiles groups the rows of files (those with a local copy) as
// CountGroups would once the INSERT of insertRecordsSQL stored them.
func tallyFiles(files []warehouse.File) (*batchTally, error) {
	// Sized for a batch whose every eighth row has a message of its own
	// (the generator's: 157,000 in 2M rows), so the map rarely grows.
	var rows int64
	for _, f := range files {
		rows += f.Rows
	}
	t := newBatchTally(rows)
	for _, f := range files {
		if err := t.addFile(f); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// addFile groups the rows of f into t, as its next file: none for an empty
// object (no local copy).
func (t *batchTally) addFile(f warehouse.File) error {
	if f.Local == "" {
		t.files = append(t.files, nil)
		return nil
	}
	g, err := t.file(f)
	if err != nil {
		return fmt.Errorf("%s: %w", f.Key, err)
	}
	t.files = append(t.files, g)
	return nil
}

// columns of a records file the counts read, as insertRecordsSQL names them.
const (
	colStatus = iota
	colMessage
	colStarted
	colEnded
	colSync
	colRun
	colOrg
	nCols
)

var countColumns = [nCols]string{"status", "status_message", "batch_started_at", "batch_ended_at",
	"sync_configuration_id", "sync_run_id", "org_id"}

// leaf is a column the counts read: its index among the file's leaves, and
// for a timestamp the micros per unit (0: nanoseconds).
type leaf struct {
	index  int
	maxDef int
	unit   int64
	kind   uint8 // for a timestamp: 1 in ms or us, 2 in ns adjusted to UTC, 4 in ns local
	ok     bool
}

func (t *batchTally) file(f warehouse.File) (map[countKey]*countGroup, error) {
	fh, err := os.Open(f.Local)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, err
	}
	pf, err := warehouse.OpenParquet(fh, st.Size())
	if err != nil {
		return nil, err
	}
	if err := checkPages(fh, st.Size(), pf); err != nil {
		return nil, err
	}
	return t.read(f, pf)
}

// checkPages checks f's page headers (warehouse.CheckPages) before
// parquet-go reads its pages: the grouping reads a file in the background,
// ahead of the INSERT that would fail a corrupt one, and parquet-go
// allocates what a page header claims (2^31 values: gigabytes, or the
// runtime's fatal out of memory). A file that fails it is counted from the
// stored rows, should DuckDB load it. About 9 µs a file of 100 rows.
func checkPages(fh *os.File, size int64, pf *parquet.File) error {
	if err := warehouse.CheckPages(fh, size, pf); err != nil {
		return fmt.Errorf("%w: %v", errNoTally, err)
	}
	return nil
}

// read groups the rows of f, open as pf.
func (t *batchTally) read(f warehouse.File, pf *parquet.File) (map[countKey]*countGroup, error) {
	leaves, err := countLeaves(pf.Schema())
	if err != nil {
		return nil, err
	}
	for k := colStarted; k <= colEnded; k++ {
		t.kinds[k-colStarted] |= leaves[k].kind
		// A batch whose files differ in a timestamp's type reads it as their
		// union's type; with nanoseconds in it, which that is and how it
		// rounds is DuckDB's own.
		if !sameStampKind(t.kinds[k-colStarted]) {
			return nil, errNoTally
		}
	}
	groups := map[uint64]*countGroup{}
	runs := map[runKey]int32{}
	var runKeys []runKey
	var last runKey
	ri := int32(-1)
	var lastGK uint64
	var lastG *countGroup
	var recent [64]struct {
		k uint64
		g *countGroup
	}
	// The path's ids, where a file has no such column or a NULL in it.
	pathOrg, pathSync, pathRun := t.internString(f.OrgID), int32(nullID), int32(nullID)
	if f.SyncID != "" {
		pathSync = t.internString(f.SyncID)
	}
	if f.RunID != "" {
		pathRun = t.internString(f.RunID)
	}
	meta := pf.Metadata().RowGroups
	for gi, rg := range pf.RowGroups() {
		if rg.NumRows() < 0 || rg.NumRows() > maxRowGroupRows {
			return nil, fmt.Errorf("%w: a row group of %d rows", errNoTally, rg.NumRows())
		}
		n := int(rg.NumRows())
		c := t.rowBuf.reset(n, pathOrg, pathSync, pathRun)
		chunks := rg.ColumnChunks()
		// The status first: a message is read only for the rows that fail.
		for _, k := range []int{colStatus, colMessage, colStarted, colEnded, colSync, colRun, colOrg} {
			l := leaves[k]
			if !l.ok {
				continue
			}
			if gi >= len(meta) || l.index >= len(meta[gi].Columns) || !tallyCodec(meta[gi].Columns[l.index].MetaData.Codec) {
				return nil, fmt.Errorf("%w: a column chunk compressed with LZ4 or an unknown codec", errNoTally)
			}
			if err := t.readColumn(chunks[l.index], l, k, c); err != nil {
				return nil, err
			}
		}
		for r := range n {
			// Rows come in runs of the same ids and start: a map lookup of
			// those only when they change, then one of a uint64.
			rk := runKey{c.org[r], c.sync[r], c.run[r], c.started[r], c.startedOK[r]}
			if ri < 0 || rk != last {
				i, ok := runs[rk]
				if !ok {
					i = int32(len(runKeys))
					runs[rk] = i
					runKeys = append(runKeys, rk)
				}
				last, ri = rk, i
			}
			outcome, msg, fp := c.outcome[r], int32(nullID), int32(nullID)
			if outcome != analysis.OutcomeSuccess && c.msg[r] != nullID {
				msg = c.msg[r]
				fp = t.fpOf[msg]
			}
			gk := uint64(ri)<<34 | uint64(outcome)<<32 | uint64(uint32(fp+1))
			g := lastG
			if gk != lastGK || g == nil {
				// A file has a few dozen groups: a small cache of them
				// answers before the map.
				e := &recent[(gk*0x9E3779B97F4A7C15)>>58]
				if g = e.g; g == nil || e.k != gk {
					if g = groups[gk]; g == nil {
						g = &countGroup{msg: nullID}
						groups[gk] = g
					}
					e.k, e.g = gk, g
				}
				lastGK, lastG = gk, g
			}
			g.rows++
			if c.endedOK[r] && (!g.endedOK || c.ended[r] > g.ended) {
				g.ended, g.endedOK = c.ended[r], true
			}
			if msg != nullID && msg != g.msg && (g.msg == nullID || t.strs[msg] < t.strs[g.msg]) {
				g.msg = msg
			}
		}
	}
	out := make(map[countKey]*countGroup, len(groups))
	for gk, g := range groups {
		rk := runKeys[gk>>34]
		out[countKey{org: rk.org, sync: rk.sync, run: rk.run, started: rk.started, startedOK: rk.startedOK,
			outcome: uint8(gk >> 32 & 3), fp: int32(uint32(gk)) - 1}] = g
	}
	return out, nil
}

func (c *rowGroupCols) reset(n int, org, sync, run int32) *rowGroupCols {
	grow := func(s []int32, v int32) []int32 {
		s = append(s[:0], make([]int32, n)...)
		for i := range s {
			s[i] = v
		}
		return s
	}
	c.outcome = append(c.outcome[:0], make([]uint8, n)...)
	for i := range c.outcome {
		c.outcome[i] = analysis.OutcomeInvalid // no status column: NULL
	}
	c.msg, c.org, c.sync, c.run = grow(c.msg, nullID), grow(c.org, org), grow(c.sync, sync), grow(c.run, run)
	c.started = append(c.started[:0], make([]int64, n)...)
	c.ended = append(c.ended[:0], make([]int64, n)...)
	c.startedOK = append(c.startedOK[:0], make([]bool, n)...)
	c.endedOK = append(c.endedOK[:0], make([]bool, n)...)
	return c
}

// countLeaves finds the counts' columns among the file's top-level fields,
// matched without regard to case as DuckDB's union_by_name matches them;
// errNoTally for a type whose CAST this file does not reproduce.
func countLeaves(s *parquet.Schema) ([nCols]leaf, error) {
	var out [nCols]leaf
	index := 0
	for _, f := range s.Fields() {
		leaves := countLeafNodes(f)
		for k, name := range countColumns {
			if warehouse.ASCIILower(f.Name()) != name {
				continue
			}
			if out[k].ok || !f.Leaf() || f.Repeated() {
				return out, errNoTally
			}
			l := leaf{index: index, ok: true}
			if f.Optional() {
				l.maxDef = 1
			}
			text, unit, adjusted := leafKind(f.Type())
			switch {
			case (k == colStarted || k == colEnded) && unit >= 0:
				l.unit, l.kind = unit, 1
				if unit == 0 && adjusted {
					l.kind = 2
				} else if unit == 0 {
					l.kind = 4
				}
			case k != colStarted && k != colEnded && text:
			default:
				return out, errNoTally
			}
			out[k] = l
		}
		index += leaves
	}
	return out, nil
}

func countLeafNodes(n parquet.Node) int {
	if n.Leaf() {
		return 1
	}
	c := 0
	for _, f := range n.Fields() {
		c += countLeafNodes(f)
	}
	return c
}

// leafKind says whether t is a string (DuckDB reads it as VARCHAR) and,
// for an int64 timestamp, its micros per unit (0 for nanoseconds, -1 for
// anything else).
func leafKind(t parquet.Type) (text bool, unit int64, adjusted bool) {
	if t.Kind() == parquet.ByteArray {
		if l := t.LogicalType(); l != nil {
			_, str := l.Value.(*format.StringType)
			return str, -1, false
		}
		if ct := t.ConvertedType(); ct != nil && *ct == deprecated.UTF8 && t.LogicalType() == nil {
			return true, -1, false
		}
		return false, -1, false
	}
	if t.Kind() != parquet.Int64 {
		return false, -1, false
	}
	if l := t.LogicalType(); l != nil {
		ts, ok := l.Value.(*format.TimestampType)
		if !ok || ts.Unit.Value == nil {
			return false, -1, false
		}
		switch ts.Unit.Value.Duration() {
		case time.Millisecond:
			return false, 1000, ts.IsAdjustedToUTC
		case time.Microsecond:
			return false, 1, ts.IsAdjustedToUTC
		case time.Nanosecond:
			return false, 0, ts.IsAdjustedToUTC
		}
		return false, -1, false
	}
	if ct := t.ConvertedType(); ct != nil && t.LogicalType() == nil {
		switch *ct {
		case deprecated.TimestampMillis:
			return false, 1000, true
		case deprecated.TimestampMicros:
			return false, 1, true
		}
	}
	return false, -1, false
}

// sameStampKind says a batch whose files' timestamp column has the leaf
// kinds k (leaf.kind, or-ed) reads it as this file does: nanoseconds only
// when every file has them, with the same UTC adjustment.
func sameStampKind(k uint8) bool { return k&6 == 0 || k == 2 || k == 4 }

// toMicros is a timestamp of unit as DuckDB's CAST to TIMESTAMPTZ stores it;
// false where this file does not know that exactly.
func toMicros(v int64, unit int64) (int64, bool) {
	switch {
	case unit == 0:
		if v < 0 && v%1000 != 0 {
			return 0, false // which way DuckDB rounds before 1970 is its own
		}
		v /= 1000
	case unit == 1000:
		if v < minMicros/1000 || v >= maxMicros/1000 {
			return 0, false
		}
		v *= 1000
	}
	return v, minMicros <= v && v < maxMicros
}

// tallyFallbacks counts the batches whose counts the SQL pass wrote, and
// tallyPrepared the files whose groups came from their staging: made by the
// background, or by the load from the footer the stager decoded (the tests
// read them).
var tallyFallbacks, tallyPrepared atomic.Int64
