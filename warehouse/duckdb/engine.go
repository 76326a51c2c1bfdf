package duckdb

import (
	"context"
	"errors"
	"os"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/warehouse"
)

// Engine describes DuckDB for the registry.
func Engine() warehouse.Engine {
	return warehouse.Engine{
		Name:    "duckdb",
		Schemes: []string{"duckdb"},
		Example: "duckdb://./sync-logs.duckdb",
		Dialect: dialects.DuckDB{},
		Check:   func(raw string) error { _, err := ParseURL(raw); return err },
		Open:    open,
		Exists:  exists,
		Local:   func(path string) string { return "duckdb://" + path },
		Readers: readers,
		Sample:  (*Warehouse)(nil),
	}
}

func open(ctx context.Context, raw string, o warehouse.Options) (warehouse.Warehouse, error) {
	c, err := ParseURL(raw)
	if err != nil {
		return nil, warehouse.Wrap(err, warehouse.Config, "bad_url", "")
	}
	c.ReadOnly = o.ReadOnly
	c.Logger = o.Logger
	w, err := Open(ctx, c, o.Now)
	if err != nil {
		return nil, err
	}
	return w, nil
}

// exists says whether the URL's database file exists yet.
func exists(raw string) (bool, error) {
	c, err := ParseURL(raw)
	if err != nil {
		return false, warehouse.Wrap(err, warehouse.Config, "bad_url", "")
	}
	_, err = os.Stat(c.Path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	return err == nil, classify(err, nil)
}
