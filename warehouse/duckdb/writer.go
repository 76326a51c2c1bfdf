package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/synctrack/synctrack/dialects"
)

// openWriter attaches the file for writing to r's instance, for a load of
// this process (Open, once this process's pages have let the file go), and
// returns the load's connection and what detaches the file after it; not
// ok when the load must open the file as an instance of its own (r closed,
// or the load's schema named as r's catalog for the file). A load on an
// instance of its own emptied the memory the pages keep for their next
// request (DuckDB empties every arena of the allocator as an instance
// closes, whatever its delay), so the first page after each load read into
// fresh memory: the search 170-215 ms instead of 30-40 (BENCHMARKS.md, "The
// daemon's load in the pages' instance"). So do a new connection, a setting
// set and a detach that checkpoints: the load's connection is kept from
// load to load, c's settings are set only where they differ from the
// pages', and the file is checkpointed before it is detached. The slow
// statements (an ATTACH replays the log, a CHECKPOINT writes the load) run
// off r.mu: a page meanwhile is refused as busy, not kept waiting. One load
// at a time: Open's holdInstance turns a second writer of the file away.
func (r *Readers) openWriter(ctx context.Context, c Config) (db *sql.DB, detach func() error, ok bool, err error) {
	r.mu.Lock()
	if r.shut || strings.EqualFold(c.Schema, r.alias) {
		r.mu.Unlock()
		return nil, nil, false, nil
	}
	if err := r.instance(); err != nil {
		r.mu.Unlock()
		return nil, nil, true, err
	}
	r.writing.Store(true)
	admin, writer, registered := r.admin, r.writer, r.fingerprint
	r.mu.Unlock()

	d := dialects.DuckDB{}
	if _, err := admin.ExecContext(ctx, "ATTACH "+d.String(c.Path)+" AS "+d.Ident(r.alias)); err != nil {
		return nil, nil, true, errors.Join(openError(c.Path, err), r.endWrite(false))
	}
	own := sameSettings(c, r.c)
	err = func() error {
		if _, err := writer.ExecContext(ctx, "USE "+d.Ident(r.alias)); err != nil {
			return err
		}
		if !own {
			if err := execAll(ctx, admin, instanceSettings(c)); err != nil {
				return err
			}
		}
		if !registered {
			if err := registerFingerprint(ctx, writer); err != nil {
				return err
			}
			r.mu.Lock()
			r.fingerprint = true
			r.mu.Unlock()
		}
		return nil
	}()
	if err != nil {
		return nil, nil, true, errors.Join(classify(fmt.Errorf("open %s: %w", c.Path, err), nil), r.endWrite(true))
	}
	detach = sync.OnceValue(func() error {
		// A connection the load left busy (rows not closed) would keep
		// the drop waiting: it gives up, and the instance is closed.
		wait, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err := dropTempTables(wait, writer)
		ctx := context.Background()
		// DuckDB's DETACH of a file with changes checkpoints it and then
		// empties the allocator; of one checkpointed just before, it does not.
		if err == nil {
			_, err = admin.ExecContext(ctx, "CHECKPOINT "+d.Ident(r.alias))
		}
		if err == nil {
			_, err = admin.ExecContext(ctx, "DETACH "+d.Ident(r.alias))
		}
		if err == nil && !own {
			err = execAll(ctx, admin, instanceSettings(r.c))
		}
		if err != nil {
			// Closing the instance checkpoints what it can and lets the
			// file go: the next page makes a new one.
			r.log.Warn("letting the file go after a load: closing the pages' instance", "path", r.c.Path, "err", err)
			return errors.Join(classify(err, nil), r.endWrite(true))
		}
		return r.endWrite(false)
	})
	return writer, detach, true, nil
}

// endWrite ends a load's use of r's instance; the instance is closed if
// failed or if r was closed meanwhile (Close left it to the load).
func (r *Readers) endWrite(failed bool) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.writing.Store(false)
	if failed || r.shut {
		return r.closeBase()
	}
	// What the load freed is kept for a person's next page; with no one
	// reading pages it would only make the daemon bigger between loads.
	r.keepFreedForPages()
	return nil
}

// sameSettings says a and b set the instance alike.
func sameSettings(a, b Config) bool { return a.MemoryLimit == b.MemoryLimit && a.Threads == b.Threads }

// instanceSettings are c's settings of the whole instance, those left to
// DuckDB reset.
func instanceSettings(c Config) []string {
	s := settings(c)
	if c.Threads == 0 {
		s = append(s, "RESET threads")
	}
	return s
}

// execAll runs stmts on db.
func execAll(ctx context.Context, db *sql.DB, stmts []string) error {
	for _, s := range stmts {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return nil
}

// dropTempTables drops the temporary tables a load left on db's one
// connection, kept from load to load: their rows would stay in memory
// until the next load replaced them.
func dropTempTables(ctx context.Context, db *sql.DB) error {
	rows, err := db.QueryContext(ctx, "SELECT table_name FROM duckdb_tables() WHERE temporary")
	if err != nil {
		return err
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return err
		}
		names = append(names, n)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return err
	}
	d := dialects.DuckDB{}
	for _, n := range names {
		if _, err := db.ExecContext(ctx, "DROP TABLE temp.main."+d.Ident(n)); err != nil {
			return err
		}
	}
	return nil
}
