package warehouse

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
	"github.com/pierrec/lz4/v4"
)

// OpenParquet is parquet.OpenFile for a file from the bucket. parquet-go
// (v0.32) panics on some corrupt footers instead of returning an error
// (slice bounds out of range in its column loader); a bucket's bytes are
// untrusted and one file must not end the process, so such a panic is the
// file's error.
//
// Worse than a panic, parquet-go allocates what a footer claims before it
// reads it: a footer length of 4 GiB, a list of 2^31 schema elements. Such
// an allocation is not a panic but the runtime's fatal "out of memory",
// which no recover catches (or, where it succeeds, gigabytes for a file of
// kilobytes). So the footer is checked first (checkFooter): its length
// fits the file and no length or count in it claims more than its bytes
// hold.
//
// Page indexes and bloom filters are never read (every caller reads rows
// or pages in order): parquet-go reads all column indexes into one buffer
// of their summed lengths and makes row groups x columns slots for them,
// neither bounded (6 GiB from a 1.5 MB file), and decodes a bloom filter's
// header from wherever the footer points with no depth limit (a few MiB of
// nested structs overflow the goroutine's stack).
func OpenParquet(r io.ReaderAt, size int64) (pf *parquet.File, err error) {
	tail, err := checkFooter(r, size)
	if err != nil {
		return nil, err
	}
	if tail != nil {
		// parquet-go reads the footer again: from memory, not the file.
		r = &inMemory{r: r, start: size - int64(len(tail)), b: tail}
	}
	defer func() {
		if p := recover(); p != nil {
			pf, err = nil, corruptParquet(p)
		}
	}()
	return parquet.OpenFile(r, size, parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
}

// ReadParquet runs read, which reads the pages or rows of a bucket's file
// with parquet-go, and returns a panic in it as an error, as OpenParquet
// does. read must do nothing else: a bug of ours would read as a bad file.
func ReadParquet(read func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = corruptParquet(p)
		}
	}()
	return read()
}

func corruptParquet(p any) error {
	return fmt.Errorf("corrupt parquet: the parquet reader stopped on it (%v)", p)
}

// checkFooter checks what parquet-go would allocate by for the footer of a
// plain (PAR1) file: its length, and the lengths and counts in its thrift;
// it returns the file's tail, footer and trailer. Anything else (no magic,
// an encrypted footer) is left to parquet-go, which reads no further
// (nil, nil).
func checkFooter(r io.ReaderAt, size int64) ([]byte, error) {
	if size < 12 {
		return nil, nil
	}
	var trailer [8]byte
	if _, err := r.ReadAt(trailer[:], size-8); err != nil && !errors.Is(err, io.EOF) {
		return nil, nil // parquet-go reads it again and says why
	}
	if string(trailer[4:]) != "PAR1" {
		return nil, nil
	}
	n := int64(binary.LittleEndian.Uint32(trailer[:4]))
	if n > size-12 {
		return nil, fmt.Errorf("corrupt parquet footer: it claims %d bytes, the file has %d", n, size)
	}
	tail := make([]byte, n+8)
	if k, _ := r.ReadAt(tail, size-8-n); int64(k) < n+8 {
		return nil, nil // parquet-go reads it again and says why
	}
	if _, err := checkThrift(tail[:n]); err != nil {
		return nil, fmt.Errorf("corrupt parquet footer: %w", err)
	}
	return tail, nil
}

func elementCost(t byte) int64 {
	if t == 12 {
		return structCost
	}
	return valueCost
}

// maxThriftElements is the most elements a thrift list, set or map in a
// parquet file's metadata may claim (Arrow's thrift_container_size_limit):
// parquet-go makes the slice whole before it decodes its elements.
const maxThriftElements = 1_000_000

// maxThriftDepth is the deepest nesting of thrift structs and containers
// checkThrift follows.
const maxThriftDepth = 64

// errThriftShort is checkThrift's error when b ends inside the struct.
var errThriftShort = errors.New("thrift struct runs past its bytes")

// checkThrift walks one compact-protocol thrift struct at the start of b, as
// parquet-go would decode it, without decoding it: every binary's length,
// and every list's, set's and map's count, must fit in the bytes left (each
// element takes at least one), a container may hold at most
// maxThriftElements, and nesting goes at most maxThriftDepth deep. It
// returns the struct's length; errThriftShort when b ends first.
func checkThrift(b []byte) (int, error) {
	c := thriftChecker{b: b}
	if err := c.value(12, 0); err != nil {
		return 0, err
	}
	if c.cost > maxDecodeBytes {
		return 0, fmt.Errorf("decoding it would take about %d MiB (at most %d)", c.cost>>20, maxDecodeBytes>>20)
	}
	return c.off, nil
}

