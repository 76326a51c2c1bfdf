package warehouse

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/synctrack/synctrack/dialects"
)

// ViewErrors are the syncs whose typed views a refresh could not rebuild for
// a cause of their own (a view of the user's built on it that a new column
// must drop, an object of the view's name that is not a view), each with its
// cause. Every other sync's view was rebuilt. A refresh that fails as a
// whole (the network, a full disk, sync_log) returns that error instead.
type ViewErrors map[string]error

// Syncs are the failed syncs, sorted.
func (e ViewErrors) Syncs() []string {
	out := make([]string, 0, len(e))
	for s := range e {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

func (e ViewErrors) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "the typed views of %d syncs are not rebuilt (the others are): ", len(e))
	for i, s := range e.Syncs() {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "sync %q: %v", s, e[s])
	}
	return b.String()
}

// Unwrap gives the causes in the order of Syncs: the first one's class is
// the class of the whole (ClassOf).
func (e ViewErrors) Unwrap() []error {
	out := make([]error, 0, len(e))
	for _, s := range e.Syncs() {
		out = append(out, e[s])
	}
	return out
}

// Shared is the one cause of every failed sync when all refreshed syncs
// (two or more) failed, each with the very same error (a permission
// refused on a table every sync's view reads, say): no sync's own fault,
// but the refresh's, to stop on as a whole and fix once. Nil otherwise: a
// view rebuilt beside them shows the cause is not every view's, and a
// sync's own cause mostly names its view or its object.
//
// A permission refused may name the view it was refused on (BigQuery's
// "Permission bigquery.tables.update denied on table ...sync_records_X"):
// permission errors are compared with each one's own view name and sync
// id taken out. Other causes that differ only in their view's name (a
// table of the user's holding it) stay each sync's own.
func (e ViewErrors) Shared(refreshed int) error {
	if len(e) < 2 || len(e) != refreshed {
		return nil
	}
	syncs := e.Syncs()
	first := e[syncs[0]]
	same := true
	for _, s := range syncs[1:] {
		if e[s].Error() != first.Error() {
			same = false
			break
		}
	}
	if same {
		return first
	}
	want := ""
	for i, s := range syncs {
		if r, _ := Explain(e[s]); r != "permission" {
			return nil
		}
		text := unnamed(e[s].Error(), s)
		if i == 0 {
			want = text
		} else if text != want {
			return nil
		}
	}
	return first
}

// unnamed is msg in lower case with sync's view name (as PostgreSQL's
// bound makes it too) and id taken out.
func unnamed(msg, sync string) string {
	msg = strings.ToLower(msg)
	for _, n := range []string{dialects.ViewName(sync), dialects.ViewNameWithin(sync, 1, 63), sync} {
		if n = strings.ToLower(n); n != "" {
			msg = strings.ReplaceAll(msg, n, "\x00")
		}
	}
	return msg
}

// Err is e as an error, nil when no sync failed.
func (e ViewErrors) Err() error {
	if len(e) == 0 {
		return nil
	}
	return e
}

// OwnViewFault says err, from rebuilding one sync's typed view, is about
// that sync, so the refresh goes on with the others. A cancelled context,
// the network, a lock, a full disk or memory are every sync's: the refresh
// stops there as a whole.
func OwnViewFault(ctx context.Context, err error) bool {
	if err == nil || ctx.Err() != nil {
		return false
	}
	c := ClassOf(err)
	return c != Transient && c != Resource
}
