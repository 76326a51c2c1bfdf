package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"unsafe"
)

// openTerminal opens a pseudo-terminal and returns its terminal end.
func openTerminal(t *testing.T) *os.File {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	var unlock int32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); e != 0 {
		t.Fatalf("unlock the pseudo-terminal: %v", e)
	}
	var n uint32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); e != 0 {
		t.Fatalf("the pseudo-terminal's number: %v", e)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("the pseudo-terminal's end: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Parquet is binary: refused onto a terminal however --out names it (a
// descriptor such as /dev/stderr, or the device), before any query; onto
// a device that is no terminal (/dev/null) or a file it is written.
func TestParquetOntoATerminalIsRefused(t *testing.T) {
	tty := openTerminal(t)
	for _, out := range []string{fmt.Sprintf("/dev/fd/%d", inherited(t, tty.Fd())), tty.Name()} {
		err := checkExportFormat("parquet", out)
		var ee *exitError
		if !errors.As(err, &ee) || ee.code != exitConfig || !strings.Contains(err.Error(), "is a terminal") {
			t.Errorf("--format parquet --out %s (a terminal): %v; want exit 2 saying it is a terminal", out, err)
		}
		if err := checkExportFormat("csv", out); err != nil {
			t.Errorf("--format csv --out %s (a terminal): %v", out, err)
		}
	}
	for _, out := range []string{"/dev/null", filepath.Join(t.TempDir(), "f.parquet")} {
		if err := checkExportFormat("parquet", out); err != nil {
			t.Errorf("--format parquet --out %s: %v", out, err)
		}
	}
}
