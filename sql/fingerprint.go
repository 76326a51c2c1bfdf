package sql

import (
	"regexp"
)

// A rule replaces one kind of varying value in a status message by a token,
// so that the same error about different records groups together. Rules run
// in order. Patterns use only what RE2 (DuckDB, BigQuery, Go) and Snowflake's
// POSIX regexps share: bracket classes, groups, alternation, repeats; no
// backslash classes, no lookaround, no \b.
type rule struct {
	name, pattern, token string
	// bounded rules match only at the start of a word: the pattern is
	// preceded by a captured non-alphanumeric byte (or the start), put back
	// with \1. "_" counts as a boundary so u_123 and cus_9f2 lose their ids.
	bounded bool
}

const boundary = `(^|[^A-Za-z0-9])`

var rules = []rule{
	{"uuid", `[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}`, "<uuid>", false},
	// Anything around an @, malformed addresses included: bad emails are a
	// common rejection and rarely well formed.
	{"email", `[A-Za-z0-9._%+-]*@[A-Za-z0-9._%+@-]*`, "<email>", false},
	// Single quotes carry values ('ABC-1', '12/31/1999'). Double quotes are
	// left alone: they usually name a field or property, which is the error.
	{"quoted", `'[^']*'`, "'<v>'", false},
	// Dotted names ending in a lower-case label: hosts and addresses without
	// an @ (john.smith.example.com), not Java class names.
	{"host", `[A-Za-z0-9_-]+([.][A-Za-z0-9_-]+)+[.][a-z]{2,}`, "<host>", false},
	// Words mixing letters and digits, or letters, a dash or underscore and
	// digits: record ids (0035g00000AbCdEfGH, x9f2, CUST-1042, u_77).
	{"id", `([A-Za-z]+[0-9]|[0-9]+[A-Za-z]|[A-Za-z]+[-_][0-9])[A-Za-z0-9]*`, "<id>", true},
	{"number", `-?[0-9]+([.][0-9]+)?`, "<n>", true},
}

type compiled struct {
	re   *regexp.Regexp
	repl string
}

var goRules = func() []compiled {
	out := make([]compiled, len(rules))
	for i, r := range rules {
		if r.bounded {
			out[i] = compiled{regexp.MustCompile(boundary + r.pattern), "${1}" + r.token}
		} else {
			out[i] = compiled{regexp.MustCompile(r.pattern), r.token}
		}
	}
	return out
}()

// Fingerprint is the Go reference of the SQL every template computes with
// the fingerprint function: the message with its varying values replaced.
func Fingerprint(msg string) string {
	for _, r := range goRules {
		msg = r.re.ReplaceAllString(msg, r.repl)
	}
	return msg
}

// FingerprintSQL renders Fingerprint as nested regexp replacements over the
// SQL expression expr, which comes from template text, never from input.
func FingerprintSQL(d Dialect, expr string) string {
	for _, r := range rules {
		pattern, repl := r.pattern, r.token
		if r.bounded {
			pattern, repl = boundary+pattern, `\1`+repl
		}
		expr = d.ReplaceAll(expr, d.String(pattern), d.String(repl))
	}
	return expr
}
