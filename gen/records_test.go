package gen

import (
	"bytes"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
)

func sampleRecords(n int, salt string) []Record {
	st, msg := StatusRejected, "Record 0035g00000XyZ12AAA not found"
	start := time.Date(2026, 1, 5, 8, 0, 0, 123456000, time.UTC)
	recs := make([]Record, n)
	for i := range recs {
		recs[i] = Record{Identifier: fmt.Sprint(1000 + i), Payload: `{"email":"` + salt + `@example.com"}`,
			Operation: "upsert", Started: start, Ended: start.Add(time.Second),
			SyncConfigurationID: "52340", SyncRunID: "8812001", RetryCount: int64(i)}
		if i%2 == 1 {
			recs[i].Status, recs[i].StatusMessage = &st, &msg
		}
	}
	return recs
}

func allShapes() []Shape {
	var shapes []Shape
	for bits := range 32 {
		shapes = append(shapes, Shape{Legacy: bits&1 != 0, IntIdentifier: bits&2 != 0,
			Millis: bits&4 != 0, LocalTime: bits&8 != 0, ExtraColumn: bits&16 != 0})
	}
	return shapes
}

func TestWriteRecordsShapes(t *testing.T) {
	recs := sampleRecords(3, "a")
	for _, s := range allShapes() {
		t.Run(fmt.Sprintf("%+v", s), func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteRecords(&buf, recs, s); err != nil {
				t.Fatal(err)
			}
			p := readParquet(t, buf.Bytes())
			var cols []string
			for _, c := range p.schema.Columns() {
				cols = append(cols, c[0])
			}
			if !slices.Equal(cols, s.Columns()) {
				t.Fatalf("columns %v, want %v", cols, s.Columns())
			}
			for _, col := range []string{"batch_started_at", "batch_ended_at"} {
				ts := p.timestampType(col)
				if ts == nil {
					t.Fatalf("%s is not a TIMESTAMP", col)
				}
				unit := ts.Unit.Value.String()
				if want := map[bool]string{true: "MILLIS", false: "MICROS"}[s.Millis]; unit != want {
					t.Errorf("%s unit %s, want %s", col, unit, want)
				}
				if ts.IsAdjustedToUTC == s.LocalTime {
					t.Errorf("%s isAdjustedToUTC=%v for LocalTime=%v", col, ts.IsAdjustedToUTC, s.LocalTime)
				}
			}
			c, _ := p.schema.Lookup("identifier")
			if k := c.Node.Type().Kind(); (k == parquet.Int64) != s.IntIdentifier {
				t.Errorf("identifier kind %v for IntIdentifier=%v", k, s.IntIdentifier)
			}
			want := recs[0].Started.UnixMicro()
			if s.Millis {
				want = recs[0].Started.UnixMilli()
			}
			for i, r := range p.rows {
				if r["batch_started_at"] != want {
					t.Errorf("row %d: batch_started_at %v, want %v", i, r["batch_started_at"], want)
				}
				if got := identString(r["identifier"]); got != recs[i].Identifier {
					t.Errorf("row %d: identifier %q, want %q", i, got, recs[i].Identifier)
				}
				if (r["status"] == nil) != (recs[i].Status == nil) || (r["status_message"] == nil) != (recs[i].StatusMessage == nil) {
					t.Errorf("row %d: status %v / %v, want nulls as written", i, r["status"], r["status_message"])
				}
				if s.ExtraColumn && r["retry_count"] != recs[i].RetryCount {
					t.Errorf("row %d: retry_count %v", i, r["retry_count"])
				}
				if !s.Legacy && (r["sync_configuration_id"] != "52340" || r["sync_run_id"] != "8812001") {
					t.Errorf("row %d: sync ids %v %v", i, r["sync_configuration_id"], r["sync_run_id"])
				}
			}
		})
	}
}

// A reused (pooled) writer must produce the same bytes as a fresh one.
func TestWriteRecordsReuse(t *testing.T) {
	s := Shape{ExtraColumn: true}
	write := func(recs []Record) []byte {
		var buf bytes.Buffer
		if err := WriteRecords(&buf, recs, s); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	a := write(sampleRecords(5, "a"))
	write(sampleRecords(3000, "b"))
	if again := write(sampleRecords(5, "a")); !bytes.Equal(a, again) {
		t.Fatal("same records, different bytes after writer reuse")
	}
}

func TestWriteRecordsBadIntIdentifier(t *testing.T) {
	recs := sampleRecords(2, "a")
	recs[1].Identifier = "not-a-number"
	if err := WriteRecords(&bytes.Buffer{}, recs, Shape{IntIdentifier: true}); err == nil {
		t.Fatal("want an error for a non-numeric identifier in an int shape")
	}
	// the failed writer must not poison later files of the same shape
	var buf bytes.Buffer
	if err := WriteRecords(&buf, sampleRecords(2, "a"), Shape{IntIdentifier: true}); err != nil {
		t.Fatal(err)
	}
	if n := len(readParquet(t, buf.Bytes()).rows); n != 2 {
		t.Fatalf("%d rows after a failed write, want 2", n)
	}
}
