package loader_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/loader"
)

// A sync whose payload fields all have names too long for a column
// (dialects.MaxFieldNameBytes) has a typed view with no payload column and
// so no payload_columns row once built: it is not taken for a sync whose
// view no refresh built, rebuilt and warned about on every load.
func TestUnbuiltViewsSkipsFieldsNoViewTakes(t *testing.T) {
	w := openWarehouse(t)
	ctx := context.Background()
	long := strings.Repeat("f", dialects.MaxFieldNameBytes+1)
	schema, _ := json.Marshal(map[string]string{long: "string"})
	if _, err := w.DB().Exec(`INSERT INTO synctrack.sync_runs (org_id, sync_configuration_id, sync_run_id, payload_schema, _file)
		VALUES ('1', 'longnames', '1', ?, 'x/metadata.json')`, string(schema)); err != nil {
		t.Fatal(err)
	}
	if err := w.RefreshViews(ctx, []string{"longnames"}); err != nil {
		t.Fatal(err)
	}
	if got, err := loader.UnbuiltViews(ctx, w); err != nil || len(got) != 0 {
		t.Errorf("UnbuiltViews after its refresh = %v (%v), want none: the refresh built all it ever will", got, err)
	}
}
