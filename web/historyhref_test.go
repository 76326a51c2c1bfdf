package web

import (
	"net/url"
	"strings"
	"testing"
)

// An Older rows link keeps the page's address, the search's for an
// identifier "." or ".." (no path names them in a browser), and adds its
// cursor as one more parameter.
func TestHistoryHrefKeepsTheAddress(t *testing.T) {
	c := cursor{K: "r1", F: "k/a b&c.parquet", N: 3}
	for _, tc := range []struct{ id, sync, prefix string }{
		{"R 1", "", "/records/R%201?before="},
		{"R 1", "s&1", "/records/R%201?sync=s%261&before="},
		{"..", "s1", "/records?q=..&sync=s1&before="},
	} {
		h := historyHref(tc.id, tc.sync, c)
		if !strings.HasPrefix(h, tc.prefix) {
			t.Errorf("historyHref(%q, %q) = %s, want it to begin %s", tc.id, tc.sync, h, tc.prefix)
			continue
		}
		u, err := url.Parse(h)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := decodeCursor(u.Query().Get("before")); err != nil || got != c {
			t.Errorf("%s: before= reads as %+v, %v; want %+v", h, got, err, c)
		}
	}
}
