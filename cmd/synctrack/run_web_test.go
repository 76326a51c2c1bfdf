package main

import (
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// synctrack run --web serves the pages on its listener while it loads: a
// page during a load of the embedded engine is the page or 503 (busy, try
// again), never an error of the pages' own; /metrics stays where it was.
func TestRunServesPages(t *testing.T) {
	dir := t.TempDir()
	bucket := filepath.Join(dir, "bucket")
	if code, out := runCLI(t, "generate", "--out", bucket, "--orgs", "1", "--syncs", "2", "--runs", "2", "--rows", "50"); code != 0 {
		t.Fatalf("generate: %d %s", code, out)
	}
	addr := freeAddr(t)
	c := startDaemon(t, "--web", "--listen", addr, "--bucket", "file://"+bucket,
		"--warehouse", "duckdb://"+filepath.Join(dir, "w.duckdb"), "--schedule", "@every 1s")
	c.waitLog(t, "loaded")
	base := "http://" + addr
	// New runs land while the pages are read: a second seed writes other runs.
	if code, out := runCLI(t, "generate", "--out", bucket, "--seed", "2", "--orgs", "1", "--syncs", "2", "--runs", "3", "--rows", "400"); code != 0 {
		t.Fatalf("generate: %d %s", code, out)
	}
	ok, busy := 0, 0
	for end := time.Now().Add(4 * time.Second); time.Now().Before(end); {
		for _, p := range []string{"/", "/metrics"} {
			resp, err := http.Get(base + p)
			if err != nil {
				t.Fatal(err)
			}
			body := readBody(t, resp)
			switch {
			case resp.StatusCode == 200:
				ok++
			case resp.StatusCode == 503 && p == "/":
				busy++
			default:
				t.Fatalf("GET %s during loads: %d: %.3000s", p, resp.StatusCode, body)
			}
		}
	}
	// The daemon still checks the bucket every second, and a page asked
	// during a check may be busy: ask until one is not.
	var body string
	for end := time.Now().Add(30 * time.Second); ; {
		resp, err := http.Get(base + "/")
		if err != nil {
			t.Fatal(err)
		}
		body = readBody(t, resp)
		if resp.StatusCode != 503 || time.Now().After(end) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.Contains(body, `href="/syncs/`) {
		t.Errorf("the daemon's home page lists no sync:\n%.800s", body)
	}
	// Cycles have ended by now: the page says how the last one did.
	if !strings.Contains(body, "Last check of the bucket") || strings.Contains(body, "first look is under way") ||
		!(strings.Contains(body, "nothing new") || strings.Contains(body, "objects loaded")) {
		t.Errorf("the daemon's home page does not say how its last cycle ended:\n%.3000s", body)
	}
	t.Logf("%d pages answered, %d busy", ok, busy)
	if code := c.stop(t); code != 0 {
		t.Errorf("daemon exit %d", code)
	}
}

// The refusal names run's own flag for the file, not serve's --token-file.
func TestRunWebNeedsTokenBeyondLoopback(t *testing.T) {
	t.Setenv("SYNCTRACK_WEB_TOKEN", "")
	code, _, stderr := runCLIAll(t, "run", "--web", "--listen", ":0", "--bucket", "file:///tmp", "--warehouse", "duckdb:///tmp/x.duckdb")
	if code != 2 || !strings.Contains(stderr, "not a loopback address") ||
		!strings.Contains(stderr, "SYNCTRACK_WEB_TOKEN or --web-token-file (config key web_token_file)") {
		t.Errorf("run --web on every interface without a token: exit %d: %s", code, stderr)
	}
}

// run --check refuses the web settings the daemon refuses at start, with the
// same exit code and message, and passes the ones it starts with.
func TestRunCheckWeb(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	token, blank := write("token", "s3cret\n"), write("blank", "  \n \n")
	// No such bucket: a run that got past the web checks stops at it, not runs on.
	target := "bucket: file://" + filepath.Join(dir, "missing") + "\nwarehouse: duckdb://" + filepath.Join(dir, "w.duckdb") + "\nweb: true\n"
	for _, c := range []struct{ name, yaml, env, says string }{
		{"open listen without a token", "listen: 0.0.0.0:18140\n", "", "--web-token-file (config key web_token_file)"},
		{"token file missing", "listen: 127.0.0.1:0\nweb_token_file: " + filepath.Join(dir, "no-such-token") + "\n", "", "no such file"},
		{"token file blank", "listen: 0.0.0.0:18140\nweb_token_file: " + blank + "\n", "", "is empty"},
		{"env token blank", "listen: 127.0.0.1:0\n", " \n", "SYNCTRACK_WEB_TOKEN is blank"},
		{"no listen", "listen: ''\n", "", "--web needs --listen"},
	} {
		t.Setenv("SYNCTRACK_WEB_TOKEN", c.env)
		cfg := write(strings.ReplaceAll(c.name, " ", "_")+".yaml", target+c.yaml)
		code, out, stderr := runCLIAll(t, "run", "--config", cfg, "--check")
		if code != 2 || !strings.Contains(stderr, c.says) || strings.Contains(out, "config ok") {
			t.Errorf("%s: --check exit %d, want 2 saying %q: %s%s", c.name, code, c.says, out, stderr)
		}
		runCode, _, runErr := runCLIAll(t, "run", "--config", cfg)
		if runCode != code || runErr != stderr {
			t.Errorf("%s: --check says exit %d %q, the run exit %d %q", c.name, code, stderr, runCode, runErr)
		}
	}
	t.Setenv("SYNCTRACK_WEB_TOKEN", "")
	// --check looks for the bucket, as the start does: this one is there.
	cfg := write("ok.yaml", strings.ReplaceAll(target, filepath.Join(dir, "missing"), dir)+"listen: 0.0.0.0:18140\nweb_token_file: "+token+"\n")
	if code, out, stderr := runCLIAll(t, "run", "--config", cfg, "--check"); code != 0 || !strings.Contains(out, "config ok") {
		t.Errorf("a token file beyond loopback: exit %d: %s%s", code, out, stderr)
	}
}

// run --help says the web pages are on --listen too, in the flag and in the
// paragraph listing what the listener serves.
func TestRunHelpListenNamesWebPages(t *testing.T) {
	code, out := runCLI(t, "run", "--help")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, out)
	}
	var flag, para string
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "--listen string") {
			flag = l
		}
	}
	if i := strings.Index(out, "HTTP on --listen:"); i >= 0 {
		para, _, _ = strings.Cut(out[i:], "\n\n")
	}
	if !strings.Contains(flag, "web pages") || !strings.Contains(para, "web pages") {
		t.Errorf("--listen's help leaves out the web pages:\n%s\n%s", flag, para)
	}
}

