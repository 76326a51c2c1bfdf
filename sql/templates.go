// Package sql holds the analysis queries users read, paste into BI tools and
// run with synctrack report: one text/template per analysis per dialect, in
// sql/<dialect>/<name>.sql, embedded in the binary. It renders SQL and does no
// I/O; warehouses execute it. Identifiers go through the dialect's quoting and
// values become bind parameters or audited literals (see Render and Bind).
package sql

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// One folder of templates per dialect, named as the dialect: a new engine's
// templates are a new folder, nothing else here.
//
//go:embed */*.sql
var files embed.FS

// Dialects lists the dialects that have templates, sorted.
func Dialects() []string {
	entries, _ := fs.ReadDir(files, ".")
	var out []string
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out
}

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

// List returns the templates of one dialect, sorted by name.
func List(dialect string) ([]Template, error) {
	entries, err := fs.ReadDir(files, dialect)
	if err != nil {
		return nil, fmt.Errorf("no templates for dialect %q", dialect)
	}
	var out []Template
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".sql" {
			continue
		}
		t, err := Lookup(dialect, strings.TrimSuffix(e.Name(), ".sql"))
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Lookup returns one template.
func Lookup(dialect, name string) (Template, error) {
	if strings.ContainsAny(name, `/\.`) || name == "" {
		return Template{}, fmt.Errorf("no template %q", name)
	}
	raw, err := files.ReadFile(dialect + "/" + name + ".sql")
	if err != nil {
		return Template{}, fmt.Errorf("no template %q for dialect %q", name, dialect)
	}
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

func (t Template) accepts(p string) bool {
	for _, q := range t.Params {
		if q == p {
			return true
		}
	}
	return false
}
