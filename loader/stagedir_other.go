//go:build !(linux || darwin || dragonfly || freebsd || netbsd || openbsd || illumos)

package loader

// Without flock, a staging area is never swept: only its load removes it.
func lockStage(string) func() { return func() {} }

func tryStageLock(string) bool { return false }
