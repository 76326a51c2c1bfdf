package warehouse

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Class says what kind of failure an error is. It decides what happens next:
// only a data error is ever blamed on an object; every other class stops the
// load with nothing marked failed, and the daemon backs off by class.
type Class int

const (
	// Unclassified: no table knew the error. The loader isolates it like a
	// data error, but never blames one that every file of a batch shares.
	Unclassified Class = iota
	// Data: this object is bad. It fails alone, named, in the ledger.
	Data
	// Transient: network, 5xx, a lock held, a busy service. Retry soon.
	Transient
	// Resource: disk full, out of memory, a quota. Retry after it is freed.
	Resource
	// Config: credentials, permission, a missing object, a bad URL. Retrying
	// does not help until someone fixes it.
	Config
)

func (c Class) String() string {
	switch c {
	case Data:
		return "data"
	case Transient:
		return "transient"
	case Resource:
		return "resource"
	case Config:
		return "config"
	}
	return "unclassified"
}

// ReasonBadText is the reason of a data error about strings that are not
// UTF-8: the loader can repair those files and load them.
const ReasonBadText = "bad_utf8"

// Error is an error with its class, a short reason (a metrics label), what
// to do about it, and, for a data error, the objects it is about.
type Error struct {
	Class  Class
	Reason string   // short and stable: disk_full, locked, permission, ...
	Hint   string   // what the user should do
	Keys   []string // a data error's objects (keys), when the engine names them
	// Among, on a data error that names no object, are the objects one of
	// which is at fault, when the engine can say that much (the files its
	// failed statement read): the others are loaded without them, and only
	// these are narrowed down.
	Among []string
	Err   error
}

func (e *Error) Error() string {
	if e.Hint == "" || strings.Contains(e.Err.Error(), e.Hint) {
		return e.Err.Error()
	}
	return e.Err.Error() + " (" + e.Hint + ")"
}

func (e *Error) Unwrap() error { return e.Err }

// WithoutHint is err's text without the hint its class added to it (Error),
// for a log line that gives the hint in a field of its own.
func WithoutHint(err error) string {
	text := err.Error()
	var e *Error
	if errors.As(err, &e) && e.Hint != "" {
		text = strings.Replace(text, " ("+e.Hint+")", "", 1)
	}
	return text
}

// ClassOf is the class of the outermost *Error in err's chain. A cancelled
// context is Transient: the work was stopped, not refused.
func ClassOf(err error) Class {
	var e *Error
	switch {
	case err == nil:
		return Unclassified
	case errors.As(err, &e):
		return e.Class
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return Transient
	}
	return Unclassified
}

// Explain returns err's reason and hint, "" when it has none.
func Explain(err error) (reason, hint string) {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason, e.Hint
	}
	return "", ""
}

// Rule is one line of an engine's error table: an error whose text contains
// any of Contains (compared in lower case), or for which Match is true, is of
// Class, with Reason and Hint.
type Rule struct {
	Class    Class
	Reason   string
	Contains []string
	Match    func(error) bool
	Hint     string
}

func (r Rule) matches(err error, lower string) bool {
	if r.Match != nil && r.Match(err) {
		return true
	}
	for _, s := range r.Contains {
		if strings.Contains(lower, s) {
			return true
		}
	}
	return false
}

// Classify wraps err by the first rule of tables that matches it. An error
// already classified keeps its class; one that no rule matches is returned
// as it is (Unclassified).
func Classify(err error, tables ...[]Rule) error {
	if err == nil {
		return nil
	}
	var done *Error
	if errors.As(err, &done) {
		return err
	}
	lower := strings.ToLower(err.Error())
	for _, t := range tables {
		for _, r := range t {
			if r.matches(err, lower) {
				return &Error{Class: r.Class, Reason: r.Reason, Hint: r.Hint, Err: err}
			}
		}
	}
	return err
}

// Wrap gives err a class unless it has one.
func Wrap(err error, c Class, reason, hint string) error {
	if err == nil {
		return nil
	}
	var done *Error
	if errors.As(err, &done) {
		return err
	}
	return &Error{Class: c, Reason: reason, Hint: hint, Err: err}
}

// DataError blames err on the objects keys.
func DataError(err error, keys ...string) error {
	return &Error{Class: Data, Reason: "bad_object", Keys: keys, Err: err}
}

// loadHints are how the tables' hints say what load and the daemon do about
// an error that passes by itself, and what a command that loads nothing
// says instead: it retries nothing, the user runs it again, and it has no
// --batch-bytes or --workers to lower.
var loadHints = [][2]string{
	{"load again (the daemon retries by itself)", "try again"},
	{"the next load tries again", "try again"},
	{"the next load opens the file again", "try again: the next command opens the file again"},
	{", then load again: nothing was blamed on any object", ", then try again"},
	{", then load again; nothing was blamed on any object", ", then try again"},
	{" or lower --workers", ""},
	{" or lower --batch-bytes", ""},
	{" or --batch-bytes", ""},
	{"lower --batch-bytes or give the server more", "give the server more, or ask for fewer rows"},
	{"; loads are tried again later, or raise the quota (load jobs: 1,500 per table per day)", "; try again later, or raise the quota"},
}

// loadWords are what only a loading command's hint may say.
var loadWords = []string{"--batch-bytes", "--workers", "next load", "load again", "loads are tried", "daemon"}

// NotLoadingHint is hint as a command that loads nothing says it.
func NotLoadingHint(hint string) string {
	for _, h := range loadHints {
		hint = strings.Replace(hint, h[0], h[1], 1)
	}
	return hint
}

// LoadOnlyHints lists the hints of rules that, rewritten by
// NotLoadingHint, still say what only a loading command may (a data error's
// excepted: it is about a file, which only a load reads), each with the
// words: for the engines' tests of their tables.
func LoadOnlyHints(rules ...[]Rule) []string {
	var out []string
	for _, table := range rules {
		for _, r := range table {
			h := NotLoadingHint(r.Hint)
			for _, w := range loadWords {
				if r.Class != Data && strings.Contains(h, w) {
					out = append(out, fmt.Sprintf("%s: %q says %q", r.Reason, h, w))
				}
			}
		}
	}
	return out
}

// NotLoading is err's message for a command that loads nothing (status,
// report, query, ...), whose hint says what the user may do: the engines'
// tables say what the next load does. The message is rewritten, not the
// *Error: the messages of the errors wrapping it are already written.
func NotLoading(err error) string {
	msg := err.Error()
	var e *Error
	if !errors.As(err, &e) || e.Hint == "" {
		return msg
	}
	return strings.Replace(msg, "("+e.Hint+")", "("+NotLoadingHint(e.Hint)+")", 1)
}

// WithoutWords is rules with their Contains dropped, and the rules left with
// no Match with them: a table that knows an error by its type or errno only.
// It is for errors whose text quotes what anyone may choose: a bucket's
// error quotes the object's key, and a key reading "permission denied" or
// "no space left on device" must not make a failed read of it a
// misconfiguration or a full disk.
func WithoutWords(rules []Rule) []Rule {
	var kept []Rule
	for _, r := range rules {
		if r.Match == nil {
			continue
		}
		r.Contains = nil
		kept = append(kept, r)
	}
	return kept
}

// SomeKeys lists the first most keys, and how many more there are: an
// error or a note that names objects stays a line however many there are.
func SomeKeys(keys []string, most int) string {
	if len(keys) <= most {
		return strings.Join(keys, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(keys[:most], ", "), len(keys)-most)
}
