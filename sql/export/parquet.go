package export

import (
	"fmt"
	"io"
	"math/big"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"
)

// parquetWriter maps engine types to parquet types: integers, doubles,
// booleans, instants (microseconds, UTC) and dates keep their type; JSON,
// lists and everything else become strings (JSON text for nested values).
// Row groups are bounded so an export streams.
type parquetWriter struct {
	out   io.Writer
	w     *parquet.Writer
	kinds []string // per result column
	leaf  []int    // result column -> parquet leaf index
	row   parquet.Row
}

const rowGroupRows = 50_000

func parquetKind(dbType string) string {
	t := strings.ToUpper(dbType)
	switch {
	case t == "BIGINT" || t == "INTEGER" || t == "SMALLINT" || t == "TINYINT" || t == "HUGEINT" || t == "INT64" || strings.HasPrefix(t, "UBIGINT"):
		return "int"
	case t == "DOUBLE" || t == "FLOAT" || t == "FLOAT64" || t == "REAL":
		return "double"
	case t == "BOOLEAN" || t == "BOOL":
		return "bool"
	case strings.HasPrefix(t, "TIMESTAMP"):
		return "time"
	case t == "DATE":
		return "date"
	}
	return "string"
}

func (p *parquetWriter) Begin(cols []Column) error {
	g := parquet.Group{}
	for _, c := range cols {
		if _, dup := g[c.Name]; dup {
			return fmt.Errorf("parquet: duplicate column %q", c.Name)
		}
		kind := parquetKind(c.Type)
		p.kinds = append(p.kinds, kind)
		var n parquet.Node
		switch kind {
		case "int":
			n = parquet.Int(64)
		case "double":
			n = parquet.Leaf(parquet.DoubleType)
		case "bool":
			n = parquet.Leaf(parquet.BooleanType)
		case "time":
			n = parquet.Timestamp(parquet.Microsecond)
		case "date":
			n = parquet.Date()
		default:
			n = parquet.String()
		}
		g[c.Name] = parquet.Optional(n)
	}
	schema := parquet.NewSchema("synctrack", g)
	index := map[string]int{}
	for i, f := range schema.Fields() { // a Group orders its fields by name
		index[f.Name()] = i
	}
	for _, c := range cols {
		p.leaf = append(p.leaf, index[c.Name])
	}
	p.row = make(parquet.Row, len(cols))
	p.w = parquet.NewWriter(p.out, schema, parquet.MaxRowsPerRowGroup(rowGroupRows), parquet.Compression(&parquet.Snappy))
	return nil
}

func (p *parquetWriter) Row(vals []any) error {
	for i, v := range vals {
		val, err := p.value(p.kinds[i], v)
		if err != nil {
			return err
		}
		def := 1
		if v == nil {
			def = 0
		}
		p.row[p.leaf[i]] = val.Level(0, def, p.leaf[i])
	}
	_, err := p.w.WriteRows([]parquet.Row{p.row})
	return err
}

func (p *parquetWriter) value(kind string, v any) (parquet.Value, error) {
	if v == nil {
		return parquet.Value{}, nil
	}
	switch kind {
	case "int":
		switch x := v.(type) {
		case int64:
			return parquet.Int64Value(x), nil
		case int32:
			return parquet.Int64Value(int64(x)), nil
		case *big.Int:
			return parquet.Int64Value(x.Int64()), nil
		}
	case "double":
		if x, ok := v.(float64); ok {
			return parquet.DoubleValue(x), nil
		}
	case "bool":
		if x, ok := v.(bool); ok {
			return parquet.BooleanValue(x), nil
		}
	case "time":
		if x, ok := v.(time.Time); ok {
			return parquet.Int64Value(x.UnixMicro()), nil
		}
	case "date":
		if x, ok := v.(time.Time); ok {
			return parquet.Int32Value(int32(x.Unix() / 86400)), nil
		}
	default:
		return parquet.ByteArrayValue([]byte(Text(v))), nil
	}
	return parquet.Value{}, fmt.Errorf("parquet: %T value in a %s column", v, kind)
}

func (p *parquetWriter) Close() error { return p.w.Close() }
