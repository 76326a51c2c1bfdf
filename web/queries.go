package web

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"strings"
	"text/template"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/internal/reportrun"
	analysis "github.com/synctrack/synctrack/sql"
	"github.com/synctrack/synctrack/warehouse"
)

// The pages' own SQL: one template per query for every engine, rendered
// by package sql with the analysis templates' helpers and parameters, so
// every value is a bind parameter.
//
//go:embed pagesql/templates
var pageSQL embed.FS

func pageFS() fs.FS {
	sub, err := fs.Sub(pageSQL, "pagesql")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	return sub
}

// row is one result row by lower-case column name (Snowflake answers in
// upper case).
type row map[string]any

// query runs one of the pages' templates on q and reads every row; pages
// ask for few rows (a LIMIT or a grouped count).
func query(ctx context.Context, q warehouse.Querier, name string, v analysis.Values) ([]row, error) {
	return queryWith(ctx, q, name, v, nil)
}

// queryWith is query with more helpers for the template (typedSource).
func queryWith(ctx context.Context, q warehouse.Querier, name string, v analysis.Values, extra template.FuncMap) ([]row, error) {
	funcs := countSources(q.Dialect(), q.Schema())
	maps.Copy(funcs, extra)
	b, err := analysis.BindFS(pageFS(), q.Dialect(), q.Schema(), name, v, funcs)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	rs, err := reportrun.Query(ctx, q, b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	defer rs.Close()
	cols, err := rs.Columns()
	if err != nil {
		return nil, err
	}
	var out []row
	for rs.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		r := make(row, len(cols))
		for i, c := range cols {
			r[strings.ToLower(c)] = vals[i]
		}
		out = append(out, r)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return out, nil
}

// countSources are the helpers naming where the pages read counts: the
// load-time count tables, written in the same transaction as the rows, so
// no page scans sync_records for what a load already counted.
// runOutcomes is the run_outcomes view (one row per run: org_id, sync_id,
// sync_run_id, started_at, files, total, succeeded, rejected, invalid,
// rejection_rate) and fingerprintCounts the run_fingerprint_counts table
// (org_id, sync_configuration_id, sync_run_id, batch_started_at, outcome,
// fingerprint, status_message, records).
func countSources(d dialects.Dialect, schema string) template.FuncMap {
	return template.FuncMap{
		"ident":             d.Ident,
		"runOutcomes":       func() string { return d.Table(schema, "run_outcomes") },
		"fingerprintCounts": func() string { return d.Table(schema, "run_fingerprint_counts") },
		// Given by typedSource; a template that needs them fails without.
		"typedView":    func() (string, error) { return "", errNoTypedView },
		"typedColumns": func() ([]string, error) { return nil, errNoTypedView },
	}
}

var errNoTypedView = errors.New("no typed view given (typedSource)")

// typedSource names a sync's typed view and its columns, as payload_columns
// lists them, for run_typed. The names came from a bucket's metadata.json
// once; here they are quoted as identifiers, as the view's DDL quotes them.
func typedSource(d dialects.Dialect, schema, view string, cols []payloadColumn) template.FuncMap {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = d.Ident(c.Column)
	}
	return template.FuncMap{
		"typedView":    func() string { return d.Table(schema, view) },
		"typedColumns": func() []string { return names },
	}
}

// rangeFiles adds to v the first and last _file of its sync's rows (of its
// run's, when v names one) when the warehouse can skip by them
// (warehouse.FileRanger: PostgreSQL's BRIN index on _file). They come from
// the counts, written with the rows, so the bound changes no answer; without
// them the same rows come from a longer scan.
func rangeFiles(ctx context.Context, q warehouse.Querier, v analysis.Values) error {
	sync, _ := v[analysis.ParamSync].(string)
	run, _ := v[analysis.ParamRun].(string)
	fr, ranges := q.(warehouse.FileRanger)
	if sync == "" || !ranges {
		return nil
	}
	from, to, ok, err := fr.FileRange(ctx, sync, run)
	if err != nil {
		return err
	}
	if ok {
		v[analysis.ParamFileFrom], v[analysis.ParamFileTo] = from, to
	}
	return nil
}

// keyIdentifier adds to v the key of its identifier when the warehouse keeps
// one it can trust (warehouse.IdentifierKeyer: DuckDB's _identifier_hash),
// so the search reads the keys first. Without it the same rows come from the
// identifier alone, slower.
func keyIdentifier(ctx context.Context, q warehouse.Querier, v analysis.Values) error {
	id, ok := v[analysis.ParamIdentifier].(string)
	k, keeps := q.(warehouse.IdentifierKeyer)
	if !ok || !keeps {
		return nil
	}
	key, ok, err := k.IdentifierKey(ctx, id)
	if err != nil {
		return err
	}
	if ok {
		v[analysis.ParamIdentifierKey] = key
	}
	return nil
}