// On every interface the daemon logs a URL one can open, not [::].
func TestRunWebAllInterfacesURL(t *testing.T) {
	t.Setenv("SYNCTRACK_WEB_TOKEN", "s3cret")
	dir := t.TempDir()
	c := startDaemon(t, "--web", "--listen", "0.0.0.0:0", "--bucket", "file://"+dir,
		"--warehouse", "duckdb://"+filepath.Join(dir, "w.duckdb"))
	var url any
	for m := range c.logs {
		if m["msg"] == "web pages" {
			url = m["url"]
		}
		if m["msg"] == "daemon started" {
			break
		}
	}
	u, _ := url.(string)
	if !strings.HasPrefix(u, "http://127.0.0.1:") || !strings.HasSuffix(u, "/ (listening on all interfaces)") {
		t.Errorf("web pages on 0.0.0.0: logged url %v", url)
	}
	if code := c.stop(t); code != 0 {
		t.Errorf("daemon exit %d", code)
	}
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return b.String()
}

// syncIDs are the sync ids of a generated bucket, from its folders.
func syncIDs(t *testing.T, bucket string) []string {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join(bucket, "sync_tracking_datasets", "*", "*"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no sync folders in %s: %v", bucket, err)
	}
	var ids []string
	for _, d := range dirs {
		ids = append(ids, filepath.Base(d))
	}
	return ids
}

// With several targets, --web-target picks whose pages the daemon serves;
// a name no target has is exit 2 at start and by --check, naming those there.
func TestRunWebTarget(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	for i, out := range []string{a, b} {
		if code, o := runCLI(t, "generate", "--out", out, "--seed", []string{"1", "2"}[i], "--orgs", "1", "--syncs", "2", "--runs", "1", "--rows", "20"); code != 0 {
			t.Fatalf("generate: %d %s", code, o)
		}
	}
	cfg := filepath.Join(dir, "two.yaml")
	yaml := "targets:\n" +
		"  - {name: first, bucket: 'file://" + a + "', warehouse: 'duckdb://" + filepath.Join(dir, "a.duckdb") + "', schedule: '@every 1s'}\n" +
		"  - {name: second, bucket: 'file://" + b + "', warehouse: 'duckdb://" + filepath.Join(dir, "b.duckdb") + "', schedule: '@every 1s'}\n"
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"--check"}, {}} {
		code, _, stderr := runCLIAll(t, append([]string{"run", "--config", cfg, "--web", "--listen", "127.0.0.1:0", "--web-target", "third"}, args...)...)
		if code != 2 || !strings.Contains(stderr, `--web-target "third" (config key web_target): no target of that name (targets: first, second)`) {
			t.Errorf("run %v with --web-target third: exit %d: %s", args, code, stderr)
		}
	}
	if code, _, stderr := runCLIAll(t, "run", "--config", cfg, "--listen", "127.0.0.1:0", "--web-target", "second", "--check"); code != 2 ||
		!strings.Contains(stderr, "give --web too") {
		t.Errorf("--web-target without --web: exit %d: %s", code, stderr)
	}
	addr := freeAddr(t)
	c := startDaemon(t, "--config", cfg, "--web", "--listen", addr, "--web-target", "second")
	defer c.stop(t)
	var body string
	for end := time.Now().Add(time.Minute); time.Now().Before(end); time.Sleep(200 * time.Millisecond) {
		resp, err := http.Get("http://" + addr + "/")
		if err != nil {
			continue
		}
		if body = readBody(t, resp); resp.StatusCode == 200 && strings.Contains(body, `href="/syncs/`) {
			break
		}
	}
	for _, id := range syncIDs(t, b) {
		if !strings.Contains(body, `href="/syncs/`+id+`"`) {
			t.Errorf("the second target's sync %s is not on the page", id)
		}
	}
	for _, id := range syncIDs(t, a) {
		if strings.Contains(body, `/syncs/`+id) {
			t.Errorf("the first target's sync %s is on the second's page", id)
		}
	}
}

// freeAddr is a loopback address nothing listens on: a port the kernel
// handed out and that was let go at once.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
