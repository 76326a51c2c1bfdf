package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/synctrack/synctrack/dialects"
	analysis "github.com/synctrack/synctrack/sql"
	"github.com/synctrack/synctrack/warehouse"
)

type runData struct {
	SyncID, RunID, Outcome, Q string
	Info                      runInfo
	Tabs                      []tab
	Records                   []record
	Columns                   []payloadColumn
	View                      string
	TypedError                string
	Next, FirstHref           string
	First                     bool
	Downloads                 []crumb
}

type runInfo struct {
	OrgID, Workspace, Source, SourceObject, Destination, DestinationID, DestinationObject string
	Started                                                                               time.Time
	Files, Total, Succeeded, Rejected, Invalid                                            int64
	Rate                                                                                  float64
}

type tab struct {
	Text, Href string
	Count      int64
	Current    bool
}

type record struct {
	Identifier, Outcome, Status, Message, Operation, Payload, Href string
	Started                                                        time.Time
	Typed                                                          []typedCell
}

type payloadColumn struct{ Field, Column, Type string }

type typedCell struct{ Column, Type, Value string }

func (s *Server) runPage(w http.ResponseWriter, r *http.Request) {
	sync, run := pathID(r, "sync"), pathID(r, "run")
	outcome, q, err := recordFilters(r)
	if err == nil {
		err = textIDs(sync, run)
	}
	if err != nil {
		// The run's page without the bad filter, or its sync's.
		kept, keptQ := keptFilters(r)
		s.failNear(w, r, err, sync, run, kept, keptQ)
		return
	}
	s.render(w, r, "run", func(ctx context.Context, wh warehouse.Querier) (view, error) {
		info, err := runInfoOf(ctx, wh, sync, run)
		if err != nil {
			return view{}, nearer(ctx, wh, err, sync, "", "", "")
		}
		d := runData{SyncID: sync, RunID: run, Outcome: outcome, Q: q, Info: readRunInfo(info[0]), First: r.URL.Query().Get("after") == ""}
		d.Tabs = runTabs(sync, run, outcome, q, d.Info)
		d.FirstHref = filterHref(runHref(sync, run), outcome, q, "", "")
		if d.Columns, d.View, err = payloadColumns(ctx, wh, sync); err != nil {
			return view{}, err
		}
		v := analysis.Values{analysis.ParamSync: sync, analysis.ParamRun: run, analysis.ParamLimit: s.o.PageSize + 1}
		setFilters(v, outcome, q)
		if a := r.URL.Query().Get("after"); a != "" {
			c, err := decodeCursor(a)
			if err != nil || c.K == "" {
				// A link cut short or edited: the run's first page, with
				// the same filters, is still a page to go to.
				return view{}, withBack(badRequest("after: not a cursor this page made"), d.FirstHref, "First page of run "+run)
			}
			v[analysis.ParamAfterFile], v[analysis.ParamAfterRow] = c.K, c.N
		}
		if err := keyIdentifier(ctx, wh, v); err != nil {
			return view{}, err
		}
		if err := rangeFiles(ctx, wh, v); err != nil {
			return view{}, err
		}
		rows, err := query(ctx, wh, "run_records", v)
		if err != nil {
			return view{}, err
		}
		if len(rows) > s.o.PageSize {
			rows = rows[:s.o.PageSize]
			last := rows[len(rows)-1]
			d.Next = filterHref(runHref(sync, run), outcome, q, "after", encodeCursor(cursor{K: last.str("_file"), N: int(last.int("_row"))}))
		}
		var typed map[rowKey][]string
		if len(d.Columns) > 0 && d.View != "" && len(rows) > 0 {
			typed, err = typedRows(ctx, wh, d.View, d.Columns, v, rows)
			if ctx.Err() != nil {
				return view{}, ctx.Err()
			}
			if err != nil {
				// The records are there whatever became of the view:
				// show them, and say why the typed cells are not.
				s.o.Logger.Warn("web page: typed view unreadable", "path", r.URL.Path, "view", d.View, "err", err)
				d.TypedError = typedErrorText(err)
			}
		}
		for _, x := range rows {
			d.Records = append(d.Records, readRecord(x, sync, d.Columns, typed))
		}
		for _, f := range []string{"csv", "json", "parquet"} {
			d.Downloads = append(d.Downloads, crumb{Href: filterHref(runHref(sync, run)+"/records."+f, outcome, q, "", ""), Text: f})
		}
		crumbs := []crumb{{"/", "Syncs"}, {syncHref(sync), "Sync " + sync}, {"", "Run " + run}}
		return view{Title: "Run " + run, Crumbs: crumbs, Data: d}, nil
	})
}

// runInfoOf is the sync_run row of a run; not found when the run is not loaded.
func runInfoOf(ctx context.Context, wh warehouse.Querier, sync, run string) ([]row, error) {
	info, err := query(ctx, wh, "sync_run", analysis.Values{analysis.ParamSync: sync, analysis.ParamRun: run})
	if err != nil {
		return nil, err
	}
	if len(info) == 0 {
		return nil, notFound("run %q of sync %q is not loaded", run, sync)
	}
	return info, nil
}

// textIDs refuses ids from the path that are not UTF-8 text: no loaded id
// is, and an engine cannot bind them.
func textIDs(ids ...string) error {
	for _, id := range ids {
		if !isText(id) {
			return badRequest("a sync or run id is text; %q is not (bytes that are not UTF-8, or a NUL)", id)
		}
	}
	return nil
}

