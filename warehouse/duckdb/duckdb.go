// Package duckdb is the embedded warehouse: a DuckDB database file that needs no
// server. It reads staged parquet files with DuckDB's own reader, many files per
// statement, and keeps each batch's rows and ledger rows in one transaction.
package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/internal/cputime"
	"github.com/synctrack/synctrack/warehouse"
)

// Warehouse is a DuckDB database file holding one synctrack schema.
type Warehouse struct {
	db     *sql.DB
	conn   *duckdb.Connector
	d      dialects.DuckDB
	schema string
	path   string
	now    func() time.Time
	log    *slog.Logger
	// readOnly: opened with access_mode=read_only, so DuckDB refuses writes.
	readOnly bool
	// shared: a Readers' handle, on an engine instance other requests use.
	shared bool
	// release lets this process's hold on the file go (holdInstance).
	release func()
	// detach lets the file go from the pages' instance a load of this
	// process used (Readers.openWriter); nil for a file opened alone.
	detach func() error
	// noCounts: loads write no counts (SkipCounts; bench only).
	noCounts bool
	// prep groups staged files' counts ahead of their load (prepare.go).
	prep preparer
	// memoryLimit is Config.MemoryLimit of a writer, set back after each
	// records batch evicts the buffer pool (blocks.go); "" for a reader.
	memoryLimit string
	// evicting is held while memory_limit is down for an eviction, and by
	// what another goroutine runs beside a load (the daemon's lease
	// renewal), which 1MB of memory could fail.
	evicting sync.Mutex
}

var (
	_ warehouse.Warehouse       = (*Warehouse)(nil)
	_ warehouse.LocalReader     = (*Warehouse)(nil)
	_ warehouse.ReadOnlyQuerier = (*Warehouse)(nil)
	_ warehouse.CountsSkipper   = (*Warehouse)(nil)
	_ warehouse.RecordsPreparer = (*Warehouse)(nil)
)

// DefaultMemoryLimit keeps a load, the Go side included, well under 1 GiB of RSS.
const DefaultMemoryLimit = "512MB"

// Config is what a duckdb:// URL says.
type Config struct {
	Path        string // database file
	Schema      string // default "synctrack"
	MemoryLimit string // DuckDB memory_limit, default DefaultMemoryLimit
	Threads     int    // 0: DuckDB's default
	ReadOnly    bool
	Logger      *slog.Logger // statements at debug level; none when nil
}

// checkSchema refuses a schema named as one of DuckDB's own catalogs:
// system and temp in every database, memory in the in-memory one serve
// reads through. DuckDB reads schema.sync_log as catalog.table too, so
// the reference would be ambiguous.
func checkSchema(s string) error {
	for _, reserved := range []string{"memory", "system", "temp"} {
		if strings.EqualFold(s, reserved) {
			return fmt.Errorf("the name of one of DuckDB's own catalogs, so %s.sync_log would be ambiguous", s)
		}
	}
	return nil
}

// memorySize is what DuckDB's memory_limit takes: a number and a unit.
var memorySize = regexp.MustCompile(`(?i)^\s*[0-9]+(\.[0-9]+)?\s*(b|kb|mb|gb|tb|kib|mib|gib|tib|%)?\s*$`)

// urlParams are the parameters a duckdb:// URL may carry.
var urlParams = []string{"schema", "memory_limit", "threads"}

