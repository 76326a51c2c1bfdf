package sql

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Parameter names. A template's header lists the ones it takes.
const (
	ParamSync       = "sync"       // sync configuration id
	ParamRun        = "run"        // sync run id
	ParamSince      = "since"      // rows whose batch started at or after this instant
	ParamLimit      = "limit"      // most rows returned
	ParamIdentifier = "identifier" // one record's sync key
	ParamStatus     = "status"     // outcome: success, rejected or invalid
	ParamN          = "n"          // a count the template documents (runs to look back, rows per group)
	// Keyset paging (the web pages): the rows after the last one shown.
	ParamAfterFile = "after_file" // the last row's _file
	ParamAfterRow  = "after_row"  // the last row's _row within it
	ParamUptoFile  = "upto_file"  // a page's last row's _file: rows up to it and no further
	ParamUptoRow   = "upto_row"   // that row's _row within it
	ParamBefore    = "before"     // the last run's start: runs started before it
	ParamBeforeRun = "before_run" // the last run's id, for runs started at the same instant
	// The key of identifier an engine keeps (warehouse.IdentifierKeyer), set
	// by the program, never by a person: a filter that narrows the scan.
	ParamIdentifierKey = "identifier_key"
	// The first and last _file of the sync's (or run's) rows, from the
	// counts, where an engine skips by them (warehouse.FileRanger): set by
	// the program, a bound that narrows the scan and changes no answer.
	ParamFileFrom = "file_from"
	ParamFileTo   = "file_to"
)

type kind int

// maxCount is the largest count a parameter takes: --limit 0 asks for every
// row, so no larger limit is needed.
const maxCount = 1_000_000_000

const (
	kindText  kind = iota // bound, or a quoted string literal
	kindTime              // bound as time.Time, or a cast quoted literal
	kindCount             // always a decimal literal: it is an int by then
	kindOutcome
	kindKey // an int64 the program computed: a decimal literal, never parsed from input
)

var paramKinds = map[string]kind{
	ParamSync: kindText, ParamRun: kindText, ParamIdentifier: kindText,
	ParamSince: kindTime, ParamLimit: kindCount, ParamN: kindCount, ParamStatus: kindOutcome,
	ParamAfterFile: kindText, ParamAfterRow: kindCount, ParamBefore: kindTime, ParamBeforeRun: kindText,
	ParamUptoFile: kindText, ParamUptoRow: kindCount,
	ParamIdentifierKey: kindKey,
	ParamFileFrom:      kindText, ParamFileTo: kindText,
}

// Values are parsed parameters: string for text, time.Time for since, int
// for counts. Build them with ParseParams.
type Values map[string]any

// ParamError is a parameter's value ParseParams refuses: said as
// name="value" (sql render's --param), or as the flag that gave it.
type ParamError struct {
	Name, Value string
	Err         error
}

func (e *ParamError) Error() string { return fmt.Sprintf("%s=%q: %v", e.Name, e.Value, e.Err) }
func (e *ParamError) Unwrap() error { return e.Err }

// ParseParams checks and converts raw parameters. since takes an RFC 3339
// instant, a date (UTC midnight), or an age such as 36h or 7d before now.
// An empty text, instant or outcome is a filter left out, as a flag left
// unset gives it; an empty count is no number.
func ParseParams(raw map[string]string, now time.Time) (Values, error) {
	v := Values{}
	for k, s := range raw {
		kd, ok := paramKinds[k]
		if !ok || kd == kindKey {
			return nil, fmt.Errorf("unknown parameter %q (known: %s)", k, strings.Join(knownParams(), ", "))
		}
		if s == "" && kd != kindCount {
			// One rule for report's flags and sql render's --param:
			// render's sync= was a filter on an empty id, which no row has.
			continue
		}
		switch kd {
		case kindText:
			v[k] = s
		case kindOutcome:
			if s != "success" && s != "rejected" && s != "invalid" {
				return nil, &ParamError{Name: k, Value: s, Err: errors.New("want success, rejected or invalid")}
			}
			v[k] = s
		case kindCount:
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 || n > maxCount {
				return nil, &ParamError{Name: k, Value: s, Err: fmt.Errorf("want a whole number from 0 to %d", maxCount)}
			}
			if n == 0 && (k == ParamLimit || k == ParamN) {
				// What the flags say with 0 (--limit 0: every row, --n 0:
				// the template's default), and what the header means by
				// leaving it out.
				continue
			}
			v[k] = n
		case kindTime:
			t, err := parseSince(s, now)
			if err != nil {
				return nil, &ParamError{Name: k, Value: s, Err: err}
			}
			v[k] = t
		}
	}
	return v, nil
}

func parseSince(s string, now time.Time) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		if n, err := strconv.Atoi(days); err == nil && n >= 0 {
			return now.UTC().AddDate(0, 0, -n), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.UTC().Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("want an RFC 3339 time, a date (2006-01-02) or an age (36h, 7d)")
}

// pageOnly are the parameters only the web pages set (records takes the
// file bounds for the downloads): they work here, but no person is told of
// them.
var pageOnly = map[string]bool{ParamAfterFile: true, ParamAfterRow: true, ParamBefore: true, ParamBeforeRun: true,
	ParamUptoFile: true, ParamUptoRow: true, ParamFileFrom: true, ParamFileTo: true}

// Told are the template's parameters a person is told of: Params without
// those only the web pages set.
func (t Template) Told() []string {
	out := make([]string, 0, len(t.Params))
	for _, p := range t.Params {
		if !pageOnly[p] {
			out = append(out, p)
		}
	}
	return out
}

func knownParams() []string {
	out := make([]string, 0, len(paramKinds))
	for k, kd := range paramKinds {
		if kd != kindKey && !pageOnly[k] {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}
