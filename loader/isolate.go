package loader

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/synctrack/synctrack/warehouse"
)

// isolate runs op over items and narrows a failure down to the items that
// fail alone, which it hands to fail; the rest still load. Only data errors
// (and errors no table knows) are narrowed: any other class stops it at once
// and is returned, blaming nothing.
//
// A data error that names items (warehouse.Error.Keys) fails just those and
// retries the rest, one call more. One that names none is narrowed by
// halving. An unclassified error is halved too, but when both halves fail
// with the same words, naming none of the items, the engine refused the step
// itself, not the items: that stops, blaming none. So a warehouse that
// refuses everything costs three calls, not one per item.
func isolate[T any](ctx context.Context, items []T, key func(T) string, op func([]T) error, fail func(T, error)) error {
	if len(items) == 0 {
		return nil
	}
	return narrow(ctx, items, op(items), key, op, fail)
}

// narrow handles err, the outcome of op(items).
func narrow[T any](ctx context.Context, items []T, err error, key func(T) string, op func([]T) error, fail func(T, error)) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	class := warehouse.ClassOf(err)
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
		return isolate(ctx, rest, key, op, fail)
	}
	if len(items) == 1 {
		fail(items[0], err)
		return nil
	}
	left, right := items[:len(items)/2], items[len(items)/2:]
	lerr := op(left)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if lerr != nil && !narrowable(lerr) {
		return lerr
	}
	rerr := op(right)
	if class == warehouse.Unclassified && lerr != nil && rerr != nil &&
		warehouse.ClassOf(lerr) == warehouse.Unclassified && lerr.Error() == rerr.Error() && !mentionsAny(lerr, items, key) {
		return refusal(lerr, len(items))
	}
	if err := narrow(ctx, left, lerr, key, op, fail); err != nil {
		return err
	}
	return narrow(ctx, right, rerr, key, op, fail)
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

// refusal is the error of a step the engine refused for a whole batch: not
// the objects' fault, so not blamed on them.
func refusal(err error, n int) error {
	reason, hint := warehouse.Explain(err)
	if hint == "" {
		hint = "the warehouse refused the whole step, not these files: check the warehouse (its version, permissions, settings) and load again; nothing was marked failed"
	}
	return &warehouse.Error{Class: warehouse.Config, Reason: or(reason, "refused"), Hint: hint,
		Err: fmt.Errorf("the warehouse refused all %d files of a batch with the same error, which names none of them: %w", n, err)}
}

// mentionsAny says whether err's text names any item's key.
func mentionsAny[T any](err error, items []T, key func(T) string) bool {
	msg := err.Error()
	for _, it := range items {
		if strings.Contains(msg, key(it)) {
			return true
		}
	}
	return false
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
