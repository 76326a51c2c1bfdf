package web

import (
	"errors"
	"fmt"
	"testing"

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
