package warehouse

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
	"github.com/pierrec/lz4/v4"
)

// The most a page header of a bucket's file may claim. parquet-go v0.32
// allocates by a page header's sizes and value count before it reads the
// page: a header rewritten to claim 2 GiB (or 2^31 values, 8 GiB of
// offsets) costs that much memory for a file of kilobytes, or, where the
// allocation fails, ends the process. Writers cut pages at about 1 MiB and
// 20,000 rows; these are far above any page a writer makes.
const (
	MaxPageBytes  = 256 << 20 // compressed or uncompressed
	MaxPageValues = 1 << 24
)

// CheckPages reads the header of every page of pf (r, size: its bytes) and
// fails on one parquet-go must not be given: a header that does not decode
// or claims more than its bytes hold, a page past its column chunk or the
// file, a page larger uncompressed than its whole chunk (or MaxPageBytes),
// a page with more values than its chunk (or MaxPageValues). Call it
// after OpenParquet, before reading rows or pages; it reads only the
// headers.
func CheckPages(r io.ReaderAt, size int64, pf *parquet.File) error {
	pc := pageCheckers.Get().(*pageChecker)
	defer func() {
		pc.whole.r, pc.chunk.r = nil, nil // not keep the file reachable
		pageCheckers.Put(pc)
	}()
	buf, whole, chunk := &pc.buf, &pc.whole, &pc.chunk
	// A small file is read whole, once, a small chunk of a larger one the
	// same: its headers then cost no system call each (most of this
	// check's time on 100-row files).
	if size <= smallChunk && whole.load(r, 0, size) {
		r = whole
	}
	for g, rg := range pf.Metadata().RowGroups {
		for ci := range rg.Columns {
			cc := &rg.Columns[ci]
			cr := r
			if m := &cc.MetaData; r != whole && m.TotalCompressedSize > 0 && m.TotalCompressedSize <= smallChunk {
				if chunk.load(r, chunkStart(m), m.TotalCompressedSize) {
					cr = chunk
				}
			}
			if err := checkChunk(cr, size, &cc.MetaData, buf, &pc.h); err != nil {
				return fmt.Errorf("corrupt parquet: row group %d, column %q: %w", g, strings.Join(cc.MetaData.PathInSchema, "."), err)
			}
		}
	}
	return nil
}

// pageChecker is what CheckPages reuses from one file to the next.
type pageChecker struct {
	buf          []byte
	whole, chunk inMemory
	h            format.PageHeader
}

var pageCheckers = sync.Pool{New: func() any { return new(pageChecker) }}

// smallChunk is the largest file or column chunk CheckPages reads whole.
const smallChunk = 1 << 20

// chunkStart is where a column chunk's first page begins.
func chunkStart(m *format.ColumnMetaData) int64 {
	start := m.DataPageOffset
	if m.DictionaryPageOffset > 0 && m.DictionaryPageOffset < start {
		start = m.DictionaryPageOffset
	}
	return start
}

// inMemory is a column chunk's bytes read once: reads inside them are
// served from memory, others from the file.
type inMemory struct {
	r     io.ReaderAt
	start int64
	b     []byte
}

// load reads n bytes at start of r; false if they do not read whole (the
// check then reads the file as it goes, and says what is wrong).
func (c *inMemory) load(r io.ReaderAt, start, n int64) bool {
	if start < 0 {
		return false
	}
	if int64(cap(c.b)) < n {
		c.b = make([]byte, n)
	}
	c.r, c.start, c.b = r, start, c.b[:n]
	k, _ := r.ReadAt(c.b, start)
	return int64(k) == n
}

func (c *inMemory) ReadAt(p []byte, off int64) (int, error) {
	if off >= c.start && off+int64(len(p)) <= c.start+int64(len(c.b)) {
		return copy(p, c.b[off-c.start:]), nil
	}
	return c.r.ReadAt(p, off)
}

