package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/synctrack/synctrack/warehouse"
)

// Query runs one statement with $1.. bound to args, in a read-only
// transaction (PostgreSQL refuses any write in it), and streams its rows.
func (w *Warehouse) Query(ctx context.Context, q string, args []warehouse.Arg) (warehouse.Rows, error) {
	vals := make([]any, len(args))
	for i, a := range args {
		vals[i] = a.Value
	}
	tx, err := w.pool.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, classify(err)
	}
	rs, err := tx.Query(ctx, q, vals...)
	if err != nil {
		_ = tx.Rollback(context.WithoutCancel(ctx))
		return nil, classify(err)
	}
	return &rows{ctx: ctx, tx: tx, rs: rs, types: tx.Conn().TypeMap()}, nil
}

// rows adapts pgx's rows to warehouse.Rows. Values come as DuckDB's
// query path gives them (values.go).
type rows struct {
	ctx   context.Context
	tx    pgx.Tx
	rs    pgx.Rows
	types *pgtype.Map
	err   error
}

func (r *rows) Columns() ([]string, error) {
	fs := r.rs.FieldDescriptions()
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Name
	}
	return out, nil
}

// ColumnTypeNames are the columns' types, in the names the exporters know
// (DuckDB's): BIGINT, DOUBLE, TIMESTAMPTZ, JSON, ...
func (r *rows) ColumnTypeNames() []string {
	fs := r.rs.FieldDescriptions()
	out := make([]string, len(fs))
	for i, f := range fs {
		name := "UNKNOWN"
		if t, ok := r.types.TypeForOID(f.DataTypeOID); ok {
			name = t.Name
		}
		out[i] = typeName(name)
		if p, s, ok := numericSize(f); ok {
			out[i] = fmt.Sprintf("DECIMAL(%d,%d)", p, s)
		}
	}
	return out
}

// numericSize is a numeric(p,s) column's precision and scale, which its
// type modifier holds: ((p << 16) | s) + 4, the scale in 11 bits with its
// sign (PostgreSQL 15 allows numeric(2,-3)). A bare numeric (sum(bigint),
// avg) has none: no scale to write its values at, so it stays DECIMAL and
// its values text.
func numericSize(f pgconn.FieldDescription) (precision, scale int, ok bool) {
	if f.DataTypeOID != pgtype.NumericOID || f.TypeModifier < 4 {
		return 0, 0, false
	}
	m := int(f.TypeModifier - 4)
	scale = m & 0x7ff
	if scale&0x400 != 0 {
		scale -= 0x800
	}
	return m >> 16, scale, true
}

// typeName is a type's name as DuckDB says it; an array's is its
// element's with [] (pgx names int4[] _int4), whatever its dimensions:
// PostgreSQL's type does not say them.
func typeName(pg string) string {
	if elem, ok := strings.CutPrefix(pg, "_"); ok {
		return typeName(elem) + "[]"
	}
	if n := typeNames[pg]; n != "" {
		return n
	}
	return strings.ToUpper(pg)
}

var typeNames = map[string]string{
	"int8": "BIGINT", "int4": "INTEGER", "int2": "SMALLINT", "float8": "DOUBLE", "float4": "REAL",
	"bool": "BOOLEAN", "timestamptz": "TIMESTAMPTZ", "timestamp": "TIMESTAMP", "date": "DATE",
	"text": "VARCHAR", "varchar": "VARCHAR", "json": "JSON", "jsonb": "JSON", "numeric": "DECIMAL",
	"bytea": "BLOB", "uuid": "UUID", "interval": "INTERVAL", "time": "TIME", "timetz": "TIMETZ",
}

func (r *rows) Next() bool { return r.rs.Next() }

func (r *rows) Scan(dest ...any) error {
	fs := r.rs.FieldDescriptions()
	raw := r.rs.RawValues()
	if len(dest) != len(raw) {
		return fmt.Errorf("scan: %d destinations for %d columns", len(dest), len(raw))
	}
	for i := range raw {
		v, err := r.value(fs[i], raw[i])
		if err != nil {
			return classify(err)
		}
		p, ok := dest[i].(*any)
		if !ok {
			return fmt.Errorf("scan: destination %d is %T, want *any", i, dest[i])
		}
		*p = v
	}
	return nil
}

// jsonText is a JSON value's text: binary jsonb is a version byte, then it.
func jsonText(b []byte, format int16) string {
	if format == pgtype.BinaryFormatCode && len(b) > 0 && b[0] == 1 {
		b = b[1:]
	}
	return string(b)
}

func (r *rows) Err() error { return classify(r.rs.Err()) }

// Close ends the rows and their read-only transaction.
func (r *rows) Close() error {
	r.rs.Close()
	err := r.rs.Err()
	_ = r.tx.Rollback(context.WithoutCancel(r.ctx))
	return classify(err)
}
