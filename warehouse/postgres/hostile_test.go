package postgres_test

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"

	"github.com/synctrack/synctrack/internal/badparquet"
	"github.com/synctrack/synctrack/internal/pgtest"
	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
)

// Parquet files whose metadata lies do not stop the load: a footer on which
// parquet-go panics fails alone, named, as a data error; a page header
// claiming 1 GiB uncompressed (DuckDB refuses it) reads here, parquet-go
// sizing the page by its data, or fails alone. PostgreSQL's rows are read
// by parquet-go in this process, so a panic there would end it.
func TestHostileParquetFailsAlone(t *testing.T) {
	url, dir := testbucket.Dir(t)
	started := time.Date(2026, 1, 5, 8, 1, 19, 0, time.UTC).UnixMilli()
	var rows []oddRow
	for i := range 50 {
		rows = append(rows, oddRow{Identifier: int64(i), Payload: `{"n":1}`, Message: "m", Started: started, Ended: "2026-01-05"})
	}
	writeParquet(t, dir, runDir+"records_updated.0.parquet", rows)
	good, err := os.ReadFile(filepath.Join(dir, runDir+"records_updated.0.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	bad := map[string]func([]byte) ([]byte, error){
		runDir + "records_updated.1.parquet": badparquet.NegativeChildren,
		runDir + "records_updated.2.parquet": func(b []byte) ([]byte, error) { return badparquet.HugePage(b, 1<<30) },
	}
	for key, corrupt := range bad {
		b, err := corrupt(good)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, key), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	w := open(t, pgtest.URL(t), warehouse.Options{})
	rep, err := loader.New(testbucket.Open(t, url), dir, w, loader.Options{}).Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	failed := map[string]string{}
	for _, f := range rep.Failed {
		failed[f.Key] = f.Err.Error()
		if warehouse.ClassOf(f.Err) != warehouse.Data {
			t.Errorf("%s failed with a %s error: %v", f.Key, warehouse.ClassOf(f.Err), f.Err)
		}
	}
	if !strings.Contains(failed[runDir+"records_updated.1.parquet"], "corrupt parquet") {
		t.Errorf("the footer parquet-go panics on: %q, want corrupt parquet; failed: %v", failed[runDir+"records_updated.1.parquet"], failed)
	}
	want := int64(100) // the good file, and the huge page's file read
	if failed[runDir+"records_updated.2.parquet"] != "" {
		want = 50
	}
	if len(failed) != 3-int(want/50) || rep.Rows != want {
		t.Errorf("%d rows loaded, failed %v; want %d", rep.Rows, failed, want)
	}
}

// Page headers and footers claiming gigabytes fail their file before
// parquet-go allocates by them: it sizes a page's buffers by the header's
// sizes and value count (2^31 values: 8 GiB of offsets) and the footer's
// lists by their counts (2^31 schema elements: the runtime's out of memory,
// which ends the process). The other files load, and the load allocates
// what its files hold, not what they claim.
func TestHostilePagesFailAloneInBoundedMemory(t *testing.T) {
	url, dir := testbucket.Dir(t)
	started := time.Date(2026, 1, 5, 8, 1, 19, 0, time.UTC).UnixMilli()
	var rows []oddRow
	for i := range 50 {
		rows = append(rows, oddRow{Identifier: int64(i), Payload: `{"n":1}`, Message: "m", Started: started, Ended: "2026-01-05"})
	}
	writeParquet(t, dir, runDir+"records_updated.0.parquet", rows)
	good, err := os.ReadFile(filepath.Join(dir, runDir+"records_updated.0.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	bad := map[string]func([]byte) ([]byte, error){
		"records_updated.1.parquet": func(b []byte) ([]byte, error) { return badparquet.HugeValueCount(b, 0, 1<<31-1) },
		"records_updated.2.parquet": func(b []byte) ([]byte, error) { return badparquet.HugeCompressedPage(b, 1, 1<<31-1) },
		"records_updated.3.parquet": func(b []byte) ([]byte, error) { return badparquet.HugePage(b, 1<<31-1) },
		"records_updated.4.parquet": func(b []byte) ([]byte, error) { return badparquet.HugeList(b, 1<<31-1) },
		// parquet-go's LZ4 decoder doubles its buffer until the process
		// runs out of memory on pages that are not LZ4.
		"records_updated.5.parquet": func([]byte) ([]byte, error) {
			var b bytes.Buffer
			if err := parquet.Write(&b, rows, parquet.Compression(&parquet.Snappy)); err != nil {
				return nil, err
			}
			return badparquet.Codec(b.Bytes(), 0, format.Lz4Raw)
		},
	}
	for name, corrupt := range bad {
		b, err := corrupt(good)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, runDir+name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	w := open(t, pgtest.URL(t), warehouse.Options{})
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	rep, err := loader.New(testbucket.Open(t, url), dir, w, loader.Options{}).Load(context.Background())
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if d := after.TotalAlloc - before.TotalAlloc; d > 256<<20 {
		t.Errorf("the load allocated %d MiB for files of %d bytes", d>>20, len(good))
	}
	failed := map[string]string{}
	for _, f := range rep.Failed {
		failed[strings.TrimPrefix(f.Key, runDir)] = f.Err.Error()
		if warehouse.ClassOf(f.Err) != warehouse.Data {
			t.Errorf("%s failed with a %s error: %v", f.Key, warehouse.ClassOf(f.Err), f.Err)
		}
	}
	for name := range bad {
		if !strings.Contains(failed[name], "corrupt parquet") {
			t.Errorf("%s: failed %q, want corrupt parquet", name, failed[name])
		}
	}
	if len(failed) != len(bad) || rep.Rows != 50 {
		t.Errorf("%d rows loaded, failed %v; want 50 and the %d bad files", rep.Rows, failed, len(bad))
	}
}

// nestedRow has the top-level columns PostgreSQL's reader leaves out: a
// LIST, a MAP and a struct (group). parquet-go panics on a group's Kind,
// and the records file is opened in pgconn's COPY goroutine, where a panic
// ends the process.
type nestedRow struct {
	Identifier int64             `parquet:"identifier"`
	Message    string            `parquet:"status_message"`
	Tags       []int64           `parquet:"tags,list"`
	Attrs      map[string]string `parquet:"attrs"`
	Obj        struct {
		A int64 `parquet:"a"`
	} `parquet:"obj"`
}

func TestNestedColumnsAreLeftOut(t *testing.T) {
	url, dir := testbucket.Dir(t)
	var rows []nestedRow
	for i := range 20 {
		r := nestedRow{Identifier: int64(i), Message: "m", Tags: []int64{int64(i)}, Attrs: map[string]string{"k": "v"}}
		r.Obj.A = int64(i)
		rows = append(rows, r)
	}
	writeParquet(t, dir, runDir+"records_updated.0.parquet", rows)
	w := open(t, pgtest.URL(t), warehouse.Options{})
	rep, err := loader.New(testbucket.Open(t, url), dir, w, loader.Options{}).Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Failed) != 0 || rep.Rows != 20 {
		t.Errorf("%d rows loaded, failed %v; want 20, none failed", rep.Rows, rep.Failed)
	}
}

// A leaf annotated LIST or MAP (one field of the footer) fails its file:
// parquet-go panics on its Kind, in pgconn's COPY goroutine.
func TestLeafAnnotatedListFailsAlone(t *testing.T) {
	url, dir := testbucket.Dir(t)
	rows := []nestedRow{{Identifier: 1, Message: "m"}}
	writeParquet(t, dir, runDir+"records_updated.0.parquet", rows)
	good, err := os.ReadFile(filepath.Join(dir, runDir+"records_updated.0.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	for key, lt := range map[string]format.LogicalTypeValue{"records_updated.1.parquet": &format.ListType{}, "records_updated.2.parquet": &format.MapType{}} {
		b, err := badparquet.EditFooter(good, func(m *format.FileMetaData) {
			for i := range m.Schema {
				if m.Schema[i].Name == "status_message" {
					m.Schema[i].LogicalType = format.LogicalType{Value: lt}
				}
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, runDir+key), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	w := open(t, pgtest.URL(t), warehouse.Options{})
	rep, err := loader.New(testbucket.Open(t, url), dir, w, loader.Options{}).Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	failed := map[string]string{}
	for _, f := range rep.Failed {
		failed[strings.TrimPrefix(f.Key, runDir)] = f.Err.Error()
	}
	for _, key := range []string{"records_updated.1.parquet", "records_updated.2.parquet"} {
		if !strings.Contains(failed[key], "corrupt parquet") {
			t.Errorf("%s: failed %q, want corrupt parquet", key, failed[key])
		}
	}
	if len(failed) != 2 || rep.Rows != 1 {
		t.Errorf("%d rows loaded, failed %v; want 1, two failed", rep.Rows, failed)
	}
}

// A DECIMAL scale of 2^31-1 (one field of the footer) fails its file: each
// value's text was 10^(2^31-1) to compute, a load that never ended.
func TestHugeDecimalScaleFailsAlone(t *testing.T) {
	url, dir := testbucket.Dir(t)
	writeParquet(t, dir, runDir+"records_updated.0.parquet", []nestedRow{{Identifier: 1, Message: "m"}})
	good, err := os.ReadFile(filepath.Join(dir, runDir+"records_updated.0.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := badparquet.EditFooter(good, func(m *format.FileMetaData) {
		for i := range m.Schema {
			if m.Schema[i].Name == "status_message" {
				m.Schema[i].LogicalType = format.LogicalType{Value: &format.DecimalType{Scale: 1<<31 - 1, Precision: 1<<31 - 1}}
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, runDir+"records_updated.1.parquet"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	w := open(t, pgtest.URL(t), warehouse.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rep, err := loader.New(testbucket.Open(t, url), dir, w, loader.Options{}).Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Failed) != 1 || !strings.Contains(rep.Failed[0].Err.Error(), "DECIMAL scale") || rep.Rows != 1 {
		t.Errorf("%d rows loaded, failed %v; want 1, the huge scale's file failed", rep.Rows, rep.Failed)
	}
}

// farRow has an INT64 microsecond timestamp.
type farRow struct {
	Identifier int64  `parquet:"identifier"`
	Message    string `parquet:"status_message"`
	Started    int64  `parquet:"batch_started_at,timestamp(microsecond)"`
}

// A timestamp outside PostgreSQL's range fails its file, named, however
// far out: math.MinInt64 microseconds (a sign bit flipped) wrapped around
// int64 on the way to timestamptz and was stored as 294247-01-10.
func TestFarTimestampFailsItsFile(t *testing.T) {
	url, dir := testbucket.Dir(t)
	ok := time.Date(2026, 1, 5, 8, 1, 19, 0, time.UTC).UnixMicro()
	writeParquet(t, dir, runDir+"records_updated.0.parquet", []farRow{{1, "m", ok}})
	writeParquet(t, dir, runDir+"records_updated.1.parquet", []farRow{{1, "m", ok}, {2, "m", math.MinInt64}})
	writeParquet(t, dir, runDir+"records_updated.2.parquet", []farRow{{1, "m", math.MaxInt64}})
	w := open(t, pgtest.URL(t), warehouse.Options{})
	rep, err := loader.New(testbucket.Open(t, url), dir, w, loader.Options{}).Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	failed := map[string]string{}
	for _, f := range rep.Failed {
		failed[strings.TrimPrefix(f.Key, runDir)] = f.Err.Error()
	}
	if !strings.Contains(failed["records_updated.1.parquet"], "outside PostgreSQL's timestamp range") {
		t.Errorf("MinInt64 microseconds: failed %q, want outside PostgreSQL's timestamp range", failed["records_updated.1.parquet"])
	}
	// 294247-01-10: inside the range, stored as written.
	if len(failed) != 1 || rep.Rows != 2 {
		t.Errorf("%d rows loaded, failed %v; want 2, one file failed", rep.Rows, failed)
	}
}

// Page headers holding the page's least and greatest strings, as DuckDB
// and Arrow write them: payloads of a few KiB make a header longer than
// the first bytes read of it. Every such file failed as corrupt parquet
// (found by a review); they load, payloads whole.
func TestLongPageStatisticsLoad(t *testing.T) {
	url, dir := testbucket.Dir(t)
	started := time.Date(2026, 1, 5, 8, 1, 19, 0, time.UTC).UnixMilli()
	long := `{"note":"` + strings.Repeat("x", 3000) + `"}`
	var rows []oddRow
	for i := range 20 {
		rows = append(rows, oddRow{Identifier: int64(i), Payload: long, Message: strings.Repeat("m", 40_000), Started: started, Ended: "2026-01-05"})
	}
	writeParquet(t, dir, runDir+"records_updated.0.parquet", rows, parquet.DataPageStatistics(true))
	w := open(t, pgtest.URL(t), warehouse.Options{})
	rep, err := loader.New(testbucket.Open(t, url), dir, w, loader.Options{}).Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Failed) > 0 || rep.Rows != 20 {
		t.Fatalf("%d rows loaded, failed %v; want 20, none failed", rep.Rows, rep.Failed)
	}
	q := `SELECT count(*) FROM synctrack_schema.sync_records WHERE length(record_payload::text) >= 3000 AND length(status_message) = 40000`
	if got := one(t, w, q); got != "20" {
		t.Errorf("%s rows with their payload and message whole, want 20", got)
	}
}
