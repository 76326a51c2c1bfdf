package sffake

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

func (f *Server) ledgerRows(st *fakeState) map[string]any {
	cols := []column{{"KEY", "text"}, {"ETAG", "text"}, {"SIZE", "fixed"}, {"KIND", "text"}, {"STATUS", "text"},
		{"ROWS", "fixed"}, {"ERROR", "text"}, {"ATTEMPTS", "fixed"}, {"FIRST_SEEN_AT", "fixed"}, {"LOADED_AT", "fixed"}}
	var rows [][]any
	for _, id := range st.order {
		r := st.ledger[id]
		out := make([]any, len(r))
		for i, v := range r {
			switch {
			case i == 6 && v == "":
				out[i] = ""
			case (i == 8 || i == 9) && v != "":
				t, err := time.Parse(time.RFC3339Nano, v)
				if err != nil {
					f.t.Errorf("ledger time %q: %v", v, err)
				}
				out[i] = fmt.Sprint(t.UnixMicro())
			case v == "":
				out[i] = nil
			default:
				out[i] = v
			}
		}
		rows = append(rows, out)
	}
	return result(0x1000, cols, rows)
}

func (f *Server) mergeLedger(st *fakeState, q string) int {
	n := 0
	for _, r := range parseValues(q) {
		row := make([]string, len(r))
		for i, v := range r {
			row[i] = deref(v)
		}
		id := row[0] + "\x00" + row[1]
		if old, ok := st.ledger[id]; ok {
			row[8] = old[8]
		} else {
			st.order = append(st.order, id)
			n++
		}
		st.ledger[id] = row
	}
	return n
}

func (f *Server) replaceLedger(st *fakeState, q string) {
	for _, r := range parseValues(q) {
		key, etag, status := deref(r[0]), deref(r[1]), deref(r[4])
		for _, id := range st.order {
			l := st.ledger[id]
			if l[0] == key && l[1] != etag && (l[4] == "failed" || l[4] == "quarantined" || (l[4] == "loaded" && status == "loaded")) {
				l[4] = "replaced"
			}
		}
	}
}

// Ledger returns the committed ledger rows, in the order first written, as
// text in LedgerColumns order (NULL is "").
func (f *Server) Ledger() [][]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([][]string, 0, len(f.committed.order))
	for _, id := range f.committed.order {
		out = append(out, append([]string(nil), f.committed.ledger[id]...))
	}
	return out
}

// LedgerFor returns the committed ledger row of key (its newest version).
func (f *Server) LedgerFor(key string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, id := range f.committed.order {
		if r := f.committed.ledger[id]; r[0] == key {
			out = r
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
