package grafana

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/synctrack/synctrack/daemon"
)

// README's list of alert rules names each rule of synctrack-alerts.yaml and
// no other, and each metric it names is the daemon's: the list had left out
// the --events alerts when they were added.
func TestReadmeNamesEveryAlert(t *testing.T) {
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := strings.Join(strings.Fields(string(raw)), " ")
	start := strings.Index(readme, "Prometheus alert rules")
	end := strings.Index(readme[max(start, 0):], "a test parses both")
	if start < 0 || end < 0 {
		t.Fatal("README has no list of alert rules (\"Prometheus alert rules ... a test parses both\")")
	}
	list := readme[start : start+end]
	groups, errs := rulefmt.ParseFile(filepath.Join(dir, "synctrack-alerts.yaml"), false, model.UTF8Validation,
		parser.NewParser(parser.Options{}), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if len(errs) > 0 || groups == nil {
		t.Fatalf("alert rules: %v", errs)
	}
	rules := map[string]bool{}
	for _, g := range groups.Groups {
		for _, r := range g.Rules {
			rules[r.Alert] = true
			if !strings.Contains(list, "`"+r.Alert+"`") {
				t.Errorf("README's alert list does not name %s", r.Alert)
			}
		}
	}
	for _, name := range regexp.MustCompile("`(Synctrack[A-Za-z]+)`").FindAllStringSubmatch(list, -1) {
		if !rules[name[1]] {
			t.Errorf("README's alert list names %s, which is no rule", name[1])
		}
	}
	exported, err := daemon.Exported()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range regexp.MustCompile(`synctrack_[a-z_]+`).FindAllString(list, -1) {
		if _, ok := family(exported, name); !ok {
			t.Errorf("README's alert list names %s, which the daemon does not export", name)
		}
	}
}
