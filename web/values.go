package web

import (
	"bytes"
	"encoding/json"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/synctrack/synctrack/sql/export"
)

// Engines answer counts, instants and JSON in their own Go types (int64,
// *big.Int, decimal strings, time.Time, RFC 3339 text, []byte); these read
// any of them.

func (r row) str(c string) string { return export.Text(r[c]) }

func (r row) int(c string) int64 {
	switch x := r[c].(type) {
	case int64:
		return x
	case int32:
		return int64(x)
	case int:
		return int64(x)
	case float64:
		return int64(x)
	case *big.Int:
		return x.Int64()
	case *big.Rat:
		f, _ := x.Float64()
		return int64(f)
	}
	s := export.Text(r[c])
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n
	}
	f, _ := strconv.ParseFloat(s, 64)
	return int64(f)
}

func (r row) float(c string) float64 {
	switch x := r[c].(type) {
	case float64:
		return x
	case float32:
		return float64(x)
	case *big.Rat:
		f, _ := x.Float64()
		return f
	}
	f, _ := strconv.ParseFloat(export.Text(r[c]), 64)
	return f
}

func (r row) time(c string) time.Time {
	switch x := r[c].(type) {
	case time.Time:
		return x.UTC()
	case nil:
		return time.Time{}
	}
	s := export.Text(r[c])
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	// Snowflake's JSON results send instants as seconds since the epoch.
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		sec := int64(f)
		return time.Unix(sec, int64((f-float64(sec))*1e9)).UTC()
	}
	return time.Time{}
}

// day is a UTC date column as YYYY-MM-DD.
func (r row) day(c string) string {
	if t := r.time(c); !t.IsZero() {
		return t.Format("2006-01-02")
	}
	return r.str(c)
}

// payload parses a record_payload cell: JSON text, bytes, or a decoded value.
func payload(v any) (any, bool) {
	switch x := v.(type) {
	case nil:
		return nil, false
	case string:
		return decode([]byte(x))
	case []byte:
		return decode(x)
	default:
		return x, true
	}
}

func decode(b []byte) (any, bool) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, false
	}
	return v, true
}

// pretty indents a payload as JSON for reading; text that is not JSON is
// shown as it is. JSON text (as every engine gives it now) is indented as
// it is, its keys in their order and its numbers' digits kept. A payload
// is a bucket's bytes, so what a page shows of one is bounded: JSON nested
// deeper than maxIndent is shown as stored (indenting 10 KB nested 5,000
// deep wrote 50 MB), and anything longer than maxShown is cut.
func pretty(v any) string {
	var raw []byte
	switch x := v.(type) {
	case string:
		raw = []byte(x)
	case []byte:
		raw = x
	default:
		p, ok := payload(v)
		if !ok {
			return cut(export.Text(v))
		}
		var b bytes.Buffer
		e := json.NewEncoder(&b)
		e.SetEscapeHTML(false) // html/template escapes it on the way out
		if err := e.Encode(p); err != nil {
			return cut(export.Text(v))
		}
		raw = bytes.TrimRight(b.Bytes(), "\n")
	}
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) > maxShown || depth(trimmed) > maxIndent {
		return cut(string(raw))
	}
	var b bytes.Buffer
	if err := json.Indent(&b, trimmed, "", "  "); err != nil {
		return cut(string(raw))
	}
	return cut(b.String())
}

// maxShown is how many bytes of a payload a page shows (the downloads have
// it whole); maxIndent is the deepest JSON it indents, which then grows at
// most some 70 times.
const maxShown, maxIndent = 64 << 10, 32

// cut is s up to maxShown bytes (whole characters), saying how long s is.
func cut(s string) string {
	if len(s) <= maxShown {
		return s
	}
	return strings.ToValidUTF8(s[:maxShown], "") + "\n... cut: " + thousands(int64(len(s))) +
		" bytes in all; the downloads have it whole"
}

// maxText is how many bytes of a message a page shows in a table's cell: an
// error reason, an error's example or fingerprint, a ledger row's reason. A
// status message is a bucket's bytes, and a run page shows 50 of them.
const maxText = 2 << 10

// short is s up to maxText bytes (whole characters), saying how long s is.
func short(s string) string {
	if len(s) <= maxText {
		return s
	}
	return strings.ToValidUTF8(s[:maxText], "") + " ... cut: " + thousands(int64(len(s))) + " bytes in all"
}

// depth is how deeply the JSON text b nests its arrays and objects.
func depth(b []byte) int {
	d, most, str := 0, 0, false
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case str && c == '\\':
			i++
		case c == '"':
			str = !str
		case str:
		case c == '[' || c == '{':
			d++
			most = max(most, d)
		case c == ']' || c == '}':
			d--
		}
	}
	return most
}

// number writes a float64 as JSON would: digits without an exponent below
// 1e21 (49517.17, 42), the shortest exact form above it.
func number(f float64) string {
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}
