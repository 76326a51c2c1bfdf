package sql

import (
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/synctrack/synctrack/dialects"
)

// Dialect is what rendering needs of an engine: quoting, qualified names,
// placeholders and a few function spellings. Engines hand theirs out through
// the warehouse registry; this package names none.
type Dialect = dialects.Dialect

// Arg is one bind parameter. Args are in placeholder order: a positional
// placeholder ($1, :1) i is Args[i-1]; named ones (@sync) are Arg.Name.
type Arg struct {
	Name  string
	Value any
}

// Query is SQL with its bind parameters.
type Query struct {
	SQL  string
	Args []Arg
}

// Values lists the bind values in placeholder order, for database/sql.
func (q Query) Values() []any {
	out := make([]any, len(q.Args))
	for i, a := range q.Args {
		out[i] = a.Value
	}
	return out
}

// Render renders a template with every parameter as a literal: SQL to read,
// paste, or install as a view. Text goes through d.String, instants through
// d.String and a cast, counts are decimal integers.
func Render(d Dialect, schema, name string, v Values) (string, error) {
	q, err := render(files, d, schema, name, v, false, nil)
	return q.SQL, err
}

// Bind renders a template with text and time parameters as placeholders,
// returned in Query.Args; counts are still decimal integers.
func Bind(d Dialect, schema, name string, v Values) (Query, error) {
	return render(files, d, schema, name, v, true, nil)
}

// BindFS is Bind for templates kept elsewhere: fsys holds them as
// templates/<name>.sql (overrides in templates/<dialect>/), with the same
// header, helpers and parameters. extra adds helpers of the caller's (the
// web pages' count sources); like the built-in ones they return SQL written
// by the program, never input.
func BindFS(fsys fs.FS, d Dialect, schema, name string, v Values, extra template.FuncMap) (Query, error) {
	return render(fsys, d, schema, name, v, true, extra)
}

func render(fsys fs.FS, d Dialect, schema, name string, v Values, bind bool, extra template.FuncMap) (Query, error) {
	t, err := lookup(fsys, d.Name(), name)
	if err != nil {
		return Query{}, err
	}
	if err := t.check(v); err != nil {
		return Query{}, err
	}
	var q Query
	index := map[string]int{}
	param := func(p string) (string, error) {
		if !t.accepts(p) {
			return "", fmt.Errorf("parameter %q is used but not listed in the header", p)
		}
		val, ok := v[p]
		switch {
		case !ok:
			return "", nil
		case paramKinds[p] == kindCount:
			return strconv.Itoa(val.(int)), nil
		case paramKinds[p] == kindKey:
			return strconv.FormatInt(val.(int64), 10), nil
		case !bind:
			return literal(d, val), nil
		}
		if index[p] == 0 {
			q.Args = append(q.Args, Arg{p, val})
			index[p] = len(q.Args)
		}
		return d.Placeholder(index[p], p), nil
	}
	tpl, err := template.New(name).Option("missingkey=error").Funcs(funcs(d, schema, param)).Funcs(extra).Parse(t.Text)
	if err != nil {
		return Query{}, fmt.Errorf("template %s/%s: %w", d.Name(), name, err)
	}
	// No data: a template reaches the schema through table (quoted) and cannot
	// branch on the dialect, so every engine runs the same analysis.
	var b strings.Builder
	if err := tpl.Execute(&b, nil); err != nil {
		return Query{}, fmt.Errorf("render %s/%s: %w", d.Name(), name, err)
	}
	q.SQL = strings.TrimSpace(b.String()) + "\n"
	return q, nil
}

// funcs are what a template may call. Their string arguments are SQL
// written in the template, never input; stringAgg's separator is text.
func funcs(d Dialect, schema string, param func(string) (string, error)) template.FuncMap {
	return template.FuncMap{
		"table":       func(n string) string { return d.Table(schema, n) },
		"param":       param,
		"fingerprint": func(expr string) string { return FingerprintSQL(d, expr) },
		"countIf":     d.CountIf,
		"arrayAgg":    d.ArrayAgg,
		"stringAgg":   func(expr, sep, order string) string { return d.StringAgg(expr, d.String(sep), order) },
		"utcDate":     d.UTCDate,
		"rate":        d.Rate,
		"sum":         d.Sum,
	}
}

// check rejects parameters the template does not take, missing required
// ones, and values of the wrong Go type (Values not from ParseParams).
func (t Template) check(v Values) error {
	for _, r := range t.Required {
		if _, ok := v[r]; !ok {
			return fmt.Errorf("%s needs parameter %q", t.Name, r)
		}
	}
	for p, val := range v {
		if !t.accepts(p) {
			return fmt.Errorf("%s takes no parameter %q (it takes: %s)", t.Name, p, strings.Join(t.Told(), ", "))
		}
		ok := false
		switch paramKinds[p] {
		case kindText, kindOutcome:
			_, ok = val.(string)
		case kindTime:
			_, ok = val.(time.Time)
		case kindCount:
			_, ok = val.(int)
		case kindKey:
			_, ok = val.(int64)
		}
		if !ok {
			return fmt.Errorf("parameter %s: unexpected value type %T", p, val)
		}
	}
	return nil
}

// literal is the one place a parameter value becomes SQL text.
func literal(d Dialect, val any) string {
	if t, ok := val.(time.Time); ok {
		return "CAST(" + d.String(t.UTC().Format("2006-01-02 15:04:05.000000+00:00")) + " AS " + d.TimestampType() + ")"
	}
	return d.String(val.(string))
}
