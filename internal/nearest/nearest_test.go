package nearest

import "testing"

func TestWord(t *testing.T) {
	cands := []string{"warehouse", "bucket", "batch_files", "batch_bytes", "schedule"}
	for _, c := range []struct {
		w    string
		most int
		want string
	}{
		{"warehuose", 2, "warehouse"}, // a swap: two edits
		{"bucket", 2, "bucket"},       // itself
		{"batch_file", 2, "batch_files"},
		{"batch_byte", 2, "batch_bytes"},
		{"batch_fileZZZ", 2, ""}, // three edits: too far
		{"batch_fileZZZ", 3, "batch_files"},
		{"batch_xxxes", 3, "batch_bytes"}, // equal to both at 3? the least in byte order wins a tie
		{"", 2, ""},
	} {
		if got := Word(c.w, cands, c.most); got != c.want {
			t.Errorf("Word(%q, %d) = %q, want %q", c.w, c.most, got, c.want)
		}
	}
}

func TestDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{{"", "", 0}, {"", "abc", 3}, {"kitten", "sitting", 3}, {"flaw", "lawn", 2}, {"abc", "abc", 0}} {
		if got := distance(c.a, c.b); got != c.want {
			t.Errorf("distance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
		if got := distance(c.b, c.a); got != c.want {
			t.Errorf("distance(%q, %q) = %d, want %d", c.b, c.a, got, c.want)
		}
	}
}
