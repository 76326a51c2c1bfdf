package loader

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"sort"
	"strings"
	"time"

	"gocloud.dev/blob"

	"github.com/synctrack/synctrack/warehouse"
)

// LedgerSource reads the ledger by prefix, in key order; every
// warehouse.Warehouse is one.
type LedgerSource interface {
	ScanLedger(ctx context.Context, prefix string, fn func(warehouse.LedgerVersion) error) error
}

// Listing is one prefix of the bucket and how to list it: List calls fn with
// each object under Prefix, in key order.
type Listing struct {
	Prefix string
	List   func(ctx context.Context, fn func(Object) error) error
}

// BucketListings are the listings of the outermost of prefixes in b, or in
// the folder root of a file:// bucket (see Discover).
func BucketListings(b *blob.Bucket, root string, prefixes []string, stall time.Duration) []Listing {
	var out []Listing
	for _, p := range outermost(prefixes) {
		out = append(out, Listing{Prefix: p, List: func(ctx context.Context, fn func(Object) error) error {
			return discover(ctx, b, root, []string{p}, stall, fn)
		}})
	}
	return out
}

// errOutOfOrder says a listing or a ledger scan was not in byte order of
// key, so the two cannot be merged.
var errOutOfOrder = errors.New("not in key order")

// PlanStream plans each listing against the ledger rows of the same prefix,
// merging the two in key order: each object meets the ledger rows of its
// key as both streams go by, so neither the listing nor the ledger is ever
// held; the plan keeps only what must load. (A million objects: a few MiB
// instead of the ~260 MiB the whole ledger took as a map.)
//
// Both streams are checked to be in order. Should either not be (a store or
// an engine collating differently), the plan is made again the old way, one
// prefix's ledger in memory at a time, and Plan.Unordered says so.
func PlanStream(ctx context.Context, src LedgerSource, ls []Listing) (*Plan, error) {
	pl := NewPlanner(nil)
	var err error
	for _, l := range ls {
		if err = merge(ctx, src, l, pl); err != nil {
			break
		}
	}
	if !errors.Is(err, errOutOfOrder) {
		if err != nil {
			return nil, err
		}
		return pl.Plan(), nil
	}
	pl = NewPlanner(nil)
	for _, l := range ls {
		led := Ledger{}
		if err := src.ScanLedger(ctx, l.Prefix, func(v warehouse.LedgerVersion) error {
			led.add(v)
			return nil
		}); err != nil {
			return nil, fmt.Errorf("read ledger: %w", err)
		}
		seen := map[string]bool{} // a store whose listing is out of order might repeat keys too
		if err := l.List(ctx, func(o Object) error {
			if !seen[o.Key] {
				seen[o.Key] = true
				pl.AddVersions(o, led[o.Key])
			}
			return nil
		}); err != nil {
			return nil, err
		}
		for k, vs := range led {
			if !seen[k] {
				for _, v := range vs {
					pl.unlisted(warehouse.LedgerVersion{Key: k, ETag: v.ETag, Status: v.Status, Attempts: v.Attempts})
				}
			}
		}
	}
	p := pl.Plan()
	p.Unordered = true
	return p, nil
}

// errStop ends a ledger scan the merge no longer needs.
var errStop = errors.New("stop")

// merge plans one listing against its prefix of the ledger.
func merge(ctx context.Context, src LedgerSource, l Listing, pl *Planner) error {
	var scanErr error
	next, stop := iter.Pull(func(yield func(warehouse.LedgerVersion) bool) {
		scanErr = src.ScanLedger(ctx, l.Prefix, func(v warehouse.LedgerVersion) error {
			if !yield(v) {
				return errStop
			}
			return nil
		})
	})
	defer stop()
	var cur warehouse.LedgerVersion
	have, started := false, false
	var fail error // a scan out of order or failed: the listing stops at once
	advance := func() {
		prev := cur.Key
		cur, have = next()
		switch {
		case have && started && cur.Key < prev:
			fail, have = errOutOfOrder, false
		case !have && scanErr != nil:
			fail = fmt.Errorf("read ledger: %w", scanErr)
		}
		started = started || have
	}
	advance()
	var vs []Version
	last, first := "", true
	err := l.List(ctx, func(o Object) error {
		if !first && o.Key <= last {
			return errOutOfOrder
		}
		last, first = o.Key, false
		for have && cur.Key < o.Key {
			pl.unlisted(cur)
			advance()
		}
		vs = vs[:0]
		for have && cur.Key == o.Key {
			vs = append(vs, versionOf(cur))
			advance()
		}
		if fail != nil {
			return fail
		}
		pl.AddVersions(o, vs)
		return nil
	})
	if err != nil {
		return err
	}
	for have { // drain, so a scan out of order or failing past the listing's end is seen
		pl.unlisted(cur)
		advance()
	}
	return fail
}

// ScanLedger makes a Ledger a LedgerSource: its rows under prefix, in key
// order (plans with no warehouse yet, tests).
func (l Ledger) ScanLedger(ctx context.Context, prefix string, fn func(warehouse.LedgerVersion) error) error {
	keys := make([]string, 0, len(l))
	for k := range l {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range l[k] {
			if err := fn(warehouse.LedgerVersion{Key: k, ETag: v.ETag, Status: v.Status, Attempts: v.Attempts}); err != nil {
				return err
			}
		}
	}
	return nil
}
