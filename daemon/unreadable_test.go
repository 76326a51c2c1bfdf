package daemon

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/internal/unprivileged"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
)

// A run folder of a file:// bucket that the daemon may not read stops its
// plan as a config error naming the folder. gocloud's fileblob lists it as
// empty: the daemon loaded the rest and reported nothing wrong, cycle after
// cycle.
func TestPlanUnreadableFolderIsConfig(t *testing.T) {
	if unprivileged.Ran(t) {
		return
	}
	ctx := context.Background()
	url, dir := testbucket.Dir(t)
	b := testbucket.Open(t, url)
	o := gen.DefaultOptions()
	o.Orgs, o.SyncsPerOrg, o.RunsPerSync, o.FilesPerRun, o.RowsPerFile = 1, 1, 2, 1, 5
	if _, err := gen.Generate(ctx, b, o); err != nil {
		t.Fatal(err)
	}
	runs, _ := filepath.Glob(filepath.Join(dir, "sync_tracking_datasets", "*", "*", "*"))
	if len(runs) != 2 {
		t.Fatalf("want 2 run folders, got %v", runs)
	}
	if err := os.Chmod(runs[0], 0); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(runs[0], 0o755)
	tg := &target{d: &Daemon{}, log: slog.New(slog.DiscardHandler), bucket: b, root: dir}
	_, err := tg.plan(ctx, loader.Ledger{}, scope{runs: true, facts: true})
	if warehouse.ClassOf(err) != warehouse.Config || !strings.Contains(err.Error(), filepath.Base(runs[0])) {
		t.Fatalf("plan: %v; want a config error naming the folder %s", err, filepath.Base(runs[0]))
	}
}
