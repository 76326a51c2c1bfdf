package daemon

import (
	"slices"
	"sort"
	"strings"

	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
)

// scope is what a cycle loads. Requests that arrive while a cycle runs merge
// into one scope for the next cycle: a slow load delays ticks, never stacks them.
type scope struct {
	runs, facts bool
	folders     map[string]bool           // run or sync folders (webhooks, events)
	complete    map[warehouse.RunRef]bool // runs the webhook said are finished
	// tick is a schedule tick with events on: it lists nothing, and only
	// sweeps run states when that is due.
	tick bool
	// reconcile is the scheduled listing of the whole bucket with events on:
	// what it finds to load arrived without a notification.
	reconcile bool
	events    []delivery // messages acknowledged once this scope's cycle commits
	why       string
}

func (s *scope) merge(o scope) {
	s.runs = s.runs || o.runs
	s.facts = s.facts || o.facts
	s.tick = s.tick || o.tick
	s.reconcile = s.reconcile || o.reconcile
	s.addEvents(o.events)
	for f := range o.folders {
		if s.folders == nil {
			s.folders = map[string]bool{}
		}
		s.folders[f] = true
	}
	for r := range o.complete {
		if s.complete == nil {
			s.complete = map[warehouse.RunRef]bool{}
		}
		s.complete[r] = true
	}
	// Each reason once: a scope a failed cycle gives back is merged again
	// on every retry ("runs+facts+runs+..." grew for as long as an outage).
	for _, w := range strings.Split(o.why, "+") {
		switch {
		case w == "" || slices.Contains(strings.Split(s.why, "+"), w):
		case s.why == "":
			s.why = w
		default:
			s.why += "+" + w
		}
	}
}

// work says s has something to list or complete (a tick's sweep aside).
func (s scope) work() bool {
	return s.runs || s.facts || len(s.complete) > 0 || len(s.folders) > 0
}

// addEvents adds deliveries to s's, one per key: a message redelivered
// while its cycle waits (at least once, or past its visibility timeout
// while a failed cycle is kept) piled up in the queue, and was counted
// applied and its lag observed once per copy (found by a user audit).
// A linear scan: a cycle's messages are a burst of a few hundred.
//
// Of a message's copies the newest maxCopies are kept: one that waits for a
// folder that cannot be listed comes back every visibility timeout, for as
// long as that lasts, and its list grew by one each time. An older copy's
// receipt is spent once the message is delivered again (SQS deletes by the
// newest receipt), so dropping it loses nothing; a second message about the
// same objects that is dropped comes back later and lists them once more.
func (s *scope) addEvents(evs []delivery) {
	for _, e := range evs {
		i := slices.IndexFunc(s.events, func(d delivery) bool { return d.key != "" && d.key == e.key })
		if i < 0 {
			s.events = append(s.events, e)
			continue
		}
		d := &s.events[i]
		d.dups = append(d.dups, e.messages()...)
		if n := len(d.dups) - maxCopies; n > 0 {
			d.dups = append(d.dups[:0], d.dups[n:]...)
		}
		if e.at.Before(d.at) {
			d.at = e.at
		}
	}
}

// maxCopies bounds the copies of one delivery a scope holds (addEvents).
const maxCopies = 8

func (s scope) empty() bool {
	return !s.runs && !s.facts && !s.tick && len(s.folders) == 0 && len(s.complete) == 0
}

// prefixes are the bucket prefixes the scope lists.
func (s scope) prefixes() []string {
	var ps []string
	if s.runs {
		ps = append(ps, loader.RunsPrefix)
	}
	if s.facts {
		ps = append(ps, loader.FactsPrefix)
	}
	for f := range s.folders {
		ps = append(ps, f)
	}
	sort.Strings(ps)
	return ps
}

// label names the scope for the duration metric.
func (s scope) label() string {
	switch {
	case s.runs && s.facts:
		return "all"
	case s.runs:
		return "runs"
	case s.facts:
		return "facts"
	case len(s.folders) == 0 && s.tick:
		return "tick"
	}
	return "folder"
}
