package loader

import (
	"context"
	"io/fs"
	"syscall"
	"testing"

	"github.com/synctrack/synctrack/warehouse"
)

// A repair that fails on an errno stops the load as the machine's error,
// classed by the errno: the path it names is the object's key, and a key
// reading "permission denied" made a missing file a misconfiguration
// (exit 2) instead of the machine's fault (resource/io).
func TestMachineErrorIgnoresTheKeysWords(t *testing.T) {
	for _, words := range []string{"permission denied", "no space left on device", "too many open files", "stale file handle"} {
		err := machineError(context.Background(), &fs.PathError{Op: "open", Path: "/bucket/run=1/" + words + ".parquet", Err: syscall.ENOENT})
		if reason, _ := warehouse.Explain(err); warehouse.ClassOf(err) != warehouse.Resource || reason != "io" {
			t.Errorf("%v: %s/%s, want resource/io", err, warehouse.ClassOf(err), reason)
		}
	}
	err := machineError(context.Background(), &fs.PathError{Op: "write", Path: "/stage/1.parquet", Err: syscall.ENOSPC})
	if reason, _ := warehouse.Explain(err); reason != "disk_full" {
		t.Errorf("ENOSPC: %v (%s), want disk_full", err, reason)
	}
}