// isText says v is UTF-8 without a NUL byte, as every id and identifier a
// load keeps is: PostgreSQL's text cannot hold a NUL, and refused one as a
// parameter (a 500, where it is a 400 now).
func isText(v string) bool { return utf8.ValidString(v) && !strings.ContainsRune(v, 0) }

// recordFilters reads ?outcome= and ?q=, as the page and the downloads take
// them: q exactly as given (an identifier may begin or end with spaces,
// and the download must equal synctrack records --identifier q).
func recordFilters(r *http.Request) (outcome, q string, err error) {
	outcome, q = r.URL.Query().Get("outcome"), r.URL.Query().Get("q")
	if outcome != "" && !slices.Contains(dialects.Outcomes, outcome) {
		return "", "", badRequest("outcome %q: want success, rejected or invalid", outcome)
	}
	if !isText(q) {
		return "", "", badRequest("q: an identifier is text; this one is not (bytes that are not UTF-8, or a NUL)")
	}
	if err := searchable(q); err != nil {
		return "", "", err
	}
	return outcome, q, nil
}

// maxSearch is the longest identifier the pages search for, in bytes: a
// page echoes q into each of its links, so a 100 kB q made a 900 kB page
// (found by an audit). synctrack records --identifier takes any length.
const maxSearch = 4096

// searchable refuses a q longer than maxSearch.
func searchable(q string) error {
	if len(q) > maxSearch {
		return badRequest("q: %d bytes; the pages search for identifiers of at most %d (synctrack records --identifier takes longer ones)", len(q), maxSearch)
	}
	return nil
}

func setFilters(v analysis.Values, outcome, q string) {
	if outcome != "" {
		v[analysis.ParamStatus] = outcome
	}
	if q != "" {
		v[analysis.ParamIdentifier] = q
	}
}

// filterHref is base with the set filters and one more parameter.
func filterHref(base, outcome, q, k, val string) string {
	p := url.Values{}
	if outcome != "" {
		p.Set("outcome", outcome)
	}
	if q != "" {
		p.Set("q", q)
	}
	if k != "" {
		p.Set(k, val)
	}
	if len(p) == 0 {
		return base
	}
	return base + "?" + p.Encode()
}

func readRunInfo(x row) runInfo {
	return runInfo{OrgID: x.str("org_id"), Workspace: x.str("workspace_id"), Source: x.str("source_type"),
		SourceObject: x.str("source_object_id"), Destination: x.str("destination_type"), DestinationID: x.str("destination_id"),
		DestinationObject: x.str("destination_object_id"), Started: x.time("started_at"), Files: x.int("files"),
		Total: x.int("total"), Succeeded: x.int("succeeded"), Rejected: x.int("rejected"), Invalid: x.int("invalid"),
		Rate: x.float("rejection_rate")}
}

func runTabs(sync, run, outcome, q string, in runInfo) []tab {
	base := runHref(sync, run)
	tabs := []tab{{Text: "All", Href: filterHref(base, "", q, "", ""), Count: in.Total, Current: outcome == ""}}
	counts := map[string]int64{"success": in.Succeeded, "rejected": in.Rejected, "invalid": in.Invalid}
	for _, o := range dialects.Outcomes {
		tabs = append(tabs, tab{Text: outcomeName(o), Href: filterHref(base, o, q, "", ""), Count: counts[o], Current: outcome == o})
	}
	return tabs
}

func payloadColumns(ctx context.Context, wh warehouse.Querier, sync string) ([]payloadColumn, string, error) {
	rows, err := query(ctx, wh, "payload_columns", analysis.Values{analysis.ParamSync: sync})
	if err != nil {
		return nil, "", err
	}
	var out []payloadColumn
	view := ""
	for _, x := range rows {
		out = append(out, payloadColumn{Field: x.str("field_name"), Column: x.str("column_name"), Type: x.str("column_type")})
		view = x.str("view_name")
	}
	return out, view, nil
}

// readRecord is one run_records row, with its cells from the typed view
// (typedRows) when there are any.
func readRecord(x row, sync string, cols []payloadColumn, typed map[rowKey][]string) record {
	id := x.str("identifier")
	rec := record{Identifier: id, Status: x.str("status"), Message: short(x.str("status_message")), Operation: x.str("operation"),
		Started: x.time("batch_started_at"), Payload: pretty(x["record_payload"]), Href: recordHref(id, sync)}
	rec.Outcome = outcomeOf(x["status"])
	if cells, ok := typed[rowKey{x.str("_file"), x.int("_row")}]; ok {
		for i, c := range cols {
			rec.Typed = append(rec.Typed, typedCell{Column: c.Column, Type: c.Type, Value: cells[i]})
		}
	}
	return rec
}

// outcomeOf is sync_log's outcome of a status as written: only A-Z are
// lowered, as SQL's lower() does for these words (analysis.OutcomeOf), so
// the badge says what the outcome filter and the counts say ("ſucceeded"
// is invalid there, though Unicode folds it to "succeeded").
func outcomeOf(status any) string {
	if status == nil {
		return "invalid"
	}
	return analysis.OutcomeNames[analysis.OutcomeOf(row{"s": status}.str("s"))]
}
