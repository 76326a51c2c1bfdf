package sql_test

import (
	"math"
	"sort"
	"strings"
	"time"

	tsql "github.com/synctrack/synctrack/sql"
)

// An expectation answers a template's question from the raw rows in Go.
type expectation struct {
	cols []string
	want func(f *fixture, rows []rawRow, v tsql.Values) []string
}

// group collects rows under a key, keeping first-seen key order irrelevant.
type group struct {
	rows   []rawRow
	idents map[string]bool
	msgs   map[string]bool
}

func groupBy(rows []rawRow, key func(rawRow) string) map[string]*group {
	out := map[string]*group{}
	for _, r := range rows {
		k := key(r)
		g := out[k]
		if g == nil {
			g = &group{idents: map[string]bool{}, msgs: map[string]bool{}}
			out[k] = g
		}
		g.rows = append(g.rows, r)
		g.idents[r.ident] = true
		if r.msg != nil {
			g.msgs[*r.msg] = true
		}
	}
	return out
}

// minMsg is min(status_message): NULL only when every message is NULL.
func (g *group) minMsg() any {
	var m *string
	for _, r := range g.rows {
		if r.msg != nil && (m == nil || *r.msg < *m) {
			m = r.msg
		}
	}
	return m
}

func (g *group) count(outcome string) int {
	n := 0
	for _, r := range g.rows {
		if r.outcome() == outcome {
			n++
		}
	}
	return n
}

func rate(n, total int) float64 { return math.Round(float64(n)/float64(total)*1e4) / 1e4 }

func only(rows []rawRow, outcome string) []rawRow {
	var out []rawRow
	for _, r := range rows {
		if r.outcome() == outcome {
			out = append(out, r)
		}
	}
	return out
}

// fp is the Go reference fingerprint of a row's message, NULL for NULL.
func fp(r rawRow) any {
	if r.msg == nil {
		return nil
	}
	return tsql.Fingerprint(*r.msg)
}

func runKey(r rawRow) string { return r.org + "/" + r.sync + "/" + r.run }

// runRanks numbers each sync's runs from the newest by first batch start.
func runRanks(rows []rawRow) map[string]int {
	type run struct {
		key, id string
		start   time.Time
	}
	bySync := map[string][]*run{}
	seen := map[string]*run{}
	for _, r := range rows {
		k := runKey(r)
		if x := seen[k]; x != nil {
			if r.started.Before(x.start) {
				x.start = r.started
			}
			continue
		}
		seen[k] = &run{k, r.run, r.started}
		bySync[r.org+"/"+r.sync] = append(bySync[r.org+"/"+r.sync], seen[k])
	}
	ranks := map[string]int{}
	for _, runs := range bySync {
		sort.Slice(runs, func(i, j int) bool {
			if !runs[i].start.Equal(runs[j].start) {
				return runs[i].start.After(runs[j].start)
			}
			return runs[i].id > runs[j].id
		})
		for i, x := range runs {
			ranks[x.key] = i + 1
		}
	}
	return ranks
}

func nOr(v tsql.Values, def int) int {
	if n, ok := v[tsql.ParamN].(int); ok {
		return n
	}
	return def
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func keyOf(vals ...any) string { return line(vals...) }

func splitKey(k string) []string { return strings.Split(k, " | ") }
