// Package badparquet makes hostile variants of a valid parquet file for
// tests: the corruptions that once crashed a load or stopped it, rebuilt
// from what they mean rather than bytes found by chance, so a change of the
// generator cannot quietly make them harmless.
package badparquet

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"
)

// NegativeChildren returns file with its root schema element claiming -4
// children: parquet-go v0.32's OpenFile panics on it (slice bounds out of
// range in its column loader).
func NegativeChildren(file []byte) ([]byte, error) {
	meta, start, err := footer(file)
	if err != nil {
		return nil, err
	}
	meta.Schema[0].NumChildren = thrift.Null[int32]{V: -4, Valid: true}
	return withFooter(file[:start], meta)
}

// HugePage returns file with the first page header of its first column
// chunk claiming size bytes uncompressed. DuckDB allocates that much before
// it reads the page: 2 GiB fails as out of memory whatever memory_limit is.
// The offsets of everything after the header move with it.
func HugePage(file []byte, size int32) ([]byte, error) {
	return EditPageHeader(file, 0, func(h *format.PageHeader) { h.UncompressedPageSize = size })
}

// HugeCompressedPage returns file with the first page header of its
// column chunk col (in the first row group) claiming size bytes
// compressed, the page's bytes left as they are: parquet-go v0.32 allocates
// that much before it reads the page.
func HugeCompressedPage(file []byte, col int, size int32) ([]byte, error) {
	return EditPageHeader(file, col, func(h *format.PageHeader) { h.CompressedPageSize = size })
}

// HugeValueCount returns file with the first page header of its column
// chunk col (in the first row group) claiming n values: parquet-go v0.32
// sizes the page's level and offset buffers by it.
func HugeValueCount(file []byte, col int, n int32) ([]byte, error) {
	return EditPageHeader(file, col, func(h *format.PageHeader) {
		switch {
		case h.DataPageHeader.Valid:
			h.DataPageHeader.V.NumValues = n
		case h.DictionaryPageHeader.Valid:
			h.DictionaryPageHeader.V.NumValues = n
		case h.DataPageHeaderV2.Valid:
			h.DataPageHeaderV2.V.NumValues = n
		}
	})
}

// EditPageHeader returns file with the first page header of column chunk
// col of its first row group (its dictionary page when it has one) changed
// by edit and written back. The offsets of everything after the header
// move with it; the page index, which would still point at the old ones, is
// dropped.
func EditPageHeader(file []byte, col int, edit func(*format.PageHeader)) ([]byte, error) {
	meta, start, err := footer(file)
	if err != nil {
		return nil, err
	}
	if len(meta.RowGroups) == 0 || col < 0 || col >= len(meta.RowGroups[0].Columns) {
		return nil, fmt.Errorf("no column chunk %d in the first row group", col)
	}
	cm := &meta.RowGroups[0].Columns[col].MetaData
	off := cm.DataPageOffset
	if cm.DictionaryPageOffset > 0 && cm.DictionaryPageOffset < off {
		off = cm.DictionaryPageOffset
	}
	r := bytes.NewReader(file[off:start])
	var h format.PageHeader
	if err := thrift.NewDecoder(new(thrift.CompactProtocol).NewReader(r)).Decode(&h); err != nil {
		return nil, fmt.Errorf("first page header: %w", err)
	}
	oldLen := int64(len(file[off:start]) - r.Len())
	edit(&h)
	hb, err := thrift.Marshal(new(thrift.CompactProtocol), &h)
	if err != nil {
		return nil, err
	}
	d := int64(len(hb)) - oldLen
	move := func(p *int64) {
		if *p > off {
			*p += d
		}
	}
	for i := range meta.RowGroups {
		rg := &meta.RowGroups[i]
		move(&rg.FileOffset)
		for j := range rg.Columns {
			c := &rg.Columns[j]
			move(&c.FileOffset)
			move(&c.MetaData.DataPageOffset)
			move(&c.MetaData.DictionaryPageOffset)
			c.OffsetIndexOffset, c.OffsetIndexLength, c.ColumnIndexOffset, c.ColumnIndexLength = 0, 0, 0, 0
		}
	}
	cm.TotalCompressedSize += d
	meta.RowGroups[0].TotalCompressedSize += d
	body := append(append(append([]byte(nil), file[:off]...), hb...), file[off+oldLen:start]...)
	return withFooter(body, meta)
}

// footer decodes file's metadata and says where it starts.
func footer(file []byte) (format.FileMetaData, int, error) {
	var meta format.FileMetaData
	if len(file) < 12 || string(file[len(file)-4:]) != "PAR1" {
		return meta, 0, fmt.Errorf("not a parquet file")
	}
	n := int(binary.LittleEndian.Uint32(file[len(file)-8:]))
	start := len(file) - 8 - n
	if start < 4 {
		return meta, 0, fmt.Errorf("footer length %d past the file's start", n)
	}
	err := thrift.Unmarshal(new(thrift.CompactProtocol), file[start:len(file)-8], &meta)
	return meta, start, err
}

// withFooter appends meta, its length and the magic to body.
func withFooter(body []byte, meta format.FileMetaData) ([]byte, error) {
	mb, err := thrift.Marshal(new(thrift.CompactProtocol), &meta)
	if err != nil {
		return nil, err
	}
	out := append(append([]byte(nil), body...), mb...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(mb)))
	return append(out, "PAR1"...), nil
}

