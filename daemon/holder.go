package daemon

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// A lease holder's id is "host/pid/random", and on Linux then " boot=B
// pidns=N start=T": the kernel's boot id, the PID namespace and the
// process's start time. From those a daemon can tell that a holder shared
// its process table (same kernel boot, same PID namespace) and is gone, so
// a restart after a crash takes its own dead lease at once instead of
// waiting out --lease-ttl (TestLeaseTakenFromDeadHolder). A host name
// alone could not say it: hosts and containers share names.

// holderID is this process's lease holder id.
func holderID() string {
	host, _ := os.Hostname()
	var id [4]byte
	_, _ = rand.Read(id[:])
	h := fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(id[:]))
	if p, ok := selfProcess(); ok {
		h += " " + p.String()
	}
	return h
}

// process is what says which process a holder was: its PID in the PID
// namespace pidns of the kernel booted as boot, started start clock ticks
// after that boot.
type process struct {
	boot  string
	pidns uint64
	pid   int
	start uint64
}

func (p process) String() string {
	return fmt.Sprintf("boot=%s pidns=%d start=%d", p.boot, p.pidns, p.start)
}

// parseHolder reads the process of a holder id holderID wrote; false for
// anything else (another version's id, or an id without the Linux part).
func parseHolder(h string) (process, bool) {
	var p process
	f := strings.Fields(h)
	if len(f) != 4 {
		return p, false
	}
	parts := strings.Split(f[0], "/")
	if len(parts) != 3 {
		return p, false
	}
	var err error
	if p.pid, err = strconv.Atoi(parts[1]); err != nil || p.pid <= 0 {
		return p, false
	}
	boot, ok1 := strings.CutPrefix(f[1], "boot=")
	ns, ok2 := strings.CutPrefix(f[2], "pidns=")
	start, ok3 := strings.CutPrefix(f[3], "start=")
	if !ok1 || !ok2 || !ok3 || boot == "" {
		return p, false
	}
	p.boot = boot
	if p.pidns, err = strconv.ParseUint(ns, 10, 64); err != nil {
		return p, false
	}
	if p.start, err = strconv.ParseUint(start, 10, 64); err != nil {
		return p, false
	}
	return p, true
}

// deadHere says the lease holder h was a process of this machine's process
// table (this boot, this PID namespace) that is no longer running: its PID
// is free, or now another process's (a different start time). False when
// that cannot be known: another host or container, an id without the
// process part, a process this one may not see.
func deadHere(h string) bool {
	p, ok := parseHolder(h)
	if !ok {
		return false
	}
	me, ok := selfProcess()
	if !ok || p.boot != me.boot || p.pidns != me.pidns {
		return false
	}
	return !running(p.pid, p.start)
}
