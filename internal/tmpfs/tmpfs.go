// Package tmpfs mounts small filesystems for tests that need a disk to fill
// up: a real "no space left on device" from the kernel, wherever it hits
// (DuckDB's database file, its WAL, a staged download), which no fake of
// os.File gives.
package tmpfs

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// Mount mounts a tmpfs of size (mount's size=: "8m") on a new temp
// directory, unmounted when the test ends. Mounting needs root (and, in a
// container, CAP_SYS_ADMIN): without them the test is skipped, saying why.
func Mount(t testing.TB, size string) string {
	t.Helper()
	if uid := os.Geteuid(); uid != 0 {
		t.Skipf("needs root to mount a tmpfs: running as uid %d", uid)
	}
	dir := t.TempDir() // removed after the unmount below: cleanups run last first
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("needs root to mount a tmpfs: mount -t tmpfs -o size=%s: %v: %s", size, err, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			// Something still holds a file open there: detach it, so the
			// next test's mount is not stacked on a busy one.
			t.Logf("umount %s: %v: %s; detaching it", dir, err, out)
			exec.Command("umount", "-l", dir).Run()
		}
	})
	return dir
}

// Resize gives a tmpfs made by Mount a new size, keeping its files: the disk
// freed, as an operator would.
func Resize(t testing.TB, dir, size string) {
	t.Helper()
	if out, err := exec.Command("mount", "-o", "remount,size="+size, dir).CombinedOutput(); err != nil {
		t.Fatalf("remount %s with size=%s: %v: %s", dir, size, err, out)
	}
}

// ReadOnly mounts a small tmpfs as Mount does and remounts it read-only: a
// directory nobody may write to, root included (EROFS), where a directory's
// mode bits stop everyone but root.
func ReadOnly(t testing.TB) string {
	t.Helper()
	dir := Mount(t, "1m")
	if out, err := exec.Command("mount", "-o", "remount,ro", dir).CombinedOutput(); err != nil {
		t.Fatalf("remount %s read-only: %v: %s", dir, err, out)
	}
	return dir
}
