package postgres_test

import (
	"strings"
	"testing"

	"github.com/synctrack/synctrack/internal/pgtest"
	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/warehouse"
)

// A fact file whose two column names are one name once lower-cased as
// PostgreSQL's fact columns are (Unicode case: "É" and "é", the Kelvin sign
// and "k") fails alone, naming both; another org's file loads. The ASCII
// check of every engine lets such names through (DuckDB keeps both), and
// here the second column was skipped: its values dropped without a word
// (found by a review with hostile buckets).
func TestFactColumnsOneNameInLowerCaseFail(t *testing.T) {
	url, dir := testbucket.Dir(t)
	writeParquet(t, dir, "metadata/o1/destinations.parquet", []struct {
		ID    string `parquet:"id"`
		Upper string `parquet:"É"`
		Lower string `parquet:"é"`
	}{{ID: "1", Upper: "upper", Lower: "lower"}})
	writeParquet(t, dir, "metadata/o2/destinations.parquet", []struct {
		ID     string `parquet:"id"`
		Kelvin string `parquet:"\u212Aey"`
		Key    string `parquet:"key"`
	}{{ID: "2", Kelvin: "kelvin", Key: "key"}})
	writeParquet(t, dir, "metadata/o3/destinations.parquet", []struct {
		ID   string `parquet:"id"`
		Name string `parquet:"name"`
	}{{ID: "3", Name: "three"}})
	w := open(t, pgtest.URL(t), warehouse.Options{})
	failed := loadFailures(t, url, dir, w)
	for _, k := range []string{"metadata/o1/destinations.parquet", "metadata/o2/destinations.parquet"} {
		if e, ok := failed[k]; !ok || !strings.Contains(e, "lower case") {
			t.Errorf("%s: failed %v (%q), want it failed for two columns that are one name in lower case", k, ok, e)
		}
	}
	if len(failed) != 2 {
		t.Errorf("failed %v, want the two files alone", failed)
	}
	if got := one(t, w, `SELECT string_agg(org_id || ':' || id, ' ' ORDER BY id) FROM synctrack_schema.destinations`); got != "o3:3" {
		t.Errorf("destinations %q, want o3's row", got)
	}
}
