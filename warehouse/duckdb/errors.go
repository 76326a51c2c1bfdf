package duckdb

import (
	"errors"
	"strings"

	"github.com/synctrack/synctrack/warehouse"
)

// errorRules map what DuckDB says to a class, first match wins; what the
// operating system says (disk full, permission) is warehouse.OSRules, after
// these. A message naming a staged file is about that file only when it is
// one of the data rules.
var errorRules = []warehouse.Rule{
	{Class: warehouse.Transient, Reason: "locked", Contains: []string{"could not set lock on file", "conflicting lock"},
		Hint: "another process (the duckdb CLI, a BI tool, another synctrack) holds the database file; try again when it lets go"},
	// The same process has the file open for writing (the daemon's load,
	// while its web pages open it to read): busy until the load ends.
	// DuckDB says it one way or the other depending on where the load's
	// open is.
	{Class: warehouse.Transient, Reason: "locked", Contains: []string{"same database file with a different configuration",
		"unique file handle conflict"},
		Hint: "a load in this process holds the database file; try again when it ends"},
	{Class: warehouse.Resource, Reason: "disk_full", Contains: []string{"no space left on device", "could not write all bytes", "disk quota"},
		Hint: "free disk space where the database file and the staging directory live, then load again: nothing was blamed on any object"},
	{Class: warehouse.Resource, Reason: "memory", Contains: []string{"out of memory", "failed to allocate"},
		Hint: "raise memory_limit= in the warehouse URL (default 512MB) or lower --batch-bytes"},
	// After a fatal error (a failed write, say) DuckDB refuses every statement
	// until the database is opened again: nothing about the files.
	{Class: warehouse.Transient, Reason: "invalidated", Contains: []string{"database has been invalidated", "fatal error"},
		Hint: "DuckDB stopped after an earlier error (see the one before this); the next load opens the file again"},
	{Class: warehouse.Config, Reason: "not_duckdb", Contains: []string{"not a valid duckdb database file", "is not a valid duckdb database"},
		Hint: "the warehouse URL names a file that is not a DuckDB database: point it at a new path, or at the file synctrack created"},
	// Our own statements against the schema: a missing table or a statement
	// DuckDB cannot parse is no object's fault and will not pass by itself.
	{Class: warehouse.Config, Reason: "sql", Contains: []string{"catalog error:", "parser error:"},
		Hint: "DuckDB refused synctrack's SQL (a schema changed by hand, or a bug: please report it with this message)"},
	{Class: warehouse.Config, Reason: "read_only", Contains: []string{"read-only mode", "read only mode", "attempt to write a read-only"},
		Hint: "the database file was opened read-only; open it writable (check the file's permissions)"},
	{Class: warehouse.Data, Reason: warehouse.ReasonBadText, Contains: []string{"invalid string encoding", "not valid utf8", "not valid utf-8"},
		Hint: "the file holds strings that are not UTF-8"},
	{Class: warehouse.Data, Reason: "bad_object", Contains: []string{"too small to be a parquet file", "no magic bytes found",
		"invalid input error: failed to read file", "corrupt", "invalid error: don't know what type",
		"thrift", "parquet", "conversion error", "malformed json", "invalid unicode"},
		Hint: "the object's data cannot be read; it is recorded as failed and retried on the next load"},
}

// classify gives err its class. A data error is blamed on the files of
// the batch whose staged path or key it names; one that names none blames no
// file, and the loader narrows it down.
func classify(err error, files []warehouse.File) error {
	err = warehouse.Classify(err, errorRules, warehouse.OSRules)
	var e *warehouse.Error
	if !errors.As(err, &e) || e.Class != warehouse.Data || len(e.Keys) > 0 {
		return err
	}
	msg := err.Error()
	for _, f := range files {
		if (f.Local != "" && strings.Contains(msg, f.Local)) || strings.Contains(msg, f.Key) {
			e.Keys = append(e.Keys, f.Key)
		}
	}
	return err
}
