package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/dialects"
	analysis "github.com/synctrack/synctrack/sql"
	"github.com/synctrack/synctrack/warehouse/engines"
)

func readme(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// tableRows returns the rows of the README's markdown table whose header
// row starts with header, each as its cells.
func tableRows(t *testing.T, md, header string) [][]string {
	t.Helper()
	var rows [][]string
	in := false
	for _, line := range strings.Split(md, "\n") {
		switch {
		case strings.HasPrefix(line, header):
			in = true
		case in && strings.HasPrefix(line, "|---"):
		case in && strings.HasPrefix(line, "|"):
			var cells []string
			for _, c := range strings.Split(strings.Trim(line, "|"), " | ") {
				cells = append(cells, strings.TrimSpace(c))
			}
			rows = append(rows, cells)
		case in:
			return rows
		}
	}
	if !in {
		t.Fatalf("no table %q in the README", header)
	}
	return rows
}

// The README's table of analysis templates is synctrack sql list's: the same
// names, the same "view" column, the same parameters (required ones marked
// "(required)").
func TestReadmeTemplateTable(t *testing.T) {
	ts, err := analysis.List(engines.Embedded().Dialect.Name())
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string][]string{}
	for _, r := range tableRows(t, readme(t), "| template | view | parameters |") {
		rows[strings.Trim(r[0], "`")] = r
	}
	paren := regexp.MustCompile(` \([^)]*\)`)
	for _, tm := range ts {
		r, ok := rows[tm.Name]
		if !ok {
			t.Errorf("template %s is not in the README's table", tm.Name)
			continue
		}
		delete(rows, tm.Name)
		view := "no"
		if tm.View {
			view = "yes"
		}
		if r[1] != view {
			t.Errorf("README: %s view %q, synctrack sql list says %q", tm.Name, r[1], view)
		}
		if got, want := paren.ReplaceAllString(r[2], ""), strings.Join(tm.Told(), ", "); got != want {
			t.Errorf("README: %s parameters %q, the template takes %q", tm.Name, got, want)
		}
		for _, req := range tm.Required {
			if !strings.Contains(r[2], req+" (required)") {
				t.Errorf("README: %s does not mark %s (required)", tm.Name, req)
			}
		}
	}
	for name := range rows {
		t.Errorf("README lists template %s, which synctrack does not have", name)
	}
}

// The README's table of what lands in the warehouse names every table and
// view of the contract (dialects.Contract) with each of its columns; a fact
// table's own columns are "the columns as written", so only synctrack's
// are named there.
func TestReadmeWarehouseTable(t *testing.T) {
	rows := tableRows(t, readme(t), "| table / view | one row per | columns |")
	rowOf := func(name string) []string {
		for _, r := range rows {
			if strings.Contains(r[0], "`"+name+"`") {
				return r
			}
		}
		return nil
	}
	for _, rel := range dialects.Contract() {
		if rel.Analysis {
			continue // "run_summary, rejections_by_fingerprint, ...": the template table
		}
		r := rowOf(rel.Name)
		if r == nil {
			t.Errorf("README's warehouse table has no row for %s", rel.Name)
			continue
		}
		for _, c := range rel.Columns {
			if rel.Open && rel.Name != "sync_records" && !strings.HasPrefix(c.Name, "_") && c.Name != "org_id" {
				continue
			}
			if !strings.Contains(r[2], "`"+c.Name+"`") {
				t.Errorf("README's warehouse table: %s does not name its column %s", rel.Name, c.Name)
			}
		}
	}
}

// A flag the README gives a command in running text (`load --setup`,
// `synctrack records --status rejected`) is one that command has.
func TestReadmeFlagsExist(t *testing.T) {
	span := regexp.MustCompile("`(?:\\./synctrack |synctrack )?([a-z]+(?: [a-z]+)?)((?: [^`]*)?)`")
	flag := regexp.MustCompile(`(?:^|\s)--([a-z][a-z0-9-]*)`)
	root := newRootCommand()
	n := 0
	for _, m := range span.FindAllStringSubmatch(readme(t), -1) {
		c, _, err := root.Find(strings.Fields(m[1]))
		if err != nil || c == root || c.Name() == "help" {
			continue
		}
		for _, f := range flag.FindAllStringSubmatch(m[2], -1) {
			n++
			if c.Flags().Lookup(f[1]) == nil && c.InheritedFlags().Lookup(f[1]) == nil {
				t.Errorf("README: %s: %s has no --%s", m[0], c.CommandPath(), f[1])
			}
		}
	}
	if n < 20 {
		t.Errorf("checked %d flags; the reader is broken", n)
	}
}
