package export

import (
	"fmt"
	"io"
	"strings"

	"github.com/parquet-go/parquet-go"
)

// parquetWriter maps engine types to parquet types: every integer type is
// INT64 (UBIGINT an unsigned one, as hash() gives it), every float is a
// DOUBLE, booleans, instants (UTC, in micro- or nanoseconds), dates and
// DECIMALs keep their type, JSON is JSON and a BLOB is bytes; lists,
// structs, maps and everything else become strings, written as the CSV
// writes them (JSON text for nested values). A value its column's parquet
// type cannot hold (a HUGEINT beyond INT64) fails the export, naming the
// column: a file never holds a wrong number. Columns are in the result's
// order. Row groups are bounded so an export streams.
type parquetWriter struct {
	out  io.Writer
	w    *parquet.Writer
	cols []parquetCol
	row  parquet.Row
}

// parquetCol is a result column as written: its name, the engine's type
// and the kind of parquet column that type became.
type parquetCol struct {
	name string
	kind string
	t    *colType
}

const rowGroupRows = 50_000

// parquetKind is the parquet column an engine's type becomes. The names
// are DuckDB's, the ones PostgreSQL's query path gives (DuckDB's too),
// BigQuery's and Snowflake's.
func parquetKind(t *colType) string {
	switch {
	case t.is("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UHUGEINT",
		"UTINYINT", "USMALLINT", "UINTEGER", "INT64"):
		return "int"
	case t.is("UBIGINT"):
		return "uint"
	case t.is("DOUBLE", "FLOAT", "FLOAT64", "REAL"):
		return "double"
	case t.is("BOOLEAN", "BOOL"):
		return "bool"
	case t.is("TIMESTAMP_NS"):
		return "time_ns"
	case strings.HasPrefix(t.name, "TIMESTAMP"):
		return "time"
	case t.is("DATE"):
		return "date"
	case t.is("DECIMAL", "NUMERIC") && decimalNode(t) != nil:
		return "decimal"
	case t.bytes():
		return "bytes"
	case t.is("JSON"):
		return "json"
	}
	return "string"
}

func (p *parquetWriter) Begin(cols []Column) error {
	g := make(orderedGroup, 0, len(cols))
	seen := map[string]bool{}
	for _, c := range cols {
		if seen[c.Name] {
			return fmt.Errorf("parquet: duplicate column %q", c.Name)
		}
		seen[c.Name] = true
		col := parquetCol{name: c.Name, t: parseType(c.Type)}
		col.kind = parquetKind(col.t)
		var n parquet.Node
		switch col.kind {
		case "int":
			n = parquet.Int(64)
		case "uint":
			n = parquet.Uint(64)
		case "double":
			n = parquet.Leaf(parquet.DoubleType)
		case "bool":
			n = parquet.Leaf(parquet.BooleanType)
		case "time":
			n = parquet.Timestamp(parquet.Microsecond)
		case "time_ns":
			n = parquet.Timestamp(parquet.Nanosecond)
		case "date":
			n = parquet.Date()
		case "decimal":
			n = decimalNode(col.t)
		case "bytes":
			n = parquet.Leaf(parquet.ByteArrayType)
		case "json":
			n = parquet.JSON()
		default:
			n = parquet.String()
		}
		p.cols = append(p.cols, col)
		g = append(g, field(c.Name, parquet.Optional(n)))
	}
	p.row = make(parquet.Row, len(cols))
	p.w = parquet.NewWriter(p.out, parquet.NewSchema("synctrack", g), parquet.MaxRowsPerRowGroup(rowGroupRows), parquet.Compression(&parquet.Snappy))
	return nil
}

func (p *parquetWriter) Row(vals []any) error {
	for i, v := range vals {
		val, err := p.cols[i].value(v)
		if err != nil {
			return fmt.Errorf("parquet: column %q: %w", p.cols[i].name, err)
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

func (p *parquetWriter) Close() error { return p.w.Close() }
