package daemon

import "testing"

// A scope given back by failed cycles and merged again on every retry
// names each reason once.
func TestScopeWhyNamesEachReasonOnce(t *testing.T) {
	back := scope{facts: true, why: "facts"}
	back.merge(scope{runs: true, why: "runs"})
	back.merge(scope{why: "webhook"})
	for range 5 {
		s := scope{runs: true, why: "runs"}
		s.merge(back)
		back = s
	}
	if back.why != "runs+facts+webhook" {
		t.Errorf("why %q, want runs+facts+webhook", back.why)
	}
}
