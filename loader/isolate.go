package loader

import (
	"context"
	"errors"
	"slices"

	"github.com/synctrack/synctrack/warehouse"
)

// isolate runs op over items and narrows a failure down to the items that
// fail alone, which it hands to fail; the rest still load. Only data errors
// (and errors no table knows) are narrowed: any other class stops it at once
// and is returned, blaming nothing.
//
// A data error that names items (warehouse.Error.Keys) fails just those and
// retries the rest, one call more. One that names none is narrowed by
// halving, over the items it says the fault is among (warehouse.Error.Among)
// when it says, the rest loaded in one call. After each item it fails, stop may end the narrowing with an
// error (blame.refused: a warehouse that refuses everything, not the items).
func isolate[T any](ctx context.Context, items []T, key func(T) string, op func([]T) error,
	fail func(T, error), stop func() error) error {
	if len(items) == 0 {
		return nil
	}
	return narrow(ctx, items, op(items), key, op, fail, stop)
}

// narrow handles err, the outcome of op(items).
func narrow[T any](ctx context.Context, items []T, err error, key func(T) string, op func([]T) error,
	fail func(T, error), stop func() error) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if !narrowable(err) {
		return err
	}
	if named := namedIn(err, items, key); len(named) > 0 {
		rest := items[:0:0]
		for _, it := range items {
			if slices.Contains(named, key(it)) {
				fail(it, err)
			} else {
				rest = append(rest, it)
			}
		}
		if err := stop(); err != nil {
			return err
		}
		return isolate(ctx, rest, key, op, fail, stop)
	}
	if among, rest := amongIn(err, items, key); len(rest) > 0 {
		// The fault is among some of the items: the rest load without them
		// first (a call that may fail on its own bad items, narrowed as
		// usual), then those are narrowed down, none of them tried again
		// as a whole.
		if err := isolate(ctx, rest, key, op, fail, stop); err != nil {
			return err
		}
		return narrow(ctx, among, err, key, op, fail, stop)
	}
	if len(items) == 1 {
		fail(items[0], err)
		return stop()
	}
	left, right := items[:len(items)/2], items[len(items)/2:]
	if err := narrow(ctx, left, op(left), key, op, fail, stop); err != nil {
		return err
	}
	return narrow(ctx, right, op(right), key, op, fail, stop)
}

// narrowable says whether an error may be about the objects: a data error,
// or one no table knows.
func narrowable(err error) bool {
	c := warehouse.ClassOf(err)
	return c == warehouse.Data || c == warehouse.Unclassified
}

// namedIn lists the keys of items that err blames (warehouse.Error.Keys).
func namedIn[T any](err error, items []T, key func(T) string) []string {
	var e *warehouse.Error
	if !errors.As(err, &e) || len(e.Keys) == 0 {
		return nil
	}
	var out []string
	for _, it := range items {
		if slices.Contains(e.Keys, key(it)) {
			out = append(out, key(it))
		}
	}
	return out
}

// amongIn splits items by the keys err says the fault is among
// (warehouse.Error.Among): those, and the rest. No rest when err says
// nothing of the kind, or names none of the items, or all of them.
func amongIn[T any](err error, items []T, key func(T) string) (among, rest []T) {
	var e *warehouse.Error
	if !errors.As(err, &e) || len(e.Among) == 0 {
		return items, nil
	}
	for _, it := range items {
		if slices.Contains(e.Among, key(it)) {
			among = append(among, it)
		} else {
			rest = append(rest, it)
		}
	}
	if len(among) == 0 {
		return items, nil
	}
	return among, rest
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
