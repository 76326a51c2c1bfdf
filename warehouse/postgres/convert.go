package postgres

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/format"
)

// leafType is how one parquet leaf column reads: its physical kind and the
// logical annotation that changes what its values mean.
type leafType struct {
	kind   parquet.Kind
	unit   time.Duration // a timestamp's unit; 0 when not a timestamp
	date   bool          // INT32 days since 1970-01-01
	scale  int           // a DECIMAL's scale; -1 when not a decimal
	isText bool          // a byte array holding text (STRING, JSON, ENUM)
	// unsigned: an INT32 or INT64 read as unsigned (UINT_32, UINT_64):
	// 18446744073709551615 came as -1 (found by a review).
	unsigned bool
}

func leafTypeOf(n parquet.Node) leafType {
	t := n.Type()
	lt := leafType{kind: t.Kind(), scale: -1}
	if l := t.LogicalType(); l != nil {
		switch v := l.Value.(type) {
		case *format.TimestampType:
			if v.Unit.Value != nil {
				lt.unit = v.Unit.Value.Duration()
			}
		case *format.DateType:
			lt.date = true
		case *format.DecimalType:
			lt.scale = int(v.Scale)
		case *format.StringType, *format.JsonType, *format.EnumType:
			lt.isText = true
		case *format.IntType:
			lt.unsigned = !v.IsSigned
		}
	}
	if ct := t.ConvertedType(); ct != nil && lt.unit == 0 {
		switch *ct {
		case deprecated.TimestampMillis:
			lt.unit = time.Millisecond
		case deprecated.TimestampMicros:
			lt.unit = time.Microsecond
		case deprecated.Date:
			lt.date = true
		case deprecated.UTF8, deprecated.Json, deprecated.Enum:
			lt.isText = true
		case deprecated.Uint8, deprecated.Uint16, deprecated.Uint32, deprecated.Uint64:
			lt.unsigned = true
		}
	}
	if lt.kind == parquet.Int96 {
		lt.unit = time.Nanosecond // INT96 is the legacy timestamp
	}
	return lt
}

// instant reads v as an instant in UTC: a timestamp in any unit, with or
// without isAdjustedToUTC (without, its wall clock is taken as UTC), an
// INT96, a date (midnight UTC), or text in RFC 3339 or SQL's form.
func (t leafType) instant(v parquet.Value) (time.Time, error) {
	switch {
	case t.kind == parquet.Int96:
		i := v.Int96()
		nanos := int64(i[1])<<32 | int64(i[0])
		const julianUnixEpoch = 2440588
		return time.Unix((int64(i[2])-julianUnixEpoch)*86400, nanos).UTC(), nil
	case t.unit != 0 && t.kind == parquet.Int64:
		return unitTime(v.Int64(), t.unit), nil
	case t.date && t.kind == parquet.Int32:
		return time.Unix(int64(v.Int32())*86400, 0).UTC(), nil
	case t.kind == parquet.ByteArray:
		return parseInstant(string(v.ByteArray()))
	}
	return time.Time{}, fmt.Errorf("a %s column without a timestamp type", t.kind)
}

func unitTime(n int64, unit time.Duration) time.Time {
	switch unit {
	case time.Millisecond:
		return time.UnixMilli(n).UTC()
	case time.Microsecond:
		return time.UnixMicro(n).UTC()
	}
	return time.Unix(0, n).UTC()
}

// instantLayouts are the texts read as instants, as DuckDB's cast to
// TIMESTAMPTZ reads them: an offset with or without its colon (-05:00,
// -0500, -05), or none (UTC).
var instantLayouts = []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999Z07",
	"2006-01-02T15:04:05.999999999Z0700", "2006-01-02 15:04:05.999999999Z0700", "2006-01-02T15:04:05.999999999Z07",
	"2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999", "2006-01-02"}

func parseInstant(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	// " UTC" after the time, as DuckDB and PostgreSQL write one (another
	// zone's name is not read: Go would take an unknown one as UTC).
	s = strings.TrimSuffix(s, " UTC")
	for _, l := range instantLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a timestamp", truncate(s, 40))
}

