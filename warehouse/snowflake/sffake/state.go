package sffake

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// ledgerColumns are load_ledger's columns in LedgerSelect's order.
var ledgerColumns = []string{"KEY", "ETAG", "SIZE", "KIND", "STATUS", "ROWS", "ERROR", "ATTEMPTS", "FIRST_SEEN_AT", "LOADED_AT"}

// modeled says whether q writes a table whose rows the fake keeps.
func modeled(q string) bool {
	first := firstLine(q)
	return strings.Contains(first, `"LOAD_LEDGER"`)
}

// text renders a stored value as the JSON result format sends it.
func text(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return ""
}

// ledgerRows answers LedgerSelect: NULL counts are 0, a NULL error is ”,
// times are epoch microseconds.
func (f *Server) ledgerRows(st *fakeState) map[string]any {
	cols := make([]column, len(ledgerColumns))
	for i, c := range ledgerColumns {
		cols[i] = column{c, "text"}
		if c == "SIZE" || c == "ROWS" || c == "ATTEMPTS" || strings.HasSuffix(c, "_AT") {
			cols[i].Type = "fixed"
		}
	}
	var rows [][]any
	for _, r := range st.rows["LOAD_LEDGER"] {
		out := make([]any, len(ledgerColumns))
		for i, c := range ledgerColumns {
			v := r[c]
			switch {
			case c == "ERROR" && v == nil:
				out[i] = ""
			case (c == "SIZE" || c == "ROWS" || c == "ATTEMPTS") && v == nil:
				out[i] = "0"
			case (c == "FIRST_SEEN_AT" || c == "LOADED_AT") && v != nil:
				t, err := time.Parse(time.RFC3339Nano, text(v))
				if err != nil {
					f.t.Errorf("ledger time %q: %v", v, err)
				}
				out[i] = fmt.Sprint(t.UnixMicro())
			default:
				out[i] = v
			}
		}
		rows = append(rows, out)
	}
	return result(0x1000, cols, rows)
}

// scanRows answers LedgerScan: the rows whose key starts with prefix, by
// key in byte order, as Snowflake's 'utf8' collation orders them.
func scanRows(st *fakeState, prefix string) map[string]any {
	cols := []column{{"KEY", "text"}, {"ETAG", "text"}, {"STATUS", "text"}, {"ATTEMPTS", "fixed"}}
	var rows [][]any
	for _, r := range st.rows["LOAD_LEDGER"] {
		if k := text(r["KEY"]); strings.HasPrefix(k, prefix) {
			attempts := r["ATTEMPTS"]
			if attempts == nil {
				attempts = "0"
			}
			rows = append(rows, []any{k, r["ETAG"], r["STATUS"], attempts})
		}
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i][0].(string) < rows[j][0].(string) })
	return result(0x1000, cols, rows)
}

// Ledger returns the committed ledger rows, in the order first written, as
// text in LedgerColumns order (NULL is "").
func (f *Server) Ledger() [][]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out [][]string
	for _, r := range f.committed.rows["LOAD_LEDGER"] {
		out = append(out, ledgerText(r))
	}
	return out
}

func ledgerText(r row) []string {
	out := make([]string, len(ledgerColumns))
	for i, c := range ledgerColumns {
		out[i] = text(r[c])
	}
	return out
}

// LedgerFor returns the committed ledger row of key (its newest version).
func (f *Server) LedgerFor(key string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, r := range f.committed.rows["LOAD_LEDGER"] {
		if r["KEY"] == key {
			out = ledgerText(r)
		}
	}
	return out
}

// parseValues reads the tuples after the first VALUES in q.
func parseValues(q string) [][]*string {
	i := strings.Index(q, "VALUES")
	if i < 0 {
		return nil
	}
	s := q[i+len("VALUES"):]
	var out [][]*string
	for {
		s = strings.TrimLeft(s, " \n,")
		if !strings.HasPrefix(s, "(") {
			return out
		}
		end := tupleEnd(s)
		out = append(out, parseTuple(s[1:end]))
		s = s[end+1:]
	}
}

// tupleEnd finds the ) closing the tuple s starts with, skipping literals.
func tupleEnd(s string) int {
	in := false
	for i := 1; i < len(s); i++ {
		switch {
		case in && s[i] == '\\':
			i++
		case s[i] == '\'':
			if in && i+1 < len(s) && s[i+1] == '\'' {
				i++
				continue
			}
			in = !in
		case !in && s[i] == ')':
			return i
		}
	}
	return len(s)
}

// parseTuple reads comma-separated literals: 'text' (with ” and \\), NULL, numbers.
func parseTuple(s string) []*string {
	var out []*string
	for {
		s = strings.TrimLeft(s, " \n")
		if s == "" {
			return out
		}
		var v *string
		if s[0] == '\'' {
			var b strings.Builder
			i := 1
			for ; i < len(s); i++ {
				if s[i] == '\\' && i+1 < len(s) {
					i++
					b.WriteByte(s[i])
					continue
				}
				if s[i] == '\'' {
					if i+1 < len(s) && s[i+1] == '\'' {
						b.WriteByte('\'')
						i++
						continue
					}
					break
				}
				b.WriteByte(s[i])
			}
			str := b.String()
			v, s = &str, s[i+1:]
		} else {
			tok, rest, _ := strings.Cut(s, ",")
			tok = strings.TrimSpace(tok)
			if tok != "NULL" {
				v = &tok
			}
			s = "," + rest
			if !strings.Contains(s[1:], ",") && strings.TrimSpace(rest) == "" {
				s = ""
			}
		}
		out = append(out, v)
		s = strings.TrimLeft(s, " \n")
		if !strings.HasPrefix(s, ",") {
			return out
		}
		s = s[1:]
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