// ParseURL reads duckdb://./file.duckdb, duckdb:///abs/file.duckdb or
// duckdb://file.duckdb, with optional ?schema=&memory_limit=&threads=.
func ParseURL(raw string) (Config, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "duckdb" {
		return Config{}, fmt.Errorf("warehouse URL %q: want duckdb://PATH", raw)
	}
	p := u.Host + u.Path
	if u.Host == "" {
		p = u.Path
	}
	if p == "" || strings.HasSuffix(p, "/") {
		return Config{}, fmt.Errorf("warehouse URL %q: no database file named", raw)
	}
	c := Config{Path: filepath.Clean(p), Schema: "synctrack", MemoryLimit: DefaultMemoryLimit}
	q, err := warehouse.URLParams(u.RawQuery)
	if err != nil {
		return Config{}, fmt.Errorf("warehouse URL %q: %w", raw, err)
	}
	for k := range q {
		if !slices.Contains(urlParams, k) {
			return Config{}, fmt.Errorf("warehouse URL %q: unknown parameter %q (known: %s)", raw, k, strings.Join(urlParams, ", "))
		}
	}
	if s := q.Get("schema"); s != "" {
		c.Schema = s
	}
	if err := checkSchema(c.Schema); err != nil {
		return Config{}, fmt.Errorf("warehouse URL %q: schema %q: %w; choose another ?schema= (the default is synctrack)", raw, c.Schema, err)
	}
	// DuckDB names a database file's catalog after the file: synctrack.duckdb
	// holds catalog "synctrack", and with schema "synctrack" every
	// synctrack.sync_log, ours and the user's, is an ambiguous reference.
	base := filepath.Base(c.Path)
	if catalog := strings.TrimSuffix(base, filepath.Ext(base)); strings.EqualFold(catalog, c.Schema) {
		return Config{}, fmt.Errorf("warehouse URL %q: DuckDB names the database %q after its file, the same as the schema, "+
			"so %s.sync_log would be ambiguous; name the file otherwise (e.g. sync-logs.duckdb) or set ?schema=", raw, catalog, c.Schema)
	}
	if s := q.Get("memory_limit"); s != "" {
		if !memorySize.MatchString(s) {
			return Config{}, fmt.Errorf("warehouse URL %q: memory_limit=%q is not a size (e.g. 512MB, 2GB)", raw, s)
		}
		c.MemoryLimit = s
	}
	if s := q.Get("threads"); s != "" {
		if _, err := fmt.Sscan(s, &c.Threads); err != nil || c.Threads < 0 {
			return Config{}, fmt.Errorf("warehouse URL %q: threads=%q is not a count", raw, s)
		}
	}
	return c, nil
}

// Open opens (creating if needed) the database and its schema.
func Open(ctx context.Context, c Config, now func() time.Time) (*Warehouse, error) {
	if now == nil {
		now = time.Now
	}
	log := c.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	d := dialects.DuckDB{}
	if !c.ReadOnly {
		if err := checkFolder(c.Path); err != nil {
			return nil, err
		}
	}
	// This process's pages let the file go first (fileuse.go).
	release, err := holdInstance(ctx, c.Path, !c.ReadOnly)
	if err != nil {
		return nil, err
	}
	if st, err := os.Stat(c.Path); err == nil && st.IsDir() {
		release()
		return nil, warehouse.Wrap(fmt.Errorf("open %s: a folder, not a database file", c.Path), warehouse.Config, "not_a_file", notAFileHint)
	}
	w := &Warehouse{d: d, schema: c.Schema, path: c.Path, now: now, log: log.WithGroup("duckdb"),
		readOnly: c.ReadOnly, release: release}
	// This process's pages of the file lend their instance to its loads
	// (Readers.openWriter), and their memory with it.
	shared := false
	if r := sharedReaders(c.Path); r != nil && !c.ReadOnly {
		w.db, w.detach, shared, err = r.openWriter(ctx, c)
	}
	if !shared {
		if !c.ReadOnly {
			if err := ownDecay(); err != nil {
				log.Debug("the load keeps freed memory as the pages do", "err", err)
			}
		}
		w.db, w.conn, err = openFile(ctx, c)
	}
	if err != nil {
		release()
		return nil, err
	}
	if !c.ReadOnly {
		w.memoryLimit = c.MemoryLimit
		if w.detach == nil { // the pages' instance has it (openWriter)
			if err := registerFingerprint(ctx, w.db); err != nil {
				w.Close()
				return nil, classify(err, nil)
			}
		}
		if err := w.setup(ctx); err != nil {
			w.Close()
			return nil, err
		}
	}
	return w, nil
}

// openFile opens c's file as an instance of its own.
func openFile(ctx context.Context, c Config) (*sql.DB, *duckdb.Connector, error) {
	if err := checkDatabaseFile(c.Path); err != nil {
		return nil, nil, err
	}
	dsn := c.Path
	if c.ReadOnly {
		dsn += "?access_mode=read_only"
	}
	conn, err := duckdb.NewConnector(dsn, initConn(settings(c)))
	if err != nil {
		return nil, nil, openError(c.Path, err)
	}
	db := sql.OpenDB(conn)
	// One connection: DuckDB serialises writers anyway, and temp tables are per connection.
	db.SetMaxOpenConns(1)
	return db, conn, nil
}

// checkDatabaseFile refuses a file at path that is not a DuckDB database
// (its header names DuckDB at byte 8). DuckDB opens a path ending in
// .parquet or .csv as an in-memory database over that file: a load "went
// well" and kept nothing, and the read-only commands failed with a hint
// blaming synctrack's SQL (found by a review). No file, or an empty one,
// is left to DuckDB, which makes the database.
func checkDatabaseFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return nil // DuckDB says why, or makes it
	}
	defer f.Close()
	var head [12]byte
	n, _ := io.ReadFull(f, head[:])
	if n == 0 {
		return nil
	}
	if n < len(head) || string(head[8:12]) != "DUCK" {
		return warehouse.Wrap(fmt.Errorf("open %s: not a DuckDB database file", path), warehouse.Config, "not_duckdb",
			"the warehouse URL names a file that is not a DuckDB database (a parquet or CSV file?): point it at a new path, or at the file synctrack created")
	}
	return nil
}

