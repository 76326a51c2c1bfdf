package postgres_test

import (
	"strings"
	"testing"

	"github.com/synctrack/synctrack/internal/pgtest"
	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/warehouse"
)

// A user's own view over a fact table's extra column pins its type: a later
// file that gives the column another type would make it text, which
// PostgreSQL refuses while the view depends on it. That file fails alone,
// naming the column, the view and the way out; the table and the view keep
// the other files' rows. Before, the whole rebuild failed on every load
// ("cannot alter type of a column used by a view or rule"), blamed on no
// file, so no fact file of that table loaded again.
func TestFactColumnUsedByAViewFailsTheFileAlone(t *testing.T) {
	url, dir := testbucket.Dir(t)
	w := open(t, pgtest.URL(t), warehouse.Options{})
	writeParquet(t, dir, "metadata/o1/destinations.parquet", []scoredInt{{ID: "1", Name: "one", Score: 7}})
	if failed := loadFailures(t, url, dir, w); len(failed) != 0 {
		t.Fatalf("first load failed %v", failed)
	}
	execPG(t, w, `CREATE VIEW public.team_scores AS SELECT id, score + 1 AS next FROM synctrack_schema.destinations`)

	writeParquet(t, dir, "metadata/o2/destinations.parquet", []scoredText{{ID: "2", Name: "two", Score: "high"}})
	writeParquet(t, dir, "metadata/o3/destinations.parquet", []scoredInt{{ID: "3", Name: "three", Score: 9}})
	failed := loadFailures(t, url, dir, w)
	msg, ok := failed["metadata/o2/destinations.parquet"]
	if !ok || len(failed) != 1 {
		t.Fatalf("failed %v, want metadata/o2/destinations.parquet alone", failed)
	}
	t.Logf("the failure: %s", msg)
	for _, want := range []string{`"score"`, "team_scores", "bigint", "text"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the failure %q does not name %s", msg, want)
		}
	}
	if got := one(t, w, `SELECT string_agg(org_id || ':' || id || '=' || score, ' ' ORDER BY id) FROM synctrack_schema.destinations`); got != "o1:1=7 o3:3=9" {
		t.Errorf("destinations %q, want o1:1=7 o3:3=9", got)
	}
	if got := one(t, w, `SELECT string_agg(id || '=' || next, ' ' ORDER BY id) FROM public.team_scores`); got != "1=8 3=10" {
		t.Errorf("the user's view %q, want 1=8 3=10", got)
	}
}
