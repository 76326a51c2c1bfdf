package warehouse

import (
	"fmt"
	"net/url"
	"strings"
)

// URLParams reads a warehouse URL's query string (the part after ?) as every
// engine's ParseURL must: a pair url.Values cannot read is an error naming
// its parameter. url.URL.Query drops such a pair without a word, so
// duckdb:///w.duckdb?threads=2;memory_limit=1GB would load with neither
// setting; url.ParseQuery refuses it but does not say which parameter.
// A parameter given more than once is refused too. Only the name is
// repeated, never a value, which may be a secret.
func URLParams(rawQuery string) (url.Values, error) {
	for _, pair := range strings.Split(rawQuery, "&") {
		if pair == "" {
			continue
		}
		name, _, _ := strings.Cut(pair, "=")
		if strings.Contains(pair, ";") {
			name, _, _ = strings.Cut(name, ";")
			return nil, fmt.Errorf("parameter %s: a ; does not separate parameters: join them with & "+
				"(as in a=1&b=2), and write a ; inside a value as %%3B", shownName(name))
		}
		if _, err := url.QueryUnescape(name); err != nil {
			return nil, fmt.Errorf("parameter %s: its name has a bad %%-escape", shownName(name))
		}
		if _, err := url.QueryUnescape(pair[len(name):]); err != nil {
			return nil, fmt.Errorf("parameter %s: its value has a bad %%-escape (a %% is written %%25)", shownName(name))
		}
	}
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, err
	}
	// A parameter given twice (threads=2&threads=8) is read as its first
	// value by every engine and the driver alike: the other is dropped
	// without a word, so which one the user meant is theirs to say.
	for name, vs := range q {
		if len(vs) > 1 {
			return nil, fmt.Errorf("parameter %q is given %d times: give it once", name, len(vs))
		}
	}
	return q, nil
}

// shownName is a parameter's name as the user wrote it, unescaped if it can be.
func shownName(name string) string {
	if n, err := url.QueryUnescape(name); err == nil {
		name = n
	}
	return fmt.Sprintf("%q", name)
}
