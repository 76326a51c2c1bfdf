package sql

import (
	"strings"
	"testing"
)

var hostile = []string{
	`x'; DROP TABLE synctrack.sync_records; --`, `x" OR 1=1 --`, "x` OR TRUE --", `x\' OR TRUE --`, `x\`,
	"x /* comment */", "x\n-- line comment\n", "x'||(SELECT 1)||'", "$1 :1 @sync ?", "x\x00y", "{{ .Schema }}",
}

// A hostile value changes nothing but the literal it becomes: replacing that
// literal with a benign value's literal gives the benign rendering exactly,
// and bound SQL does not depend on the value at all.
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
				want, err := Render(d, "synctrack", tp.Name, base)
				if err != nil {
					t.Fatal(err)
				}
				wantBound, _ := Bind(d, "synctrack", tp.Name, base)
				for _, h := range hostile {
					v := valuesFor(tp, allValues())
					v[p] = h
					got, err := Render(d, "synctrack", tp.Name, v)
					if err != nil {
						t.Fatalf("%s/%s %s=%q: %v", dn, tp.Name, p, h, err)
					}
					if strings.ReplaceAll(got, d.String(h), d.String("benign")) != want {
						t.Errorf("%s/%s: %s=%q changes the query beyond its literal:\n%s", dn, tp.Name, p, h, got)
					}
					bound, _ := Bind(d, "synctrack", tp.Name, v)
					if bound.SQL != wantBound.SQL || strings.Contains(bound.SQL, h) {
						t.Errorf("%s/%s: bound SQL depends on %s=%q", dn, tp.Name, p, h)
					}
				}
			}
		}
	}
}

// A hostile schema name is quoted as one identifier wherever it appears.
func TestHostileSchema(t *testing.T) {
	for _, dn := range Dialects() {
		d := dialectNamed(t, dn)
		schema := "s\"`'; DROP TABLE x; --"
		got, err := Render(d, schema, "run_summary", Values{})
		if err != nil {
			t.Fatal(err)
		}
		want, _ := Render(d, "plain", "run_summary", Values{})
		if strings.ReplaceAll(got, d.Ident(schema), d.Ident("plain")) != want {
			t.Errorf("%s: schema name escapes its quoting:\n%s", dn, got)
		}
	}
}
