package duckdb

import (
	"fmt"
	"testing"
)

// strIndex finds every string it was given, at its own index, through the
// table's growth and through probe chains (a table that starts at its
// smallest, strings that differ in one byte, the empty string, and one
// that is a prefix of another); a string it was not given is not found.
func TestStrIndex(t *testing.T) {
	x := newStrIndex(0)
	var strs []string
	add := func(s string) {
		i, slot, h := x.find(strs, []byte(s))
		if i >= 0 {
			t.Fatalf("%q found at %d before it was added", s, i)
		}
		strs = append(strs, s)
		x.add(strs, int32(len(strs)-1), slot, h)
	}
	add("")
	add("a")
	add("ab")
	for i := range 50_000 {
		add(fmt.Sprintf("message %d for u_%d", i, i%97))
	}
	if len(x.slots) <= 1024 {
		t.Fatalf("the table did not grow: %d slots for %d strings", len(x.slots), len(strs))
	}
	for want, s := range strs {
		if i, _, _ := x.find(strs, []byte(s)); i != int32(want) {
			t.Fatalf("%q found at %d, want %d", s, i, want)
		}
	}
	for _, s := range []string{"b", "a\x00", "message 50000 for u_46", "message 1 for u_2"} {
		if i, _, _ := x.find(strs, []byte(s)); i >= 0 {
			t.Fatalf("%q, never added, found at %d (%q)", s, i, strs[i])
		}
	}
}
