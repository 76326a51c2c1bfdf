package conformance

import (
	"fmt"
	"runtime"
	"sync"
	"testing"
)

// expectFailure runs a check known to fail on this engine (Harness.Known)
// and reports it as skipped, with its failures logged. If it passes, the
// bug is fixed and the test fails, asking for the Known line to go.
func expectFailure(t *testing.T, reason string, run func(testing.TB)) {
	t.Helper()
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() { // a goroutine of its own, so Fatal can end it as testing does
		defer close(done)
		run(r)
	}()
	<-done
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.skipped != "" {
		t.Skip(r.skipped)
	}
	if !r.failed {
		t.Fatalf("this check passes now, but Known says it fails (%s): remove it from the harness's Known", reason)
	}
	for _, m := range r.msgs {
		t.Log("known failure: " + m)
	}
	t.Skip("known engine bug: " + reason)
}

// recorder is a testing.TB whose failures are noted, not reported.
type recorder struct {
	testing.TB
	mu      sync.Mutex
	failed  bool
	skipped string
	msgs    []string
}

func (r *recorder) fail(msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failed = true
	r.msgs = append(r.msgs, msg)
}

func (r *recorder) Fail()                             { r.fail("failed") }
func (r *recorder) Failed() bool                      { r.mu.Lock(); defer r.mu.Unlock(); return r.failed }
func (r *recorder) Error(args ...any)                 { r.fail(fmt.Sprint(args...)) }
func (r *recorder) Errorf(format string, args ...any) { r.fail(fmt.Sprintf(format, args...)) }
func (r *recorder) FailNow()                          { r.Fail(); runtime.Goexit() }
func (r *recorder) Fatal(args ...any)                 { r.Error(args...); runtime.Goexit() }
func (r *recorder) Fatalf(format string, args ...any) { r.Errorf(format, args...); runtime.Goexit() }
func (r *recorder) SkipNow()                          { r.Skip("skipped") }
func (r *recorder) Skipf(format string, args ...any)  { r.Skip(fmt.Sprintf(format, args...)) }

func (r *recorder) Skip(args ...any) {
	r.mu.Lock()
	r.skipped = fmt.Sprint(args...)
	r.mu.Unlock()
	runtime.Goexit()
}
