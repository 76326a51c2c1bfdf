//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd || illumos

package loader

import (
	"os"
	"syscall"
)

// lockStage creates path and holds an exclusive lock on it until the
// returned func (or the process's end). Without a lock, the folder is
// never swept: only a load's own release removes it.
func lockStage(path string) (unlock func()) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return func() {}
	}
	if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) != nil {
		f.Close()
		os.Remove(path)
		return func() {}
	}
	return func() { f.Close() }
}

// tryStageLock says whether path's lock could be taken, that is whether no
// process holds it. It lets go at once.
func tryStageLock(path string) bool {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return false
	}
	defer f.Close()
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil
}
