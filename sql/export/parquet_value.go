package export

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/synctrack/synctrack/internal/duckdbtext"
)

// value is v as a cell of the column, or why the column's parquet type
// cannot hold it. A value is never narrowed or wrapped to fit.
func (c parquetCol) value(v any) (parquet.Value, error) {
	if v == nil {
		return parquet.Value{}, nil
	}
	switch c.kind {
	case "int":
		n, err := integer(v)
		return parquet.Int64Value(n), err
	case "uint":
		n, err := unsigned(v)
		// The column's unsigned type reads the bits back as a uint64.
		return parquet.Int64Value(int64(n)), err
	case "double":
		f, err := double(v)
		return parquet.DoubleValue(f), err
	case "bool":
		if x, ok := v.(bool); ok {
			return parquet.BooleanValue(x), nil
		}
	case "time", "time_ns":
		n, err := instant(v, c.t, c.kind == "time_ns")
		return parquet.Int64Value(n), err
	case "date":
		n, err := date(v, c.t)
		return parquet.Int32Value(n), err
	case "decimal":
		return decimalValue(v, c.t)
	case "bytes":
		if x, ok := v.([]byte); ok {
			return parquet.ByteArrayValue(x), nil
		}
		return parquet.ByteArrayValue([]byte(text(plain(v, c.t)))), nil
	case "json":
		return parquet.ByteArrayValue([]byte(jsonCell(v, c.t))), nil
	default:
		return parquet.ByteArrayValue([]byte(text(plain(v, c.t)))), nil
	}
	return parquet.Value{}, fmt.Errorf("%T value in a %s column", v, c.kind)
}

var errRange = errors.New("out of range")

// integer is an integer of any Go type as an int64. A HUGEINT is DuckDB's
// sum() of integers, so it is written as INT64 too; the rare sum beyond
// INT64 fails rather than wrap (170141183460469231731687303715884105727
// was written as -1).
func integer(v any) (int64, error) {
	switch x := v.(type) {
	case int64:
		return x, nil
	case int32:
		return int64(x), nil
	case int16:
		return int64(x), nil
	case int8:
		return int64(x), nil
	case int:
		return int64(x), nil
	case uint8:
		return int64(x), nil
	case uint16:
		return int64(x), nil
	case uint32:
		return int64(x), nil
	case uint64:
		if x <= math.MaxInt64 {
			return int64(x), nil
		}
	case *big.Int:
		if x.IsInt64() {
			return x.Int64(), nil
		}
	default:
		return 0, fmt.Errorf("%T value in an integer column", v)
	}
	return 0, fmt.Errorf("%v is %w of parquet's INT64 (-2^63 to 2^63-1): cast the column to VARCHAR or DECIMAL(38,0) in the query", v, errRange)
}

// unsigned is a UBIGINT's value (a uint64 from DuckDB).
func unsigned(v any) (uint64, error) {
	if x, ok := v.(uint64); ok {
		return x, nil
	}
	n, err := integer(v)
	if err != nil {
		return 0, err
	}
	if n < 0 {
		return 0, fmt.Errorf("%d in an unsigned column: %w", n, errRange)
	}
	return uint64(n), nil
}

// double is a float of either width as a float64. A float32 (DuckDB's
// FLOAT and REAL, PostgreSQL's float4) becomes the double of the digits
// that name it, as the CSV and JSON print it: 0.1, not float64(0.1f),
// 0.10000000149011612.
func double(v any) (float64, error) {
	switch x := v.(type) {
	case float64:
		return x, nil
	case float32:
		return strconv.ParseFloat(strconv.FormatFloat(float64(x), 'g', -1, 32), 64)
	}
	return 0, fmt.Errorf("%T value in a DOUBLE column", v)
}

// instant is a timestamp in micro- or nanoseconds since 1970 (UTC). An
// infinite one is DuckDB's sentinel, which DuckDB reads back as infinity:
// the largest int64 or its negation. An instant beyond the unit's range
// fails: before, UnixMicro overflowed (a TIMESTAMP_S 'infinity' became
// 1969-12-31 23:59:59).
func instant(v any, t *colType, nanos bool) (int64, error) {
	if inf := infinite(v, t); inf != 0 {
		return int64(inf) * math.MaxInt64, nil
	}
	x, ok := v.(time.Time)
	if !ok {
		return 0, fmt.Errorf("%T value %q in a timestamp column", v, Text(v))
	}
	lo, hi := time.UnixMicro(-math.MaxInt64), time.UnixMicro(math.MaxInt64)
	if nanos {
		lo, hi = time.Unix(0, -math.MaxInt64), time.Unix(0, math.MaxInt64)
	}
	if x.Before(lo) || x.After(hi) {
		return 0, fmt.Errorf("%s is %w of parquet's timestamps", x.UTC().Format(time.RFC3339Nano), errRange)
	}
	if nanos {
		return x.UnixNano(), nil
	}
	return x.UnixMicro(), nil
}

// date is a date in days since 1970-01-01, an infinite one DuckDB's
// sentinel (the largest int32 or its negation).
func date(v any, t *colType) (int32, error) {
	if inf := infinite(v, t); inf != 0 {
		return int32(inf) * math.MaxInt32, nil
	}
	x, ok := v.(time.Time)
	if !ok {
		return 0, fmt.Errorf("%T value %q in a DATE column", v, Text(v))
	}
	d := days(x)
	if d < -math.MaxInt32 || d > math.MaxInt32 {
		return 0, fmt.Errorf("%s is %w of parquet's dates", duckdbtext.Date(x), errRange)
	}
	return int32(d), nil
}

// days counts whole days since 1970-01-01, rounding down.
func days(t time.Time) int64 {
	s := t.Unix()
	d := s / 86400
	if s%86400 < 0 {
		d--
	}
	return d
}