// maxDecodeBytes bounds what decoding one thrift struct of a file's
// metadata may cost in Go memory, by checkThrift's estimate: a footer of
// 12 MB holding four million column chunks of 3 bytes each took 2.2 GiB
// (a ColumnChunk is 560 bytes in parquet-go), 120 MB of them would be the
// runtime's fatal out of memory. A file of 200 columns in 100 row groups
// is estimated at under 20 MiB.
const maxDecodeBytes = 256 << 20

// What checkThrift counts a container element as costing once decoded:
// a struct as much as parquet-go's largest (ColumnChunk), anything else a
// slice element or string header.
const (
	structCost = 600
	valueCost  = 32
)

type thriftChecker struct {
	b    []byte
	off  int
	cost int64 // estimated Go bytes to decode what was walked
}

func (c *thriftChecker) byte() (byte, error) {
	if c.off >= len(c.b) {
		return 0, errThriftShort
	}
	c.off++
	return c.b[c.off-1], nil
}

func (c *thriftChecker) uvarint() (uint64, error) {
	var v uint64
	for shift := 0; shift < 64; shift += 7 {
		x, err := c.byte()
		if err != nil {
			return 0, err
		}
		v |= uint64(x&0x7f) << shift
		if x < 0x80 {
			return v, nil
		}
	}
	return 0, errors.New("thrift varint longer than 10 bytes")
}

func (c *thriftChecker) skip(n uint64) error {
	if n > uint64(len(c.b)-c.off) {
		return errThriftShort
	}
	c.off += int(n)
	return nil
}

// count checks a container's element count against the bytes left, each
// element taking at least least bytes.
func (c *thriftChecker) count(n uint64, least int) error {
	if n > maxThriftElements {
		return fmt.Errorf("thrift container of %d elements (at most %d)", n, maxThriftElements)
	}
	if n*uint64(least) > uint64(len(c.b)-c.off) {
		return fmt.Errorf("thrift container of %d elements in %d bytes", n, len(c.b)-c.off)
	}
	return nil
}

// value skips one value of compact type t. In a container a bool is a
// byte; as a field its type is its value (handled by the caller).
func (c *thriftChecker) value(t byte, depth int) error {
	if depth > maxThriftDepth {
		return fmt.Errorf("thrift nested deeper than %d", maxThriftDepth)
	}
	switch t {
	case 1, 2, 3: // bool (in a container), i8
		return c.skip(1)
	case 4, 5, 6: // i16, i32, i64
		_, err := c.uvarint()
		return err
	case 7: // double
		return c.skip(8)
	case 8: // binary
		n, err := c.uvarint()
		if err != nil {
			return err
		}
		if n > uint64(len(c.b)-c.off) {
			return fmt.Errorf("thrift binary of %d bytes in %d", n, len(c.b)-c.off)
		}
		return c.skip(n)
	case 9, 10: // list, set
		h, err := c.byte()
		if err != nil {
			return err
		}
		n := uint64(h >> 4)
		if n == 15 {
			if n, err = c.uvarint(); err != nil {
				return err
			}
		}
		if err := c.count(n, 1); err != nil {
			return err
		}
		c.cost += int64(n) * elementCost(h&0x0f)
		for range n {
			if err := c.value(h&0x0f, depth+1); err != nil {
				return err
			}
		}
		return nil
	case 11: // map
		n, err := c.uvarint()
		if err != nil || n == 0 {
			return err
		}
		kv, err := c.byte()
		if err != nil {
			return err
		}
		if err := c.count(n, 2); err != nil {
			return err
		}
		c.cost += int64(n) * (elementCost(kv>>4) + elementCost(kv&0x0f))
		for range n {
			if err := c.value(kv>>4, depth+1); err != nil {
				return err
			}
			if err := c.value(kv&0x0f, depth+1); err != nil {
				return err
			}
		}
		return nil
	case 12: // struct
		for {
			h, err := c.byte()
			if err != nil {
				return err
			}
			if h == 0 {
				return nil
			}
			if h>>4 == 0 { // long form: the field id follows
				if _, err := c.uvarint(); err != nil {
					return err
				}
			}
			switch ft := h & 0x0f; ft {
			case 1, 2: // bool field: the type is the value
			default:
				if err := c.value(ft, depth+1); err != nil {
					return err
				}
			}
		}
	}
	return fmt.Errorf("thrift type %d", t)
}

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