func checkChunk(r io.ReaderAt, size int64, m *format.ColumnMetaData, buf *[]byte, h *format.PageHeader) error {
	start := chunkStart(m)
	end := start + m.TotalCompressedSize
	if start < 4 || m.TotalCompressedSize < 0 || end > size-8 || end < start {
		return fmt.Errorf("chunk at %d of %d bytes, outside the file's %d", start, m.TotalCompressedSize, size)
	}
	for off := start; off < end; {
		n, err := readPageHeader(r, off, end, buf, h)
		if err != nil {
			return fmt.Errorf("page header at %d: %w", off, err)
		}
		off += int64(n)
		switch {
		case h.CompressedPageSize < 0 || int64(h.CompressedPageSize) > end-off:
			return fmt.Errorf("page at %d claims %d bytes, its chunk has %d left", off, h.CompressedPageSize, end-off)
		case h.UncompressedPageSize < 0 || h.UncompressedPageSize > MaxPageBytes ||
			int64(h.UncompressedPageSize) > max(m.TotalUncompressedSize, m.TotalCompressedSize):
			return fmt.Errorf("page at %d claims %d bytes uncompressed, its chunk %d (at most %d)",
				off, h.UncompressedPageSize, m.TotalUncompressedSize, MaxPageBytes)
		}
		var nv int32
		switch {
		case h.DataPageHeader.Valid:
			nv = h.DataPageHeader.V.NumValues
		case h.DataPageHeaderV2.Valid:
			nv = h.DataPageHeaderV2.V.NumValues
			v2 := &h.DataPageHeaderV2.V
			if v2.NumNulls < 0 || v2.NumRows < 0 || v2.NumNulls > nv || v2.NumRows > nv ||
				v2.RepetitionLevelsByteLength < 0 || v2.DefinitionLevelsByteLength < 0 ||
				int64(v2.RepetitionLevelsByteLength)+int64(v2.DefinitionLevelsByteLength) > int64(h.CompressedPageSize) {
				return fmt.Errorf("page at %d: data page v2 header out of range", off)
			}
		case h.DictionaryPageHeader.Valid:
			if d := h.DictionaryPageHeader.V.NumValues; d < 0 || d > MaxPageValues {
				return fmt.Errorf("dictionary page at %d claims %d values (at most %d)", off, d, MaxPageValues)
			}
		}
		if nv < 0 || nv > MaxPageValues || int64(nv) > m.NumValues {
			return fmt.Errorf("page at %d claims %d values, its chunk %d (at most %d a page)", off, nv, m.NumValues, MaxPageValues)
		}
		if err := checkPageData(r, off, h, m.Codec, buf); err != nil {
			return fmt.Errorf("page at %d: %w", off, err)
		}
		off += int64(h.CompressedPageSize)
	}
	return nil
}

// checkPageData checks the compressed bytes of the page at off, for the
// codecs whose decoders parquet-go v0.32 lets allocate without bound:
// SNAPPY makes the buffer its block's length prefix claims (up to 4 GiB),
// so that must not exceed the page's uncompressed size; LZ4_RAW doubles its
// buffer for as long as the block fails to decode (forever on bytes that are
// not LZ4: a ZSTD chunk whose codec had one bit flipped), so the block is
// decoded here once, into the page's uncompressed size.
func checkPageData(r io.ReaderAt, off int64, h *format.PageHeader, codec format.CompressionCodec, buf *[]byte) error {
	if codec != format.Snappy && codec != format.Lz4Raw {
		return nil
	}
	n, size := int64(h.CompressedPageSize), int64(h.UncompressedPageSize)
	if v2 := &h.DataPageHeaderV2; v2.Valid {
		if v2.V.IsCompressed.Valid && !v2.V.IsCompressed.V {
			return nil
		}
		levels := int64(v2.V.RepetitionLevelsByteLength) + int64(v2.V.DefinitionLevelsByteLength)
		off, n, size = off+levels, n-levels, size-levels
	}
	if n <= 0 {
		return nil
	}
	if codec == format.Snappy {
		var b [binary.MaxVarintLen64]byte
		k, _ := r.ReadAt(b[:min(n, int64(len(b)))], off)
		claim, m := binary.Uvarint(b[:k])
		if m <= 0 {
			return errors.New("snappy block without a length")
		}
		if claim > uint64(size) {
			return fmt.Errorf("snappy block claims %d bytes, the page %d", claim, size)
		}
		return nil
	}
	if int64(cap(*buf)) < n+size {
		*buf = make([]byte, n+size)
	}
	src, dst := (*buf)[:n], (*buf)[n:n+size]
	if k, _ := r.ReadAt(src, off); int64(k) < n {
		return io.ErrUnexpectedEOF
	}
	if _, err := lz4.UncompressBlock(src, dst); err != nil {
		return fmt.Errorf("not an LZ4 block of at most %d bytes: %w", size, err)
	}
	return nil
}

// readPageHeader decodes the page header at off, which must end by end: it
// reads a few KiB, more when the header is longer, and checks the thrift
// before decoding it.
func readPageHeader(r io.ReaderAt, off, end int64, buf *[]byte, h *format.PageHeader) (int, error) {
	for want := int64(4 << 10); ; want *= 4 {
		w := min(want, end-off)
		var b []byte
		if m, ok := r.(*inMemory); ok && off >= m.start && off+w <= m.start+int64(len(m.b)) {
			b = m.b[off-m.start : off-m.start+w] // read already: no copy
		} else {
			if int64(cap(*buf)) < w {
				*buf = make([]byte, w)
			}
			b = (*buf)[:w]
			if k, err := r.ReadAt(b, off); int64(k) < w {
				if err == nil {
					err = io.ErrUnexpectedEOF
				}
				return 0, err
			}
		}
		n, err := checkThrift(b)
		if errors.Is(err, errThriftShort) && w < end-off && want < MaxPageBytes {
			continue
		}
		if err != nil {
			return 0, err
		}
		if err := decodePageHeader(b[:n], h); err != nil {
			return 0, err
		}
		return n, nil
	}
}
