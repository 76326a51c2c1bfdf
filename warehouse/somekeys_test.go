package warehouse

import "testing"

func TestSomeKeys(t *testing.T) {
	keys := []string{"a", "b", "c", "d"}
	if got := SomeKeys(keys, 4); got != "a, b, c, d" {
		t.Errorf("four of at most four: %q", got)
	}
	if got := SomeKeys(keys, 2); got != "a, b and 2 more" {
		t.Errorf("four of at most two: %q", got)
	}
}
