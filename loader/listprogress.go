package loader

import (
	"context"
	"time"
)

// listProgressEvery is how often a listing tells how far it has got. An
// object store answers a listing 1,000 keys at a time, a round trip each:
// a million objects take minutes, and showed nothing meanwhile. A listing
// done sooner says nothing.
var listProgressEvery = time.Second

// ListProgress wraps ls so that progress is told, every second or so, how
// many objects they have listed (Progress.Listing); done tells the count
// once more as the listing ends, when anything was told.
func ListProgress(ls []Listing, progress func(Progress)) (wrapped []Listing, done func()) {
	if progress == nil {
		return ls, func() {}
	}
	n, told := 0, false
	last := time.Now()
	out := make([]Listing, len(ls))
	for i, x := range ls {
		out[i] = Listing{Prefix: x.Prefix, List: func(ctx context.Context, fn func(Object) error) error {
			return x.List(ctx, func(o Object) error {
				n++
				if now := time.Now(); now.Sub(last) >= listProgressEvery {
					last, told = now, true
					progress(Progress{Listing: true, Listed: n})
				}
				return fn(o)
			})
		}}
	}
	return out, func() {
		if told {
			progress(Progress{Listed: n})
		}
	}
}
