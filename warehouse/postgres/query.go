package postgres

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

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

// rows adapts pgx's rows to warehouse.Rows. Values come as the other
// engines' drivers give them: JSON as its text (pgx would decode it into
// maps, losing the text's key order), numerics as decimal text, arrays as
// []any, everything else as pgx decodes it.
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
		out[i] = typeNames[name]
		if out[i] == "" {
			out[i] = strings.ToUpper(name)
		}
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

// value decodes one column's bytes as pgx's Rows.Values does, except JSON,
// which is never decoded: pgx would unmarshal it into float64s and maps (a
// payload holding 1e400 failing the whole query, 20-digit numbers rounded),
// and the other engines give it as text.
func (r *rows) value(f pgconn.FieldDescription, b []byte) (any, error) {
	if b == nil {
		return nil, nil
	}
	switch f.DataTypeOID {
	case pgtype.JSONOID, pgtype.JSONBOID:
		return jsonText(b, f.Format), nil
	}
	t, ok := r.types.TypeForOID(f.DataTypeOID)
	if !ok {
		if f.Format == pgtype.TextFormatCode {
			return string(b), nil
		}
		return bytes.Clone(b), nil
	}
	v, err := t.Codec.DecodeValue(r.types, f.DataTypeOID, f.Format, b)
	if err != nil {
		return nil, err
	}
	switch x := v.(type) {
	case nil, string, []byte, bool, int16, int32, int64, float32, float64, time.Time, []any:
		return v, nil
	case pgtype.Numeric:
		if x.Valid && !x.NaN && x.InfinityModifier == pgtype.Finite {
			// A number as DuckDB's DECIMAL is: its digits, a JSON number.
			j, _ := x.MarshalJSON()
			return json.Number(j), nil
		}
	}
	// Any other type (uuid, interval, time, numeric NaN, inet, ...) pgx
	// gives as a struct or an array of bytes: its text, as psql shows it
	// and as DuckDB's driver gives such values.
	if txt, err := r.types.Encode(f.DataTypeOID, pgtype.TextFormatCode, v, nil); err == nil && txt != nil {
		return string(txt), nil
	}
	return v, nil
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
