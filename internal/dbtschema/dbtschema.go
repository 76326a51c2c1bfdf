// Package dbtschema checks a dbt sources file against dbt's documented
// source and data-test properties, for tests: dbt-core itself is a Python
// package and cannot be installed here (no PyPI), so `dbt parse` cannot run.
// The shapes below are what these pages document, keys outside them are
// refused (yaml KnownFields), and Check applies the rules those pages state:
//
//   - https://docs.getdbt.com/reference/source-properties (sources: name
//     required, description, database, schema, loader, quoting, config;
//     tables: name required, description, identifier, columns, data_tests)
//   - https://docs.getdbt.com/reference/resource-properties/columns (name,
//     description, data_type, quote, data_tests, config)
//   - https://docs.getdbt.com/reference/resource-properties/data-tests (the
//     four generic tests: not_null and unique take no input, accepted_values
//     takes values, relationships takes to, a ref() or source(), and field)
//   - https://docs.getdbt.com/reference/global-configs/behavior-flags/require_generic_test_arguments_property
//     (a generic test's inputs under arguments, from dbt 1.10.5)
//   - https://docs.getdbt.com/reference/resource-configs/severity (error or warn)
package dbtschema

import (
	"bytes"
	"fmt"
	"regexp"

	"gopkg.in/yaml.v3"
)

// File is a properties file holding sources.
type File struct {
	Version int      `yaml:"version"`
	Sources []Source `yaml:"sources"`
}

type Source struct {
	Name        string         `yaml:"name"`
	Description string         `yaml:"description"`
	Database    string         `yaml:"database"`
	Schema      string         `yaml:"schema"`
	Loader      string         `yaml:"loader"`
	Quoting     map[string]any `yaml:"quoting"`
	Config      map[string]any `yaml:"config"`
	Tables      []Table        `yaml:"tables"`
}

type Table struct {
	Name        string         `yaml:"name"`
	Description string         `yaml:"description"`
	Identifier  string         `yaml:"identifier"`
	Quoting     map[string]any `yaml:"quoting"`
	Config      map[string]any `yaml:"config"`
	DataTests   []yaml.Node    `yaml:"data_tests"`
	Columns     []Column       `yaml:"columns"`
}

type Column struct {
	Name        string         `yaml:"name"`
	Description string         `yaml:"description"`
	DataType    string         `yaml:"data_type"`
	Quote       *bool          `yaml:"quote"`
	Config      map[string]any `yaml:"config"`
	DataTests   []yaml.Node    `yaml:"data_tests"`
}

// Test is one generic test of a column, decoded.
type Test struct {
	Name      string
	Arguments map[string]any
	Config    map[string]any
}

type testBody struct {
	Arguments map[string]any `yaml:"arguments"`
	Config    map[string]any `yaml:"config"`
	Name      string         `yaml:"name"`
}

// Parse decodes b strictly: a key dbt does not document here is an error.
func Parse(b []byte) (File, error) {
	var f File
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return File{}, err
	}
	return f, Check(f)
}

// Tests decodes a column's data tests.
func Tests(nodes []yaml.Node) ([]Test, error) {
	var out []Test
	for _, n := range nodes {
		switch n.Kind {
		case yaml.ScalarNode:
			out = append(out, Test{Name: n.Value})
		case yaml.MappingNode:
			if len(n.Content) != 2 {
				return nil, fmt.Errorf("line %d: a test is one key, its name", n.Line)
			}
			var body testBody
			dec := n.Content[1]
			if err := decodeStrict(dec, &body); err != nil {
				return nil, fmt.Errorf("line %d: test %s: %w", n.Line, n.Content[0].Value, err)
			}
			out = append(out, Test{Name: n.Content[0].Value, Arguments: body.Arguments, Config: body.Config})
		default:
			return nil, fmt.Errorf("line %d: a test is a name or a mapping", n.Line)
		}
	}
	return out, nil
}

func decodeStrict(n *yaml.Node, v any) error {
	b, err := yaml.Marshal(n)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	return dec.Decode(v)
}

var relationTo = regexp.MustCompile(`^(ref|source)\(.+\)$`)

// Check applies the documented rules to a parsed file.
func Check(f File) error {
	if f.Version != 2 {
		return fmt.Errorf("version %d: dbt properties files are version 2", f.Version)
	}
	for _, s := range f.Sources {
		if s.Name == "" {
			return fmt.Errorf("a source without a name")
		}
		seen := map[string]bool{}
		for _, t := range s.Tables {
			if t.Name == "" || seen[t.Name] {
				return fmt.Errorf("source %s: table name %q empty or repeated", s.Name, t.Name)
			}
			seen[t.Name] = true
			cols := map[string]bool{}
			for _, c := range t.Columns {
				if c.Name == "" || cols[c.Name] {
					return fmt.Errorf("%s.%s: column name %q empty or repeated", s.Name, t.Name, c.Name)
				}
				cols[c.Name] = true
				tests, err := Tests(c.DataTests)
				if err != nil {
					return fmt.Errorf("%s.%s.%s: %w", s.Name, t.Name, c.Name, err)
				}
				for _, x := range tests {
					if err := checkTest(x); err != nil {
						return fmt.Errorf("%s.%s.%s: %w", s.Name, t.Name, c.Name, err)
					}
				}
			}
		}
	}
	return nil
}

func checkTest(x Test) error {
	switch x.Name {
	case "not_null", "unique":
		if len(x.Arguments) > 0 {
			return fmt.Errorf("%s takes no arguments", x.Name)
		}
	case "accepted_values":
		vals, ok := x.Arguments["values"].([]any)
		if !ok || len(vals) == 0 || len(x.Arguments) != 1 {
			return fmt.Errorf("accepted_values takes a non-empty list, values, only: %v", x.Arguments)
		}
	case "relationships":
		to, _ := x.Arguments["to"].(string)
		field, _ := x.Arguments["field"].(string)
		if !relationTo.MatchString(to) || field == "" || len(x.Arguments) != 2 {
			return fmt.Errorf("relationships takes to (a ref() or source()) and field: %v", x.Arguments)
		}
	default:
		return fmt.Errorf("unknown generic test %q", x.Name)
	}
	for k, v := range x.Config {
		switch k {
		case "severity":
			if v != "warn" && v != "error" {
				return fmt.Errorf("severity %v: error or warn", v)
			}
		case "where", "error_if", "warn_if", "store_failures", "limit", "tags", "enabled":
		default:
			return fmt.Errorf("unknown test config %q", k)
		}
	}
	return nil
}
