package duckdbtext

import (
	"testing"
	"time"
)

// The texts are DuckDB's as synctrack prints them (sql/export's DuckDB
// tests, and TestQueryGivesArraysAsDuckDB on both engines).
func TestText(t *testing.T) {
	const h, s = 3_600_000_000, 1_000_000
	for _, c := range []struct{ got, want string }{
		{Interval(14, 3, 4*h+5*60*s+6*s+500_000), "1 year 2 months 3 days 04:05:06.5"},
		{Interval(-14, 0, 0), "-1 year -2 months"},
		{Interval(0, 1, -s), "1 day -00:00:01"},
		{Interval(0, 0, 100*h), "100:00:00"},
		{Interval(0, 0, 0), "00:00:00"},
		{Clock(12*h + 100), "12:00:00.0001"},
		{Date(time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)), "2026-01-02"},
		{Date(time.Date(0, 3, 4, 0, 0, 0, 0, time.UTC)), "0001-03-04 (BC)"},
		{Decimal("1.50"), "1.5"},
		{Decimal("100"), "100"},
		{Decimal("-100.00"), "-100"},
		{Decimal("0.00"), "0"},
		{Decimal("-0.050"), "-0.05"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
