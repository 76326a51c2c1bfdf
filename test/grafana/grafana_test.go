// Package grafana checks configs/grafana with Prometheus's own parsers: the
// alert rules with rulefmt (what Prometheus runs on rule_files), every
// PromQL expression of the rules and the dashboard with promql/parser, and
// every metric they name against the daemon's registry (daemon.Exported).
// It is its own module because github.com/prometheus/prometheus, added to the
// main one, would move versions the shipped binary is built with
// (github.com/spf13/pflag, golang.org/x/exp; prometheus/common with the
// newest release): see BENCHMARKS.md.
package grafana

import (
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/synctrack/synctrack/daemon"
)

const dir = "../../configs/grafana"

// scrapeMetrics are series Prometheus makes itself, not the daemon.
var scrapeMetrics = map[string]bool{"up": true}

func TestAlertRules(t *testing.T) {
	p := parser.NewParser(parser.Options{})
	groups, errs := rulefmt.ParseFile(filepath.Join(dir, "synctrack-alerts.yaml"), false, model.UTF8Validation, p,
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	for _, err := range errs {
		t.Error(err)
	}
	if groups == nil {
		t.FailNow()
	}
	var exprs []string
	alerts := map[string]bool{}
	for _, g := range groups.Groups {
		for _, r := range g.Rules {
			if r.Alert == "" || r.Annotations["summary"] == "" {
				t.Errorf("rule %q: want an alert with a summary", r.Expr)
			}
			alerts[r.Alert] = true
			exprs = append(exprs, r.Expr)
		}
	}
	// What the brief asks alerts for, by name.
	for _, a := range []string{"SynctrackNoSuccessfulLoad", "SynctrackObjectsFailing", "SynctrackLoadLagHigh",
		"SynctrackQuarantinedObjects", "SynctrackRunsOpenTooLong"} {
		if !alerts[a] {
			t.Errorf("no alert %s", a)
		}
	}
	checkExprs(t, p, exprs)
}

func TestDashboard(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(dir, "synctrack-dashboard.json"))
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Title  string `json:"title"`
		Panels []struct {
			Title   string `json:"title"`
			Type    string `json:"type"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatal(err)
	}
	var exprs []string
	for _, p := range d.Panels {
		if p.Type == "row" {
			continue
		}
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			exprs = append(exprs, tg.Expr)
		}
	}
	used := checkExprs(t, parser.NewParser(parser.Options{}), exprs)
	// The dashboard shows every one of the daemon's own families.
	exported, err := daemon.Exported()
	if err != nil {
		t.Fatal(err)
	}
	for name := range exported {
		if strings.HasPrefix(name, "synctrack_") && !used[name] {
			t.Errorf("the dashboard shows nothing of %s", name)
		}
	}
}

// grafanaVar is a dashboard variable ($target), which PromQL cannot parse.
var grafanaVar = regexp.MustCompile(`\$\{?\w+\}?`)

// checkExprs parses each expression and checks that every metric it names
// is one the daemon exports (a histogram by its _bucket, _sum or _count
// series). It returns the families named.
func checkExprs(t *testing.T, p parser.Parser, exprs []string) map[string]bool {
	t.Helper()
	exported, err := daemon.Exported()
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	for _, e := range exprs {
		expr, err := p.ParseExpr(grafanaVar.ReplaceAllString(e, ".*"))
		if err != nil {
			t.Errorf("%s: %v", e, err)
			continue
		}
		names := 0
		parser.Inspect(expr, func(n parser.Node, _ []parser.Node) error {
			vs, ok := n.(*parser.VectorSelector)
			if !ok {
				return nil
			}
			name := vs.Name
			for _, m := range vs.LabelMatchers {
				if m.Name == labels.MetricName {
					name = m.Value
				}
			}
			names++
			family, ok := family(exported, name)
			switch {
			case scrapeMetrics[name]:
			case !ok:
				t.Errorf("%s: the daemon exports no metric %s", e, name)
			default:
				used[family] = true
			}
			return nil
		})
		if names == 0 {
			t.Errorf("%s: names no metric", e)
		}
	}
	return used
}

// family finds the exported family a series name belongs to.
func family(exported map[string]string, name string) (string, bool) {
	if _, ok := exported[name]; ok {
		return name, true
	}
	for _, suffix := range []string{"_bucket", "_sum", "_count"} {
		base := strings.TrimSuffix(name, suffix)
		if base != name && exported[base] == "HISTOGRAM" {
			return base, true
		}
	}
	return "", false
}
