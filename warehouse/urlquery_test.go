package warehouse

import (
	"strings"
	"testing"
)

func TestURLParams(t *testing.T) {
	for _, c := range []struct{ query, err string }{
		{"", ""},
		{"a=1&b=x%3By", ""},
		{"a=1&&b=2", ""},
		{"threads=2;foo=bar", `parameter "threads": a ; does not separate parameters`},
		{"a=1&foo;bar=2", `parameter "foo": a ;`},
		{"a=1&b%20c=2;3", `parameter "b c": a ;`},
		{"token=s3cret%zz", `parameter "token": its value has a bad %-escape`},
		{"a%zz=1", `parameter "a%zz": its name has a bad %-escape`},
		{"threads=2&threads=s3cret", `parameter "threads" is given 2 times`},
		{"a=1&b=2&a=1", `parameter "a" is given 2 times`},
	} {
		q, err := URLParams(c.query)
		switch {
		case c.err == "" && err != nil:
			t.Errorf("%q: %v", c.query, err)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%q: %v (%v), want an error saying %q", c.query, err, q, c.err)
		case err != nil && strings.Contains(err.Error(), "s3cret"):
			t.Errorf("%q: the error repeats the value: %v", c.query, err)
		}
	}
}
