package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/parquet-go/parquet-go"

	"github.com/synctrack/synctrack/internal/pgtest"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/postgres"
)

// kill -9 of loads into PostgreSQL whose batches are split over two
// transactions committed one after the other (batches of two files of
// 3,000 rows are above postgres' split threshold): after each kill every
// file is wholly loaded with its ledger row and counts, or absent.
func TestKillNineMidLoadPostgres(t *testing.T) {
	const total = 2 * 3 * 4
	bucket := generateBucket(t, "--orgs", "1", "--syncs", "2", "--runs", "3", "--files", "4", "--rows", "3000")
	wh := pgtest.URL(t)
	w, err := postgres.Engine().Open(context.Background(), wh, warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	pool, schema := w.(*postgres.Warehouse).Pool(), w.Dialect().Ident(w.Schema())
	killLoads(t, bucket, wh, max(3, killTrials(t)/2), total, func() {
		for _, tb := range []string{"sync_records", "load_ledger", "run_outcome_counts", "run_fingerprint_counts"} {
			if _, err := pool.Exec(context.Background(), "DELETE FROM "+schema+"."+tb); err != nil {
				t.Fatal(err)
			}
		}
	}, func() int { return checkConsistentPG(t, pool, schema, bucket) })
}

// checkConsistentPG is checkConsistent on PostgreSQL: no duplicate row, no
// row without its file's loaded ledger row, counts that agree with the
// rows, and each loaded file's rows equal to its ledger row and its footer.
// It returns the records files loaded.
func checkConsistentPG(t *testing.T, pool *pgxpool.Pool, schema, bucket string) int {
	t.Helper()
	ctx := context.Background()
	for q, what := range map[string]string{
		`SELECT count(*) - count(DISTINCT (_file, _row)) FROM S.sync_records`:                                             "duplicate rows",
		`SELECT count(*) FROM (SELECT key FROM S.load_ledger WHERE status = 'loaded' GROUP BY key HAVING count(*) > 1) k`: "keys loaded twice",
		`SELECT count(*) FROM S.sync_records r WHERE NOT EXISTS (
  SELECT 1 FROM S.load_ledger l WHERE l.key = r._file AND l.status = 'loaded')`: "rows of files not loaded in the ledger",
		`SELECT count(*) FROM (
  SELECT _file, count(*) AS n, count(*) FILTER (WHERE lower(status) IS DISTINCT FROM 'succeeded') AS failed
  FROM S.sync_records GROUP BY _file) r
FULL JOIN (SELECT _file, sum(records) AS n FROM S.run_outcome_counts GROUP BY _file) o USING (_file)
FULL JOIN (SELECT _file, sum(records) AS n FROM S.run_fingerprint_counts GROUP BY _file) f USING (_file)
WHERE r.n IS DISTINCT FROM o.n OR coalesce(f.n, 0) <> coalesce(r.failed, 0)`: "files whose counts disagree with their rows",
	} {
		var n int64
		if err := pool.QueryRow(ctx, replaceSchema(q, schema)).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if n != 0 {
			t.Fatalf("%d %s", n, what)
		}
	}
	rs, err := pool.Query(ctx, replaceSchema(`SELECT l.key, l.rows, (SELECT count(*) FROM S.sync_records r WHERE r._file = l.key)
FROM S.load_ledger l WHERE l.kind = 'records' AND l.status = 'loaded'`, schema))
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	files := 0
	for rs.Next() {
		var key string
		var ledger, in int64
		if err := rs.Scan(&key, &ledger, &in); err != nil {
			t.Fatal(err)
		}
		want := footerRows(t, filepath.Join(bucket, filepath.FromSlash(key)))
		if in != want || ledger != want {
			t.Fatalf("%s: %d rows in sync_records, ledger says %d, file has %d", key, in, ledger, want)
		}
		files++
	}
	if rs.Err() != nil {
		t.Fatal(rs.Err())
	}
	return files
}

// replaceSchema puts the quoted schema where q says S.
func replaceSchema(q, schema string) string { return strings.ReplaceAll(q, "S.", schema+".") }

func footerRows(t *testing.T, path string) int64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	return pf.NumRows()
}
