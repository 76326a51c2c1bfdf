package duckdb

import "context"

// cachedBlocksBound is how many bytes of table blocks DuckDB may keep in
// its buffer pool before a records batch has releaseBlocks evict them: a
// quarter of the default memory_limit. Evicting after every batch cost
// 10% more CPU over 20,000 small files and 15-34% over 60,000 (the next
// batches' memory comes back from the kernel, page by page).
var cachedBlocksBound int64 = 128 << 20

// releaseBlocks has DuckDB let go of the table blocks cached in its buffer
// pool once they pass cachedBlocksBound. DuckDB keeps every block a load
// writes, unpinned, until memory_limit makes it evict them, though a load
// never reads them again: a load's RSS grew with the database file, about
// 11 MB for each 1,000 files of 100 rows, past 1 GiB over 60,000 such files
// with the default limit (BENCHMARKS.md, "RSS over a long load"). Setting a
// lower limit is how DuckDB evicts on demand; the warehouse URL's limit is
// then set again, so the next batch has all of it.
//
// The limit is the whole database's: a statement another connection ran in
// between could find 1MB too little and fail, so the daemon's lease renewal
// (AcquireLease) waits for the eviction to end (w.evicting). A limit DuckDB
// cannot get under (a block still pinned) fails the first SET only; either
// way the second puts the limit back.
func (w *Warehouse) releaseBlocks(ctx context.Context) {
	if w.memoryLimit == "" || ctx.Err() != nil {
		return
	}
	rows, err := w.query(ctx, w.db, "SELECT memory_usage_bytes FROM duckdb_memory() WHERE tag = 'BASE_TABLE'")
	if err != nil {
		return
	}
	var cached int64
	for rows.Next() {
		err = rows.Scan(&cached)
	}
	if rows.Close(); err != nil || rows.Err() != nil || cached <= cachedBlocksBound {
		return
	}
	ctx = context.WithoutCancel(ctx) // the limit must be put back
	w.evicting.Lock()
	defer w.evicting.Unlock()
	if _, err := w.exec(ctx, w.db, "SET memory_limit = '1MB'"); err != nil {
		w.log.Debug("could not evict the buffer pool's blocks", "err", err)
	}
	if _, err := w.exec(ctx, w.db, "SET memory_limit = "+w.d.String(w.memoryLimit)); err != nil {
		w.log.Error("could not set memory_limit back after evicting", "memory_limit", w.memoryLimit, "err", err)
	}
}
