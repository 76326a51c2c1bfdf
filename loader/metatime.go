package loader

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// timeLayouts are RFC 3339 and common relaxations. time.Parse takes fractional
// seconds the layout lacks, and reads a zoneless value as UTC, as we want.
var timeLayouts = []string{
	"2006-01-02T15:04:05Z07:00", "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05",
	"2006-01-02 15:04:05Z07:00", "2006-01-02 15:04:05Z0700", "2006-01-02 15:04:05 Z07:00",
	"2006-01-02 15:04:05 -0700 MST", "2006-01-02 15:04:05 MST", "2006-01-02 15:04:05",
}

// parseTime accepts a timestamp written as text or as epoch number, in UTC.
func parseTime(v any) (*time.Time, bool) {
	var t time.Time
	var err error
	switch x := v.(type) {
	case json.Number:
		t, err = unixTime(string(x))
	case string:
		s := strings.TrimSpace(x)
		if s != "" && (s[0] == '-' || s[0] >= '0' && s[0] <= '9') && !strings.Contains(s[1:], "-") {
			t, err = unixTime(s) // a number written as text
			break
		}
		for _, l := range timeLayouts {
			if t, err = time.Parse(l, s); err == nil {
				break
			}
		}
	default:
		return nil, false
	}
	t = t.UTC()
	return &t, err == nil && plausible(t)
}

// plausible says t can be when a sync run started: from 2000 to the end of
// 2199. Outside it, a time is a default (epoch 0, Go's year 1) or a number
// read at the wrong scale (99999999999 seconds is the year 5138), which put
// a run decades away, first or last of every chart by time and of "the
// last 30 days"; it stays empty, said with the object's other values not
// understood.
func plausible(t time.Time) bool {
	return !t.Before(minStart) && t.Before(maxStart)
}

var (
	minStart = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	maxStart = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)

// unixTime reads epoch seconds, or milli-, micro- or nanoseconds, told apart
// by magnitude: 1e11 seconds is the year 5138, 1e11 milliseconds is 1973.
func unixTime(s string) (time.Time, error) {
	if i, err := strconv.ParseInt(s, 10, 64); err == nil { // exact for ints
		switch a := max(i, -i); {
		case a < 1e11:
			return time.Unix(i, 0), nil
		case a < 1e14:
			return time.UnixMilli(i), nil
		case a < 1e17:
			return time.UnixMicro(i), nil
		}
		return time.Unix(0, i), nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.Abs(f) >= 1e19 {
		return time.Time{}, fmt.Errorf("bad epoch time %q", s)
	}
	for a := math.Abs(f); a >= 1e11; a /= 1e3 {
		f /= 1e3
	}
	sec := math.Floor(f)
	return time.Unix(int64(sec), int64((f-sec)*1e9)), nil
}