// text reads v as text, as CAST(x AS VARCHAR) would: integers and decimals in
// decimal, instants in RFC 3339, byte arrays as their (repaired) bytes.
func (t leafType) text(v parquet.Value, fix *repairs) string {
	switch {
	case t.kind == parquet.ByteArray || t.kind == parquet.FixedLenByteArray:
		if t.scale >= 0 {
			return decimalText(twosComplement(v.ByteArray()), t.scale)
		}
		return fix.text(v.ByteArray())
	case t.unit != 0 || t.date:
		ts, err := t.instant(v)
		if err != nil {
			return ""
		}
		if t.date {
			return ts.Format(time.DateOnly)
		}
		return ts.Format(time.RFC3339Nano)
	case t.unsigned && t.scale < 0 && (t.kind == parquet.Int32 || t.kind == parquet.Int64):
		return strconv.FormatUint(t.uint(v), 10)
	case t.kind == parquet.Int32 || t.kind == parquet.Int64:
		n := v.Int64()
		if t.kind == parquet.Int32 {
			n = int64(v.Int32())
		}
		if t.scale > 0 {
			return decimalText(big.NewInt(n), t.scale)
		}
		return strconv.FormatInt(n, 10)
	case t.kind == parquet.Boolean:
		return strconv.FormatBool(v.Boolean())
	case t.kind == parquet.Float:
		return strconv.FormatFloat(float64(v.Float()), 'g', -1, 32)
	case t.kind == parquet.Double:
		return strconv.FormatFloat(v.Double(), 'g', -1, 64)
	}
	return v.String()
}

// twosComplement reads a byte array decimal's unscaled value: big-endian
// two's complement, as parquet stores it (read as unsigned, -1.25 in a
// DECIMAL(38,2) came as 3402823669209384634633746074317682113.31: found by
// a review).
func twosComplement(b []byte) *big.Int {
	n := new(big.Int).SetBytes(b)
	if len(b) > 0 && b[0]&0x80 != 0 {
		n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
	}
	return n
}

func decimalText(n *big.Int, scale int) string {
	if scale == 0 {
		return n.String()
	}
	r := new(big.Rat).SetFrac(n, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil))
	return r.FloatString(scale)
}

// appendJSON appends v as a JSON value: numbers as numbers, text as strings,
// instants as RFC 3339 strings.
func (t leafType) appendJSON(dst []byte, v parquet.Value, fix *repairs) []byte {
	if v.IsNull() {
		return append(dst, "null"...)
	}
	switch {
	case t.kind == parquet.Boolean:
		return strconv.AppendBool(dst, v.Boolean())
	case (t.kind == parquet.Int32 || t.kind == parquet.Int64) && t.unit == 0 && !t.date && t.scale < 0 && t.unsigned:
		return strconv.AppendUint(dst, t.uint(v), 10)
	case (t.kind == parquet.Int32 || t.kind == parquet.Int64) && t.unit == 0 && !t.date && t.scale <= 0:
		if t.kind == parquet.Int32 {
			return strconv.AppendInt(dst, int64(v.Int32()), 10)
		}
		return strconv.AppendInt(dst, v.Int64(), 10)
	case t.kind == parquet.Float || t.kind == parquet.Double:
		f := v.Double()
		if t.kind == parquet.Float {
			f = float64(v.Float())
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return appendJSONString(dst, strconv.FormatFloat(f, 'g', -1, 64))
		}
		return strconv.AppendFloat(dst, f, 'g', -1, 64)
	case t.scale >= 0 && t.unit == 0 && !t.date:
		// A decimal as the number it is, as DuckDB writes it (was a
		// string: "1.25"; found by a review).
		return append(dst, t.text(v, fix)...)
	}
	return appendJSONString(dst, t.text(v, fix))
}

// uint reads an unsigned integer column's value.
func (t leafType) uint(v parquet.Value) uint64 {
	if t.kind == parquet.Int32 {
		return uint64(uint32(v.Int32()))
	}
	return uint64(v.Int64())
}

// appendJSONString appends s as a JSON string. s is valid UTF-8 without
// NULs (repaired first), so every byte either passes or is escaped.
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c == '\n':
			dst = append(dst, '\\', 'n')
		case c == '\r':
			dst = append(dst, '\\', 'r')
		case c == '\t':
			dst = append(dst, '\\', 't')
		case c < 0x20:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '"')
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
