package bigquery_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"

	bq "github.com/synctrack/synctrack/warehouse/bigquery"
)

// fixLocalMicros undoes a second emulator gap, the one behind the difference
// once blamed on millis files: a parquet TIMESTAMP(isAdjustedToUTC=false,
// MICROS) column, a DATETIME, loads with its fraction's microseconds counted
// as milliseconds: 08:14:27.206125 lands as 08:14:27 + 206,125 ms =
// 08:17:53.125. (The query side is right: TIMESTAMP(DATETIME '...', 'UTC')
// keeps the micros; BigQuery loads it right.) The value cannot be inverted
// from the loaded one, so each such file's raw values are read from the
// file itself, and only rows holding exactly the emulator's wrong value are
// set. The generator writes one value per column per file.
func fixLocalMicros(t *testing.T, e *env, w *bq.Warehouse) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	it := e.bucket.List(nil)
	var stmts []string
	for {
		obj, err := it.Next(ctx)
		if err != nil {
			break
		}
		if !strings.HasSuffix(obj.Key, ".parquet") || !strings.HasPrefix(obj.Key, "sync_tracking_datasets/") || obj.Size == 0 {
			continue // an empty object (the conformance suite writes one) holds no rows
		}
		data, err := e.bucket.ReadAll(ctx, obj.Key)
		if err != nil {
			t.Fatal(err)
		}
		pf, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatalf("%s: %v", obj.Key, err)
		}
		for i, f := range pf.Schema().Fields() {
			lt := f.Type().LogicalType()
			if lt == nil {
				continue
			}
			ts, ok := lt.Value.(*format.TimestampType)
			if !ok || ts.IsAdjustedToUTC {
				continue
			}
			if _, micros := ts.Unit.Value.(*format.MicroSeconds); !micros {
				continue
			}
			v := columnValue(t, pf, i, obj.Key)
			wrong := v/1e6*1e3 + v%1e6
			// The counts hold copies of these values (each file's batch
			// times), so they are repaired alike.
			for _, table := range timeTables[f.Name()] {
				stmts = append(stmts, fmt.Sprintf("UPDATE synctrack.%s SET %s = TIMESTAMP_MICROS(%d) WHERE _file = '%s' AND %s = TIMESTAMP_MILLIS(%d)",
					table, f.Name(), v, obj.Key, f.Name(), wrong))
			}
		}
	}
	if len(stmts) == 0 {
		t.Fatal("no local-time micros file in the bucket: the repair is untested")
	}
	for _, q := range stmts {
		job, err := w.Client().Query(q).Run(ctx)
		if err == nil {
			_, err = job.Wait(ctx)
		}
		if err != nil {
			t.Fatalf("repair local micros: %v", err)
		}
	}
}

// columnValue is a column's one value in a file (every row holds it).
func columnValue(t *testing.T, pf *parquet.File, col int, key string) int64 {
	t.Helper()
	var first *int64
	for _, rg := range pf.RowGroups() {
		pages := rg.ColumnChunks()[col].Pages()
		for {
			p, err := pages.ReadPage()
			if err != nil {
				break
			}
			vals := make([]parquet.Value, p.NumValues())
			n, _ := p.Values().ReadValues(vals)
			for _, v := range vals[:n] {
				x := v.Int64()
				if first == nil {
					first = &x
				} else if *first != x {
					t.Fatalf("%s: column %d holds more than one value", key, col)
				}
			}
		}
		pages.Close()
	}
	if first == nil {
		t.Fatalf("%s: column %d is empty", key, col)
	}
	return *first
}
