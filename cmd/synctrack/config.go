package main

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"gopkg.in/yaml.v3"

	"github.com/synctrack/synctrack/internal/nearest"
)

// applyConfig fills every flag not given on the command line from its
// SYNCTRACK_* variable, else from the config file.
func applyConfig(cmd *cobra.Command) error {
	path, file, err := readConfigFile(cmd)
	if err != nil {
		return err
	}
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		key := strings.ReplaceAll(f.Name, "-", "_")
		if err != nil || f.Changed || f.Name == "config" {
			return
		}
		env := envName(f.Name)
		if v, ok := os.LookupEnv(env); ok {
			if v == "" && emptyMeans[f.Name] != cmd.Name() {
				// A template with nothing to put there, as a file's key
				// with no value: the command said "no warehouse" though
				// the file names one, or took the default schedule or
				// memory limit without a word.
				if _, inFile := file[key]; inFile {
					err = usageError("%s is set but empty, over config %s's %s: unset it, or give it a value", env, path, key)
				} else {
					err = usageError("%s is set but empty: unset it, or give it a value", env)
				}
				return
			}
			if serr := f.Value.Set(v); serr != nil {
				err = usageError("%s=%q: %v", env, v, wantKind(f, serr))
			}
			return
		}
		v, ok := file[key]
		if !ok || key == "targets" { // configTargets reads the list itself
			return
		}
		s, serr := configValue(v)
		if serr == nil {
			if serr = f.Value.Set(s); serr != nil {
				serr = wantKind(f, serr)
			}
		}
		if serr != nil {
			err = usageError("config %s: %s: %v", path, key, serr)
			return
		}
		_ = cmd.Flags().SetAnnotation(f.Name, fromConfigFile, []string{path})
	})
	if err != nil {
		return err
	}
	if err := checkConfigKeys(cmd, path, file); err != nil {
		return err
	}
	return targetsOnlyForRun(cmd, path, file)
}

// readConfigFile is the config file's path (--config, else
// SYNCTRACK_CONFIG; "" for none) and its keys.
func readConfigFile(cmd *cobra.Command) (string, map[string]any, error) {
	file := map[string]any{}
	path, _ := cmd.Flags().GetString("config")
	if path == "" {
		var set bool
		if path, set = os.LookupEnv("SYNCTRACK_CONFIG"); set && path == "" {
			return "", nil, usageError("SYNCTRACK_CONFIG is set but empty: unset it, or give it a file")
		}
	}
	if path != "" {
		raw, err := os.ReadFile(path)
		if err != nil {
			return "", nil, usageError("config: %v", err)
		}
		if err := notMapping(raw); err != nil {
			return "", nil, usageError("config %s: %v", path, err)
		}
		if err := yaml.Unmarshal(raw, &file); err != nil {
			return "", nil, usageError("config %s: %v", path, err)
		}
	}
	return path, file, nil
}

// checkConfigKeys refuses a key of file that no command takes, or that
// this command takes only on its command line.
func checkConfigKeys(cmd *cobra.Command, path string, file map[string]any) error {
	// One file serves every command, so a key is wrong only if no command knows it.
	known := flagKeys(cmd.Root())
	keys := make([]string, 0, len(file))
	for k := range file {
		keys = append(keys, k)
	}
	sort.Strings(keys) // of two wrong keys, the same one is named every time
	for _, k := range keys {
		if notInFile[k] {
			// check: true would make every start a check that exits 0 (a
			// restart loop under systemd); config: names this file.
			return usageError("config %s: %q is a command-line flag only, not a config key", path, k)
		}
		if k == "out" && exports[cmd.Name()] {
			// It would send every export of the command to one file.
			return usageError("config %s: out: is a folder for generate and dbt; %s takes --out on the command line only", path, cmd.Name())
		}
		if !known[k] {
			return usageError("config %s: unknown key %q%s", path, k, keyHint(k, known))
		}
		// A key this command does not read is still wrong for the one that
		// does: said now, not first by the daemon's start.
		if _, err := configValue(file[k]); err != nil && k != "targets" {
			return usageError("config %s: %s: %v", path, k, err)
		}
	}
	return nil
}

// keyHint says which known key an unknown one was likely meant to be: the
// flag's name as written (batch-files: a key writes _ for -), or one a
// letter or two away (warehuose). The error named the key only, leaving
// the user to find the typo in a list of some forty.
func keyHint(k string, known map[string]bool) string {
	if u := strings.ToLower(strings.ReplaceAll(k, "-", "_")); known[u] {
		return fmt.Sprintf(" (did you mean %s? a key is the flag's name with _ for -)", u)
	}
	best := nearest.Word(strings.ToLower(k), slices.Collect(maps.Keys(known)), 2)
	if best == "" {
		return " (a key is a flag's name with _ for -: see synctrack COMMAND --help)"
	}
	return fmt.Sprintf(" (did you mean %s?)", best)
}

