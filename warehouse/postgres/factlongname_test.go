package postgres_test

import (
	"context"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/internal/pgtest"
	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
)

// longNamed is a fact row with a column whose name is 71 bytes: PostgreSQL
// keeps 63 bytes of a name.
type longNamed struct {
	ID   string `parquet:"id"`
	Type string `parquet:"type"`
	Name string `parquet:"name"`
	Long string `parquet:"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaax"`
}

// A fact file with a column name longer than PostgreSQL keeps fails alone,
// named with the cause; another org's file loads. Before, the column was
// added cut to 63 bytes, jsonb_populate_recordset matched no value to it,
// and the file was loaded with every value of that column NULL, silently
// (found by a review with hostile buckets).
func TestFactColumnNameTooLongFailsAlone(t *testing.T) {
	url, dir := testbucket.Dir(t)
	writeParquet(t, dir, "metadata/o1/destinations.parquet", []longNamed{{ID: "1", Type: "T", Name: "one", Long: "kept?"}})
	writeParquet(t, dir, "metadata/o3/destinations.parquet", []struct {
		ID   string `parquet:"id"`
		Name string `parquet:"name"`
	}{{ID: "3", Name: "three"}})
	w := open(t, pgtest.URL(t), warehouse.Options{})
	failed := loadFailures(t, url, dir, w)
	k := "metadata/o1/destinations.parquet"
	if e, ok := failed[k]; !ok || !strings.Contains(e, "63") || !strings.Contains(e, "aaaaaaaax") {
		t.Errorf("%s: failed %v (%q), want it failed naming the column and PostgreSQL's 63 bytes", k, ok, e)
	}
	if len(failed) != 1 {
		t.Errorf("failed %v, want the file with the long name alone", failed)
	}
	if got := one(t, w, `SELECT string_agg(org_id || ':' || id || '=' || name, ' ' ORDER BY id) FROM synctrack_schema.destinations`); got != "o3:3=three" {
		t.Errorf("destinations %q, want o3's row", got)
	}
}

// loadFailures loads the bucket at url (its folder dir) into w once and
// returns the failed objects' errors by key.
func loadFailures(t *testing.T, url, dir string, w warehouse.Warehouse) map[string]string {
	t.Helper()
	rep, err := loader.New(testbucket.Open(t, url), dir, w, loader.Options{}).Load(context.Background())
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	failed := map[string]string{}
	for _, f := range rep.Failed {
		failed[f.Key] = f.Err.Error()
	}
	return failed
}
