package daemon

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// selfProcess is this process's process, read from /proc.
func selfProcess() (process, bool) {
	var p process
	b, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return p, false
	}
	p.boot = strings.TrimSpace(string(b))
	ns, err := os.Readlink("/proc/self/ns/pid") // "pid:[4026531836]"
	if err != nil {
		return p, false
	}
	ns, ok := strings.CutPrefix(ns, "pid:[")
	ns, ok2 := strings.CutSuffix(ns, "]")
	if !ok || !ok2 {
		return p, false
	}
	if p.pidns, err = strconv.ParseUint(ns, 10, 64); err != nil {
		return p, false
	}
	p.pid = os.Getpid()
	if p.start, ok = startTime(p.pid); !ok || p.boot == "" {
		return p, false
	}
	return p, true
}

// startTime is when process pid started, in clock ticks after boot.
func startTime(pid int) (uint64, bool) {
	t, _, ok := stat(pid)
	return t, ok
}

// stat reads process pid's start time (field 22 of /proc/PID/stat) and
// whether it has exited and waits to be reaped (state Z or X), counting
// fields after the command's closing parenthesis (the command may hold
// spaces and parentheses).
func stat(pid int) (start uint64, exited bool, ok bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false, false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, false, false
	}
	f := strings.Fields(s[i+1:]) // from field 3, the state
	if len(f) < 20 {
		return 0, false, false
	}
	start, err = strconv.ParseUint(f[19], 10, 64)
	return start, f[0] == "Z" || f[0] == "X", err == nil
}

// running says process pid, started at start, may still run: false only
// when no process has that PID, the one that has it started at another
// time (the PID was reused), or it has exited and waits for its parent to
// reap it. A process this one may not signal or read (another user's,
// /proc mounted with hidepid) counts as running.
func running(pid int, start uint64) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return false
	}
	t, exited, ok := stat(pid)
	return !ok || t == start && !exited
}
