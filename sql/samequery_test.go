package sql

import (
	"fmt"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/internal/sqllex"
)

// Only DuckDB runs here; Snowflake's SQL is otherwise checked by golden files
// alone, which take any change after -update. So this test pins what it
// means: lexed as its engine reads it (internal/sqllex), with each dialect's
// spelling of the template helpers rewritten into DuckDB's by the rules
// below, every rendering is DuckDB's executed query token for token. Names
// may differ only in case on Snowflake (unquoted names are upper case there)
// and placeholders only in form ($1, :1, @sync name the same parameter).
//
// The rules are written by hand from each engine's documentation, not taken
// from package dialects. Executing Snowflake's text on DuckDB instead was
// considered: DuckDB cannot parse LISTAGG or ARRAY_AGG ... WITHIN GROUP, has
// no TO_DATE or CONVERT_TIMEZONE, and reads a 3-argument REGEXP_REPLACE as
// "first match only", so it would run these same rewrites, and after them
// the text is DuckDB's own query, which duckdb_test.go runs already.
var helperSpellings = map[string][]rewrite{
	"snowflake": {
		{"COUNT_IF ( $c )", "count ( * ) FILTER ( WHERE $c )"},
		// Snowflake's ARRAY_AGG leaves NULLs out.
		{"ARRAY_AGG ( $x ) WITHIN GROUP ( ORDER BY $o )", "list ( $x ORDER BY $o ) FILTER ( WHERE $x IS NOT NULL )"},
		{"LISTAGG ( $x , $sep ) WITHIN GROUP ( ORDER BY $o )", "string_agg ( $x , $sep ORDER BY $o )"},
		{"TO_DATE ( CONVERT_TIMEZONE ( 'UTC' , $t ) )", "CAST ( timezone ( 'UTC' , $t ) AS DATE )"},
		// Snowflake replaces every match by default; DuckDB needs 'g'.
		{"REGEXP_REPLACE ( $e , $p , $r )", "regexp_replace ( $e , $p , $r , 'g' )"},
		{"TIMESTAMP_TZ", "TIMESTAMPTZ"},
		// SUM of integers is a NUMBER, as COUNT is; DuckDB's is a HUGEINT.
		{"SUM ( $x )", "CAST ( sum ( $x ) AS BIGINT )"},
	},
	"bigquery": {
		{"COUNTIF ( $c )", "count ( * ) FILTER ( WHERE $c )"},
		{"ARRAY_AGG ( $x IGNORE NULLS ORDER BY $o )", "list ( $x ORDER BY $o ) FILTER ( WHERE $x IS NOT NULL )"},
		{"DATE ( $t , 'UTC' )", "CAST ( timezone ( 'UTC' , $t ) AS DATE )"},
		{"REGEXP_REPLACE ( $e , $p , $r )", "regexp_replace ( $e , $p , $r , 'g' )"},
		{"SUM ( $x )", "CAST ( sum ( $x ) AS BIGINT )"},
		// BigQuery's TIMESTAMP is an instant, as DuckDB's TIMESTAMPTZ.
		{"TIMESTAMP", "TIMESTAMPTZ"},
	},
	"postgres": {
		{"array_agg ( $x ORDER BY $o )", "list ( $x ORDER BY $o )"},
		// bigint / bigint is integer division in PostgreSQL, and round(x, n)
		// takes a numeric; DuckDB's / is a DOUBLE already.
		{"CAST ( round ( CAST ( $n AS NUMERIC ) / $d , 4 ) AS DOUBLE PRECISION )", "round ( $n / $d , 4 )"},
	},
}

type rewrite struct{ from, to string }

func TestEveryDialectRunsDuckDBsQuery(t *testing.T) {
	duck := dialectNamed(t, "duckdb")
	for _, dn := range Dialects() {
		if dn == "duckdb" {
			continue
		}
		d := dialectNamed(t, dn)
		if helperSpellings[dn] == nil {
			t.Errorf("%s: no helper spellings in this test; write them from its documentation", dn)
			continue
		}
		ts, _ := List(dn)
		for _, tp := range ts {
			for _, v := range []Values{valuesFor(tp, allValues()), valuesFor(Template{Params: tp.Required}, allValues())} {
				for _, bind := range []bool{false, true} {
					want := canonical(t, duck, tp.Name, v, bind)
					got := canonical(t, d, tp.Name, v, bind)
					if i := firstDifference(got, want); i >= 0 {
						t.Errorf("%s/%s (bound %v, %d parameters): not DuckDB's query at token %d:\n%s: %s\nduckdb: %s\n"+
							"(a new helper needs its spellings in helperSpellings; an override, a check of its own)",
							dn, tp.Name, bind, len(v), i, dn, around(got, i), around(want, i))
					}
				}
			}
		}
	}
}

