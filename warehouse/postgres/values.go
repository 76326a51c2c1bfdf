package postgres

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/synctrack/synctrack/internal/duckdbtext"
)

// value decodes one column's bytes into what DuckDB's query path gives
// for the same SQL, as the exporters print it. JSON is never decoded: pgx
// would unmarshal it into float64s and maps (a payload holding 1e400
// failing the whole query, 20-digit numbers rounded), and the other
// engines give it as text. An array is a list, nested as its dimensions
// are, of its elements as value gives them (see leaf).
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
	if ac, ok := t.Codec.(*pgtype.ArrayCodec); ok {
		var a pgtype.Array[any]
		if err := r.types.PlanScan(f.DataTypeOID, f.Format, &a).Scan(b, &a); err != nil {
			return nil, err
		}
		for i, e := range a.Elements {
			a.Elements[i] = r.leaf(ac.ElementType.OID, e)
		}
		return nest(a.Elements, a.Dims), nil
	}
	v, err := t.Codec.DecodeValue(r.types, f.DataTypeOID, f.Format, b)
	if err != nil {
		return nil, err
	}
	return r.scalar(f.DataTypeOID, v), nil
}

// scalar is a value pgx decoded as DuckDB's path gives it: Go's own types
// as they are (a date, typed DATE, is printed by the exporters); a finite
// numeric a JSON number, as DuckDB's DECIMAL is, without the fraction's
// trailing zeros as DuckDB prints it; an interval and a time DuckDB's
// text. Any other type (uuid, inet, numeric NaN, ...) pgx gives as a
// struct or an array of bytes: its text, as psql shows it and as DuckDB's
// driver gives such values.
func (r *rows) scalar(oid uint32, v any) any {
	switch x := v.(type) {
	case nil, string, []byte, bool, int16, int32, int64, float32, float64, time.Time:
		return v
	case pgtype.Numeric:
		if x.Valid && !x.NaN && x.InfinityModifier == pgtype.Finite {
			j, _ := x.MarshalJSON()
			return json.Number(duckdbtext.Decimal(string(j)))
		}
	case pgtype.Interval:
		if x.Valid {
			return duckdbtext.Interval(x.Months, x.Days, x.Microseconds)
		}
	case pgtype.Time:
		if x.Valid {
			return duckdbtext.Clock(x.Microseconds)
		}
	case pgtype.InfinityModifier:
		return x.String()
	}
	if txt, err := r.types.Encode(oid, pgtype.TextFormatCode, v, nil); err == nil && txt != nil {
		return string(txt)
	}
	return v
}

// leaf is an array's element as DuckDB's path prints it in a list: as
// scalar gives it, but a date as its text (a DATE[] column's type says
// nothing to the exporters of a date two dimensions down), an instant in
// UTC, as DuckDB's driver gives it, and JSON decoded, as DuckDB's driver
// decodes a JSON in a list (pgx has, into the same Go types).
func (r *rows) leaf(oid uint32, v any) any {
	switch x := v.(type) {
	case time.Time:
		if oid == pgtype.DateOID {
			return duckdbtext.Date(x)
		}
		return x.UTC()
	case map[string]any, []any:
		return v
	}
	return r.scalar(oid, v)
}

// nest shapes an array's elements, in PostgreSQL's order (the last
// dimension varies fastest), as lists of lists, one level a dimension.
func nest(elems []any, dims []pgtype.ArrayDimension) []any {
	if len(dims) <= 1 || dims[0].Length <= 0 {
		if elems == nil {
			elems = []any{}
		}
		return elems
	}
	n := int(dims[0].Length)
	size := len(elems) / n
	out := make([]any, n)
	for i := range out {
		out[i] = nest(elems[i*size:(i+1)*size], dims[1:])
	}
	return out
}
