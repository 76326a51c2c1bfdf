package main

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

const configsDir = "../../configs"

// Every sample config passes `synctrack run --check`: keys known, targets
// well formed, schedules and warehouse URLs valid. --check looks for what
// the start needs on its machine too (a file:// bucket's folder, a DuckDB
// file's folder, Google credentials), so the samples are checked as if
// here: their folders made under a temporary one, a GCS emulator named.
func TestSampleConfigs(t *testing.T) {
	samples, _ := filepath.Glob(filepath.Join(configsDir, "synctrack-*.yaml"))
	if len(samples) < 3 {
		t.Fatalf("want a sample config per warehouse, found %v", samples)
	}
	t.Setenv("STORAGE_EMULATOR_HOST", "127.0.0.1:1")
	for _, s := range samples {
		raw, err := os.ReadFile(s)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(t.TempDir(), filepath.Base(s))
		os.WriteFile(p, []byte(onThisMachine(t, string(raw))), 0o644)
		if code, out, errs := runCLIAll(t, "run", "--config", p, "--check"); code != 0 || !strings.Contains(out, "config ok") {
			t.Errorf("%s: exit %d: %s%s", s, code, out, errs)
		}
	}
}

// localPaths are a config's file:// buckets and DuckDB files.
var localPaths = regexp.MustCompile(`(file|duckdb)://(/[^\s'"?#]+)`)

// onThisMachine is a sample config's text with its file:// buckets and
// DuckDB files moved under a temporary folder, their folders made.
func onThisMachine(t *testing.T, raw string) string {
	root := t.TempDir()
	return localPaths.ReplaceAllStringFunc(raw, func(m string) string {
		sub := localPaths.FindStringSubmatch(m)
		path := filepath.Join(root, sub[2])
		dir := path
		if sub[1] == "duckdb" {
			dir = filepath.Dir(path)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		return sub[1] + "://" + path
	})
}

// The checks refuse what they should, so passing them means something.
func TestRunCheckRefuses(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ name, yaml string }{
		{"unknown target key", "targets:\n  - {bucket: file:///b, warehouse: duckdb:///w.duckdb, schedul: '@every 1m'}\n"},
		{"bad schedule", "targets:\n  - {bucket: file:///b, warehouse: duckdb:///w.duckdb, schedule: 'every minute'}\n"},
		{"bad warehouse", "targets:\n  - {bucket: file:///b, warehouse: 'snowflake://acct/db'}\n"},
		{"password in URL", "targets:\n  - {bucket: file:///b, warehouse: 'snowflake://u:pw@acct/db/s'}\n"},
		{"duplicate names", "targets:\n  - {name: a, bucket: file:///b, warehouse: duckdb:///w.duckdb}\n  - {name: a, bucket: file:///c, warehouse: duckdb:///x.duckdb}\n"},
		{"targets and bucket", "bucket: file:///b\ntargets:\n  - {bucket: file:///b, warehouse: duckdb:///w.duckdb}\n"},
		{"no target", "listen: ':0'\n"},
		{"unknown key", "targets: []\nlisten: ':0'\nwebhook_secrett: x\n"},
	} {
		p := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+".yaml")
		os.WriteFile(p, []byte(c.yaml), 0o644)
		if code, out := runCLI(t, "run", "--config", p, "--check"); code != 2 {
			t.Errorf("%s: exit %d, want 2: %s", c.name, code, out)
		}
	}
}

func yamlDocs(t *testing.T, path string) []map[string]any {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var docs []map[string]any
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	for {
		var d map[string]any
		if err := dec.Decode(&d); err != nil {
			if err.Error() == "EOF" {
				return docs
			}
			t.Fatalf("%s: %v", path, err)
		}
		docs = append(docs, d)
	}
}

