package warehouse

import (
	"context"
	"log/slog"
	"time"

	"gocloud.dev/blob"

	"github.com/synctrack/synctrack/dialects"
)

// Engine describes one warehouse engine: all that commands, the daemon and
// the web pages know of it. Each engine package exports one; the registry
// (package warehouse/engines) lists them, and nothing else names an engine.
type Engine struct {
	Name    string           // duckdb, snowflake, ...
	Schemes []string         // URL schemes it answers to, without "://"
	Example string           // a URL, for help texts and errors
	Dialect dialects.Dialect // its SQL, the analysis templates' helpers included
	// Check reads a URL without connecting or touching a file. Its error
	// says what is wrong; an unknown parameter's names the known ones.
	Check func(raw string) error
	// CheckSchema refuses a schema name (never empty) the engine would
	// refuse, change or read ambiguously: the check Check makes of the
	// URL's schema, shared with synctrack sql render --schema, which has
	// no URL (engines.CheckSchema). Its error says why; the caller names
	// the value. Nil: any name.
	CheckSchema func(schema string) error
	// CheckPlace, for engines that are a local file, refuses a URL whose
	// file a load could not make where it is (its folder missing, or a
	// file), touching nothing: the check Open makes for writing, which
	// the daemon makes at start, before its first cycle opens anything.
	// Nil for servers.
	CheckPlace func(raw string) error
	// Open opens a warehouse at raw. Its errors carry a class.
	Open func(ctx context.Context, raw string, o Options) (Warehouse, error)
	// Exists says whether raw names a warehouse that exists yet, for
	// readers: a DuckDB file not created yet has nothing to read. Nil for
	// engines that are servers (a missing schema reads as empty).
	Exists func(raw string) (bool, error)
	// Local, for engines that are a local file (the embedded one), is the
	// URL of a database file at path: the demo's and the benchmarks'.
	Local func(path string) string
	// Readers, for engines that are a local file, makes a source of
	// read-only handles on raw that share one engine instance and hold the
	// file (and its lock) only while a handle is out: cheaper for each
	// request than Open, with the same promise to a writer in another
	// process. Only for a process that never opens raw for writing
	// (synctrack serve): file locks belong to the process. Nil for servers.
	Readers func(raw string, o Options) (Readers, error)
	// CheckBucket, for an engine that reads the bucket itself in some
	// mode (through a stage, an external table, a load job over the
	// bucket's own URIs), refuses a bucket it cannot read that way, before
	// anything is opened: given the warehouse URL, the bucket URL and
	// whether files are to be registered in place (--mode external). Its
	// error names the bucket's scheme, the engine and what would do. Nil
	// when the engine reads only what synctrack hands it, from any bucket.
	CheckBucket func(warehouseURL, bucketURL string, external bool) error
	// Identity, for an engine whose warehouse can be named by URLs written
	// differently, writes raw one way: two URLs with the same identity
	// load one ledger (the daemon refuses two targets on one). Nil: the URL
	// as written is its identity.
	Identity func(raw string) string
	// Sample is a nil value of the engine's Warehouse type. Its method set
	// says what the engine can do: see Can.
	Sample Warehouse
}

// Options are what opening an engine may need besides its URL.
type Options struct {
	// Bucket is the bucket being loaded and BucketURL its URL, for engines
	// that read it themselves; nil when nothing is loaded.
	Bucket    *blob.Bucket
	BucketURL string
	// ReadOnly opens for reading: nothing is created.
	ReadOnly bool
	Logger   *slog.Logger
	Now      func() time.Time
	// Env looks up secrets (os.Getenv when nil); they never reach a log.
	Env func(string) string
	// LockWait is how long a writer waits for another process's hold to go
	// before failing as locked: an embedded database file's lock (synctrack
	// serve answering a page holds it for that long), PostgreSQL's load lock
	// on the schema (another load). Zero: no wait.
	LockWait time.Duration
}

// Can says whether engine e's warehouses offer capability T, one of this
// package's optional interfaces: Can[ExternalTables](e).
func Can[T any](e Engine) bool {
	_, ok := e.Sample.(T)
	return ok
}

// ForDaemon marks ctx as a read the daemon makes for itself through the
// web pages' Readers (its idle cycles' ledger reads), not one a person
// asked for: the embedded engine keeps memory for the next page only while
// people read pages (duckdb.Readers).
func ForDaemon(ctx context.Context) context.Context {
	return context.WithValue(ctx, forDaemonKey{}, true)
}

// ByDaemon says ctx was marked by ForDaemon.
func ByDaemon(ctx context.Context) bool { v, _ := ctx.Value(forDaemonKey{}).(bool); return v }

type forDaemonKey struct{}

// Readers hands out read-only queriers over one warehouse (see
// Engine.Readers).
type Readers interface {
	// Open returns a querier and the func that lets it go; the warehouse is
	// held until every querier handed out is let go.
	Open(ctx context.Context) (Querier, func(), error)
	// Close lets the engine go; queriers still out stop working.
	Close() error
}
