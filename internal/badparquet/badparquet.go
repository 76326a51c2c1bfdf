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
	meta, start, err := footer(file)
	if err != nil {
		return nil, err
	}
	cm := &meta.RowGroups[0].Columns[0].MetaData
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
	h.UncompressedPageSize = size
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

// RenameColumn returns file with the top-level column called from renamed to
// to in its schema (a leaf: its chunks' paths are renamed too).
func RenameColumn(file []byte, from, to string) ([]byte, error) {
	meta, start, err := footer(file)
	if err != nil {
		return nil, err
	}
	found := false
	for i := range meta.Schema[1:] {
		if meta.Schema[i+1].Name == from {
			meta.Schema[i+1].Name, found = to, true
		}
	}
	if !found {
		return nil, fmt.Errorf("no column %q", from)
	}
	for i := range meta.RowGroups {
		for j := range meta.RowGroups[i].Columns {
			p := meta.RowGroups[i].Columns[j].MetaData.PathInSchema
			if len(p) > 0 && p[0] == from {
				p[0] = to
			}
		}
	}
	return withFooter(file[:start], meta)
}
