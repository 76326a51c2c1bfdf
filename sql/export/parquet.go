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
// booleans, instants (microseconds, UTC), dates and DuckDB's DECIMALs keep
// their type; JSON, lists, maps and everything else become strings, written
// as the CSV writes them (JSON text for nested values). Columns are in the
// result's order. Row groups are bounded so an export streams.
type parquetWriter struct {
	out   io.Writer
	w     *parquet.Writer
	kinds []string   // per result column
	types []*colType // per result column
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
	case strings.HasPrefix(t, "DECIMAL("):
		return "decimal"
	}
	return "string"
}

func (p *parquetWriter) Begin(cols []Column) error {
	p.types = types(cols)
	g := make(orderedGroup, 0, len(cols))
	seen := map[string]bool{}
	for i, c := range cols {
		if seen[c.Name] {
			return fmt.Errorf("parquet: duplicate column %q", c.Name)
		}
		seen[c.Name] = true
		kind := parquetKind(c.Type)
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
		case "decimal":
			if n = decimalNode(p.types[i]); n == nil {
				kind, n = "string", parquet.String()
			}
		default:
			n = parquet.String()
		}
		p.kinds = append(p.kinds, kind)
		g = append(g, field(c.Name, parquet.Optional(n)))
	}
	p.row = make(parquet.Row, len(cols))
	p.w = parquet.NewWriter(p.out, parquet.NewSchema("synctrack", g), parquet.MaxRowsPerRowGroup(rowGroupRows), parquet.Compression(&parquet.Snappy))
	return nil
}

func (p *parquetWriter) Row(vals []any) error {
	for i, v := range vals {
		val, err := p.value(i, v)
		if err != nil {
			return err
		}
		def := 1
		if v == nil {
			def = 0
		}
		p.row[i] = val.Level(0, def, i)
	}
	_, err := p.w.WriteRows([]parquet.Row{p.row})
	return err
}

func (p *parquetWriter) value(i int, v any) (parquet.Value, error) {
	if v == nil {
		return parquet.Value{}, nil
	}
	kind := p.kinds[i]
	switch kind {
	case "decimal":
		return decimalValue(v, p.types[i])
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
		return parquet.ByteArrayValue([]byte(text(plain(v, p.types[i])))), nil
	}
	return parquet.Value{}, fmt.Errorf("parquet: %T value in a %s column", v, kind)
}

func (p *parquetWriter) Close() error { return p.w.Close() }
