//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd || illumos

package loader_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/loader"
)

// A --stage-dir of the user's own is swept like the temp dir: a load stages
// in a locked synctrack-stage-* folder inside it, so what a killed load left
// there goes with the next load, and the user's own files stay. A folder
// not there yet is made.
func TestStageDirOfYourOwnIsSwept(t *testing.T) {
	b := testbucket.Open(t, testbucket.S3(t, "bkt"))
	if _, err := gen.Generate(context.Background(), b, gen.Options{Orgs: 1, SyncsPerOrg: 2, RunsPerSync: 2, FilesPerRun: 3, RowsPerFile: 50, Seed: 1, Facts: true}); err != nil {
		t.Fatal(err)
	}
	c := contentsOf(t, b)
	stage := t.TempDir()
	dead := filepath.Join(stage, "synctrack-stage-123")
	os.MkdirAll(dead, 0o700)
	os.WriteFile(filepath.Join(dead, "000001.parquet"), make([]byte, 5000), 0o600)
	os.WriteFile(filepath.Join(dead, ".lock"), nil, 0o600)
	old := time.Now().Add(-time.Hour)
	os.Chtimes(filepath.Join(dead, ".lock"), old, old)
	mine := filepath.Join(stage, "keep.txt")
	os.WriteFile(mine, []byte("the user's"), 0o600)

	var logs bytes.Buffer
	w := openWarehouse(t)
	rep, err := loader.New(b, "", w, loader.Options{StageDir: stage, Logger: slog.New(slog.NewTextHandler(&logs, nil))}).Load(context.Background())
	if err != nil || len(rep.Failed) > 0 {
		t.Fatalf("load: %v %v", err, rep.Failed)
	}
	if _, err := os.Stat(dead); !os.IsNotExist(err) {
		t.Errorf("the killed load's staging area in --stage-dir is still there: %v", err)
	}
	if !strings.Contains(logs.String(), "removed the staging area a killed load left") || !strings.Contains(logs.String(), "bytes=5000") {
		t.Errorf("the sweep was not logged: %s", logs.String())
	}
	left, _ := os.ReadDir(stage)
	if len(left) != 1 || left[0].Name() != "keep.txt" {
		var names []string
		for _, e := range left {
			names = append(names, e.Name())
		}
		t.Errorf("--stage-dir holds %v after the load, want only the user's keep.txt", names)
	}
	c.exactlyOnce(t, w.DB())

	missing := filepath.Join(t.TempDir(), "not", "yet")
	w2 := openWarehouse(t)
	if rep, err := loader.New(b, "", w2, loader.Options{StageDir: missing}).Load(context.Background()); err != nil || len(rep.Failed) > 0 {
		t.Fatalf("load with a --stage-dir not made yet: %v %v", err, rep.Failed)
	}
	if left, err := os.ReadDir(missing); err != nil || len(left) != 0 {
		t.Errorf("--stage-dir not made, or not emptied: %v %d entries", err, len(left))
	}
	c.exactlyOnce(t, w2.DB())
}
