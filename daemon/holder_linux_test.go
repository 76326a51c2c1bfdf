package daemon

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/synctrack/synctrack/warehouse/duckdb"
)

// deadPID is the PID of a process that ran and was reaped.
func deadPID(t *testing.T) int {
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

// holderOf is a holder id as holderID writes it, for process p.
func holderOf(p process) string {
	return fmt.Sprintf("host/%d/0badf00d %s", p.pid, p)
}

// Which holders deadHere calls dead: only a process of this boot and PID
// namespace whose PID is free or another process's.
func TestDeadHere(t *testing.T) {
	me, ok := selfProcess()
	if !ok {
		t.Fatal("selfProcess: no boot id, PID namespace or start time in /proc")
	}
	if p, ok := parseHolder(holderID()); !ok || p != me {
		t.Fatalf("parseHolder(holderID()) = %+v, %v; want %+v", p, ok, me)
	}
	gone := me
	gone.pid = deadPID(t)
	reused := me
	reused.start++ // this PID, started at another time: a reused PID
	// A child that exited and is not yet reaped: a zombie, its PID taken.
	child := exec.Command("true")
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = child.Wait() }()
	zombie := me
	zombie.pid = child.Process.Pid
	for range 500 {
		var exited, ok bool
		if zombie.start, exited, ok = stat(zombie.pid); ok && exited {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	otherBoot, otherNS := gone, gone
	otherBoot.boot = "00000000-0000-0000-0000-000000000000"
	otherNS.pidns++
	for _, c := range []struct {
		name, holder string
		dead         bool
	}{
		{"this process", holderOf(me), false},
		{"exited", holderOf(gone), true},
		{"PID reused", holderOf(reused), true},
		{"exited, not yet reaped", holderOf(zombie), true},
		{"another boot", holderOf(otherBoot), false},
		{"another PID namespace", holderOf(otherNS), false},
		{"an older daemon's id", fmt.Sprintf("host/%d/0badf00d", gone.pid), false},
		{"junk", "host/x/y boot=a pidns=b start=c", false},
		{"empty", "", false},
	} {
		if got := deadHere(c.holder); got != c.dead {
			t.Errorf("%s: deadHere(%q) = %v, want %v", c.name, c.holder, got, c.dead)
		}
	}
}

// A daemon restarted after a crash takes the lease its dead predecessor on
// this machine left, instead of waiting out the TTL; a live holder's lease
// it leaves alone.
func TestLeaseTakenFromDeadHolder(t *testing.T) {
	ctx := context.Background()
	clk := newFakeClock()
	c, _ := duckdb.ParseURL("duckdb://" + filepath.Join(t.TempDir(), "w.duckdb"))
	wh, err := duckdb.Open(ctx, c, clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer wh.Close()
	me, _ := selfProcess()
	gone := me
	gone.pid = deadPID(t)
	live := holderOf(me) // another daemon's id in this very process: running

	if ok, _, _, err := wh.AcquireLease(ctx, leaseName, live, 10*time.Minute); err != nil || !ok {
		t.Fatalf("live holder's lease: %v %v", ok, err)
	}
	tg := leaseTarget(clk, holderID())
	if _, _, err := tg.hold(ctx, wh); !errors.Is(err, errLeaseHeld) || !strings.Contains(err.Error(), live) {
		t.Fatalf("a running holder's lease: %v, want %v naming %q", err, errLeaseHeld, live)
	}
	if err := wh.ReleaseLease(ctx, leaseName, live); err != nil {
		t.Fatal(err)
	}

	dead := holderOf(gone)
	if ok, _, _, err := wh.AcquireLease(ctx, leaseName, dead, 10*time.Minute); err != nil || !ok {
		t.Fatalf("dead holder's lease: %v %v", ok, err)
	}
	_, release, err := tg.hold(ctx, wh)
	if err != nil {
		t.Fatalf("a dead holder's lease was not taken: %v", err)
	}
	<-clk.waits // the heartbeat's first wait began
	defer release()
	if ok, holder, _, err := wh.AcquireLease(ctx, leaseName, dead, 10*time.Minute); err != nil || ok || holder != tg.d.holder {
		t.Fatalf("after the take: ok %v, holder %q, %v; want held by %q", ok, holder, err, tg.d.holder)
	}
}
