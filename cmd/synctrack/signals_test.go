package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// TestInterruptsChild is not a test: it is the process TestInterruptSteps
// signals. It says each step it sees, then hangs as a rollback that never
// ends would: only the default action of the last signal ends it.
func TestInterruptsChild(t *testing.T) {
	steps := os.Getenv("SYNCTRACK_TEST_INTERRUPT_STEPS")
	if steps == "" {
		t.Skip("helper process for TestInterruptSteps")
	}
	ctx, stop := notifyInterrupts(context.Background())
	defer stop()
	var second <-chan struct{}
	if steps == "2" {
		second = secondInterrupt(ctx)
	}
	fmt.Println("ready")
	<-ctx.Done()
	fmt.Println("first")
	if second != nil {
		<-second
		fmt.Println("second")
	}
	time.Sleep(time.Hour)
}

// Each SIGINT or SIGTERM goes one step further, and one more than a command
// has steps ends the process at once, even while it hangs: a load (one step:
// its context) dies on the second, the daemon (a second step: cancel the
// load in flight now) on the third. Before, every signal after the first was
// swallowed.
func TestInterruptSteps(t *testing.T) {
	for _, c := range []struct {
		name  string
		steps string
		sigs  []os.Signal
		says  []string
	}{
		{"load", "1", []os.Signal{os.Interrupt, os.Interrupt}, []string{"first"}},
		{"daemon", "2", []os.Signal{syscall.SIGTERM, os.Interrupt, syscall.SIGTERM}, []string{"first", "second"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cmd, lines := startInterruptsChild(t, c.steps)
			next := func(want string) {
				t.Helper()
				if !lines.Scan() || lines.Text() != want {
					t.Fatalf("child said %q, want %q", lines.Text(), want)
				}
			}
			next("ready")
			for i, sig := range c.sigs {
				if i > 0 {
					time.Sleep(10 * sameRequest) // a person's next Ctrl-C, not the same request (slack for a busy machine)
				}
				if err := cmd.Process.Signal(sig); err != nil {
					t.Fatal(err)
				}
				if i < len(c.says) {
					next(c.says[i])
				}
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			select {
			case <-exited:
			case <-time.After(time.Minute): // a hang, not a slow exit
				t.Fatalf("signal %d did not end the process", len(c.sigs))
			}
			ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
			if last := c.sigs[len(c.sigs)-1]; !ws.Signaled() || ws.Signal() != last {
				t.Fatalf("the process ended with %v, want killed by %v", cmd.ProcessState, last)
			}
		})
	}
}

// timeout(1) signals the process and then its group, the process again, a
// microsecond apart: one request, the first step only. A later signal goes
// on as usual.
func TestInterruptTwiceAtOnceIsOne(t *testing.T) {
	cmd, lines := startInterruptsChild(t, "1")
	if !lines.Scan() || lines.Text() != "ready" {
		t.Fatalf("child said %q", lines.Text())
	}
	// Two of a kind may reach the process as one (the kernel keeps one
	// pending); a SIGINT beside the SIGTERM cannot.
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Process.Signal(os.Interrupt)
	if !lines.Scan() || lines.Text() != "first" {
		t.Fatalf("child said %q, want first", lines.Text())
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case <-exited:
		t.Fatalf("two signals at once ended the process: %v", cmd.ProcessState)
	case <-time.After(10 * sameRequest):
	}
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(time.Minute):
		t.Fatal("a later signal did not end the process")
	}
}

// startInterruptsChild runs TestInterruptsChild with steps, and gives its
// lines; the test's end kills it.
func startInterruptsChild(t *testing.T, steps string) (*exec.Cmd, *bufio.Scanner) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestInterruptsChild$")
	cmd.Env = append(os.Environ(), "SYNCTRACK_TEST_INTERRUPT_STEPS="+steps)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd, bufio.NewScanner(out)
}
