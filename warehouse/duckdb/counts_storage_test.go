package duckdb_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/internal/testbucket"
)

// The counts tables keep the compression Setup fixes for their strings
// (dialects.countsCompression) once checkpointed: a dictionary for the
// values that repeat, the example message as it is. On 100 files DuckDB's
// own choice for the message is a dictionary (so this fails without the
// fixed choice); for the others it is a dictionary too.
func TestCountsStorageCompression(t *testing.T) {
	url, dir := testbucket.Dir(t)
	o := gen.DefaultOptions()
	o.Orgs, o.SyncsPerOrg, o.RunsPerSync, o.FilesPerRun, o.RowsPerFile = 1, 2, 2, 25, 100
	if _, err := gen.Generate(context.Background(), testbucket.Open(t, url), o); err != nil {
		t.Fatal(err)
	}
	w := openDuck(t, filepath.Join(t.TempDir(), "w.duckdb"))
	defer w.Close()
	loadBucket(t, w, url, dir)
	if _, err := w.DB().Exec("CHECKPOINT"); err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]string{
		"run_outcome_counts":     {"_file": "Dictionary", "sync_run_id": "Dictionary", "outcome": "Dictionary"},
		"run_fingerprint_counts": {"_file": "Dictionary", "fingerprint": "Dictionary", "status_message": "Uncompressed"},
	}
	for table, cols := range want {
		for col, comp := range cols {
			var got []string
			rows, err := w.DB().Query(`SELECT DISTINCT compression FROM pragma_storage_info('synctrack.`+table+`')
				WHERE column_name = ? AND segment_type = 'VARCHAR'`, col)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var c string
				if err := rows.Scan(&c); err != nil {
					t.Fatal(err)
				}
				got = append(got, c)
			}
			rows.Close()
			if len(got) != 1 || got[0] != comp {
				t.Errorf("%s.%s stored as %v, want %s", table, col, got, comp)
			}
		}
	}
}