// dig walks maps and lists: "spec", "containers", 0, ...
func dig(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			l, _ := v.([]any)
			if k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

func strs(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

// The Deployment runs the daemon on the ConfigMap's config, which is valid,
// and gives it longer to stop than its grace period.
func TestKubernetesDeployment(t *testing.T) {
	docs := yamlDocs(t, filepath.Join(configsDir, "k8s-daemon.yaml"))
	byKind := map[string]map[string]any{}
	for _, d := range docs {
		byKind[d["kind"].(string)] = d
	}
	cfg := filepath.Join(t.TempDir(), "synctrack.yaml")
	os.WriteFile(cfg, []byte(onThisMachine(t, dig(byKind["ConfigMap"], "data", "synctrack.yaml").(string))), 0o644)
	if code, out := runCLI(t, "run", "--config", cfg, "--check"); code != 0 {
		t.Fatalf("ConfigMap config: exit %d: %s", code, out)
	}
	pod := dig(byKind["Deployment"], "spec", "template", "spec")
	args := strs(dig(pod, "containers", 0, "args"))
	if len(args) != 3 || args[0] != "run" || args[1] != "--config" || args[2] != "/etc/synctrack/synctrack.yaml" ||
		dig(pod, "containers", 0, "volumeMounts", 0, "mountPath") != "/etc/synctrack" {
		t.Fatalf("Deployment does not run the mounted config: %v", args)
	}
	if g := dig(pod, "terminationGracePeriodSeconds").(int); time.Duration(g)*time.Second <= 30*time.Second {
		t.Fatalf("terminationGracePeriodSeconds %d is not above grace_period 30s", g)
	}
}

// The CronJob runs `synctrack load` with flags load knows and URLs that parse.
func TestKubernetesCronJob(t *testing.T) {
	docs := yamlDocs(t, filepath.Join(configsDir, "k8s-cronjob.yaml"))
	c := dig(docs[0], "spec", "jobTemplate", "spec", "template", "spec", "containers", 0)
	args := strs(dig(c, "args"))
	if docs[0]["kind"] != "CronJob" || args[0] != "load" || dig(docs[0], "spec", "concurrencyPolicy") != "Forbid" {
		t.Fatalf("CronJob: kind %v, args %v", docs[0]["kind"], args)
	}
	if err := parseCommandLine(args); err != nil {
		t.Fatalf("CronJob args: %v", err)
	}
	env := map[string]string{}
	for _, e := range dig(c, "env").([]any) {
		env[dig(e, "name").(string)] = dig(e, "value").(string)
	}
	if err := checkWarehouseURL(env["SYNCTRACK_WAREHOUSE"]); err != nil || !strings.HasPrefix(env["SYNCTRACK_BUCKET"], "s3://") {
		t.Fatalf("CronJob env %v: %v", env, err)
	}
}

// The systemd unit runs the daemon with flags run knows and stops it after
// more than the grace period.
func TestSystemdUnit(t *testing.T) {
	f, err := os.Open(filepath.Join(configsDir, "synctrack.service"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	keys := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok && !strings.HasPrefix(k, "#") {
			keys[k] = v
		}
	}
	args := strings.Fields(keys["ExecStart"])
	if len(args) < 2 || args[1] != "run" {
		t.Fatalf("ExecStart %q does not run the daemon", keys["ExecStart"])
	}
	if err := parseCommandLine(args[1:]); err != nil {
		t.Fatalf("ExecStart flags: %v", err)
	}
	stop, _ := strconv.Atoi(keys["TimeoutStopSec"])
	if keys["KillSignal"] != "SIGTERM" || time.Duration(stop)*time.Second <= 30*time.Second || keys["RestartPreventExitStatus"] != "2" {
		t.Fatalf("unit stop settings: %v", keys)
	}
}

// parseCommandLine parses args as synctrack would, without running anything.
func parseCommandLine(args []string) error {
	c, rest, err := newRootCommand().Find(args)
	if err != nil {
		return err
	}
	return c.ParseFlags(rest)
}