// settings are what every connection of c's database is set to.
func settings(c Config) []string {
	d := dialects.DuckDB{}
	// Row order in a table means nothing here (_row keeps each file's order),
	// and keeping it costs memory on big inserts.
	stmts := []string{"SET TimeZone = 'UTC'", "SET memory_limit = " + d.String(c.MemoryLimit),
		"SET preserve_insertion_order = false",
		// Each staged file is read once: caching its bytes only grows memory
		// (427 MB after 20,000 small files, before this).
		"SET enable_external_file_cache = false"}
	if c.Threads > 0 {
		stmts = append(stmts, fmt.Sprintf("SET threads = %d", c.Threads))
	}
	return stmts
}

// initConn runs stmts on each new connection, whenever it is made: not
// under the context the warehouse was opened with, which may have ended by
// then (the daemon's, cancelled at shutdown, failed the connection that
// would have released its lease, and the next daemon waited the lease's
// ten minutes: found by a review).
func initConn(stmts []string) func(ex driver.ExecerContext) error {
	return func(ex driver.ExecerContext) error {
		for _, s := range stmts {
			if _, err := ex.ExecContext(context.Background(), s, nil); err != nil {
				return fmt.Errorf("%s: %w", s, err)
			}
		}
		return nil
	}
}

func (w *Warehouse) setup(ctx context.Context) error {
	free, err := w.storageRefusesFixedCompression(ctx)
	if err != nil {
		return classify(fmt.Errorf("set up schema %s: %w", w.schema, err), nil)
	}
	if free {
		w.d.FreeCompression = true
		var n int
		err := w.db.QueryRowContext(ctx, `SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database()
			AND schema_name = $1 AND table_name = 'sync_records'`, w.schema).Scan(&n)
		if err == nil && n == 0 {
			w.log.Info("this database file's storage version only decompresses the compression methods synctrack fixes for load speed (fsst, dictionary): DuckDB chooses them for its tables",
				"file", w.path)
		}
	}
	for _, s := range w.d.Setup(w.schema) {
		if _, err := w.exec(ctx, w.db, s); err != nil {
			return classify(fmt.Errorf("set up schema %s: %w", w.schema, err), nil)
		}
	}
	if err := w.ensureIdentifierKey(ctx); err != nil {
		return err
	}
	return w.backfillCounts(ctx)
}

// storageRefusesFixedCompression says the file was made with a storage
// version (v1.3.0 and later: DuckDB's tag for it reads "v1.3.0+") in which
// fsst and dictionary only decompress, so the tables get DuckDB's own choice
// there (dialects.DuckDB.FreeCompression). An in-memory database has no
// tag and takes them.
func (w *Warehouse) storageRefusesFixedCompression(ctx context.Context) (bool, error) {
	var tag sql.NullString
	err := w.db.QueryRowContext(ctx, `SELECT tags['storage_version'] FROM duckdb_databases()
		WHERE database_name = current_database()`).Scan(&tag)
	if err != nil {
		return false, fmt.Errorf("storage version: %w", err)
	}
	return storageAtLeast(tag.String, 1, 3), nil
}

// storageAtLeast says DuckDB's storage version tag ("v1.3.0+") names
// major.minor or later; false for a tag it cannot read.
func storageAtLeast(tag string, major, minor int) bool {
	parts := strings.Split(strings.TrimSuffix(strings.TrimPrefix(tag, "v"), "+"), ".")
	if len(parts) < 2 {
		return false
	}
	ma, err1 := strconv.Atoi(parts[0])
	mi, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return false
	}
	return ma > major || ma == major && mi >= minor
}

// ReadsLocalFiles marks DuckDB as reading staged local files.
func (w *Warehouse) ReadsLocalFiles() {}

// DB is the database, for tests.
func (w *Warehouse) DB() *sql.DB { return w.db }

// Dialect is DuckDB's SQL.
func (w *Warehouse) Dialect() dialects.Dialect { return w.d }

