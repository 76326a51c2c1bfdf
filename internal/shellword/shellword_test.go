package shellword

import "testing"

func TestQuote(t *testing.T) {
	for in, want := range map[string]string{
		"./synctrack":        "./synctrack",
		"file:///tmp/bucket": "file:///tmp/bucket",
		"/tmp/a b":           "'/tmp/a b'",
		"it's":               `'it'\''s'`,
		"":                   "''",
		"$(rm -rf ~)":        "'$(rm -rf ~)'",
		`s x&'y`:             `'s x&'\''y'`,
	} {
		if got := Quote(in); got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
	}
}
