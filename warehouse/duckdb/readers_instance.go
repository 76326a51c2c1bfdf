package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"sync/atomic"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/synctrack/synctrack/dialects"
)

// maxIdlePages is how many reading connections are kept between requests:
// enough for the requests a page server answers at once (database/sql keeps
// 2 unless told), so a busy spell does not make connections again.
const maxIdlePages = 8

// attach makes the instance when there is none and attaches the file.
func (r *Readers) attach(ctx context.Context) (err error) {
	unhold, err := holdAttachment(r.c.Path)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			unhold()
		}
	}()
	// Each request reads its blocks into new buffers: keep the memory the
	// last requests freed for the next (see keepFreedMemory). Set at each
	// attach: a load in this process sets the allocator's own delay back.
	if err := keepFreedMemory(r.keepFreed); err != nil {
		r.log.Debug("freed memory goes back to the system at once", "err", err)
	}
	if err := r.instance(); err != nil {
		return err
	}
	if err := checkDatabaseFile(r.c.Path); err != nil {
		return err
	}
	d := dialects.DuckDB{}
	stmt := "ATTACH " + d.String(r.c.Path) + " AS " + d.Ident(r.alias) + " (READ_ONLY)"
	if _, err := r.admin.ExecContext(ctx, stmt); err != nil {
		return openError(r.c.Path, err)
	}
	r.unhold = unhold
	return nil
}

// instance makes the in-memory instance when there is none; on mu.
func (r *Readers) instance() error {
	if r.base != nil {
		return nil
	}
	// Spill where a file-backed instance would: beside the file.
	stmts := append(settings(r.c), "SET temp_directory = "+dialects.DuckDB{}.String(r.c.Path+".tmp"))
	// Not ctx: the instance outlives the request that made it.
	base, err := duckdb.NewConnector("", initConn(stmts))
	if err != nil {
		return classify(fmt.Errorf("open an in-memory DuckDB to read %s: %w", r.c.Path, err), nil)
	}
	r.base, r.admin = base, sql.OpenDB(base)
	r.admin.SetMaxOpenConns(1)
	// A connection is kept once made: a new one for each request, with
	// its settings, cost more CPU than the attach saved.
	r.pages = sql.OpenDB(useConnector{base: base, use: dialects.DuckDB{}.Ident(r.alias)})
	r.pages.SetMaxIdleConns(maxIdlePages)
	// A load's one connection (temp tables are per connection), made now
	// and kept: DuckDB empties the allocator's arenas as it makes a
	// connection, which would give back what the pages keep.
	r.writer = sql.OpenDB(useConnector{base: base, use: dialects.DuckDB{}.Ident(r.alias), on: &r.writing})
	r.writer.SetMaxOpenConns(1)
	r.writer.SetMaxIdleConns(1)
	if err := r.writer.PingContext(context.Background()); err != nil {
		return errors.Join(classify(fmt.Errorf("open an in-memory DuckDB to read %s: %w", r.c.Path, err), nil), r.closeBase())
	}
	return nil
}

// release lets a handle go and, with the last handle, detaches the file.
// Should DuckDB refuse to detach it, the whole instance is closed instead:
func (r *Readers) closeBase() error {
	if r.base == nil {
		return nil
	}
	err := errors.Join(r.pages.Close(), r.writer.Close(), r.admin.Close(), r.base.Close())
	r.base, r.admin, r.pages, r.writer = nil, nil, nil, nil
	r.fingerprint = false
	r.letFileGo()
	return err
}

// letFileGo ends this process's hold on the file once it is detached or
// its instance closed; on mu.
func (r *Readers) letFileGo() {
	if r.unhold != nil {
		r.unhold()
		r.unhold = nil
	}
}

// useConnector makes connections to base's instance whose default
// database is the attached file, so that "schema"."table" names it.
type useConnector struct {
	base *duckdb.Connector
	use  string // the catalog, quoted
	// on, when set, says whether the file is attached: the load's
	// connection is made with the instance, before it is, and again by
	// database/sql mid-load (it drops one whose transaction was cancelled).
	on *atomic.Bool
}

func (u useConnector) Connect(ctx context.Context) (driver.Conn, error) {
	c, err := u.base.Connect(ctx)
	if err != nil || u.on != nil && !u.on.Load() {
		return c, err
	}
	if _, err := c.(driver.ExecerContext).ExecContext(ctx, "USE "+u.use, nil); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func (u useConnector) Driver() driver.Driver { return u.base.Driver() }
