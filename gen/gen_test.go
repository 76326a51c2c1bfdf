package gen

import (
	"bytes"
	"encoding/json"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
)

var recordsKey = regexp.MustCompile(`^sync_tracking_datasets/([^/]+)/([^/]+)/([^/]+)/(records_(?:updated|inserted|deleted))(?:\.(\d+))?\.parquet$`)

func TestGenerateDefault(t *testing.T) {
	g := generate(t, DefaultOptions())
	if len(g.objects) != len(g.m.Files) {
		t.Fatalf("bucket has %d objects, manifest %d", len(g.objects), len(g.m.Files))
	}
	if n, _ := DefaultOptions().Objects(); n != len(g.m.Files) {
		t.Fatalf("Objects() = %d, manifest %d", n, len(g.m.Files))
	}
	if g.m.Runs != 18 || g.m.Rows != 2*3*3*3*200 {
		t.Fatalf("manifest runs=%d rows=%d", g.m.Runs, g.m.Rows)
	}
	metas := map[string]map[string]any{} // run folder -> metadata.json
	styles := map[string]int{}
	for _, f := range g.m.Files {
		if f.Kind != KindMetadata {
			continue
		}
		var meta map[string]any
		d := json.NewDecoder(bytes.NewReader(g.objects[f.Key]))
		d.UseNumber()
		if err := d.Decode(&meta); err != nil {
			t.Fatalf("%s: %v", f.Key, err)
		}
		if schemaOf(meta) == nil {
			t.Fatalf("%s: no payload schema", f.Key)
		}
		metas[strings.TrimSuffix(f.Key, "metadata.json")] = meta
		styles[metaStyle(meta)]++
	}
	for _, s := range []string{"snake", "camel", "nested"} {
		if styles[s] == 0 {
			t.Errorf("no metadata.json in %s style: %v", s, styles)
		}
	}

	var (
		counts     = map[string]int{} // feature -> files or rows
		statuses   = map[string]int{}
		messages   = map[string]bool{}
		byIdent    = map[string]map[string]bool{} // sync/identifier -> statuses
		batchTimes = map[string][][3]int64{}      // run folder -> (n, started, ended)
	)
	for _, f := range g.m.Files {
		if f.Kind != KindRecords {
			continue
		}
		m := recordsKey.FindStringSubmatch(f.Key)
		if m == nil {
			t.Fatalf("bad records key %q", f.Key)
		}
		if m[5] == "" {
			counts["unnumbered"]++
		}
		p := readParquet(t, g.objects[f.Key])
		if len(p.rows) != f.Rows {
			t.Fatalf("%s: %d rows, manifest says %d", f.Key, len(p.rows), f.Rows)
		}
		if p.has("sync_configuration_id") != p.has("sync_run_id") {
			t.Fatalf("%s: only one of the 2025-11-18 columns", f.Key)
		}
		if !p.has("sync_run_id") {
			counts["legacy"]++
		} else {
			counts["current"]++
		}
		if c, _ := p.schema.Lookup("identifier"); c.Node.Type().Kind() == parquet.Int64 {
			counts["int identifier"]++
		}
		ts := p.timestampType("batch_started_at")
		if ts == nil {
			t.Fatalf("%s: batch_started_at is not a TIMESTAMP", f.Key)
		}
		if ts.Unit.Value.String() == "MILLIS" {
			counts["millis"]++
		}
		if !ts.IsAdjustedToUTC {
			counts["local time"]++
		}
		if p.has("retry_count") {
			counts["extra column"]++
		}
		folder := strings.TrimSuffix(f.Key, m[0][strings.LastIndex(m[0], "/")+1:])
		schema := schemaOf(metas[folder])
		if schema == nil {
			t.Fatalf("%s: no metadata.json in its folder", f.Key)
		}
		for i, r := range p.rows {
			checkRow(t, f.Key, i, r, m, schema)
			st, _ := r["status"].(string)
			if r["status"] == nil {
				st = "<SQL NULL>"
			}
			statuses[st]++
			if st == StatusRejected {
				messages[r["status_message"].(string)] = true
			}
			id := m[2] + "/" + identString(r["identifier"])
			if byIdent[id] == nil {
				byIdent[id] = map[string]bool{}
			}
			byIdent[id][st] = true
		}
		n, _ := strconv.Atoi(m[5])
		r0 := p.rows[0]
		batchTimes[folder] = append(batchTimes[folder], [3]int64{int64(n), r0["batch_started_at"].(int64), r0["batch_ended_at"].(int64)})
		if ts.Unit.Value.String() == "MILLIS" { // compare in microseconds
			b := &batchTimes[folder][len(batchTimes[folder])-1]
			b[1], b[2] = b[1]*1000, b[2]*1000
		}
	}
	for _, feature := range []string{"unnumbered", "legacy", "current", "int identifier", "millis", "local time", "extra column"} {
		if counts[feature] == 0 {
			t.Errorf("no records file with feature %q", feature)
		}
	}
	for _, s := range []string{StatusSucceeded, StatusRejected, StatusNull, StatusDuplicate, "<SQL NULL>"} {
		if statuses[s] == 0 {
			t.Errorf("status %q never written: %v", s, statuses)
		}
	}
	if share := float64(statuses[StatusSucceeded]) / float64(g.m.Rows); share < 0.7 || share > 0.9 {
		t.Errorf("succeeded share %.2f, want about 0.8", share)
	}
	checkMessages(t, messages)
	flapping := 0
	for _, sts := range byIdent {
		if sts[StatusSucceeded] && sts[StatusRejected] {
			flapping++
		}
	}
	if flapping == 0 {
		t.Errorf("no identifier flaps between succeeded and rejected across runs")
	}
	for folder, bs := range batchTimes {
		sort.Slice(bs, func(i, j int) bool { return bs[i][0] < bs[j][0] })
		for i := 1; i < len(bs); i++ {
			if bs[i][1] <= bs[i-1][2] {
				t.Errorf("%s: batch %d starts before batch %d ended", folder, bs[i][0], bs[i-1][0])
			}
		}
	}
}

