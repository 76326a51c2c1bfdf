// Package engines is the registry of warehouse engines: the one place that
// lists them. Commands, the daemon and the web pages find an engine, its
// dialect and its capabilities only through here. A new engine is its
// package (with its Engine description), its dialect (whose methods render
// every analysis template; a whole-template override in
// sql/templates/<dialect>/ only where a helper cannot say it), and one line
// in All.
package engines

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/bigquery"
	"github.com/synctrack/synctrack/warehouse/duckdb"
	"github.com/synctrack/synctrack/warehouse/postgres"
	"github.com/synctrack/synctrack/warehouse/snowflake"
)

// All lists every engine, the default (embedded) one first.
func All() []warehouse.Engine {
	return []warehouse.Engine{
		duckdb.Engine(),
		snowflake.Engine(),
		bigquery.Engine(),
		postgres.Engine(),
	}
}

// Embedded is the engine that needs no server: the default, the demo's.
func Embedded() warehouse.Engine {
	for _, e := range All() {
		if e.Local != nil {
			return e
		}
	}
	panic("engines: no embedded engine")
}

// ForURL finds the engine for a warehouse URL by its scheme. An empty URL, a
// URL without a scheme and an unknown scheme are config errors that name the
// engines there are.
func ForURL(raw string) (warehouse.Engine, error) {
	if raw == "" {
		return warehouse.Engine{}, configError(fmt.Errorf("no warehouse: set --warehouse (or SYNCTRACK_WAREHOUSE), e.g. %s", Examples()))
	}
	scheme, _, ok := strings.Cut(raw, "://")
	if !ok {
		return warehouse.Engine{}, configError(fmt.Errorf("warehouse %q: want a URL: %s", raw, Examples()))
	}
	for _, e := range All() {
		for _, s := range e.Schemes {
			if strings.EqualFold(s, scheme) {
				return e, nil
			}
		}
	}
	return warehouse.Engine{}, configError(fmt.Errorf("warehouse %q: no engine for %s://; the engines are %s",
		redact(raw), scheme, Schemes()))
}

// Check finds the engine for raw and checks the URL without connecting.
func Check(raw string) (warehouse.Engine, error) {
	e, err := ForURL(raw)
	if err != nil {
		return e, err
	}
	if err := e.Check(raw); err != nil {
		return e, configError(err)
	}
	return e, nil
}

// CheckTarget checks a warehouse URL, then that its engine can read the
// bucket at bucketURL, with files registered in place if external: what
// load, plan and run check before they open anything. A bucket the engine
// cannot read is a config error that names the engines reading any bucket.
func CheckTarget(raw, bucketURL string, external bool) (warehouse.Engine, error) {
	e, err := Check(raw)
	if err != nil || e.CheckBucket == nil {
		return e, err
	}
	if err := e.CheckBucket(raw, bucketURL, external); err != nil {
		var any []string
		for _, o := range All() {
			if o.CheckBucket == nil {
				any = append(any, o.Name)
			}
		}
		return e, warehouse.Wrap(fmt.Errorf("%w (engines that load any bucket, a local folder included: %s)", err, strings.Join(any, ", ")),
			warehouse.Config, "bad_bucket", "")
	}
	return e, nil
}

// CheckPlace checks raw, then, for an engine that is a local file, that a
// load could make the file where raw puts it (Engine.CheckPlace): what
// run checks of each target at start, and run --check with it.
func CheckPlace(raw string) error {
	e, err := Check(raw)
	if err != nil || e.CheckPlace == nil {
		return err
	}
	return e.CheckPlace(raw)
}

// Identity is the warehouse raw names, written one way by its engine
// (Engine.Identity): two URLs naming one warehouse have one identity. A URL
// no engine reads, or whose engine has no other way, is its own.
func Identity(raw string) string {
	e, err := ForURL(raw)
	if err != nil || e.Identity == nil {
		return raw
	}
	return e.Identity(raw)
}

// Open checks raw and opens its engine.
func Open(ctx context.Context, raw string, o warehouse.Options) (warehouse.Engine, warehouse.Warehouse, error) {
	e, err := Check(raw)
	if err != nil {
		return e, nil, err
	}
	w, err := e.Open(ctx, raw, o)
	if err != nil {
		return e, nil, fmt.Errorf("open %s warehouse: %w", e.Name, err)
	}
	return e, w, nil
}

// Dialect returns the dialect called name (an engine's name).
func Dialect(name string) (dialects.Dialect, error) {
	e, err := byDialect(name)
	return e.Dialect, err
}

// CheckSchema checks a schema named outside a URL (synctrack sql render
// --schema) for the engine whose dialect is called dialect, as that
// engine's URL check checks the URL's (Engine.CheckSchema). An empty name
// is refused for every engine: a URL without one means the default, an
// empty flag no schema.
func CheckSchema(dialect, schema string) error {
	e, err := byDialect(dialect)
	switch {
	case err != nil:
		return err
	case schema == "":
		return errors.New("empty: name a schema, or leave the flag out for the default")
	case e.CheckSchema == nil:
		return nil
	}
	return e.CheckSchema(schema)
}

func byDialect(name string) (warehouse.Engine, error) {
	var names []string
	for _, e := range All() {
		if e.Dialect.Name() == name {
			return e, nil
		}
		names = append(names, e.Dialect.Name())
	}
	return warehouse.Engine{}, fmt.Errorf("unknown dialect %q: want %s", name, strings.Join(names, ", "))
}

// Names lists the engines' names.
func Names() []string {
	var out []string
	for _, e := range All() {
		out = append(out, e.Name)
	}
	return out
}

// Schemes lists every engine's URL schemes, for messages: "duckdb://, ...".
func Schemes() string {
	var out []string
	for _, e := range All() {
		for _, s := range e.Schemes {
			out = append(out, s+"://")
		}
	}
	return strings.Join(out, ", ")
}

// Examples lists one URL per engine, for help texts.
func Examples() string {
	var out []string
	for _, e := range All() {
		out = append(out, e.Example)
	}
	return strings.Join(out, ", ")
}

// With lists the names of the engines that offer capability T.
func With[T any]() []string {
	var out []string
	for _, e := range All() {
		if warehouse.Can[T](e) {
			out = append(out, e.Name)
		}
	}
	return out
}

func configError(err error) error {
	return warehouse.Wrap(err, warehouse.Config, "bad_url", "")
}

// redact drops a URL's password, if it has one, from messages.
func redact(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Redacted()
	}
	return "(unparsable URL)"
}
