package warehouse

import (
	"bytes"
	"encoding/binary"
	"runtime"
	"testing"

	"github.com/parquet-go/parquet-go/format"

	"github.com/synctrack/synctrack/internal/badparquet"
)

// footerStart is where good's footer begins.
func footerStart(good []byte) int {
	return len(good) - 8 - int(binary.LittleEndian.Uint32(good[len(good)-8:]))
}

// openAllocates opens f with OpenParquet and says what it allocated.
func openAllocates(t *testing.T, f []byte) (uint64, error) {
	t.Helper()
	var a, b runtime.MemStats
	runtime.ReadMemStats(&a)
	_, err := OpenParquet(bytes.NewReader(f), int64(len(f)))
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc, err
}

// Every column chunk's index inside the file, but all of them the same
// 1 MiB: parquet-go would read the column indexes into one buffer of their
// summed lengths (6 GiB for this 1.5 MB file; 60 GiB, the runtime's fatal
// out of memory, for 20,000 row groups). The page index is never read.
func TestOpenParquetBoundsPageIndexSum(t *testing.T) {
	good := pagesFile(t)
	start := footerStart(good)
	meta, err := func() (m format.FileMetaData, err error) {
		_, err = badparquet.EditFooter(good, func(x *format.FileMetaData) { m = *x })
		return
	}()
	if err != nil {
		t.Fatal(err)
	}
	c0 := meta.RowGroups[0].Columns[0]
	body := append([]byte(nil), good[:start]...)
	ciOff := int64(len(body))
	body = append(body, good[c0.ColumnIndexOffset:c0.ColumnIndexOffset+int64(c0.ColumnIndexLength)]...)
	body = append(body, make([]byte, 1<<20)...)
	ciLen := int32(int64(len(body)) - ciOff)
	bad, err := badparquet.EditFooter(append(body, good[start:]...), func(m *format.FileMetaData) {
		rg := m.RowGroups[0]
		for i := range rg.Columns {
			rg.Columns[i].ColumnIndexOffset, rg.Columns[i].ColumnIndexLength = ciOff, ciLen
			rg.Columns[i].OffsetIndexOffset, rg.Columns[i].OffsetIndexLength = 0, 0
		}
		m.RowGroups = nil
		for range 2000 {
			m.RowGroups = append(m.RowGroups, rg)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := openAllocates(t, bad); err != nil || n > 64<<20 {
		t.Fatalf("%d-byte file: allocated %d MiB, %v; want it open, its page index unread", len(bad), n>>20, err)
	}
}

// The first row group with 3,000 column chunks, 3,000 more without any:
// parquet-go would make row groups × the first's columns column and offset
// indexes (1.8 GB here; 20,000 of each is the runtime's fatal out of
// memory) if it read the page index.
func TestOpenParquetBoundsPageIndexSlots(t *testing.T) {
	good := pagesFile(t)
	bad, err := badparquet.EditFooter(good, func(m *format.FileMetaData) {
		rg := m.RowGroups[0]
		c0 := rg.Columns[0]
		rg.Columns = nil
		for range 3000 {
			rg.Columns = append(rg.Columns, c0)
		}
		m.RowGroups = []format.RowGroup{rg}
		for range 3000 {
			m.RowGroups = append(m.RowGroups, format.RowGroup{})
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := openAllocates(t, bad); n > 64<<20 {
		t.Fatalf("%d-byte file: allocated %d MiB", len(bad), n>>20)
	}
}

// A bloom filter offset pointing at bytes that are not a bloom filter
// header: parquet-go decodes it unchecked, with no depth limit (8 MiB of
// nested structs is a stack overflow, fatal). OpenParquet never reads
// bloom filters, so the file opens.
func TestOpenParquetSkipsBloomFilters(t *testing.T) {
	good := pagesFile(t)
	start := footerStart(good)
	body := append([]byte(nil), good[:start]...)
	off := int64(len(body))
	body = append(body, 0x5c)
	body = append(body, bytes.Repeat([]byte{0x1c}, 4096)...)
	bad, err := badparquet.EditFooter(append(body, good[start:]...), func(m *format.FileMetaData) {
		m.RowGroups[0].Columns[0].MetaData.BloomFilterOffset = off
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := OpenParquet(bytes.NewReader(bad), int64(len(bad))); err != nil {
		t.Fatalf("OpenParquet read the bloom filter header: %.200s", err)
	}
}
