package export

import (
	"bytes"
	"strings"
	"testing"
)

// Bytes of every engine's binary type are base64 as text, the same in CSV,
// JSON and the table: CSV wrote the raw bytes (a NUL, invalid UTF-8) where
// the JSON of the same row said base64.
func TestBytesAreBase64AsText(t *testing.T) {
	cols := []Column{{Name: "duckdb", Type: "BLOB"}, {Name: "bigquery", Type: "BYTES"}, {Name: "snowflake", Type: "BINARY"}}
	raw := []byte("\xff\x00a")
	const b64 = "/wBh"
	for format, want := range map[string]string{
		"csv":   "duckdb,bigquery,snowflake\n/wBh,/wBh,/wBh\n",
		"json":  `[` + "\n" + `  {"duckdb":"/wBh","bigquery":"/wBh","snowflake":"/wBh"}` + "\n]\n",
		"table": b64 + "    " + b64 + "      " + b64,
	} {
		var b bytes.Buffer
		w, err := New(format, &b)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Begin(cols); err != nil {
			t.Fatal(err)
		}
		if err := w.Row([]any{raw, raw, raw}); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if got := b.String(); !strings.Contains(got, want) {
			t.Errorf("%s:\n%q\nwant it to hold\n%q", format, got, want)
		}
	}
}
