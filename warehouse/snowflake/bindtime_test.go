package snowflake

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/snowflake/sffake"
)

// A time a page or a template binds (a cursor's start, a since) reaches
// Snowflake as TIMESTAMP_TZ, the instant: the driver's own default,
// TIMESTAMP_NTZ, is read against the tables' TIMESTAMP_TZ columns in the
// session's time zone, which the URL may set (TIMEZONE=), and moved the
// cursor by its offset. The values around it keep their places.
func TestQueryBindsTimesAsInstants(t *testing.T) {
	f := sffake.New(t)
	w := openFake(t, f, "&TIMEZONE=America/New_York")
	at := time.Date(2026, 3, 2, 10, 0, 0, 123456000, time.UTC)
	f.Answer("-- bind check", []sffake.Column{{Name: "N", Type: "fixed"}}, [][]any{{"1"}})
	rows, err := w.Query(context.Background(), "-- bind check\nSELECT 1 WHERE ? <> ? AND ? < ? AND ? > ?",
		[]warehouse.Arg{{Value: "run-6"}, {Value: at}, {Value: "k/f.parquet"}, {Value: at.Add(time.Hour)}, {Value: int64(17)}, {Value: "x"}})
	if err != nil {
		t.Fatal(err)
	}
	rows.Close()
	b := f.Bindings()
	if len(b) == 0 {
		t.Fatal("no bindings sent")
	}
	got := b[len(b)-1]
	want := map[string]sffake.Binding{
		"1": {Type: "TEXT", Value: "run-6"},
		"2": {Type: "TIMESTAMP_TZ", Value: "1772445600123456000 1440"},
		"3": {Type: "TEXT", Value: "k/f.parquet"},
		"4": {Type: "TIMESTAMP_TZ", Value: "1772449200123456000 1440"},
		"5": {Type: "FIXED", Value: "17"},
		"6": {Type: "TEXT", Value: "x"},
	}
	if len(got) != len(want) {
		t.Fatalf("%d bindings %v, want %d", len(got), got, len(want))
	}
	for k, w := range want {
		if g := got[k]; g.Type != w.Type || fmt.Sprint(g.Value) != w.Value {
			t.Errorf("binding %s: %s %v, want %s %v", k, g.Type, g.Value, w.Type, w.Value)
		}
	}
}
