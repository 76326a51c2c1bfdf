package loader

import (
	"context"
	"time"
)

// SetListProgressEvery sets how often a listing tells how far it has got,
// until the test ends.
func SetListProgressEvery(t interface{ Cleanup(func()) }, d time.Duration) {
	old := listProgressEvery
	listProgressEvery = d
	t.Cleanup(func() { listProgressEvery = old })
}

// IsolateKeys runs isolate over keys, each its own key, never stopping.
func IsolateKeys(ctx context.Context, keys []string, op func([]string) error, fail func(string, error)) error {
	return isolate(ctx, keys, func(k string) string { return k }, op, fail, func() error { return nil })
}
