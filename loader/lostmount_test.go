package loader_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/duckdb"
)

// mountDead mounts over dir a FUSE file system whose server is gone: every
// path under it answers ENOTCONN ("transport endpoint is not connected"),
// as an sshfs or s3fs mount whose process died does. Root only.
func mountDead(dir string) (unmount func(), err error) {
	f, err := os.OpenFile("/dev/fuse", os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close() // the server gone: the mount answers ENOTCONN
	opts := fmt.Sprintf("fd=%d,rootmode=40000,user_id=0,group_id=0,allow_other", f.Fd())
	if err := syscall.Mount("synctrack-test", dir, "fuse", syscall.MS_NOSUID|syscall.MS_NODEV, opts); err != nil {
		return nil, err
	}
	return func() { syscall.Unmount(dir, syscall.MNT_DETACH) }, nil
}

// losing mounts a dead FUSE file system over folder once, in its step:
// after the listing, before the records files are staged (runs), or after
// they were staged, before DuckDB reads them (records).
type losing struct {
	*duckdb.Warehouse
	folder, step string
	unmount      func()
	err          error
}

func (l *losing) lose(step string) {
	if l.step == step {
		l.step = ""
		l.unmount, l.err = mountDead(l.folder)
	}
}

func (l *losing) LoadRuns(ctx context.Context, rs []warehouse.Run) error {
	l.lose("runs")
	return l.Warehouse.LoadRuns(ctx, rs)
}

func (l *losing) LoadRecords(ctx context.Context, fs []warehouse.File) (warehouse.Loaded, error) {
	l.lose("records")
	return l.Warehouse.LoadRecords(ctx, fs)
}

// A run folder on a network or FUSE mount lost mid-load (ENOTCONN) is the
// machine's: the load stops, transient, blaming none of its files. They
// failed, each of them, exit 1: as "a symbolic link that cannot be
// followed" (staged after the loss) or on DuckDB's "No files found"
// (staged before it), and were quarantined in the end.
func TestRunFolderMountLostMidLoadBlamesNone(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting needs root")
	}
	if unmount, err := mountDead(t.TempDir()); err != nil {
		t.Skipf("no FUSE mount here: %v", err)
	} else {
		unmount()
	}
	for _, step := range []string{"runs", "records"} {
		t.Run(step, func(t *testing.T) {
			url, dir := generated(t, smallOptions())
			run := filepath.Dir(findRecords(t, dir)[0])
			w := &losing{Warehouse: openWarehouse(t), folder: run, step: step}
			defer func() {
				if w.unmount != nil {
					w.unmount() // for t.TempDir's removal
				}
			}()
			ld := loader.New(testbucket.Open(t, url), dir, w, loader.Options{BatchFiles: 1000})
			rep, err := ld.Load(context.Background())
			if w.unmount == nil {
				t.Fatalf("premise: the mount was not lost: %v", w.err)
			}
			if len(rep.Failed) != 0 {
				t.Fatalf("failed %d objects, first %s: %v; want none", len(rep.Failed), rep.Failed[0].Key, rep.Failed[0].Err)
			}
			if reason, _ := warehouse.Explain(err); warehouse.ClassOf(err) != warehouse.Transient || reason != "mount" {
				t.Fatalf("load: %v (reason %q); want transient, mount", err, reason)
			}
			w.unmount()
			w.unmount = nil
			if rep, err = ld.Load(context.Background()); err != nil || len(rep.Failed) != 0 {
				t.Fatalf("load once the mount is back: failed %v, %v", rep.Failed, err)
			}
		})
	}
}
