package export

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/synctrack/synctrack/internal/duckdbtext"
)

// plain turns a scanned value into one every format writes alike: a DuckDB
// DECIMAL as a json.Number (a number in JSON, its digits elsewhere), bytes
// (a BLOB) as base64, as JSON writes them, UUID, INTERVAL, DATE and TIME as
// DuckDB's own text, a MAP as a JSON object (or a list of {key, value} when
// its keys are not text), and so on inside lists and structs. The column's
// type t decides where the Go type cannot:
// duckdb-go scans a UUID and a BLOB both to []byte, and a DATE, a TIME and
// a TIMESTAMP all to time.Time. Values of any other type are returned as
// they are.
func plain(v any, t *colType) any {
	switch x := v.(type) {
	case duckdb.Decimal:
		return json.Number(decimalText(x))
	case duckdb.Interval:
		return intervalText(x)
	case duckdb.UUID:
		return x.String()
	case duckdb.OrderedMap:
		return mapValue(x, t)
	case duckdb.Union:
		// A UNION is its member's value, as DuckDB prints it (fmt
		// printed the Go struct, {1 k}).
		return plain(x.Value, t.field(x.Tag))
	case []byte:
		if len(x) == 16 && t.is("UUID") {
			u := duckdb.UUID(x)
			return u.String()
		}
		if t.bytes() {
			// As encoding/json writes bytes: CSV and the table wrote the
			// raw bytes, NULs and invalid UTF-8 included, where the JSON
			// of the same row said base64.
			return base64.StdEncoding.EncodeToString(x)
		}
	case time.Time:
		switch inf := infinite(x, t); {
		case inf > 0:
			return "infinity"
		case inf < 0:
			return "-infinity"
		case t.is("DATE"):
			return duckdbtext.Date(x)
		case t.is("TIME"):
			return x.Format("15:04:05.999999")
		case t.is("TIMETZ", "TIME WITH TIME ZONE"):
			return x.Format("15:04:05.999999") + offsetText(x)
		}
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plain(e, t.child())
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = plain(e, t.field(k))
		}
		return out
	}
	return v
}

// infinite tells an infinite date or timestamp: 1 or -1, else 0.
// PostgreSQL's query path gives one as its text; DuckDB's driver as the
// instant its sentinel, the type's largest integer or its negation, would
// be (year 294247, or 5881580 for a DATE): a file should say infinity, as
// DuckDB does and as its parquet reader reads the sentinel back.
func infinite(v any, t *colType) int {
	if t == nil || !t.is("DATE") && !strings.HasPrefix(t.name, "TIMESTAMP") {
		return 0
	}
	switch x := v.(type) {
	case string:
		switch x {
		case "infinity":
			return 1
		case "-infinity":
			return -1
		}
	case time.Time:
		n, limit := x.UnixMicro(), int64(math.MaxInt64)
		switch {
		case t.is("DATE"):
			n, limit = days(x), math.MaxInt32
		case t.is("TIMESTAMP_S"):
			n = x.Unix()
		case t.is("TIMESTAMP_MS"):
			n = x.UnixMilli()
		case t.is("TIMESTAMP_NS"):
			n = x.UnixNano()
		}
		switch n {
		case limit:
			return 1
		case -limit:
			return -1
		}
	}
	return 0
}

// decimalText is the number's shortest exact text (1.5, -0.05), as CSV and
// table output printed it before JSON and parquet learned DECIMAL.
func decimalText(d duckdb.Decimal) string {
	if d.Value == nil {
		return "0"
	}
	return d.String()
}

// intervalText is DuckDB's own text: "1 year 2 months 3 days 04:05:06".
func intervalText(iv duckdb.Interval) string {
	return duckdbtext.Interval(iv.Months, iv.Days, iv.Micros)
}

// offsetText is a TIMETZ's offset as DuckDB prints it: +02, -03:30.
func offsetText(t time.Time) string {
	_, off := t.Zone()
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	s := fmt.Sprintf("%s%02d", sign, off/3600)
	if m, sec := off%3600/60, off%60; m != 0 || sec != 0 {
		s += fmt.Sprintf(":%02d", m)
		if sec != 0 {
			s += fmt.Sprintf(":%02d", sec)
		}
	}
	return s
}

// mapValue is a MAP as JSON: an object, in the map's order, when its keys
// are text; a list of {key, value} otherwise, since a JSON object's keys
// are text and MAP(INTEGER, ...) written as {"1": ...} would lose the type.
// The column's key type decides, so that every row of a column has the
// same shape; without one, the keys do.
func mapValue(m duckdb.OrderedMap, t *colType) any {
	keys, vals := m.Keys(), m.Values()
	textKeys := true
	if t != nil && t.key != nil {
		textKeys = t.key.is("VARCHAR", "ENUM")
	} else {
		for _, k := range keys {
			if _, ok := k.(string); !ok {
				textKeys = false
			}
		}
	}
	if textKeys {
		o := object{keys: make([]string, len(keys)), vals: make([]any, len(vals))}
		for i, k := range keys {
			o.keys[i], _ = k.(string)
			o.vals[i] = plain(vals[i], t.child())
		}
		return o
	}
	pairs := make([]any, len(keys))
	for i, k := range keys {
		var kt *colType
		if t != nil {
			kt = t.key
		}
		pairs[i] = map[string]any{"key": plain(k, kt), "value": plain(vals[i], t.child())}
	}
	return pairs
}

// object is a JSON object that keeps its keys' order.
type object struct {
	keys []string
	vals []any
}

func (o object) MarshalJSON() ([]byte, error) {
	b := []byte{'{'}
	for i, k := range o.keys {
		if i > 0 {
			b = append(b, ',')
		}
		kb, err := marshal(k)
		if err != nil {
			return nil, err
		}
		vb, err := marshal(o.vals[i])
		if err != nil {
			return nil, err
		}
		b = append(append(append(b, kb...), ':'), vb...)
	}
	return append(b, '}'), nil
}
