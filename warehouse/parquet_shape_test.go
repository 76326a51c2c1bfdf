package warehouse_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/synctrack/synctrack/warehouse"
)

func shapeOf[T any](t *testing.T, rows []T) string {
	t.Helper()
	var b bytes.Buffer
	if err := parquet.Write(&b, rows); err != nil {
		t.Fatal(err)
	}
	pf, err := warehouse.OpenParquet(bytes.NewReader(b.Bytes()), int64(b.Len()))
	if err != nil {
		t.Fatal(err)
	}
	return warehouse.RecordsShape(pf)
}

// Text, integers and (for the batch times) instants are plain; anything
// else is named with its type, and ShapeColumns reads it back.
func TestRecordsShape(t *testing.T) {
	type plain struct {
		Identifier int64     `parquet:"Identifier,optional"`
		Note       string    `parquet:"note"`
		Status     string    `parquet:"status,enum"`
		Started    time.Time `parquet:"batch_started_at,timestamp(millisecond)"`
	}
	if s := shapeOf(t, []plain{{Identifier: 1}}); s != "" {
		t.Errorf("plain file: shape %q, want none", s)
	}
	type odd struct {
		Identifier [16]byte  `parquet:"identifier,uuid"`
		Flag       bool      `parquet:"flag"`
		Started    string    `parquet:"batch_started_at"`
		At         time.Time `parquet:"created_at,timestamp"`
		Tags       []string  `parquet:"tags,list"`
		Retries    int64     `parquet:"retry_count"` // not documented: _extra keeps its kind
	}
	s := shapeOf(t, []odd{{Started: "x"}})
	cols := warehouse.ShapeColumns(s)
	for _, c := range []string{"identifier", "flag", "batch_started_at", "created_at", "tags", "retry_count"} {
		if cols[c] == "" {
			t.Errorf("odd column %s not in the shape %q", c, s)
		}
	}
	if len(cols) != 6 || !strings.Contains(cols["identifier"], "UUID") {
		t.Errorf("shape %q read back as %v", s, cols)
	}
}

// ColumnNames gives a file's names and refuses two that differ only in
// case, for every engine that reads a footer (the stager, BigQuery's).
func TestColumnNamesRefuseCaseTwins(t *testing.T) {
	type twins struct {
		Status string `parquet:"status"`
		Shout  string `parquet:"STATUS"`
	}
	type plain struct {
		Identifier string `parquet:"identifier"`
		Status     string `parquet:"Status"`
	}
	open := func(b []byte) *parquet.File {
		pf, err := warehouse.OpenParquet(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatal(err)
		}
		return pf
	}
	var a, b bytes.Buffer
	parquet.Write(&a, []twins{{}})
	parquet.Write(&b, []plain{{}})
	if _, err := warehouse.ColumnNames(open(a.Bytes())); err == nil || !strings.Contains(err.Error(), "differ only in case") {
		t.Errorf("status beside STATUS: %v", err)
	}
	if names, err := warehouse.ColumnNames(open(b.Bytes())); err != nil || strings.Join(names, ",") != "identifier,Status" {
		t.Errorf("plain file: %v %v", names, err)
	}
}

// A file's columns are the bucket's to choose: one records file of 5 MB with
// 20,000 columns ran DuckDB out of memory reading it, a resource error that
// stopped every load, each on that file again. A file with more than
// MaxFileColumns is the file's fault: every engine that reads a footer
// refuses it (the loader's stager, BigQuery's path b), and it fails alone.
func TestColumnNamesRefuseTooMany(t *testing.T) {
	wide := func(n int) *parquet.File {
		g := parquet.Group{"identifier": parquet.String()}
		for i := range n - 1 {
			g[fmt.Sprintf("x%05d", i)] = parquet.Optional(parquet.Int(64))
		}
		var b bytes.Buffer
		w := parquet.NewGenericWriter[any](&b, parquet.NewSchema("r", g))
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		pf, err := warehouse.OpenParquet(bytes.NewReader(b.Bytes()), int64(b.Len()))
		if err != nil {
			t.Fatal(err)
		}
		return pf
	}
	if names, err := warehouse.ColumnNames(wide(warehouse.MaxFileColumns)); err != nil || len(names) != warehouse.MaxFileColumns {
		t.Errorf("%d columns: %d names, %v", warehouse.MaxFileColumns, len(names), err)
	}
	if _, err := warehouse.ColumnNames(wide(warehouse.MaxFileColumns + 1)); err == nil || !strings.Contains(err.Error(), "1001 columns") {
		t.Errorf("%d columns: %v, want refused", warehouse.MaxFileColumns+1, err)
	}
}