// canonical renders a template, lexes it as its engine would and rewrites
// it into DuckDB's spelling: names, placeholders and helpers.
func canonical(t *testing.T, d Dialect, name string, v Values, bind bool) []sqllex.Token {
	t.Helper()
	q, err := Bind(d, "synctrack", name, v)
	if !bind {
		q.SQL, err = Render(d, "synctrack", name, v)
	}
	if err != nil {
		t.Fatalf("%s/%s: %v", d.Name(), name, err)
	}
	toks := mustLex(t, d.Name(), q.SQL)
	for i, k := range toks {
		switch {
		case k.Kind == sqllex.Ident && d.Name() == "snowflake":
			toks[i].Text = strings.ToLower(k.Text)
		case k.Kind == sqllex.Param && strings.HasPrefix(k.Text, "@"):
			toks[i].Text = k.Text[1:]
		case k.Kind == sqllex.Param:
			var n int
			fmt.Sscan(k.Text[1:], &n)
			toks[i].Text = q.Args[n-1].Name
		}
		toks[i].Raw = ""
	}
	for _, r := range helperSpellings[d.Name()] {
		toks = rewriteAll(t, d.Name(), toks, r)
	}
	return toks
}

// rewriteAll replaces every match of r.from in toks by r.to. A $name in a
// pattern matches the shortest run of tokens with balanced parentheses after
// which the rest matches; the replacement puts it back.
func rewriteAll(t *testing.T, dialect string, toks []sqllex.Token, r rewrite) []sqllex.Token {
	from, to := pattern(t, dialect, r.from), pattern(t, "duckdb", r.to)
	for i := 0; i < len(toks); i++ {
		caps := map[string][]sqllex.Token{}
		n, ok := matchAt(from, toks[i:], caps)
		if !ok {
			continue
		}
		var repl []sqllex.Token
		for _, p := range to {
			if c, isCap := caps[p.Text]; isCap && p.Kind == sqllex.Param {
				repl = append(repl, c...)
			} else {
				repl = append(repl, p)
			}
		}
		toks = append(append(append([]sqllex.Token{}, toks[:i]...), repl...), toks[i+n:]...)
	}
	return toks
}

// pattern lexes a space-separated pattern; $name pieces become captures.
func pattern(t *testing.T, dialect, p string) []sqllex.Token {
	var out []sqllex.Token
	for _, piece := range strings.Fields(p) {
		if strings.HasPrefix(piece, "$") {
			out = append(out, sqllex.Token{Kind: sqllex.Param, Text: piece})
			continue
		}
		k := mustLex(t, dialect, piece)
		if len(k) != 1 {
			t.Fatalf("pattern piece %q is %d tokens", piece, len(k))
		}
		k[0].Raw = ""
		out = append(out, k[0])
	}
	return out
}

func matchAt(pat, toks []sqllex.Token, caps map[string][]sqllex.Token) (int, bool) {
	if len(pat) == 0 {
		return 0, true
	}
	if p := pat[0]; p.Kind == sqllex.Param && strings.HasPrefix(p.Text, "$") {
		depth := 0
		for i, k := range toks {
			if k.Kind == sqllex.Punct && k.Text == "(" {
				depth++
			} else if k.Kind == sqllex.Punct && k.Text == ")" {
				depth--
			}
			if depth < 0 {
				return 0, false
			}
			if depth > 0 {
				continue
			}
			if n, ok := matchAt(pat[1:], toks[i+1:], caps); ok {
				caps[p.Text] = toks[:i+1]
				return i + 1 + n, true
			}
		}
		return 0, false
	}
	if len(toks) == 0 || toks[0] != pat[0] {
		return 0, false
	}
	n, ok := matchAt(pat[1:], toks[1:], caps)
	return n + 1, ok
}

func firstDifference(a, b []sqllex.Token) int {
	for i := range max(len(a), len(b)) {
		if i >= len(a) || i >= len(b) || a[i] != b[i] {
			return i
		}
	}
	return -1
}

// around shows the tokens near i.
func around(toks []sqllex.Token, i int) string {
	var b strings.Builder
	for j := max(0, i-8); j < min(len(toks), i+8); j++ {
		if j == i {
			b.WriteString(">>")
		}
		fmt.Fprintf(&b, "%q ", toks[j].Text)
	}
	return b.String()
}
