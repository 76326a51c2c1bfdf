package postgres

import "time"

// Classify is classify, for the tests of package postgres_test.
func Classify(err error) error { return classify(err) }

// SplitEveryBatch makes w split every batch of two files or more over its
// connections (split), as only large batches are.
func SplitEveryBatch(w *Warehouse) { w.splitRows = 0 }

// SchemaKey is the schema's half of the load lock's key.
func SchemaKey(schema string) int32 { return schemaKey(schema) }

// SetLockPing sets how often w's keeper asks the lock's session something.
func SetLockPing(w *Warehouse, d time.Duration) { w.lockPing = d }

// LockLost is why w lost its load lock, nil while it holds it or never took it.
func LockLost(w *Warehouse) error {
	w.lockMu.Lock()
	defer w.lockMu.Unlock()
	return w.lockLost
}