// Query runs one read-only statement with $1.. bound to args. JSON columns
// come as their stored text (jsonAsText).
func (w *Warehouse) Query(ctx context.Context, q string, args []warehouse.Arg) (warehouse.Rows, error) {
	vals := make([]any, len(args))
	for i, a := range args {
		vals[i] = a.Value
	}
	text, isJSON := jsonAsText(ctx, w.db, q)
	rows, err := w.query(ctx, w.db, text, vals...)
	if err == nil && isJSON != nil {
		return jsonRows{rows: rows, isJSON: isJSON}, nil
	}
	if err != nil {
		return nil, classify(err, nil)
	}
	return rows, nil
}

// Schema is the schema synctrack writes to.
func (w *Warehouse) Schema() string { return w.schema }

// Close closes the database; a Readers' handle is let go by its release
// func instead, and its Close does nothing.
func (w *Warehouse) Close() error {
	if w.shared {
		return nil
	}
	w.prep.close()
	var err error
	if w.detach != nil {
		err = w.detach() // the pages' instance keeps the connection
	} else {
		err = errors.Join(w.db.Close(), w.conn.Close())
	}
	w.release()
	return err
}

func (w *Warehouse) table(name string) string { return w.d.Table(w.schema, name) }

// execer and queryer are what *sql.DB and *sql.Tx share.
type execer interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
}

type queryer interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

// exec runs one statement, logged at debug level: every statement DuckDB is
// sent goes through here or query.
func (w *Warehouse) exec(ctx context.Context, on execer, stmt string, args ...any) (sql.Result, error) {
	w.log.Debug("statement", "sql", stmt)
	start, cpu := time.Now(), cputime.Process()
	res, err := on.ExecContext(ctx, stmt, args...)
	w.log.Debug("statement done", "elapsed", time.Since(start), "cpu", cputime.Process()-cpu)
	return res, err
}

// query runs one query, logged at debug level.
func (w *Warehouse) query(ctx context.Context, on queryer, q string, args ...any) (*sql.Rows, error) {
	w.log.Debug("query", "sql", q)
	return on.QueryContext(ctx, q, args...)
}

// inTx runs fn in one transaction, committing only if it returns nil. Its
// error carries a class; a data error names the files of the batch it is
// about, when DuckDB's message names them.
func (w *Warehouse) inTx(ctx context.Context, files []warehouse.File, fn func(tx *sql.Tx) error) error {
	return w.inConnTx(ctx, files, func(_ *sql.Conn, tx *sql.Tx) error { return fn(tx) })
}

// inConnTx is inTx that also gives fn the connection the transaction is
// on, whose driver connection an Appender needs (its rows are part of the
// transaction).
func (w *Warehouse) inConnTx(ctx context.Context, files []warehouse.File, fn func(conn *sql.Conn, tx *sql.Tx) error) error {
	conn, err := w.db.Conn(ctx)
	if err != nil {
		return classify(err, nil)
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return classify(err, nil)
	}
	// Runs before conn.Close: a Tx left open (fn panicked) holds the Conn,
	// whose Close would wait for it forever. A no-op after Commit.
	defer tx.Rollback()
	if err := fn(conn, tx); err != nil {
		_ = tx.Rollback()
		return classify(err, files)
	}
	start := time.Now()
	err = tx.Commit()
	w.log.Debug("commit done", "elapsed", time.Since(start))
	return classify(err, nil)
}

// checkFolder refuses a database file path whose folder is missing or is
// not a folder, touching nothing. DuckDB creates the file, not its folder;
// without one it says only "Cannot open file", which reads as the disk's
// fault (exit 3). A path under a regular file (o.txt/x.duckdb) was called
// a missing folder, though the user's fix is another.
func checkFolder(path string) error {
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	if err == nil && st.IsDir() {
		return nil
	}
	if err == nil || errors.Is(err, syscall.ENOTDIR) {
		file := dir
		for p := dir; ; p = filepath.Dir(p) {
			if st, err := os.Stat(p); err == nil {
				if !st.IsDir() {
					file = p
				}
				break
			}
			if p == filepath.Dir(p) {
				break
			}
		}
		return warehouse.Wrap(fmt.Errorf("open %s: %s is a file, not a folder", path, file), warehouse.Config, "not_a_folder",
			"point the warehouse URL at a file in a folder")
	}
	if errors.Is(err, os.ErrNotExist) {
		return warehouse.Wrap(fmt.Errorf("open %s: no folder %s", path, dir), warehouse.Config, "no_folder",
			"create the folder, or point the warehouse URL at a file in one that exists")
	}
	return warehouse.Wrap(fmt.Errorf("open %s: folder %s: %w", path, dir, err), warehouse.Config, "no_folder",
		"let synctrack reach the folder, or point the warehouse URL at a file in another")
}
