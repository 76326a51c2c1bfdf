package export

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
	"unicode/utf8"
)

// Two messages equal in their first 70 characters rendered as the same
// clipped cell in the demo's top 10; they must not.
func TestTableNeverRendersTwoValuesAlike(t *testing.T) {
	prefix := "UNABLE_TO_LOCK_ROW: unable to obtain exclusive access to this record or 1 records: "
	if len(prefix) < 70 {
		t.Fatal("prefix too short for the case")
	}
	a, b := prefix+"0018a00001AAAA", prefix+"0018a00001BBBB"
	middle1 := strings.Repeat("x", 40) + "1" + strings.Repeat("y", 40) // differ only in the middle
	middle2 := strings.Repeat("x", 40) + "2" + strings.Repeat("y", 40)
	pairs := [][2]any{
		{a, b},
		{middle1, middle2},
		{"a\nb", `a\nb`},              // a line break and the two characters \n
		{"two  spaces", "two spaces"}, // no longer collapsed
		{nil, "NULL"},                 // SQL NULL and the vendor's text status
		{"", nil},
	}
	for _, p := range pairs {
		x, y := cell(p[0]), cell(p[1])
		if x == y {
			t.Errorf("%q and %q both render as %q", p[0], p[1], x)
		}
		for _, c := range []string{x, y} {
			if n := utf8.RuneCountInString(c); n > tableCell || strings.ContainsAny(c, "\n\t") {
				t.Errorf("cell %q: %d runes or a control character", c, n)
			}
		}
	}
	if got := cell(a); !strings.HasPrefix(got, prefix[:20]) || !strings.Contains(got, "0018a00001AAAA"[2:]) {
		t.Errorf("cut cell %q keeps neither its start nor its end", got)
	}
	for _, v := range []any{"short message", int64(42), strings.Repeat("z", tableCell)} {
		if got := cell(v); got != Text(v) {
			t.Errorf("%v rendered as %q, want it as it is", v, got)
		}
	}

	var out bytes.Buffer
	w, _ := New("table", &out)
	if err := w.Begin([]Column{{Name: "message"}, {Name: "n"}}); err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{a, b} {
		if err := w.Row([]any{m, int64(7)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(out.String(), "\n")
	if len(lines) < 3 || lines[1] == lines[2] {
		t.Fatalf("the two rows print alike:\n%s", out.String())
	}
}

// A column's name can come from a bucket too (a fact table's columns are
// its parquet file's): the header escapes what the cells escape.
func TestTableHeaderEscapesControls(t *testing.T) {
	var out bytes.Buffer
	w, _ := New("table", &out)
	if err := w.Begin([]Column{{Name: "name\x1b]0;owned\x07\nX"}, {Name: "a\u202eb"}}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); strings.ContainsAny(got, "\x1b\x07\u202e") || strings.Count(got, "\n") != 2 {
		t.Errorf("the header lets control characters through:\n%q", got)
	}
}

// What EscapeControls writes, UnescapeControls reads back: a key copied
// from status's output names the object (synctrack retry).
func TestUnescapeControlsUndoesEscapeControls(t *testing.T) {
	for _, s := range []string{"a\tb", "x\x1b[31m", "\x01\x7f", "rtl\u202eltr", "c1\u0085", "nl\nnl"} {
		e := EscapeControls(s)
		if got, ok := UnescapeControls(e); !ok || got != s {
			t.Errorf("%q: escaped %q, read back %q, %v", s, e, got, ok)
		}
	}
	for _, s := range []string{"plain", `bad\q`, `cut\x1`} {
		if got, ok := UnescapeControls(s); ok {
			t.Errorf("%q: read as %q", s, got)
		}
	}
}

// The README says how the table shortens a value, with these figures: a
// change to them must change what it says.
func TestReadmeSaysHowTheTableShortens(t *testing.T) {
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := strings.Join(strings.Fields(string(raw)), " ")
	long := strings.Repeat("a", 40) + strings.Repeat("z", 40)
	c := []rune(cell(long))
	hash := len(c) - strings.LastIndex(string(c), " #") - len(" #")
	head := strings.IndexRune(string(c), 'z') - len("...") // the a's kept
	for _, says := range []string{
		fmt.Sprintf("A cell is at most %d characters wide", len(c)),
		fmt.Sprintf("keeping its first %d characters, then `...`, its last %d", head, tableTail),
		fmt.Sprintf("the first %d hex digits of the SHA-256 of the whole value", hash),
		"use `--format csv`, `--format json` or `--format parquet`",
	} {
		if !strings.Contains(readme, says) {
			t.Errorf("the README does not say %q", says)
		}
	}
	if len(c) != tableCell || !strings.HasPrefix(string(c), strings.Repeat("a", head)+"...") {
		t.Errorf("cell(%d runes) = %q", len(long), string(c))
	}
}

// The table's last line counts rows as psql does: "(1 row)", not "(1 rows)".
func TestTableCountsOneRow(t *testing.T) {
	for n, want := range map[int]string{0: "(0 rows)\n", 1: "(1 row)\n", 2: "(2 rows)\n"} {
		var out bytes.Buffer
		w, _ := New("table", &out)
		if err := w.Begin([]Column{{"a", "INTEGER"}}); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < n; i++ {
			if err := w.Row([]any{i}); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(out.String(), want) {
			t.Errorf("%d rows: %q; want it to end %q", n, out.String(), want)
		}
	}
}
