package export

import (
	"bytes"
	"strings"
	"testing"
)

// A JSON column an engine returns as text (PostgreSQL's jsonb) is nested in
// the JSON output as an object, as DuckDB's decoded JSON is; text that only
// looks like JSON in a text column stays a string.
func TestJSONColumnsNested(t *testing.T) {
	var b bytes.Buffer
	w, err := New("json", &b)
	if err != nil {
		t.Fatal(err)
	}
	cols := []Column{{Name: "p", Type: "JSONB"}, {Name: "j", Type: "JSON"}, {Name: "s", Type: "TEXT"}, {Name: "bad", Type: "JSONB"}}
	if err := w.Begin(cols); err != nil {
		t.Fatal(err)
	}
	if err := w.Row([]any{`{"a": [1, 2]}`, []byte(`{"b":true}`), `{"c":1}`, `{not json`}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got := b.String()
	for _, want := range []string{`"p":{"a":[1,2]}`, `"j":{"b":true}`, `"s":"{\"c\":1}"`, `"bad":"{not json"`} {
		if !strings.Contains(got, want) {
			t.Errorf("JSON output lacks %s:\n%s", want, got)
		}
	}
}
