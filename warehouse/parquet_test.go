package warehouse

import (
	"bytes"
	"encoding/binary"
	"runtime"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"

	"github.com/synctrack/synctrack/internal/badparquet"
)

func TestReadParquetTurnsPanicsIntoErrors(t *testing.T) {
	err := ReadParquet(func() error {
		var s []int
		_ = s[:-len("four")+len(s)] // what parquet-go v0.32 does on one corrupt footer
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "corrupt parquet") || !strings.Contains(err.Error(), "slice bounds") {
		t.Fatalf("got %v, want a corrupt parquet error naming the panic", err)
	}
	if err := ReadParquet(func() error { return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenParquet(bytes.NewReader([]byte("PAR1 not parquet PAR1")), 21); err == nil {
		t.Fatal("want an error for a file that is not parquet")
	}
}

type pageRow struct {
	ID     int64   `parquet:"id"`
	Status string  `parquet:"status,dict"`
	Note   *string `parquet:"note,optional"`
}

func pagesFile(t *testing.T, opts ...parquet.WriterOption) []byte {
	t.Helper()
	var rows []pageRow
	for i := range 500 {
		rows = append(rows, pageRow{ID: int64(i), Status: []string{"ok", "failed"}[i%2]})
	}
	var b bytes.Buffer
	if err := parquet.Write(&b, rows, opts...); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// A footer whose lengths or counts claim more than the file holds is an
// error before parquet-go sees it: it would allocate what they claim, and
// for a list of 2^31 schema elements the runtime's out of memory ends the
// process (no recover catches it).
func TestOpenParquetChecksFooterClaims(t *testing.T) {
	good := pagesFile(t)
	if _, err := OpenParquet(bytes.NewReader(good), int64(len(good))); err != nil {
		t.Fatal(err)
	}
	list, err := badparquet.HugeList(good, 1<<31-1)
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{
		"schema list of 2^31-1": list,
		"footer of 4 GiB":       badparquet.FooterLength(good, 1<<32-16),
	} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := OpenParquet(bytes.NewReader(b), int64(len(b)))
		runtime.ReadMemStats(&after)
		if err == nil || !strings.Contains(err.Error(), "corrupt parquet footer") {
			t.Errorf("%s: %v, want a corrupt parquet footer error", name, err)
		}
		if d := after.TotalAlloc - before.TotalAlloc; d > 64<<20 {
			t.Errorf("%s: %d MiB allocated", name, d>>20)
		}
	}
}

// A page header claiming more bytes or values than its column chunk holds
// fails CheckPages, before parquet-go allocates by it.
func TestCheckPagesRefusesHugePageHeaders(t *testing.T) {
	good := pagesFile(t)
	open := func(b []byte) error {
		pf, err := OpenParquet(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return err
		}
		return CheckPages(bytes.NewReader(b), int64(len(b)), pf)
	}
	if err := open(good); err != nil {
		t.Fatalf("a valid file: %v", err)
	}
	bad := map[string]func() ([]byte, error){
		"uncompressed 1 GiB":      func() ([]byte, error) { return badparquet.HugePage(good, 1<<30) },
		"uncompressed 300 MiB":    func() ([]byte, error) { return badparquet.HugePage(good, 300<<20) },
		"compressed 2 GiB":        func() ([]byte, error) { return badparquet.HugeCompressedPage(good, 0, 1<<31-1) },
		"compressed, dictionary":  func() ([]byte, error) { return badparquet.HugeCompressedPage(good, 1, 1<<30) },
		"2^31-1 values":           func() ([]byte, error) { return badparquet.HugeValueCount(good, 0, 1<<31-1) },
		"2^30 dictionary values":  func() ([]byte, error) { return badparquet.HugeValueCount(good, 1, 1<<30) },
		"2^24+1 values, optional": func() ([]byte, error) { return badparquet.HugeValueCount(good, 2, 1<<24+1) },
		// parquet-go's LZ4 decoder would double its buffer until the
		// process ran out of memory.
		"codec LZ4_RAW, pages SNAPPY": func() ([]byte, error) {
			return badparquet.Codec(pagesFile(t, parquet.Compression(&parquet.Snappy)), 0, format.Lz4Raw)
		},
	}
	for name, corrupt := range bad {
		b, err := corrupt()
		if err != nil {
			t.Fatal(err)
		}
		if err := open(b); err == nil || !strings.Contains(err.Error(), "corrupt parquet") {
			t.Errorf("%s: %v, want a corrupt parquet error", name, err)
		}
	}
}

// A column index claiming 2^31 values: the page index is never read, so
// the file opens and nothing is allocated by the claim.
func TestOpenParquetSkipsThePageIndex(t *testing.T) {
	bad, err := badparquet.HugeColumnIndex(pagesFile(t), 1<<31-1)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := openAllocates(t, bad); err != nil || n > 64<<20 {
		t.Errorf("allocated %d MiB, %v; want the file open, its page index unread", n>>20, err)
	}
}

func TestCheckColumnName(t *testing.T) {
	for name, ok := range map[string]bool{"status": true, "naïve_ünïcode": true, `x"); DROP TABLE t; --`: true,
		"": false, "a\x00b": false, "ba\xd1ch": false} {
		if err := CheckColumnName(2, name); (err == nil) != ok {
			t.Errorf("%q: %v, want ok=%v", name, err, ok)
		} else if err != nil && !strings.Contains(err.Error(), "column 3") {
			t.Errorf("%q: %v does not say which column", name, err)
		}
	}
}

// decodePageHeader reads what parquet-go's own decoder reads, for every page
// of files written every way parquet-go writes them (codecs, data page v1
// and v2, dictionaries, NULLs, many pages a chunk), and for every header
// with one byte changed that both accept; where it refuses one parquet-go's
// decoder takes, it is only ever for a field of the wrong type.
func TestDecodePageHeaderMatchesThrift(t *testing.T) {
	type row struct {
		ID     int64   `parquet:"id"`
		Status string  `parquet:"status,dict"`
		Note   *string `parquet:"note,optional"`
		Msg    string  `parquet:"msg"`
	}
	var rows []row
	for i := range 3000 {
		r := row{ID: int64(i), Status: []string{"ok", "failed", "invalid"}[i%3], Msg: strings.Repeat("m", i%50)}
		if i%4 == 0 {
			s := "n"
			r.Note = &s
		}
		rows = append(rows, r)
	}
	pages := 0
	for _, codec := range []parquet.WriterOption{parquet.Compression(&parquet.Snappy), parquet.Compression(&parquet.Zstd),
		parquet.Compression(&parquet.Gzip), parquet.Compression(&parquet.Uncompressed), parquet.Compression(&parquet.Lz4Raw)} {
		for _, v := range []int{1, 2} {
			var b bytes.Buffer
			if err := parquet.Write(&b, rows, codec, parquet.DataPageVersion(v), parquet.PageBufferSize(2048)); err != nil {
				t.Fatal(err)
			}
			file := b.Bytes()
			pf, err := OpenParquet(bytes.NewReader(file), int64(len(file)))
			if err != nil {
				t.Fatal(err)
			}
			if err := CheckPages(bytes.NewReader(file), int64(len(file)), pf); err != nil {
				t.Fatalf("v%d: a valid file: %v", v, err)
			}
			for _, rg := range pf.Metadata().RowGroups {
				for _, cc := range rg.Columns {
					m := cc.MetaData
					for off := chunkStart(&m); off < chunkStart(&m)+m.TotalCompressedSize; {
						n, err := checkThrift(file[off:])
						if err != nil {
							t.Fatal(err)
						}
						hb := file[off : off+int64(n)]
						var want, got format.PageHeader
						if err := thrift.Unmarshal(new(thrift.CompactProtocol), hb, &want); err != nil {
							t.Fatal(err)
						}
						if err := decodePageHeader(hb, &got); err != nil {
							t.Fatalf("v%d page at %d: %v", v, off, err)
						}
						if checked(got) != checked(want) {
							t.Fatalf("v%d page at %d:\n got  %+v\n want %+v", v, off, checked(got), checked(want))
						}
						pages++
						// Each byte of the header changed: where both decode,
						// the same fields.
						for i := range hb {
							for _, x := range []byte{0x01, 0x10, 0x80, 0xff} {
								mut := append([]byte(nil), hb...)
								mut[i] ^= x
								k, err := checkThrift(mut)
								if err != nil {
									continue
								}
								var w, g format.PageHeader
								if thrift.Unmarshal(new(thrift.CompactProtocol), mut[:k], &w) != nil {
									continue
								}
								if err := decodePageHeader(mut[:k], &g); err != nil {
									if !strings.Contains(err.Error(), "thrift type") && !strings.Contains(err.Error(), "past 32 bits") {
										t.Fatalf("a header parquet-go decodes (%x): %v", mut[:k], err)
									}
									continue
								}
								if checked(g) != checked(w) {
									t.Fatalf("header %x:\n got  %+v\n want %+v", mut[:k], checked(g), checked(w))
								}
							}
						}
						off += int64(n) + int64(want.CompressedPageSize)
					}
				}
			}
		}
	}
	if pages < 100 {
		t.Fatalf("premise: %d pages", pages)
	}
}

// pageFields are the fields of a page header CheckPages checks.
type pageFields struct {
	Uncompressed, Compressed     int32
	Data, Dict, V2               bool
	Values, DictValues, V2Values int32
	Nulls, Rows, DefLen, RepLen  int32
	Compressed2Set, Compressed2  bool
}

func checked(h format.PageHeader) pageFields {
	v2 := h.DataPageHeaderV2.V
	return pageFields{h.UncompressedPageSize, h.CompressedPageSize,
		h.DataPageHeader.Valid, h.DictionaryPageHeader.Valid, h.DataPageHeaderV2.Valid,
		h.DataPageHeader.V.NumValues, h.DictionaryPageHeader.V.NumValues, v2.NumValues,
		v2.NumNulls, v2.NumRows, v2.DefinitionLevelsByteLength, v2.RepetitionLevelsByteLength,
		v2.IsCompressed.Valid, v2.IsCompressed.V}
}

// A footer of many tiny structs (a ColumnChunk of 3 bytes is 560 in Go) is
// refused by what decoding it would cost, before parquet-go allocates it:
// 12 MB of them took 2.2 GiB, 120 MB would end the process.
func TestOpenParquetBoundsFooterDecodeCost(t *testing.T) {
	const chunks = 500_000
	footer := []byte{0x49, 0x1c} // row_groups: a list of one struct
	footer = append(footer, 0x19, 0xfc)
	footer = binary.AppendUvarint(footer, chunks) // columns: a list of structs
	for range chunks {
		footer = append(footer, 0x26, 0x00, 0x00) // {file_offset: 0}
	}
	footer = append(footer, 0x00, 0x00) // end of the row group, of the metadata
	file := append([]byte("PAR1"), footer...)
	file = binary.LittleEndian.AppendUint32(file, uint32(len(footer)))
	file = append(file, "PAR1"...)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := OpenParquet(bytes.NewReader(file), int64(len(file)))
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "decoding it would take") {
		t.Errorf("%v, want the footer refused for its decoding cost", err)
	}
	if d := after.TotalAlloc - before.TotalAlloc; d > 64<<20 {
		t.Errorf("%d MiB allocated", d>>20)
	}
	// The estimate of a real file's footer is far under the bound.
	good := pagesFile(t)
	c := thriftChecker{b: good[len(good)-8-int(binary.LittleEndian.Uint32(good[len(good)-8:])) : len(good)-8]}
	if err := c.value(12, 0); err != nil || c.cost > 1<<20 {
		t.Errorf("a small file's footer estimated at %d bytes (%v)", c.cost, err)
	}
}

// A page header may hold the page's least and greatest values (DuckDB and
// Arrow write them): strings of a few KiB make a header longer than the
// first bytes read of it, which must then be read whole, not refused
// (found by a review: every file with a 2 KB payload failed on
// PostgreSQL as corrupt parquet).
func TestCheckPagesReadsLongHeaders(t *testing.T) {
	type row struct {
		ID      int64  `parquet:"id"`
		Payload string `parquet:"payload"`
	}
	for _, size := range []int{1000, 2000, 5000, 100_000} {
		rows := []row{{1, strings.Repeat("a", size)}, {2, strings.Repeat("z", size)}}
		var b bytes.Buffer
		if err := parquet.Write(&b, rows, parquet.DataPageStatistics(true)); err != nil {
			t.Fatal(err)
		}
		file := b.Bytes()
		pf, err := OpenParquet(bytes.NewReader(file), int64(len(file)))
		if err != nil {
			t.Fatal(err)
		}
		if err := CheckPages(bytes.NewReader(file), int64(len(file)), pf); err != nil {
			t.Errorf("strings of %d bytes in the page statistics: %v", size, err)
		}
	}
}
