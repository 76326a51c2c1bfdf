// Package dbt writes a dbt project's view of the schema synctrack writes: a
// sources.yml with every table and view (the typed views found in the
// warehouse included), each column described from the warehouse contract
// (dialects.Contract), dbt data tests for what the contract says always
// holds, and one staging model per table or view. It renders files and
// does no I/O but reading payload_columns through a Querier (TypedViews) and
// writing the files (Write).
package dbt

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/sql"
)

// SourceName is the dbt source every file names: source('synctrack', T).
const SourceName = "synctrack"

// SourcesFile is the name of the sources file in the output folder.
const SourcesFile = "sources.yml"

// Input is what the files are made from.
type Input struct {
	Dialect dialects.Dialect // the engine's SQL, for quoting in the models
	Schema  string           // the schema (BigQuery: dataset) synctrack writes
	Typed   []TypedView      // from payload_columns
}

// TypedView is one sync's typed view, as payload_columns lists it.
type TypedView struct {
	Name    string // sync_records_<sync id>
	SyncID  string
	Columns []dialects.PayloadColumn // sorted by Column, as the view has them
}

// relation is one table or view as the files show it.
type relation struct {
	dialects.Relation
	model bool // gets a staging model
}

// Files renders the sources file and the staging models, by file name.
func Files(in Input) (map[string][]byte, error) {
	rels, err := relations(in)
	if err != nil {
		return nil, err
	}
	src, err := sources(in, rels)
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{SourcesFile: src}
	for _, r := range rels {
		if r.model {
			out[ModelFile(r.Name)] = []byte(model(in.Dialect, r.Relation))
		}
	}
	return out, nil
}

// ModelFile is the staging model's file name for a table or view.
func ModelFile(table string) string { return "stg_" + SourceName + "__" + table + ".sql" }

// plain is what every table, view and column name must be to reach a file:
// names synctrack makes are, and one read from payload_columns that is not
// would be Jinja or SQL in a model, so it is refused.
var plain = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// relations is the contract's relations, the analysis views described by
// their templates, and the typed views, sorted by name after the contract's.
func relations(in Input) ([]relation, error) {
	ts, err := sql.List(in.Dialect.Name())
	if err != nil {
		return nil, err
	}
	docs := map[string]string{}
	for _, t := range ts {
		if t.View {
			docs[t.Name] = strings.TrimSpace(t.Summary + "\n" + t.Doc)
		}
	}
	var out []relation
	for _, r := range dialects.Contract() {
		if r.Analysis {
			if docs[r.Name] == "" {
				return nil, fmt.Errorf("the contract lists analysis view %s, which no template installs", r.Name)
			}
			r.Doc = docs[r.Name]
			delete(docs, r.Name)
		}
		out = append(out, relation{Relation: r, model: !r.Analysis})
	}
	if len(docs) > 0 {
		return nil, fmt.Errorf("analysis views missing from the contract (dialects/contract_analysis.go): %s", strings.Join(keys(docs), ", "))
	}
	base, _ := dialects.Lookup("sync_records")
	typed := append([]TypedView(nil), in.Typed...)
	sort.Slice(typed, func(i, j int) bool { return typed[i].Name < typed[j].Name })
	for _, v := range typed {
		if !plain.MatchString(v.Name) {
			return nil, fmt.Errorf("payload_columns names view %q, which is not a name synctrack makes: not written", v.Name)
		}
		r := dialects.Relation{Name: v.Name, View: true, Doc: dialects.TypedViewDoc(shown(v.SyncID))}
		r.Columns = append(r.Columns, base.Columns...)
		for _, c := range v.Columns {
			if !plain.MatchString(c.Column) {
				return nil, fmt.Errorf("payload_columns gives view %s a column %q, which is not a name synctrack makes: not written", v.Name, c.Column)
			}
			typ := c.Type
			if !plain.MatchString(typ) {
				typ = shown(typ) // synctrack writes string, number, boolean or json
			}
			r.Columns = append(r.Columns, dialects.ColumnDoc{Name: c.Column, Doc: dialects.PayloadColumnDoc(shown(c.Field), typ)})
		}
		out = append(out, relation{Relation: r, model: true})
	}
	return out, nil
}

// shown makes untrusted text (a field name, a sync id) safe to show in a
// description: quoted, control characters escaped, and without "{" or "}",
// so no Jinja delimiter ({{, {%, {#) can start when dbt renders the
// description, nor "<" and ">", which dbt's docs site would read as HTML.
func shown(s string) string {
	q := fmt.Sprintf("%q", s)
	return strings.NewReplacer("{", `\x7b`, "}", `\x7d`, "<", `\x3c`, ">", `\x3e`).Replace(q)
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
