package duckdb_test

import (
	"context"
	"database/sql/driver"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	duckdbdrv "github.com/duckdb/duckdb-go/v2"

	"github.com/synctrack/synctrack/dialects"
)

// BenchmarkCountsCommit appends what a batch of 1,000 files of 100 rows
// gives run_fingerprint_counts (some 14,000 rows) and commits, twelve
// batches into a fresh file, with a checkpoint at every commit as such a
// batch has (its records fill DuckDB's log past checkpoint_threshold).
// Each iteration does it twice, taking turns: with DuckDB's defaults, and
// with max_vacuum_tasks = 0, so that no checkpoint merges the table's small
// row groups again. It reports the time per batch of each and their ratio:
// what DuckDB's vacuum costs the counts of small files (BENCHMARKS.md,
// "Why the counts' commit costs what it does"). Not run by go test.
//
//	go test ./warehouse/duckdb -run '^$' -bench CountsCommit -benchtime 5x
func BenchmarkCountsCommit(b *testing.B) {
	const batches, files, perFile = 12, 1000, 14
	var took [2]time.Duration
	var groups [2]int64
	for i := range b.N {
		for k := range 2 {
			v := (i + k) % 2 // 0: DuckDB's vacuum, 1: none
			d, g := countsCommits(b, v == 1, batches, files, perFile)
			took[v] += d
			groups[v] = g
		}
	}
	per := func(d time.Duration) float64 { return float64(d.Milliseconds()) / float64(b.N*batches) }
	b.ReportMetric(per(took[0]), "ms/batch")
	b.ReportMetric(per(took[1]), "ms/batch-novacuum")
	b.ReportMetric(took[0].Seconds()/took[1].Seconds(), "vacuum/novacuum")
	b.ReportMetric(float64(groups[0]), "rowgroups")
	b.ReportMetric(float64(groups[1]), "rowgroups-novacuum")
}

// countsCommits appends batches of counts rows to a fresh warehouse's
// run_fingerprint_counts, a transaction each, and returns the time the
// appends and commits took and the row groups the table has after.
func countsCommits(b *testing.B, noVacuum bool, batches, files, perFile int) (time.Duration, int64) {
	ctx := context.Background()
	w := openDuck(b, filepath.Join(b.TempDir(), "c.duckdb"))
	defer w.Close()
	conn, err := w.DB().Conn(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	set := []string{"SET checkpoint_threshold = '1KB'"}
	if noVacuum {
		set = append(set, "SET max_vacuum_tasks = 0")
	}
	for _, s := range set {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			b.Fatal(err)
		}
	}
	cols := dialects.Names(dialects.FingerprintCountsColumns)
	var took time.Duration
	for n := range batches {
		rows := make([][]driver.Value, 0, files*perFile)
		now := time.Now().UTC()
		for f := range files {
			file := n*files + f
			started := now.Add(-time.Duration(file) * time.Second)
			for j := range perFile {
				rows = append(rows, []driver.Value{"6c1f0b52-org", fmt.Sprintf("sync-%d", file%5),
					fmt.Sprintf("run-5f3e2a1b-%06d", file/25), started, "rejected", fmt.Sprintf("%016x", j*7919),
					fmt.Sprintf("Field 'email' is invalid for record %d: not an email address (code %d)", file*perFile+j, j),
					int64(1 + j%9), fmt.Sprintf("sync_tracking_datasets/1/s/r%06d/records_updated.%d.parquet", file/25, file), now})
			}
		}
		start := time.Now()
		if _, err := conn.ExecContext(ctx, "BEGIN"); err != nil {
			b.Fatal(err)
		}
		err := conn.Raw(func(dc any) error {
			a, err := duckdbdrv.NewAppenderWithColumns(dc.(driver.Conn), "", "synctrack", dialects.FingerprintCountsTable, cols)
			if err != nil {
				return err
			}
			for _, r := range rows {
				if err := a.AppendRow(r...); err != nil {
					a.Close()
					return err
				}
			}
			return a.Close()
		})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
			b.Fatal(err)
		}
		took += time.Since(start)
	}
	var groups int64
	q := `SELECT count(DISTINCT row_group_id) FROM pragma_storage_info('synctrack.` + dialects.FingerprintCountsTable + `')`
	if err := conn.QueryRowContext(ctx, q).Scan(&groups); err != nil {
		b.Fatal(err)
	}
	return took, groups
}
