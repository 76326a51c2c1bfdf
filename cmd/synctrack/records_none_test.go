package main

import (
	"strings"
	"testing"
)

// A records search that matches nothing says where the syncs and runs
// are listed: a mistyped --sync printed "(0 rows)" and exit 0, as a sync
// with no such records does. A search that matches, or one filtered by
// outcome alone, says nothing more.
func TestRecordsNoneMatchSaid(t *testing.T) {
	wh, _ := loadedWarehouse(t)
	const hint = "records: none match; synctrack report run_summary lists the syncs and runs loaded"
	for _, c := range []struct {
		args []string
		hint bool
	}{
		{[]string{"--sync", "99999"}, true},
		{[]string{"--identifier", "no-such-record"}, true},
		{[]string{"--limit", "1"}, false},
	} {
		args := append([]string{"records", "--warehouse", wh}, c.args...)
		code, out, errs := runCLIAll(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s %s", c.args, code, out, errs)
		}
		if strings.Contains(errs, hint) != c.hint {
			t.Errorf("%v: stderr %q, want the hint %v", c.args, errs, c.hint)
		}
		if c.hint && !strings.Contains(out, "(0 rows)") {
			t.Errorf("%v: stdout %q, want (0 rows)", c.args, out)
		}
	}
}
