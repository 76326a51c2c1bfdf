package web

import (
	"fmt"
	"html/template"
	"strconv"
	"time"

	"github.com/synctrack/synctrack/internal/shellword"
)

// viewFuncs format values in the templates. None returns template.HTML:
// everything they give is escaped as text.
var viewFuncs = template.FuncMap{
	"when": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.UTC().Format("2006-01-02 15:04:05 UTC")
	},
	"pct": func(f float64) string { return strconv.FormatFloat(f*100, 'f', 1, 64) + "%" },
	"num": thousands,
	"orDash": func(s string) string {
		if s == "" {
			return "—"
		}
		return s
	},
	"outcomeName": outcomeName,
	"runs":        runsText,
	"shellArg":    shellword.Quote,
	"svgBox":      func(c chart) string { return fmt.Sprintf("0 0 %g %g", c.W, c.H) },
}

// thousands writes n with thin separators: 1 234 567.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := ""
	if n < 0 {
		neg, s = "-", s[1:]
	}
	out := []byte{}
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return neg + string(out)
}

// runsText is a count of runs in words: "1 run", "1,204 runs".
func runsText(n int64) string {
	if n == 1 {
		return "1 run"
	}
	return thousands(n) + " runs"
}

// outcomeName is an outcome as the vendor's page names it.
func outcomeName(o string) string {
	switch o {
	case "success":
		return "Success"
	case "rejected":
		return "Rejected"
	}
	return "Invalid"
}
