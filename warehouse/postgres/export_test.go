package postgres

// Classify is classify, for the tests of package postgres_test.
func Classify(err error) error { return classify(err) }

// SplitEveryBatch makes w split every batch of two files or more over its
// connections (split), as only large batches are.
func SplitEveryBatch(w *Warehouse) { w.splitRows = 0 }