func identString(v any) string {
	if n, ok := v.(int64); ok {
		return strconv.FormatInt(n, 10)
	}
	return v.(string)
}

// checkRow checks one records row against its key and its run's schema.
func checkRow(t *testing.T, key string, i int, r map[string]any, m []string, schema map[string]any) {
	t.Helper()
	if sid, ok := r["sync_configuration_id"]; ok && (sid != m[2] || r["sync_run_id"] != m[3]) {
		t.Fatalf("%s row %d: ids %v/%v differ from the path", key, i, sid, r["sync_run_id"])
	}
	switch op := r["operation"]; op {
	case "update", "upsert", "delete", "append", "mirror":
	default:
		t.Fatalf("%s row %d: operation %v", key, i, op)
	}
	st, _ := r["status"].(string)
	if msg := r["status_message"]; (st == StatusRejected || st == StatusNull || st == StatusDuplicate) != (msg != nil) {
		t.Fatalf("%s row %d: status %q with message %v", key, i, st, msg)
	}
	var payload map[string]any
	d := json.NewDecoder(strings.NewReader(r["record_payload"].(string)))
	d.UseNumber()
	if err := d.Decode(&payload); err != nil {
		t.Fatalf("%s row %d: payload: %v", key, i, err)
	}
	if d.More() {
		t.Fatalf("%s row %d: trailing data after payload", key, i)
	}
	for k, v := range payload {
		want, ok := schema[k]
		if !ok {
			t.Fatalf("%s row %d: payload key %q not in the schema", key, i, k)
		}
		if got := jsonType(v); got != "null" && got != want {
			t.Fatalf("%s row %d: %q is %s, schema says %v", key, i, k, got, want)
		}
	}
}

func checkMessages(t *testing.T, messages map[string]bool) {
	t.Helper()
	templates := map[string]bool{}
	digits := regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f-]{27}|[A-Za-z0-9]{18}|\d+`)
	for msg := range messages {
		norm := digits.ReplaceAllString(msg, "#")
		templates[norm[:min(len(norm), 20)]] = true
	}
	if len(templates) < 8 {
		t.Errorf("%d rejection templates, want 8 or more: %v", len(templates), templates)
	}
	if len(messages) < 3*len(templates) {
		t.Errorf("rejection messages do not vary: %d messages, %d templates", len(messages), len(templates))
	}
}
