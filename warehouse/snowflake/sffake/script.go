package sffake

import (
	"fmt"
	"strings"
)

// answer is a scripted result for SELECTs containing match.
type answer struct {
	match  string
	cols   []Column
	rows   [][]any
	typeID int // the statement type the result claims: 0x1000 SELECT, 0x3xxx DML
}

// Answer makes every statement containing match (checked before the fake's
// own tables) return cols and rows: cells are strings or nil (SQL NULL), as
// the service's JSON result format sends them. Later answers win.
func (f *Server) Answer(match string, cols []Column, rows [][]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if rows == nil {
		rows = [][]any{}
	}
	f.answers = append([]answer{{match, cols, rows, 0x1000}}, f.answers...)
}

// Affect makes every DML statement containing match (checked before the
// fake's own handling, later rules first) report n rows affected, as an
// UPDATE does: the driver's RowsAffected is n.
func (f *Server) Affect(match string, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.answers = append([]answer{{match, []Column{{"number of rows updated", "fixed"},
		{"number of multi-joined rows updated", "fixed"}}, [][]any{{fmt.Sprint(n), "0"}}, 0x3200}}, f.answers...)
}

// scripted finds the answer for q; f.mu is held.
func (f *Server) scripted(q string) (answer, bool) {
	for _, a := range f.answers {
		if strings.Contains(q, a.match) {
			return a, true
		}
	}
	return answer{}, false
}

// Binding is one bind parameter as the driver sends it: "1" -> {TEXT, "x"}.
type Binding struct {
	Type  string `json:"type"`
	Value any    `json:"value"`
}

// Bindings returns the bind parameters of each query request, in order
// (nil for a statement without any).
func (f *Server) Bindings() []map[string]Binding {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]map[string]Binding(nil), f.bindings...)
}

// Copied returns, per key, how many committed COPYs loaded it.
func (f *Server) Copied() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[string]int, len(f.committed.copied))
	for k, v := range f.committed.copied {
		out[k] = v
	}
	return out
}

// Requests returns the HTTP requests served, per path.
func (f *Server) Requests() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[string]int, len(f.requests))
	for k, v := range f.requests {
		out[k] = v
	}
	return out
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
