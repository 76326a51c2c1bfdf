package dialects

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
	"testing"
)

// sanitized is the shape SanitizeName promises: lower-case letters, digits
// and single underscores inside, starting with a letter; or the placeholder f_.
var sanitized = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$|^f_$`)

// FuzzSanitizeName checks the promised shape and the doc comment's recipe,
// redone here with a regexp: ASCII letters lower-cased, every other run of
// bytes one _, _ trimmed, f_ before an empty or digit-led result, 60 bytes.
func FuzzSanitizeName(f *testing.F) {
	for _, s := range []string{"", "Email", "1st", "f_", "f", "日本", "naïve", "\xff\xfe", "K", "status",
		"a\x00b", strings.Repeat("a", 59) + " b", "9" + strings.Repeat("x_", 40), "SELECT", "_file"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := SanitizeName(s)
		if !sanitized.MatchString(got) || len(got) > 60 {
			t.Fatalf("SanitizeName(%q) = %q: not a plain name of at most 60 bytes", s, got)
		}
		if want := sanitizeRecipe(s); got != want {
			t.Fatalf("SanitizeName(%q) = %q, want %q", s, got, want)
		}
		// Idempotent, except that the placeholder for a name with nothing
		// usable is f_, while f_ itself, like any name, loses its trailing _.
		if again := SanitizeName(got); again != got && got != "f_" {
			t.Fatalf("SanitizeName(%q) = %q, then %q", s, got, again)
		}
	})
}

var notAlnum = regexp.MustCompile(`[^a-z0-9]+`)

func sanitizeRecipe(s string) string {
	// ASCII only: the Kelvin sign is no k.
	name := strings.Trim(notAlnum.ReplaceAllString(asciiLower(s), "_"), "_")
	if name == "" {
		return "f_"
	}
	if name[0] >= '0' && name[0] <= '9' {
		name = "f_" + name
	}
	return strings.TrimRight(name[:min(len(name), 60)], "_")
}

// FuzzViewName: the same id gives the same plain name; a plain id is used as
// it is and any other is marked with its hash.
func FuzzViewName(f *testing.F) {
	for _, s := range []string{"52275", "a-b", "a_b", "A-B", "", "_", "日本", "a__b", strings.Repeat("z", 61), "\x00"} {
		f.Add(s)
	}
	plainID := regexp.MustCompile(`^[a-z0-9]+(_[a-z0-9]+)*$`)
	f.Fuzz(func(t *testing.T, id string) {
		v := ViewName(id)
		if v != ViewName(id) || !sanitized.MatchString(v) || !strings.HasPrefix(v, "sync_records_") || len(v) > 13+60 {
			t.Fatalf("ViewName(%q) = %q: not a stable plain name", id, v)
		}
		if plainID.MatchString(id) && len(id) <= 60 {
			if v != "sync_records_"+id {
				t.Fatalf("ViewName(%q) = %q: a plain id is kept", id, v)
			}
			return
		}
		sum := sha256.Sum256([]byte(id))
		if !strings.HasSuffix(v, hex.EncodeToString(sum[:4])) {
			t.Fatalf("ViewName(%q) = %q: no hash of the id", id, v)
		}
	})
}

// FuzzAssignColumns checks AssignColumns' promises over arbitrary names
// (newline-separated): no two columns equal ignoring case, none reserved, every
// field one column, and a second call with more fields or more reserved names
// renames only what it must.
func FuzzAssignColumns(f *testing.F) {
	f.Add("Email\nemail\nstatus\n\n1st\nnaïve\nna_ve", "EMAIL\nf_\nf", "")
	f.Add("IDENTIFIER\nStatus\n_file\n_row\nsync_run_id", "a", "email\nf_")
	f.Add("select\nfrom\n\"quoted\"\nx y\nx_y\nX-Y", "x_y_2", "X_Y\nselect")
	f.Fuzz(func(t *testing.T, a, b, extra string) {
		reserved := Names(RecordsColumns)
		first := map[string]string{}
		for _, n := range strings.Split(a, "\n") {
			first[n] = "string"
		}
		all := map[string]string{}
		for _, n := range strings.Split(a+"\n"+b, "\n") {
			all[n] = "number"
		}
		before := AssignColumns(nil, first, reserved)
		checkColumns(t, before, first, reserved)
		after := AssignColumns(before, all, reserved)
		checkColumns(t, after, all, reserved)
		more := append(reserved, strings.Split(extra, "\n")...)
		again := AssignColumns(after, all, more)
		checkColumns(t, again, all, more)

		col := map[string]string{}
		for _, c := range again {
			col[c.Field] = c.Column
		}
		for _, c := range before {
			if in(more, c.Column) || in(lowered(more), c.Column) {
				continue // reserved since (as ASCII or by ToLower): it may move
			}
			if col[c.Field] != c.Column {
				t.Fatalf("field %q: column %q became %q", c.Field, c.Column, col[c.Field])
			}
		}
	})
}

// checkColumns: one column per field, no two equal ignoring case, none
// reserved, and names it made itself are sanitized.
func checkColumns(t *testing.T, cols []PayloadColumn, fields map[string]string, reserved []string) {
	t.Helper()
	if len(cols) != len(fields) {
		t.Fatalf("%d columns for %d fields", len(cols), len(fields))
	}
	seen := map[string]bool{}
	for _, c := range cols {
		k := strings.ToLower(c.Column)
		if _, ok := fields[c.Field]; !ok || seen[k] || in(reserved, c.Column) {
			t.Fatalf("column %+v: unknown field, used twice or reserved", c)
		}
		seen[k] = true
		if !sanitized.MatchString(c.Column) || len(c.Column) > 60 {
			t.Fatalf("column %q is not a plain name", c.Column)
		}
		if NormalizeType(c.Type) != c.Type {
			t.Fatalf("column %+v: type not normalized", c)
		}
	}
}

// in compares names as the engines compare identifiers: ASCII letters
// ignoring case, every other byte as it is.
func in(names []string, name string) bool {
	for _, n := range names {
		if asciiLower(n) == asciiLower(name) {
			return true
		}
	}
	return false
}

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func lowered(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = strings.ToLower(n)
	}
	return out
}
