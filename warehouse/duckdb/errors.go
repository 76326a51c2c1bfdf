package duckdb

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/synctrack/synctrack/warehouse"
)

// What DuckDB says is matched against these tables in turn, first match
// wins: valueRules, errorRules, what the operating system says
// (warehouse.OSRules), dataRules. A message naming a staged file is about
// that file only when it is one of the data rules.
//
// valueRules come first: their messages quote a file's own values or
// column names, which can read as anything ("invalid timestamp field
// format: "No space left on device""), and they are the file's whatever
// the words. dataRules come last: their words ("parquet", "corrupt") are
// also in a file's path, which DuckDB names when the machine refuses to
// open it ("...records.3.parquet": Too many open files).
var valueRules = []warehouse.Rule{
	{Class: warehouse.Data, Reason: warehouse.ReasonBadText, Contains: []string{"invalid string encoding", "not valid utf8", "not valid utf-8"},
		Hint: "the file holds strings that are not UTF-8"},
	{Class: warehouse.Data, Reason: "bad_object", Contains: []string{"conversion error",
		// A column of the file's footer (as the stager read it, and named in
		// the INSERT) that DuckDB reads under another name: r is the file.
		`table "r" does not have a column named`},
		Hint: badObjectHint},
}

const badObjectHint = "the object's data cannot be read; it is recorded as failed and retried on the next load"

// errorRules are the warehouse's own states: held, full, damaged, refused.
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
	// A block of the database file whose checksum fails: the warehouse's
	// damage, before the data rule "corrupt" takes it for a file's.
	{Class: warehouse.Config, Reason: "corrupt_warehouse", Contains: []string{"corrupt database file"},
		Hint: "the DuckDB database file is damaged (a block's checksum does not match); nothing was blamed on any object: " +
			"restore the file from a backup, or point the warehouse URL at a new file and load the bucket again"},
	// A table or view of the user's holds the name of one of ours (a typed
	// view's, sync_records_<sync>): ours is not made, theirs stays.
	{Class: warehouse.Config, Reason: "name_taken", Contains: []string{"trying to replace with type view"},
		Hint: "an object of yours in synctrack's schema has the name of a synctrack view: rename yours, then run synctrack views"},
	// Our own statements against the schema: a missing table or a statement
	// DuckDB cannot parse is no object's fault and will not pass by itself.
	{Class: warehouse.Config, Reason: "sql", Contains: []string{"catalog error:", "parser error:"},
		Hint: "DuckDB refused synctrack's SQL (a schema changed by hand, or a bug: please report it with this message)"},
	// Read before the first load has made the file (the daemon's pages):
	// there will be one, and the read-only rule's hint would mislead.
	{Class: warehouse.Transient, Reason: "no_database", Contains: []string{"database does not exist"},
		Hint: "the database file does not exist yet: the first load makes it"},
	{Class: warehouse.Config, Reason: "read_only", Contains: []string{"read-only mode", "read only mode", "attempt to write a read-only"},
		Hint: "the database file was opened read-only; open it writable (check the file's permissions)"},
}

// dataRules are what DuckDB says of a file it cannot read.
var dataRules = []warehouse.Rule{
	{Class: warehouse.Data, Reason: "bad_object", Contains: []string{"too small to be a parquet file", "no magic bytes found",
		"invalid input error: failed to read file", "corrupt", "invalid error: don't know what type",
		"thrift", "parquet", "malformed json", "invalid unicode",
		// The Thrift library DuckDB decodes parquet metadata with:
		"tprotocolexception", "invalid ttype", "negative size", "exceeded size limit", "exceeded depth limit",
		"maxmessagesize reached", "no more data to read", "invalid error: out of buffer", "variable-length int over",
		// A page size read as negative, rounded up to a power of two:
		"can't find next power of"},
		Hint: badObjectHint},
}

