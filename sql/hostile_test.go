package sql

import (
	"strings"
	"testing"

	"github.com/synctrack/synctrack/internal/sqllex"
)

// hostile are parameter values, each with the literal every dialect must
// write for it, by hand from the engines' rules (internal/sqllex): DuckDB doubles
// a quote and nothing else; Snowflake also doubles a backslash; BigQuery
// escapes a quote or backslash with a backslash and writes control bytes as
// escapes. All drop NUL and replace invalid UTF-8. Nothing here comes from
// package dialects.
var hostile = []struct{ in, duckdb, snowflake, bigquery string }{
	{`x'; DROP TABLE synctrack.sync_records; --`,
		`'x''; DROP TABLE synctrack.sync_records; --'`, `'x''; DROP TABLE synctrack.sync_records; --'`, `'x\'; DROP TABLE synctrack.sync_records; --'`},
	{`x" OR 1=1 --`, `'x" OR 1=1 --'`, `'x" OR 1=1 --'`, `'x" OR 1=1 --'`},
	{"x` OR TRUE --", "'x` OR TRUE --'", "'x` OR TRUE --'", "'x` OR TRUE --'"},
	{`x\' OR TRUE --`, `'x\'' OR TRUE --'`, `'x\\'' OR TRUE --'`, `'x\\\' OR TRUE --'`},
	{`x\`, `'x\'`, `'x\\'`, `'x\\'`},
	{`''`, `''''''`, `''''''`, `'\'\''`},
	{"x /* comment */", "'x /* comment */'", "'x /* comment */'", "'x /* comment */'"},
	{"x # and // comments", "'x # and // comments'", "'x # and // comments'", "'x # and // comments'"},
	{"x\n-- line comment\n", "'x\n-- line comment\n'", "'x\n-- line comment\n'", `'x\n-- line comment\n'`},
	{"tab\tcr\r", "'tab\tcr\r'", "'tab\tcr\r'", `'tab\x09cr\r'`},
	{"x'||(SELECT 1)||'", "'x''||(SELECT 1)||'''", "'x''||(SELECT 1)||'''", `'x\'||(SELECT 1)||\''`},
	{"$1 :1 @sync ?", "'$1 :1 @sync ?'", "'$1 :1 @sync ?'", "'$1 :1 @sync ?'"},
	{"x\x00y", "'xy'", "'xy'", "'xy'"},
	{"bad \xff utf8", "'bad \uFFFD utf8'", "'bad \uFFFD utf8'", "'bad \uFFFD utf8'"},
	{"{{ .Schema }}", "'{{ .Schema }}'", "'{{ .Schema }}'", "'{{ .Schema }}'"},
}

// hostileSchemas are schema names, each with the quoted name every dialect
// must write: doubled quotes in DuckDB and Snowflake (case kept, as the name
// is not plain), backslash escapes in BigQuery.
var hostileSchemas = []struct{ in, duckdb, snowflake, bigquery string }{
	{"s\"`'; DROP TABLE x; --", "\"s\"\"`'; DROP TABLE x; --\"", "\"s\"\"`'; DROP TABLE x; --\"", "`s\"\\`'; DROP TABLE x; --`"},
	{`a\"b`, `"a\""b"`, `"a\""b"`, "`a\\\\\"b`"},
	{"my-project.synctrack", `"my-project.synctrack"`, `"my-project.synctrack"`, "`my-project.synctrack`"},
}

// want is the literal dialect must write. PostgreSQL's rules are DuckDB's
// (DuckDB follows them; standard_conforming_strings is on, its default since
// 9.1, and the warehouse sets it on every connection).
func want(c struct{ in, duckdb, snowflake, bigquery string }, dialect string) string {
	return map[string]string{"duckdb": c.duckdb, "postgres": c.duckdb, "snowflake": c.snowflake, "bigquery": c.bigquery}[dialect]
}

// The audited quoting functions write exactly the hand-written literals, and
// the lexer reads each back as one token holding the value: the two oracles
// agree.
func TestQuotingIsExact(t *testing.T) {
	for _, dn := range Dialects() {
		d := dialectNamed(t, dn)
		for _, c := range hostile {
			if got := d.String(c.in); got != want(c, dn) {
				t.Errorf("%s String(%q) = %s, want %s", dn, c.in, got, want(c, dn))
			}
			readsBack(t, dn, want(c, dn), sqllex.Str, c.in)
		}
		for _, c := range hostileSchemas {
			if got := d.Ident(c.in); got != want(c, dn) {
				t.Errorf("%s Ident(%q) = %s, want %s", dn, c.in, got, want(c, dn))
			}
			readsBack(t, dn, want(c, dn), sqllex.Ident, c.in)
		}
	}
}

// readsBack checks lit lexes to one token of kind holding in, without its
// NUL bytes and with invalid UTF-8 replaced: what every dialect promises.
func readsBack(t *testing.T, dialect, lit string, kind sqllex.Kind, in string) {
	t.Helper()
	val := strings.ToValidUTF8(strings.ReplaceAll(in, "\x00", ""), "\uFFFD")
	toks, err := sqllex.Lex(dialect, lit)
	if err != nil || len(toks) != 1 || toks[0].Kind != kind || toks[0].Text != val {
		t.Errorf("%s: %s reads as %v (%v), want one token holding %q", dialect, lit, toks, err, val)
	}
}

// A hostile value becomes one string literal, written as the table says, and
// changes no other token: the query lexes, as its engine would, to the same
// tokens as with a benign value, but for that literal. Bound, the SQL does not
// depend on the value at all.
func TestHostileValuesCannotChangeQueries(t *testing.T) {
	for _, dn := range Dialects() {
		d := dialectNamed(t, dn)
		ts, _ := List(dn)
		for _, tp := range ts {
			for _, p := range tp.Params {
				if paramKinds[p] != kindText {
					continue
				}
				base := valuesFor(tp, allValues())
				base[p] = "benign"
				benign := mustLex(t, dn, mustRender(t, d, "synctrack", tp.Name, base))
				wantBound, _ := Bind(d, "synctrack", tp.Name, base)
				for _, c := range hostile {
					v := valuesFor(tp, allValues())
					v[p] = c.in
					got := mustLex(t, dn, mustRender(t, d, "synctrack", tp.Name, v))
					isBenign := func(k sqllex.Token) bool { return k.Kind == sqllex.Str && k.Text == "benign" }
					if n := sameBut(t, dn+"/"+tp.Name+" "+p, got, benign, isBenign, want(c, dn)); n == 0 {
						t.Errorf("%s/%s: %s=benign is in no literal", dn, tp.Name, p)
					}
					bound, _ := Bind(d, "synctrack", tp.Name, v)
					if bound.SQL != wantBound.SQL || !hasArg(bound, p, c.in) {
						t.Errorf("%s/%s: bound SQL depends on %s=%q, or does not bind it", dn, tp.Name, p, c.in)
					}
				}
			}
		}
	}
}

// A hostile schema name is one quoted name, written as the table says,
// wherever it appears.
func TestHostileSchema(t *testing.T) {
	for _, dn := range Dialects() {
		d := dialectNamed(t, dn)
		plain := mustLex(t, dn, mustRender(t, d, "plain", "run_summary", Values{}))
		isPlain := func(k sqllex.Token) bool { return k.Kind == sqllex.Ident && strings.EqualFold(k.Text, "plain") }
		for _, c := range hostileSchemas {
			got := mustLex(t, dn, mustRender(t, d, c.in, "run_summary", Values{}))
			if n := sameBut(t, dn+" schema", got, plain, isPlain, want(c, dn)); n < 5 {
				t.Errorf("%s: the schema is quoted %d times, want one per table", dn, n)
			}
		}
	}
}

// sameBut checks got has the tokens of ref, except that each token of ref
// that is the benign one is, in got, the token written as lit. It returns how
// many there were.
func sameBut(t *testing.T, what string, got, ref []sqllex.Token, benign func(sqllex.Token) bool, lit string) int {
	t.Helper()
	if len(got) != len(ref) {
		t.Errorf("%s: %q lexes to %d tokens, not %d:\n%v", what, lit, len(got), len(ref), got)
		return -1
	}
	n := 0
	for i := range ref {
		switch {
		case benign(ref[i]):
			n++
			if got[i].Raw != lit {
				t.Errorf("%s: token %d is %s, want %s", what, i, got[i].Raw, lit)
			}
		case got[i] != ref[i]:
			t.Errorf("%s: token %d is %s, not %s, with %s", what, i, got[i].Raw, ref[i].Raw, lit)
		}
	}
	return n
}

func hasArg(q Query, name, val string) bool {
	for _, a := range q.Args {
		if a.Name == name && a.Value == val {
			return true
		}
	}
	return false
}

func mustRender(t *testing.T, d Dialect, schema, name string, v Values) string {
	t.Helper()
	sql, err := Render(d, schema, name, v)
	if err != nil {
		t.Fatalf("%s/%s %v: %v", d.Name(), name, v, err)
	}
	return sql
}

func mustLex(t *testing.T, dialect, sql string) []sqllex.Token {
	t.Helper()
	toks, err := sqllex.Lex(dialect, sql)
	if err != nil {
		t.Fatalf("%s does not lex: %v\n%s", dialect, err, sql)
	}
	return toks
}
