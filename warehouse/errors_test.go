package warehouse

import (
	"errors"
	"fmt"
	"testing"
)

// WithoutHint gives an error's text without the hint its class added, for
// a log line with the hint in a field of its own; other text stays.
func TestWithoutHint(t *testing.T) {
	e := &Error{Class: Config, Reason: "x", Hint: "do this", Err: errors.New("open: refused")}
	wrapped := fmt.Errorf("cycle: %w", e)
	for err, want := range map[error]string{
		e: "open: refused", wrapped: "cycle: open: refused",
		errors.New("plain (do this)"): "plain (do this)",
	} {
		if got := WithoutHint(err); got != want {
			t.Errorf("WithoutHint(%q) = %q, want %q", err, got, want)
		}
	}
}
