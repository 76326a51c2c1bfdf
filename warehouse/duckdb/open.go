package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/warehouse"
)

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

// setup brings a writable file's schema to what this synctrack loads: the
// dialect's tables and views (with DuckDB's own compression where the
// storage version refuses the fixed one), the identifier key, the counts.
// Each step leaves what is already done alone, so every Open runs it.
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
		hint := "create the folder, or point the warehouse URL at a file in one that exists"
		if path == "~" || strings.HasPrefix(path, "~/") {
			// Creating the folder, as told, made one named ~.
			hint = "a URL does not expand ~ as a shell does: write the whole path, as in duckdb:///home/me/sync-logs.duckdb"
		}
		return warehouse.Wrap(fmt.Errorf("open %s: no folder %s", path, dir), warehouse.Config, "no_folder", hint)
	}
	return warehouse.Wrap(fmt.Errorf("open %s: folder %s: %w", path, dir, err), warehouse.Config, "no_folder",
		"let synctrack reach the folder, or point the warehouse URL at a file in another")
}
