package loader

import "time"

// SetListProgressEvery sets how often a listing tells how far it has got,
// until the test ends.
func SetListProgressEvery(t interface{ Cleanup(func()) }, d time.Duration) {
	old := listProgressEvery
	listProgressEvery = d
	t.Cleanup(func() { listProgressEvery = old })
}
