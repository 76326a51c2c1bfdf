package duckdb

import (
	"fmt"
	"os"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"

	analysis "github.com/synctrack/synctrack/sql"
	"github.com/synctrack/synctrack/warehouse"
)

// file groups the rows of f's local copy (read), once its page headers pass
// checkPages; any error, the file's own or errNoTally, sends the batch to
// the SQL pass.
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

// read groups the rows of f, open as pf.
func (t *batchTally) read(f warehouse.File, pf *parquet.File) (map[countKey]*countGroup, error) {
	leaves, err := t.fileLeaves(pf)
	if err != nil {
		return nil, err
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
	for gi, rg := range pf.RowGroups() {
		if rg.NumRows() < 0 || rg.NumRows() > maxRowGroupRows {
			return nil, fmt.Errorf("%w: a row group of %d rows", errNoTally, rg.NumRows())
		}
		n := int(rg.NumRows())
		c := t.rowBuf.reset(n, pathOrg, pathSync, pathRun)
		if err := t.readColumns(pf, gi, rg, leaves, c); err != nil {
			return nil, err
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

// fileLeaves finds the counts' columns of pf (countLeaves) and adds the
// kinds of its timestamps to the batch's.
func (t *batchTally) fileLeaves(pf *parquet.File) ([nCols]leaf, error) {
	leaves, err := countLeaves(pf.Schema())
	if err != nil {
		return leaves, err
	}
	for k := colStarted; k <= colEnded; k++ {
		t.kinds[k-colStarted] |= leaves[k].kind
		// A batch whose files differ in a timestamp's type reads it as their
		// union's type; with nanoseconds in it, which that is and how it
		// rounds is DuckDB's own.
		if !sameStampKind(t.kinds[k-colStarted]) {
			return leaves, errNoTally
		}
	}
	return leaves, nil
}

// readColumns reads the counts' columns of rg, row group gi of pf, into c.
func (t *batchTally) readColumns(pf *parquet.File, gi int, rg parquet.RowGroup, leaves [nCols]leaf, c *rowGroupCols) error {
	meta := pf.Metadata().RowGroups
	chunks := rg.ColumnChunks()
	// The status first: a message is read only for the rows that fail.
	for _, k := range []int{colStatus, colMessage, colStarted, colEnded, colSync, colRun, colOrg} {
		l := leaves[k]
		if !l.ok {
			continue
		}
		if gi >= len(meta) || l.index >= len(meta[gi].Columns) || !tallyCodec(meta[gi].Columns[l.index].MetaData.Codec) {
			return fmt.Errorf("%w: a column chunk compressed with LZ4 or an unknown codec", errNoTally)
		}
		if err := t.readColumn(chunks[l.index], l, k, c); err != nil {
			return err
		}
	}
	return nil
}

// reset makes c a row group's n rows, each as a row reads without the
// columns: no outcome (OutcomeInvalid), no message, NULL timestamps, and the
// path's ids org, sync and run. c's slices are reused: one buffer a tally.
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