// classify gives err its class. A data error is blamed on the files of
// the batch whose staged path or key it names; one that names none blames no
// file, and the loader narrows it down.
func classify(err error, files []warehouse.File) error {
	// Only where the statement read files: a query's own out of memory is
	// the query's, whatever its shape.
	if len(files) > 0 && oneHugeAllocation(err) {
		err = &warehouse.Error{Class: warehouse.Data, Reason: "huge_allocation", Hint: hugeAllocationHint, Err: err}
	}
	err = warehouse.Classify(err, valueRules, errorRules, warehouse.OSRules, dataRules)
	var e *warehouse.Error
	if errors.As(err, &e) && e.Reason == "permission" && namesFile(err.Error(), files) {
		// One of the bucket's files DuckDB may not open, not the
		// warehouse's: the shared hint said to make the warehouse writable.
		e.Hint = bucketPermissionHint
	}
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

const bucketPermissionHint = "let the user synctrack runs as read the bucket's files and folders (file://) and the staging directory (--stage-dir, else the temp dir): nothing was blamed on any object"

// namesFile says whether msg names one of files, by its staged path or key.
func namesFile(msg string, files []warehouse.File) bool {
	for _, f := range files {
		if (f.Local != "" && strings.Contains(msg, f.Local)) || (f.Key != "" && strings.Contains(msg, f.Key)) {
			return true
		}
	}
	return false
}

// DuckDB's out of memory: what one allocation asked for, and what was in
// use against memory_limit ("failed to allocate data of size 2.0 GiB
// (9.1 MiB/488.2 MiB used)", "could not allocate block of size 4.0 KiB
// (2.0 GiB/488.2 MiB used)").
var outOfMemory = regexp.MustCompile(`(?i)allocate (?:data|block) of size ([0-9.]+) ?([kmgtp]?i?b|bytes) \(([0-9.]+) ?([kmgtp]?i?b|bytes)/([0-9.]+) ?([kmgtp]?i?b|bytes) used\)`)

const hugeAllocationHint = "reading it asked DuckDB for one allocation out of proportion to memory_limit, as a corrupt page header does: " +
	"it is recorded as failed and the rest loads; raise memory_limit= in the warehouse URL if the file is sound"

// oneHugeAllocation says whether err is DuckDB out of memory over one
// allocation out of proportion to memory_limit: a single request for more
// than a quarter of it, use already past it (an allocation the limit did
// not check), or a request that failed though it and the use together are
// under half the limit (another of the statement's threads held a huge
// reservation at that moment, and gave it back before the message: its
// own error lost the race to be the statement's). DuckDB sizes the buffer of a parquet page by the page
// header before it reads the page, so a corrupt header asking for 512 MiB
// or 2 GiB fails so whatever the limit: that is a file's doing, not a full
// memory, and stopping the load on it would stop every load after. It is a
// data error naming no file: the loader halves the batch down to the file.
// Memory filled by a batch's many allocations fails on a small one, under
// the limit, and stays a resource error.
func oneHugeAllocation(err error) bool {
	if err == nil {
		return false
	}
	m := outOfMemory.FindStringSubmatch(err.Error())
	if m == nil {
		return false
	}
	size, used, limit := bytesOf(m[1], m[2]), bytesOf(m[3], m[4]), bytesOf(m[5], m[6])
	if limit <= 0 {
		return false
	}
	return size > limit/4 || used > limit || used+size < limit/2
}

// bytesOf reads DuckDB's human-readable size ("488.2 MiB", "2.0 KiB", "12 bytes").
func bytesOf(num, unit string) float64 {
	f, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return -1
	}
	mult := map[string]float64{"bytes": 1, "b": 1, "kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12, "pb": 1e15,
		"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40, "pib": 1 << 50}[strings.ToLower(unit)]
	if mult == 0 {
		return -1
	}
	return f * mult
}

// openError classifies what DuckDB says as it opens the database file at
// path. A file shorter than its own header says (a copy cut short, a disk
// that filled as it was written) is the warehouse's damage, which no retry
// mends; what DuckDB says of it ("Could not read enough bytes") is also
// what it says of a staged parquet file cut short, so the rule is here,
// where only the database file is read.
func openError(path string, err error) error {
	msg := strings.ToLower(err.Error())
	if strings.Contains(msg, "could not read enough bytes from file") && strings.Contains(msg, strings.ToLower(path)) {
		return warehouse.Wrap(fmt.Errorf("open %s: %w", path, err), warehouse.Config, "corrupt_warehouse",
			"the DuckDB database file is shorter than it says it is (cut short, or not a DuckDB file); nothing was blamed on any object: "+
				"restore the file from a backup, or point the warehouse URL at a new file and load the bucket again")
	}
	if strings.Contains(msg, "is a directory") && strings.Contains(msg, strings.ToLower(path)) {
		return warehouse.Wrap(fmt.Errorf("open %s: %w", path, err), warehouse.Config, "not_a_file", notAFileHint)
	}
	return classify(fmt.Errorf("open %s: %w", path, err), nil)
}

const notAFileHint = "point the warehouse URL at a database file (e.g. duckdb://./sync-logs.duckdb), not at its folder"
