package sql_test

import (
	"sort"
	"strings"
	"time"

	tsql "github.com/synctrack/synctrack/sql"
)

var expectations = map[string]expectation{
	"rejections_by_message": {[]string{"status_message", "rejected", "identifiers"},
		func(_ *fixture, rows []rawRow, _ tsql.Values) (out []string) {
			for _, g := range groupBy(only(rows, "rejected"), func(r rawRow) string { return format(r.msg) }) {
				ids := make([]string, len(g.rows))
				for i, r := range g.rows {
					ids[i] = r.ident
				}
				sort.Strings(ids)
				out = append(out, line(g.rows[0].msg, len(g.rows), ids))
			}
			return out
		}},
	"rejections_by_fingerprint": {[]string{"fingerprint", "rejected", "messages", "records", "example_message", "first_seen", "last_seen"},
		func(_ *fixture, rows []rawRow, _ tsql.Values) (out []string) {
			for _, g := range groupBy(only(rows, "rejected"), func(r rawRow) string { return format(fp(r)) }) {
				first, last := g.rows[0].started, g.rows[0].started
				for _, r := range g.rows {
					first, last = minTime(first, r.started), maxTime(last, r.started)
				}
				out = append(out, line(fp(g.rows[0]), len(g.rows), len(g.msgs), len(g.idents), g.minMsg(), first, last))
			}
			return out
		}},
	"run_summary": {strings.Fields(`org_id sync_id sync_run_id total succeeded rejected invalid rejection_rate
first_batch_started_at last_batch_completed_at source_object_id source_name destination_id destination_name
destination_object_id destination_object_name`),
		func(f *fixture, rows []rawRow, _ tsql.Values) (out []string) {
			for _, g := range groupBy(rows, runKey) {
				r0, m := g.rows[0], f.meta3(g.rows[0])
				first, last := r0.started, r0.ended
				for _, r := range g.rows {
					first, last = minTime(first, r.started), maxTime(last, r.ended)
				}
				rej := g.count("rejected")
				out = append(out, line(r0.org, r0.sync, r0.run, len(g.rows), g.count("success"), rej, g.count("invalid"),
					rate(rej, len(g.rows)), first, last, m.source, f.name("source_objects", r0.org, m.source),
					m.dest, f.name("destinations", r0.org, m.dest), m.destObj, f.name("destination_objects", r0.org, m.destObj)))
			}
			return out
		}},
	"run_outcomes": {strings.Fields("org_id sync_id sync_run_id started_at files total succeeded rejected invalid rejection_rate"),
		func(_ *fixture, rows []rawRow, _ tsql.Values) (out []string) {
			for _, g := range groupBy(rows, runKey) {
				r0, files := g.rows[0], map[string]bool{}
				first := r0.started
				for _, r := range g.rows {
					first, files[r.file] = minTime(first, r.started), true
				}
				rej := g.count("rejected")
				out = append(out, line(r0.org, r0.sync, r0.run, first, len(files), len(g.rows), g.count("success"), rej,
					g.count("invalid"), rate(rej, len(g.rows))))
			}
			return out
		}},
	"rejection_trend": {[]string{"day", "org_id", "sync_id", "total", "rejected", "rejection_rate"},
		func(_ *fixture, rows []rawRow, _ tsql.Values) (out []string) {
			day := func(r rawRow) time.Time { return r.started.UTC().Truncate(24 * time.Hour) }
			for _, g := range groupBy(rows, func(r rawRow) string { return keyOf(day(r), r.org, r.sync) }) {
				r0, rej := g.rows[0], g.count("rejected")
				out = append(out, line(day(r0), r0.org, r0.sync, len(g.rows), rej, rate(rej, len(g.rows))))
			}
			return out
		}},
	"top_errors_by_destination": {strings.Fields(`org_id destination_id destination_name destination_object_id
destination_object_name error_rank fingerprint rejected records example_message`), topErrors},
	"new_errors":       {strings.Fields("org_id sync_id sync_run_id fingerprint rejected records example_message"), newErrors},
	"flapping_records": {strings.Fields("org_id sync_id record_identifier runs changes outcomes"), flapping},
	"record_history": {strings.Fields("sync_id sync_run_id record_identifier outcome status status_message batch_started_at"),
		func(_ *fixture, rows []rawRow, _ tsql.Values) (out []string) {
			for _, r := range rows {
				out = append(out, line(r.sync, r.run, r.ident, r.outcome(), r.status, r.msg, r.started))
			}
			return out
		}},
	"records": {strings.Fields("sync_id sync_run_id record_identifier outcome status_message batch_started_at"),
		func(_ *fixture, rows []rawRow, _ tsql.Values) (out []string) {
			for _, r := range rows {
				out = append(out, line(r.sync, r.run, r.ident, r.outcome(), r.msg, r.started))
			}
			return out
		}},
	"invalid_records": {strings.Fields("org_id sync_id sync_run_id invalid_check invalid records example_identifier example_message"),
		func(_ *fixture, rows []rawRow, _ tsql.Values) (out []string) {
			check := func(r rawRow) string {
				if r.status == nil {
					return "(no status)"
				}
				return *r.status
			}
			for _, g := range groupBy(only(rows, "invalid"), func(r rawRow) string { return keyOf(runKey(r), check(r)) }) {
				r0 := g.rows[0]
				out = append(out, line(r0.org, r0.sync, r0.run, check(r0), len(g.rows), len(g.idents), sortedKeys(g.idents)[0], g.minMsg()))
			}
			return out
		}},
}

