package main

import (
	"context"
	"fmt"

	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/engines"
	"github.com/synctrack/synctrack/web"
)

// webOpener opens the warehouse at raw for the pages, read-only, through the
// registry. A server engine is opened once and shared by every request
// (close it with the returned func). The embedded engine is a file: it is
// held only while a request is answered, so a load in another process is
// locked out for at most a page (it does not wait: it exits and the next
// run loads), and a page during a load is a 503
// ("busy, try again") rather than a load refused for as long as serve runs.
// Requests attach it to one engine instance kept for them (Engine.Readers),
// which costs a page less than opening the file for each and lets the
// blocks' memory be kept from one page to the next; in the daemon, which
// loads the file in the same process, its loads and its pages take turns
// (a page during a load is the 503). An engine with no Readers opens the
// file for each request.
// mustExist refuses a database file not made yet (serve); the daemon's
// pages wait for its first load instead. holdsFile says a handle locks a
// file (the daemon's loads and pages take turns on it).
func webOpener(ctx context.Context, raw string, o warehouse.Options, mustExist bool) (open web.Opener, closeAll func() error, holdsFile bool, err error) {
	o.ReadOnly = true
	e, err := engines.Check(raw)
	if err != nil {
		return nil, nil, false, err
	}
	if e.Exists != nil {
		ok, err := e.Exists(raw)
		if err != nil {
			return nil, nil, false, err
		}
		if !ok && mustExist {
			return nil, nil, false, &warehouse.Error{Class: warehouse.Config, Reason: "no_database",
				Err: fmt.Errorf("warehouse %s has no database file yet: run synctrack load first", raw)}
		}
		if e.Readers != nil {
			rs, err := e.Readers(raw, o)
			if err != nil {
				return nil, nil, false, err
			}
			return rs.Open, rs.Close, true, nil
		}
		open := func(ctx context.Context) (warehouse.Querier, func(), error) {
			_, w, err := engines.Open(ctx, raw, o)
			if err != nil {
				return nil, nil, err
			}
			return w, func() { _ = w.Close() }, nil
		}
		return open, func() error { return nil }, true, nil
	}
	_, w, err := engines.Open(ctx, raw, o)
	if err != nil {
		return nil, nil, false, err
	}
	return func(context.Context) (warehouse.Querier, func(), error) { return w, func() {}, nil }, w.Close, false, nil
}
