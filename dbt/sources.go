package dbt

import (
	"bytes"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/synctrack/synctrack/dialects"
)

// The sources file's shape, as dbt documents it: version 2, a list of
// sources, each with its tables (views too: dbt does not tell them apart),
// their columns, and data_tests on tables or columns, a generic test's
// inputs under arguments and its settings under config
// (https://docs.getdbt.com/reference/source-properties,
// https://docs.getdbt.com/reference/resource-properties/data-tests).
type sourcesDoc struct {
	Version int      `yaml:"version"`
	Sources []source `yaml:"sources"`
}

type source struct {
	Name        string  `yaml:"name"`
	Description string  `yaml:"description"`
	Schema      string  `yaml:"schema"`
	Loader      string  `yaml:"loader"`
	Tables      []table `yaml:"tables"`
}

type table struct {
	Name        string   `yaml:"name"`
	Description string   `yaml:"description"`
	Columns     []column `yaml:"columns"`
}

type column struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	DataTests   []any  `yaml:"data_tests,omitempty"`
}

// genericTest is one generic test with inputs: {name: {arguments, config}}.
type genericTest map[string]testSpec

type testSpec struct {
	Arguments map[string]any    `yaml:"arguments"`
	Config    map[string]string `yaml:"config,omitempty"`
}

// Marker starts every file synctrack dbt writes (after the comment sign),
// and only those: Write overwrites a file only if it starts with it.
const Marker = "Written by synctrack dbt"

func sources(in Input, rels []relation) ([]byte, error) {
	if strings.ContainsAny(in.Schema, "{}") {
		// dbt renders Jinja in a source's schema; a name with braces could
		// not be written so that it reaches the warehouse unchanged.
		return nil, fmt.Errorf("schema %q: dbt would read its braces as Jinja; use a schema without { or }", in.Schema)
	}
	src := source{
		Name:        SourceName,
		Description: "Row-level Sync Tracking logs loaded by synctrack, with typed views per sync and rejection analyses (" + in.Dialect.Name() + ").",
		Schema:      in.Schema,
		Loader:      "synctrack",
	}
	for _, r := range rels {
		t := table{Name: r.Name, Description: r.Doc}
		for _, c := range r.Columns {
			t.Columns = append(t.Columns, column{Name: c.Name, Description: c.Doc, DataTests: dataTests(c)})
		}
		src.Tables = append(src.Tables, t)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "# %s from the %s schema %q. Run it again to refresh this file;\n", Marker, in.Dialect.Name(), in.Schema)
	b.WriteString("# it overwrites what is edited here (copy the file to change it).\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(sourcesDoc{Version: 2, Sources: []source{src}}); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// dataTests are the dbt tests for what the contract says of a column.
// References are warnings: fact tables lag the runs by up to six hours and
// a run's metadata.json may load after its records, so a dangling id is
// expected for a while and says "not yet", not "wrong".
func dataTests(c dialects.ColumnDoc) []any {
	var out []any
	if c.NotNull {
		out = append(out, "not_null")
	}
	if c.Unique {
		out = append(out, "unique")
	}
	if len(c.Values) > 0 {
		out = append(out, genericTest{"accepted_values": {Arguments: map[string]any{"values": c.Values}}})
	}
	if c.References != "" {
		to, field, _ := strings.Cut(c.References, ".")
		out = append(out, genericTest{"relationships": {
			Arguments: map[string]any{"to": "source('" + SourceName + "', '" + to + "')", "field": field},
			Config:    map[string]string{"severity": "warn"},
		}})
	}
	return out
}