func topErrors(f *fixture, rows []rawRow, v tsql.Values) (out []string) {
	type entry struct {
		key  string
		fp   any
		g    *group
		dest runMeta
	}
	byDest := map[string][]entry{}
	for _, g := range groupBy(only(rows, "rejected"), func(r rawRow) string {
		m := f.meta3(r)
		return keyOf(r.org, m.dest, m.destObj, fp(r))
	}) {
		r0 := g.rows[0]
		m := f.meta3(r0)
		d := keyOf(r0.org, m.dest, m.destObj)
		byDest[d] = append(byDest[d], entry{d, fp(r0), g, m})
	}
	for _, es := range byDest {
		sort.Slice(es, func(i, j int) bool {
			if len(es[i].g.rows) != len(es[j].g.rows) {
				return len(es[i].g.rows) > len(es[j].g.rows)
			}
			return nullsLast(es[i].fp, es[j].fp)
		})
		for i, e := range es[:min(len(es), nOr(v, 5))] {
			org := e.g.rows[0].org
			out = append(out, line(org, e.dest.dest, f.name("destinations", org, e.dest.dest), e.dest.destObj,
				f.name("destination_objects", org, e.dest.destObj), i+1, e.fp, len(e.g.rows), len(e.g.idents), e.g.minMsg()))
		}
	}
	return out
}

func newErrors(_ *fixture, rows []rawRow, v tsql.Values) (out []string) {
	ranks := runRanks(rows)
	seen := map[string]bool{}
	var latest []rawRow
	for _, r := range only(rows, "rejected") {
		switch k := ranks[runKey(r)]; {
		case k == 1:
			latest = append(latest, r)
		case k <= 1+nOr(v, 5):
			seen[keyOf(r.org, r.sync, fp(r))] = true
		}
	}
	for k, g := range groupBy(latest, func(r rawRow) string { return keyOf(r.org, r.sync, fp(r)) }) {
		if !seen[k] {
			r0 := g.rows[0]
			out = append(out, line(r0.org, r0.sync, r0.run, fp(r0), len(g.rows), len(g.idents), g.minMsg()))
		}
	}
	return out
}

func flapping(_ *fixture, rows []rawRow, v tsql.Values) (out []string) {
	severity := map[string]int{"success": 1, "invalid": 2, "rejected": 3}
	ranks := runRanks(rows)
	worst := map[string]map[int]string{} // record -> run rank -> outcome
	for _, r := range rows {
		k, rank := keyOf(r.org, r.sync, r.ident), ranks[runKey(r)]
		if rank > nOr(v, 5) {
			continue
		}
		if worst[k] == nil {
			worst[k] = map[int]string{}
		}
		if severity[r.outcome()] > severity[worst[k][rank]] {
			worst[k][rank] = r.outcome()
		}
	}
	for k, byRank := range worst {
		var rs []int
		for rank := range byRank {
			rs = append(rs, rank)
		}
		sort.Sort(sort.Reverse(sort.IntSlice(rs))) // oldest first
		var seq []string
		changes := 0
		for i, rank := range rs {
			seq = append(seq, byRank[rank])
			if i > 0 && seq[i] != seq[i-1] {
				changes++
			}
		}
		if changes >= 2 {
			p := splitKey(k)
			out = append(out, line(p[0], p[1], p[2], len(rs), changes, strings.Join(seq, ",")))
		}
	}
	return out
}

func nullsLast(a, b any) bool {
	if a == nil || b == nil {
		return b == nil && a != nil
	}
	return a.(string) < b.(string)
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
