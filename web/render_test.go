package web

import (
	"io/fs"
	"maps"
	"strings"
	"testing"
	"time"

	analysis "github.com/synctrack/synctrack/sql"
	"github.com/synctrack/synctrack/warehouse/engines"
)

// Every page template renders in every registered engine's dialect, with
// each value it takes as a bind parameter: none appears in the SQL text.
func TestPageSQLRendersForEveryEngine(t *testing.T) {
	names, err := fs.Glob(pageFS(), "templates/*.sql")
	if err != nil || len(names) == 0 {
		t.Fatalf("no page templates: %v", err)
	}
	const marker = "VALUE-NOT-IN-SQL"
	for _, e := range engines.All() {
		d := e.Dialect
		for _, n := range names {
			name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".sql")
			tpl, err := analysis.LookupFS(pageFS(), d.Name(), name)
			if err != nil {
				t.Fatal(err)
			}
			v := analysis.Values{}
			for _, p := range tpl.Params {
				switch p {
				case analysis.ParamLimit, analysis.ParamN, analysis.ParamAfterRow, analysis.ParamUptoRow:
					v[p] = 7
				case analysis.ParamSince, analysis.ParamBefore:
					v[p] = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
				case analysis.ParamStatus:
					v[p] = "rejected"
				case analysis.ParamIdentifierKey:
					v[p] = int64(7) // the program's number, a literal like the counts
				default:
					v[p] = marker + p
				}
			}
			funcs := countSources(d, "synctrack")
			maps.Copy(funcs, typedSource(d, "synctrack", "sync_records_s1", []payloadColumn{{Field: "Email", Column: "email", Type: "string"}}))
			q, err := analysis.BindFS(pageFS(), d, "synctrack", name, v, funcs)
			if err != nil {
				t.Errorf("%s/%s: %v", d.Name(), name, err)
				continue
			}
			if strings.Contains(q.SQL, marker) {
				t.Errorf("%s/%s: a value is in the SQL text:\n%s", d.Name(), name, q.SQL)
			}
			for _, a := range q.Args {
				if s, ok := a.Value.(string); ok && !strings.HasPrefix(s, marker) && s != "rejected" {
					t.Errorf("%s/%s: unexpected argument %v", d.Name(), name, a)
				}
			}
		}
	}
}