// decodePageHeader sets the fields of h that CheckPages checks (the sizes,
// and the value, null and row counts, level lengths and is_compressed of a
// data, data v2 or dictionary page header) from b, one compact-protocol
// struct checkThrift accepted. parquet-go's decoder, by reflection, was most
// of the check's time; parquet-go decodes the header again, whole, when it
// reads the page. A field of the wrong type is an error.
func decodePageHeader(b []byte, h *format.PageHeader) error {
	*h = format.PageHeader{}
	c := thriftChecker{b: b}
	i32 := func(t byte, p *int32) error {
		if t != 5 {
			return fmt.Errorf("page header: an i32 field of thrift type %d", t)
		}
		u, err := c.uvarint()
		if err != nil {
			return err
		}
		if u > 0xFFFFFFFF {
			return errors.New("page header: an i32 field past 32 bits")
		}
		*p = int32(uint32(u>>1) ^ -uint32(u&1))
		return nil
	}
	inner := func(t byte, read func(id int16, t byte) (bool, error)) error {
		if t != 12 {
			return fmt.Errorf("page header: a struct field of thrift type %d", t)
		}
		return c.fields(read)
	}
	return c.fields(func(id int16, t byte) (bool, error) {
		switch id {
		case 2:
			return true, i32(t, &h.UncompressedPageSize)
		case 3:
			return true, i32(t, &h.CompressedPageSize)
		case 5:
			h.DataPageHeader.Valid = true
			return true, inner(t, func(id int16, t byte) (bool, error) {
				if id == 1 {
					return true, i32(t, &h.DataPageHeader.V.NumValues)
				}
				return false, nil
			})
		case 7:
			h.DictionaryPageHeader.Valid = true
			return true, inner(t, func(id int16, t byte) (bool, error) {
				if id == 1 {
					return true, i32(t, &h.DictionaryPageHeader.V.NumValues)
				}
				return false, nil
			})
		case 8:
			h.DataPageHeaderV2.Valid = true
			v2 := &h.DataPageHeaderV2.V
			return true, inner(t, func(id int16, t byte) (bool, error) {
				switch id {
				case 1:
					return true, i32(t, &v2.NumValues)
				case 2:
					return true, i32(t, &v2.NumNulls)
				case 3:
					return true, i32(t, &v2.NumRows)
				case 5:
					return true, i32(t, &v2.DefinitionLevelsByteLength)
				case 6:
					return true, i32(t, &v2.RepetitionLevelsByteLength)
				case 7:
					if t != 1 && t != 2 {
						return true, fmt.Errorf("page header: is_compressed of thrift type %d", t)
					}
					v2.IsCompressed.Valid, v2.IsCompressed.V = true, t == 1
					return true, nil
				}
				return false, nil
			})
		}
		return false, nil
	})
}

// fields walks the fields of the struct at c.off (compact protocol: a
// header byte of id delta and type, or a zero delta and the id after it;
// a zero byte ends it), giving read each field's id and type; a field read
// does not take is skipped.
func (c *thriftChecker) fields(read func(id int16, t byte) (bool, error)) error {
	var last int16
	for {
		hb, err := c.byte()
		if err != nil {
			return err
		}
		if hb == 0 {
			return nil
		}
		id := last + int16(hb>>4)
		if hb>>4 == 0 {
			u, err := c.uvarint()
			if err != nil {
				return err
			}
			id = int16(uint16(u>>1) ^ -uint16(u&1))
		}
		last = id
		t := hb & 0x0f
		took, err := read(id, t)
		if err != nil {
			return err
		}
		if took || t == 1 || t == 2 { // a bool field's value is its type
			continue
		}
		if err := c.value(t, 1); err != nil {
			return err
		}
	}
}

// CheckColumnName refuses the name of a file's column i (from 0) that no
// engine can select it by: empty, with a NUL byte, or not UTF-8. The SQL
// would quote it as another name, or as "", and fail for a reason that is
// not the file's to the engine (a parser error stops a load).
func CheckColumnName(i int, name string) error {
	if name == "" || strings.ContainsRune(name, 0) || !utf8.ValidString(name) {
		return fmt.Errorf("column %d has a name no warehouse can select it by (%q: empty, a NUL byte, or not UTF-8)", i+1, name)
	}
	return nil
}
