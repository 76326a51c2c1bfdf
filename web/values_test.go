package web

import (
	"encoding/json"
	"testing"
)

// A payload cell reaches typedValue as JSON text decoded here (numbers as
// json.Number) or as the driver decoded it (DuckDB: float64); a number
// column shows the number either way.
func TestTypedValueNumbers(t *testing.T) {
	for _, c := range []struct {
		p    any
		want string
	}{
		{map[string]any{"x": json.Number("49517.17")}, "49517.17"},
		{map[string]any{"x": 49517.17}, "49517.17"},
		{map[string]any{"x": float64(42)}, "42"},
		{map[string]any{"x": -0.5}, "-0.5"},
		{map[string]any{"x": 1e21}, "1e+21"},
		{map[string]any{"x": int64(7)}, "7"},
		{map[string]any{"x": "3.25"}, "3.25"},
		{map[string]any{"x": "abc"}, ""},
		{map[string]any{"x": true}, ""},
		{map[string]any{}, ""},
	} {
		if got := typedValue(c.p, "x", "number"); got != c.want {
			t.Errorf("typedValue(%v) = %q, want %q", c.p, got, c.want)
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
