package duckdb

import (
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"unicode/utf8"
	"unsafe"

	"github.com/parquet-go/parquet-go"

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

// intern returns the index in strs of the string b, adding it when new.
// b is a page's bytes or the fingerprinter's, which change: a new string is
// copied into the arena. errNoTally for bytes that are not UTF-8, or once
// the batch's distinct strings pass maxTallyBytes.
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

// add appends s to strs, not fingerprinted yet (noFP), and returns its
// index; slot and h are find's for it, s not among strs. s must not change
// as long as the batch: intern passes the arena's copy.
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

// tallyFallbacks counts the batches whose counts the SQL pass wrote, and
// tallyPrepared the files whose groups came from their staging: made by the
// background, or by the load from the footer the stager decoded (the tests
// read them).
var tallyFallbacks, tallyPrepared atomic.Int64
