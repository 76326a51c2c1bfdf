package lograte

import (
	"fmt"
	"testing"
	"time"
)

// A key is due once every Every, its repeats counted into the next due one;
// keys are apart; past maxKeys all are forgotten.
func TestDue(t *testing.T) {
	var l Limiter
	every := 10 * time.Minute
	t0 := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	type call struct {
		key   string
		at    time.Duration
		due   bool
		since int
	}
	for i, c := range []call{
		{"a", 0, true, 0},
		{"a", time.Minute, false, 0},
		{"b", time.Minute, true, 0},
		{"a", 9 * time.Minute, false, 0},
		{"a", 10 * time.Minute, true, 2},
		{"a", 11 * time.Minute, false, 0},
		{"b", 20 * time.Minute, true, 0},
	} {
		if due, since := l.Due(c.key, t0.Add(c.at), every); due != c.due || since != c.since {
			t.Errorf("call %d (%s at +%s): due %v since %d, want %v %d", i, c.key, c.at, due, since, c.due, c.since)
		}
	}
	for i := range maxKeys {
		l.Due(fmt.Sprint(i), t0, every)
	}
	if due, _ := l.Due("a", t0.Add(11*time.Minute), every); !due {
		t.Error("a key past maxKeys others is still remembered: the map would grow without bound")
	}
	if due, _ := l.Due("z", t0, 0); !due {
		t.Error("a first line held back")
	}
	if due, _ := l.Due("z", t0, 0); !due {
		t.Error("with every 0, a repeat held back")
	}
}
