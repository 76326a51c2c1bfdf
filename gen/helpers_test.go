package gen

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
	"gocloud.dev/blob"
	"gocloud.dev/blob/memblob"
)

// pfile is a parquet file read back: its schema and rows as Go values
// (string, int64 or nil) keyed by column name.
type pfile struct {
	schema *parquet.Schema
	rows   []map[string]any
}

func readParquet(t *testing.T, data []byte) pfile {
	t.Helper()
	f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("open parquet: %v", err)
	}
	out := pfile{schema: f.Schema()}
	names := make([]string, 0)
	for _, c := range f.Schema().Columns() {
		names = append(names, c[0])
	}
	buf := make([]parquet.Row, 128)
	for _, rg := range f.RowGroups() {
		rows := rg.Rows()
		for {
			n, err := rows.ReadRows(buf)
			for _, r := range buf[:n] {
				m := make(map[string]any, len(names))
				for _, v := range r {
					switch {
					case v.IsNull():
						m[names[v.Column()]] = nil
					case v.Kind() == parquet.ByteArray:
						m[names[v.Column()]] = string(v.ByteArray())
					default:
						m[names[v.Column()]] = v.Int64()
					}
				}
				out.rows = append(out.rows, m)
			}
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("read rows: %v", err)
			}
		}
		rows.Close()
	}
	return out
}

func (p pfile) has(col string) bool {
	_, ok := p.schema.Lookup(col)
	return ok
}

// timestampType returns the TIMESTAMP annotation of a column, or nil.
func (p pfile) timestampType(col string) *format.TimestampType {
	c, ok := p.schema.Lookup(col)
	if !ok {
		return nil
	}
	lt := c.Node.Type().LogicalType()
	if lt == nil {
		return nil
	}
	ts, _ := lt.Value.(*format.TimestampType)
	return ts
}

// generated is a bucket produced by Generate, with every object's bytes.
type generated struct {
	m       *Manifest
	objects map[string][]byte
}

func generate(t *testing.T, o Options) generated {
	t.Helper()
	ctx := context.Background()
	b := memblob.OpenBucket(nil)
	defer b.Close()
	m, err := Generate(ctx, b, o)
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	g := generated{m: m, objects: map[string][]byte{}}
	it := b.List(&blob.ListOptions{})
	for {
		obj, err := it.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		data, err := b.ReadAll(ctx, obj.Key)
		if err != nil {
			t.Fatal(err)
		}
		g.objects[obj.Key] = data
	}
	return g
}

// schemaOf returns the payload schema of a parsed metadata.json, whatever
// its key style.
func schemaOf(meta map[string]any) map[string]any {
	for _, k := range []string{"record_payload_schema", "recordPayloadSchema"} {
		if s, ok := meta[k].(map[string]any); ok {
			return s
		}
	}
	return nil
}

// metaStyle names the key style of a parsed metadata.json.
func metaStyle(meta map[string]any) string {
	_, nested := meta["source"].(map[string]any)
	switch {
	case nested:
		return "nested"
	case meta["orgId"] != nil:
		return "camel"
	case meta["org_id"] != nil && meta["sync_run_id"] != nil:
		return "snake"
	}
	return "unknown"
}

// jsonType names the JSON type of a decoded value as the payload schema does.
func jsonType(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case json.Number, float64:
		return "number"
	case bool:
		return "boolean"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "null"
}
