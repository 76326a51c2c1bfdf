// Package duckdbtext writes values as synctrack prints them from DuckDB,
// the reference engine, so that another engine's query results print
// alike: the exporters format DuckDB's values with it, and PostgreSQL's
// query path turns its intervals, times, dates in arrays and numerics into
// the same text.
package duckdbtext

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Interval is DuckDB's text for an interval: "1 year 2 months 3 days
// 04:05:06", "-00:00:01.5", "00:00:00" for nothing. Months past twelve are
// years; days are never hours, nor hours days, as in both engines.
func Interval(months, days int32, micros int64) string {
	var parts []string
	unit := func(n int32, name string) {
		if n == 0 {
			return
		}
		s := strconv.Itoa(int(n)) + " " + name
		if n != 1 && n != -1 {
			s += "s"
		}
		parts = append(parts, s)
	}
	unit(months/12, "year")
	unit(months%12, "month")
	unit(days, "day")
	if micros != 0 || len(parts) == 0 {
		parts = append(parts, Clock(micros))
	}
	return strings.Join(parts, " ")
}

// Clock is a duration, or a time of day, as HH:MM:SS with the fraction's
// trailing zeros cut; hours go past 24 ("100:00:00"), as in DuckDB.
func Clock(micros int64) string {
	sign := ""
	if micros < 0 {
		sign, micros = "-", -micros
	}
	const sec, min, hour = 1_000_000, 60_000_000, 3_600_000_000
	s := fmt.Sprintf("%s%02d:%02d:%02d", sign, micros/hour, micros%hour/min, micros%min/sec)
	if f := micros % sec; f != 0 {
		s += strings.TrimRight(fmt.Sprintf(".%06d", f), "0")
	}
	return s
}

// Date is YYYY-MM-DD, with DuckDB's "(BC)" for years before 1.
func Date(t time.Time) string {
	if y := t.Year(); y <= 0 {
		return fmt.Sprintf("%04d-%02d-%02d (BC)", 1-y, int(t.Month()), t.Day())
	}
	return t.Format("2006-01-02")
}

// Decimal is a decimal's digits ("1.50", "-0.0", "100") as DuckDB's DECIMAL
// prints: without the fraction's trailing zeros, and "0" for zero.
func Decimal(digits string) string {
	if strings.ContainsRune(digits, '.') {
		digits = strings.TrimRight(strings.TrimRight(digits, "0"), ".")
	}
	if strings.Trim(digits, "-0") == "" {
		return "0"
	}
	return digits
}
