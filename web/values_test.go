package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/synctrack/synctrack/warehouse"
)

// A typed view's cell as the page shows it: numbers as JSON writes them,
// whatever Go type the engine's driver answers in; NULL as nothing.
func TestCellText(t *testing.T) {
	for _, c := range []struct {
		v    any
		want string
	}{
		{49517.17, "49517.17"},
		{float64(42), "42"},
		{-0.5, "-0.5"},
		{1e21, "1e+21"},
		{1e300, "1e+300"},
		{int64(7), "7"},
		{"3.25", "3.25"},
		{true, "true"},
		{nil, ""},
		{[]byte(`{"a":1}`), `{"a":1}`},
	} {
		if got := cellText(c.v); got != c.want {
			t.Errorf("cellText(%#v) = %q, want %q", c.v, got, c.want)
		}
	}
}

// A payload is shown as stored: its keys in their order, a number's digits
// past 2^53 kept; text that is not JSON as it is.
func TestPrettyKeepsThePayload(t *testing.T) {
	got := pretty(`{"z":1,"a":12345678901234567890,"m":[0.1000000000000000055511151231257827]}`)
	want := "{\n  \"z\": 1,\n  \"a\": 12345678901234567890,\n  \"m\": [\n    0.1000000000000000055511151231257827\n  ]\n}"
	if got != want {
		t.Errorf("pretty:\n%s\nwant:\n%s", got, want)
	}
	if got := pretty([]byte("not json {")); got != "not json {" {
		t.Errorf("pretty of text that is not JSON: %q", got)
	}
}

// A payload is a bucket's bytes: indenting one nested 5,000 deep (10 KB)
// wrote 50 MB, so a run page of 50 such records was 2.5 GB of HTML and its
// server grew to 10 GB. Deep JSON is shown as stored, not indented, and a
// payload longer than maxShown is cut, saying so, whether text, JSON or a
// decoded value (PostgreSQL's driver gives jsonb decoded).
func TestPrettyIsBounded(t *testing.T) {
	deep := `{"a":` + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + `}`
	if got := pretty(deep); got != deep {
		t.Errorf("a payload nested 5,000 deep shows as %d bytes, want it as stored (%d)", len(got), len(deep))
	}
	var decoded any
	if err := json.Unmarshal([]byte(deep), &decoded); err != nil {
		t.Fatal(err)
	}
	if got := pretty(decoded); got != deep {
		t.Errorf("a decoded payload nested 5,000 deep shows as %d bytes, want it as stored (%d)", len(got), len(deep))
	}
	long := `{"a":"` + strings.Repeat("é", 100_000) + `"}`
	for _, v := range []any{long, []byte(long), strings.Repeat("x", 200_000)} {
		got := pretty(v)
		if len(got) > maxShown+200 || !utf8.ValidString(got) || !strings.Contains(got, "the downloads have it whole") {
			t.Errorf("a long payload shows as %d bytes (valid UTF-8 %v), want it cut at %d, saying so", len(got), utf8.ValidString(got), maxShown)
		}
	}
}

// The view's refusal is said without the loader's hint about objects.
func TestTypedErrorText(t *testing.T) {
	refused := warehouse.Wrap(errors.New("invalid input syntax for type numeric"), warehouse.Data, "input",
		"it is recorded as failed and retried on the next load")
	if got := typedErrorText(fmt.Errorf("run_typed: %w", refused)); got != "invalid input syntax for type numeric" {
		t.Errorf("a data error reads %q", got)
	}
	busy := warehouse.Wrap(errors.New("database is locked"), warehouse.Transient, "locked", "try again")
	if got := typedErrorText(busy); got != busy.Error() {
		t.Errorf("a transient error reads %q, want %q", got, busy.Error())
	}
}
