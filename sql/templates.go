// Package sql holds the analysis queries users read, paste into BI tools and
// run with synctrack report: one text/template per analysis, in
// sql/templates/<name>.sql, embedded in the binary and rendered for every
// dialect. Where engines spell a function differently, a template calls a
// helper its dialect renders (countIf, arrayAgg, stringAgg, utcDate and rate
// are the Dialect methods of those names; fingerprint is built on ReplaceAll), so
// an analysis means the same on every engine and a new engine needs only its
// dialect. A dialect that cannot say an analysis that way may override it
// whole in sql/templates/<dialect>/<name>.sql, with the same header; none
// does. The package renders SQL and does no I/O; warehouses execute it.
// Identifiers go through the dialect's quoting and values become bind
// parameters or audited literals (see Render and Bind).
package sql

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"reflect"
	"sort"
	"strings"

	"github.com/synctrack/synctrack/internal/nearest"
)

// The templates, and any dialect's overrides in a subfolder named as it.
//
//go:embed templates
var files embed.FS

const dir = "templates"

// Template is one analysis as its header describes it.
type Template struct {
	Name     string
	Dialect  string
	Summary  string   // the header's first line
	Doc      string   // the header's other lines
	Params   []string // parameters it accepts
	Required []string // parameters it cannot run without
	View     bool     // installs as a view: no required parameters and not "view: no"
	Text     string   // the template source, header included
}

// List returns the templates as one dialect renders them, sorted by name.
func List(dialect string) ([]Template, error) { return list(files, dialect) }

// Lookup returns one template as dialect renders it: its override if the
// dialect has one, else the shared text.
func Lookup(dialect, name string) (Template, error) { return lookup(files, dialect, name) }

// LookupFS is Lookup for templates kept elsewhere, as BindFS reads them.
func LookupFS(fsys fs.FS, dialect, name string) (Template, error) { return lookup(fsys, dialect, name) }

func list(fsys fs.FS, dialect string) ([]Template, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	var out []Template
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".sql" {
			continue
		}
		t, err := lookup(fsys, dialect, strings.TrimSuffix(e.Name(), ".sql"))
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func lookup(fsys fs.FS, dialect, name string) (Template, error) {
	if strings.ContainsAny(dialect, `/\.`) || dialect == "" {
		return Template{}, fmt.Errorf("no dialect %q", dialect)
	}
	if strings.ContainsAny(name, `/\.`) || name == "" {
		return Template{}, fmt.Errorf("no template %q", name)
	}
	raw, err := fs.ReadFile(fsys, dir+"/"+name+".sql")
	if errors.Is(err, fs.ErrNotExist) {
		// No dialect has it: "for dialect duckdb" read as if another had.
		return Template{}, fmt.Errorf("no template %q%s", name, nearestTemplate(fsys, name))
	} else if err != nil {
		return Template{}, fmt.Errorf("no template %q for dialect %q: %w", name, dialect, err)
	}
	shared, err := parse(raw, dialect, name)
	if err != nil {
		return Template{}, err
	}
	raw, err = fs.ReadFile(fsys, dir+"/"+dialect+"/"+name+".sql")
	if errors.Is(err, fs.ErrNotExist) {
		return shared, nil
	} else if err != nil {
		return Template{}, err
	}
	over, err := parse(raw, dialect, name)
	if err != nil {
		return Template{}, err
	}
	// An override is another spelling of the same analysis: callers, views
	// and `synctrack sql list` know it by the shared header.
	if over.Summary != shared.Summary || over.View != shared.View ||
		!reflect.DeepEqual(over.Params, shared.Params) || !reflect.DeepEqual(over.Required, shared.Required) {
		return Template{}, fmt.Errorf("template %s/%s: its header differs from %s.sql", dialect, name, name)
	}
	return over, nil
}

func parse(raw []byte, dialect, name string) (Template, error) {
	t := Template{Name: name, Dialect: dialect, Text: string(raw)}
	if err := t.parseHeader(); err != nil {
		return Template{}, fmt.Errorf("template %s/%s: %w", dialect, name, err)
	}
	return t, nil
}

// parseHeader reads the leading "-- " comment lines: the first is the
// summary, "params:", "required:" and "view:" lines are directives, the rest doc.
func (t *Template) parseHeader() error {
	view := true
	var doc []string
	for _, line := range strings.Split(t.Text, "\n") {
		if !strings.HasPrefix(line, "--") {
			break
		}
		line = strings.TrimSpace(strings.TrimPrefix(line, "--"))
		key, val, _ := strings.Cut(line, ":")
		switch key {
		case "params":
			t.Params = strings.Fields(val)
		case "required":
			t.Required = strings.Fields(val)
		case "view":
			view = strings.TrimSpace(val) != "no"
		default:
			if t.Summary == "" {
				t.Summary = line
			} else {
				doc = append(doc, line)
			}
		}
	}
	t.Doc = strings.TrimSpace(strings.Join(doc, "\n"))
	if t.Summary == "" {
		return fmt.Errorf("no summary line")
	}
	for _, p := range append(append([]string{}, t.Params...), t.Required...) {
		if _, ok := paramKinds[p]; !ok {
			return fmt.Errorf("unknown parameter %q in header", p)
		}
	}
	for _, r := range t.Required {
		if !t.accepts(r) {
			return fmt.Errorf("required parameter %q is not in params", r)
		}
	}
	t.View = view && len(t.Required) == 0
	return nil
}

func (t Template) accepts(p string) bool { return contains(t.Params, p) }

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

// nearestTemplate names the template one a few letters from name (rejection_trends,
// run-summary), as " (did you mean NAME?)", or "" when none is that close.
func nearestTemplate(fsys fs.FS, name string) string {
	entries, _ := fs.ReadDir(fsys, dir)
	want := strings.ToLower(strings.ReplaceAll(name, "-", "_"))
	var names []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".sql"); ok && !e.IsDir() {
			names = append(names, n)
		}
	}
	best := nearest.Word(want, names, 3)
	if best == "" {
		return ""
	}
	return " (did you mean " + best + "?)"
}
