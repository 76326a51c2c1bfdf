package export

import (
	"encoding/json"
	"io"
	"strings"
	"time"
)

// jsonWriter writes one JSON array of objects, keys in column order.
type jsonWriter struct {
	w     io.Writer
	keys  [][]byte
	types []*colType
	n     int
}

func (j *jsonWriter) Begin(cols []Column) error {
	j.types = types(cols)
	for _, c := range cols {
		k, _ := json.Marshal(c.Name)
		j.keys = append(j.keys, k)
	}
	_, err := io.WriteString(j.w, "[")
	return err
}

func (j *jsonWriter) Row(vals []any) error {
	var b strings.Builder
	if j.n > 0 {
		b.WriteByte(',')
	}
	b.WriteString("\n  {")
	for i, v := range vals {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(j.keys[i])
		b.WriteByte(':')
		v = plain(v, j.types[i])
		if t, ok := v.(time.Time); ok {
			v = t.UTC()
		}
		// A JSON column an engine hands back as its text (PostgreSQL's
		// jsonb) is nested as JSON, as DuckDB's decoded one is, not quoted.
		if raw, ok := jsonText(v, j.types[i]); ok {
			v = raw
		}
		val, err := marshal(v)
		if err != nil {
			val, _ = marshal(text(v))
		}
		b.Write(val)
	}
	b.WriteByte('}')
	j.n++
	_, err := io.WriteString(j.w, b.String())
	return err
}

func (j *jsonWriter) Close() error {
	_, err := io.WriteString(j.w, "\n]\n")
	return err
}

// jsonCell is a JSON column's value as JSON text: an engine's text as it
// is (PostgreSQL's jsonb), a decoded value (DuckDB's) encoded again.
func jsonCell(v any, t *colType) string {
	if raw, ok := jsonText(v, t); ok {
		return string(raw)
	}
	b, err := marshal(plain(v, t))
	if err != nil {
		return text(plain(v, t))
	}
	return string(b)
}

// jsonText is v as raw JSON when its column is of a JSON type and v is
// valid JSON text.
func jsonText(v any, t *colType) (json.RawMessage, bool) {
	if !t.is("JSON", "JSONB") {
		return nil, false
	}
	var b []byte
	switch x := v.(type) {
	case string:
		b = []byte(x)
	case []byte:
		b = x
	default:
		return nil, false
	}
	if !json.Valid(b) {
		return nil, false
	}
	return json.RawMessage(b), true
}