// notMapping says what a config file that is no mapping of keys holds
// instead: yaml's own words were "cannot unmarshal !!str `warehou...` into
// map[string]interface {}" for a line missing its colon (warehouse=URL, as
// an env file writes it) and the like for a list.
func notMapping(raw []byte) error {
	var doc yaml.Node
	if yaml.Unmarshal(raw, &doc) != nil || len(doc.Content) == 0 {
		return nil // yaml's syntax error, or an empty file: said as before
	}
	n := doc.Content[0]
	what := "a list"
	switch n.Kind {
	case yaml.MappingNode:
		return nil
	case yaml.ScalarNode:
		v := []rune(n.Value)
		if len(v) > 50 {
			v = append(v[:40], []rune("...")...)
		}
		what = fmt.Sprintf("the text %q", string(v))
	}
	return fmt.Errorf("line %d: want one key: value a line (such as warehouse: duckdb://./sync-logs.duckdb), not %s", n.Line, what)
}

// targetsOnlyForRun: a daemon's config file, its warehouses in a targets:
// list, given to a command that takes one --warehouse, said "no warehouse"
// as if the file held none. It names the targets' warehouses instead.
func targetsOnlyForRun(cmd *cobra.Command, path string, file map[string]any) error {
	wh := cmd.Flags().Lookup("warehouse")
	if file["targets"] == nil || wh == nil || wh.Value.String() != "" || cmd.Flags().Lookup("targets") != nil || cmd.Name() == "bench" {
		return nil
	}
	var names []string
	if list, ok := file["targets"].([]any); ok {
		for _, t := range list {
			if m, ok := t.(map[string]any); ok {
				name := fmt.Sprint(m["name"])
				if m["name"] == nil {
					name = unnamedTarget(len(names), len(list))
				}
				names = append(names, fmt.Sprintf("%s: %v", name, m["warehouse"]))
			}
		}
	}
	return usageError("config %s: its warehouses are in targets:, which only synctrack run reads; give %s --warehouse URL (%s)",
		path, cmd.Name(), strings.Join(names, "; "))
}

// envName is the environment variable of flag name: SYNCTRACK_ and the name
// in capitals with _ for -.
func envName(name string) string {
	return "SYNCTRACK_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

// emptyMeans are the flags whose empty value is a setting of its own, and
// the command it is one for: SYNCTRACK_LISTEN= turns the daemon's listener
// off. serve has no such setting: an empty --listen was its "listen address
// "": missing port", which named no variable. Any other variable set but
// empty is refused, as a config file's key with no value is (configValue).
var emptyMeans = map[string]string{"listen": "run"}

// wantKind says what kind of value flag f wants, beside the parser's own
// reason (strconv's "invalid syntax" or "value out of range", without its
// "strconv.ParseInt: parsing ..." before it).
func wantKind(f *pflag.Flag, err error) error {
	want := map[string]string{"bool": "true or false", "int": "a whole number", "int64": "a whole number",
		"duration": "a duration such as 30s, 5m or 1h"}[f.Value.Type()]
	if want == "" {
		return err
	}
	var num *strconv.NumError
	if errors.As(err, &num) {
		err = num.Err
	}
	return fmt.Errorf("want %s (%v)", want, err)
}

// fromConfigFile annotates a flag applyConfig set from the config file:
// set on purpose, as a flag or variable is, though not Changed (a target's
// own schedule still wins over the file's top-level one).
const fromConfigFile = "synctrack-config-file"

// setInFile says the config file gave flag name a value.
func setInFile(cmd *cobra.Command, name string) bool {
	f := cmd.Flags().Lookup(name)
	return f != nil && f.Annotations[fromConfigFile] != nil
}

// configValue is a config key's YAML value as its flag takes it. A key
// with no value (YAML null: "webhook_secret:") is refused, not read as the
// text "<nil>" (which, as a webhook secret, anyone could sign with), and so
// is a list or a map where a flag takes one value.
func configValue(v any) (string, error) {
	switch v.(type) {
	case nil:
		return "", errors.New("no value: give one, or remove the key")
	case []any:
		return "", errors.New("want one value, not a list")
	case map[string]any:
		return "", errors.New("want one value, not a map")
	}
	return fmt.Sprint(v), nil
}

// notInFile are flags a config file may not set: all (retry's: put back
// every quarantined object) and force (dbt's: overwrite the user's files)
// are a decision for one command, not a setting that every later retry or
// dbt given the shared file would make without being asked.
var notInFile = map[string]bool{"all": true, "check": true, "config": true, "dry_run": true, "force": true, "help": true}

// exports are the commands whose --out is a file of rows.
var exports = map[string]bool{"query": true, "report": true, "records": true}

// flagKeys lists the config keys of every flag of every command.
func flagKeys(c *cobra.Command) map[string]bool {
	keys := map[string]bool{}
	add := func(f *pflag.Flag) { keys[strings.ReplaceAll(f.Name, "-", "_")] = true }
	c.Flags().VisitAll(add)
	c.PersistentFlags().VisitAll(add)
	for _, sub := range c.Commands() {
		for k := range flagKeys(sub) {
			keys[k] = true
		}
	}
	return keys
}