// HugeList returns file with its footer's schema list claiming n elements
// (its elements left as they are): parquet-go v0.32 makes a slice of n
// schema elements before it decodes one, and for n near 2^31 the runtime's
// out of memory ends the process, which no recover catches.
func HugeList(file []byte, n uint32) ([]byte, error) {
	meta, start, err := footer(file)
	if err != nil {
		return nil, err
	}
	mb, err := thrift.Marshal(new(thrift.CompactProtocol), &meta)
	if err != nil {
		return nil, err
	}
	// FileMetaData opens with field 1, version (i32: 0x15, a varint), then
	// field 2, schema (a list: 0x19, its header).
	i := 0
	if len(mb) < 4 || mb[i] != 0x15 {
		return nil, fmt.Errorf("footer does not open with its version")
	}
	for i++; i < len(mb) && mb[i]&0x80 != 0; i++ {
	}
	i++
	if i+1 >= len(mb) || mb[i] != 0x19 {
		return nil, fmt.Errorf("no schema list after the version")
	}
	i++
	h, end := mb[i], i+1
	if h>>4 == 0xf {
		for ; end < len(mb) && mb[end]&0x80 != 0; end++ {
		}
		end++
	}
	hdr := binary.AppendUvarint([]byte{0xf0 | h&0x0f}, uint64(n))
	mb = append(append(append([]byte(nil), mb[:i]...), hdr...), mb[end:]...)
	out := append(append([]byte(nil), file[:start]...), mb...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(mb)))
	return append(out, "PAR1"...), nil
}

// FooterLength returns file with its trailer claiming a footer of n bytes:
// parquet-go v0.32 makes a buffer of n bytes (up to 4 GiB) before it reads
// it, whatever the file's size.
func FooterLength(file []byte, n uint32) []byte {
	out := append([]byte(nil), file...)
	if len(out) >= 8 {
		binary.LittleEndian.PutUint32(out[len(out)-8:], n)
	}
	return out
}

// HugeColumnIndex returns file with the column index of its first column
// chunk claiming n min_values (a copy of it, appended after the pages, the
// footer pointing at it): parquet-go v0.32 reading the page index (OpenFile
// without SkipPageIndex) makes a slice of n byte slices first, and for n
// near 2^31 the runtime's out of memory ends the process.
func HugeColumnIndex(file []byte, n uint32) ([]byte, error) {
	meta, start, err := footer(file)
	if err != nil {
		return nil, err
	}
	if len(meta.RowGroups) == 0 || len(meta.RowGroups[0].Columns) == 0 {
		return nil, fmt.Errorf("no column chunk")
	}
	c := &meta.RowGroups[0].Columns[0]
	if c.ColumnIndexLength <= 0 || c.ColumnIndexOffset+int64(c.ColumnIndexLength) > int64(start) {
		return nil, fmt.Errorf("no column index")
	}
	ci := file[c.ColumnIndexOffset : c.ColumnIndexOffset+int64(c.ColumnIndexLength)]
	// ColumnIndex opens with field 1, null_pages (a list of bools, one
	// byte each), then field 2, min_values (a list of binaries).
	if len(ci) < 2 || ci[0] != 0x19 || ci[1]>>4 == 0xf {
		return nil, fmt.Errorf("column index does not open with a short null_pages list")
	}
	k := 2 + int(ci[1]>>4)
	if k+1 >= len(ci) || ci[k] != 0x19 {
		return nil, fmt.Errorf("no min_values list after null_pages")
	}
	h, end := ci[k+1], k+2
	if h>>4 == 0xf {
		for ; end < len(ci) && ci[end]&0x80 != 0; end++ {
		}
		end++
	}
	nci := append(append([]byte(nil), ci[:k+1]...), binary.AppendUvarint([]byte{0xf0 | h&0x0f}, uint64(n))...)
	nci = append(nci, ci[end:]...)
	body := append([]byte(nil), file[:start]...)
	c.ColumnIndexOffset, c.ColumnIndexLength = int64(len(body)), int32(len(nci))
	return withFooter(append(body, nci...), meta)
}

// Codec returns file with the codec of column chunk col of its first row
// group rewritten to codec, its pages left as they are: one flipped bit
// turns ZSTD (6) into LZ4_RAW (7). parquet-go v0.32's LZ4 decoder doubles
// its buffer for as long as a block fails to decode, so pages that are not
// LZ4 grow it until the runtime's out of memory ends the process.
func Codec(file []byte, col int, codec format.CompressionCodec) ([]byte, error) {
	meta, start, err := footer(file)
	if err != nil {
		return nil, err
	}
	if len(meta.RowGroups) == 0 || col < 0 || col >= len(meta.RowGroups[0].Columns) {
		return nil, fmt.Errorf("no column chunk %d in the first row group", col)
	}
	meta.RowGroups[0].Columns[col].MetaData.Codec = codec
	return withFooter(file[:start], meta)
}

// EditFooter returns file with its footer changed by edit and written back
// (the pages left as they are).
func EditFooter(file []byte, edit func(*format.FileMetaData)) ([]byte, error) {
	meta, start, err := footer(file)
	if err != nil {
		return nil, err
	}
	edit(&meta)
	return withFooter(file[:start], meta)
}
