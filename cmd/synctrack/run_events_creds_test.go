package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/synctrack/synctrack/internal/sqsfake"
)

// `synctrack run --events awssqs://...` where no AWS credentials are to be
// had (the instance metadata service refuses, as in a container without a
// role): every line the process writes, the AWS SDK's included, is a JSON
// log record; the failure is an ERROR record classified as config
// (credentials) with the fix; and a run written after the start loads on
// --schedule, which lists the bucket while notifications do not come.
func TestRunEventsWithoutCredentials(t *testing.T) {
	imds := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "forbidden", http.StatusForbidden)
	}))
	defer imds.Close()
	q := sqsfake.New(t, time.Minute) // what the daemon would read, had it credentials
	bucket := generateBucket(t, "--orgs", "1", "--syncs", "1", "--runs", "1", "--files", "1", "--rows", "10")
	db := filepath.Join(t.TempDir(), "w.duckdb")
	events := "awssqs://" + strings.TrimPrefix(q.Endpoint(), "http://") + "/000000000000/sync-logs?region=us-east-1&endpoint=" +
		url.QueryEscape(q.Endpoint())
	args := []string{"run", "--log-format", "json", "--listen", "", "--bucket", "file://" + bucket, "--warehouse", "duckdb://" + db,
		"--events", events, "--schedule", "@every 1s"}
	cmd := exec.Command(os.Args[0], "-test.run=^TestRunChild$")
	none := filepath.Join(t.TempDir(), "none")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "AWS_EC2_METADATA_SERVICE_ENDPOINT="+imds.URL, "AWS_CONFIG_FILE="+none,
		"AWS_SHARED_CREDENTIALS_FILE="+none, "SYNCTRACK_TEST_CHILD_ARGS="+strings.Join(args, "\n"))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	logs := make(chan map[string]any, 10000)
	var mu sync.Mutex
	var notJSON []string
	var readers sync.WaitGroup
	for _, r := range []io.Reader{stdout, stderr} {
		readers.Go(func() {
			sc := bufio.NewScanner(r)
			for sc.Scan() {
				var m map[string]any
				if json.Unmarshal(sc.Bytes(), &m) != nil {
					mu.Lock()
					notJSON = append(notJSON, sc.Text())
					mu.Unlock()
					continue
				}
				if r == stdout {
					m["_stdout"] = true
				}
				logs <- m
			}
		})
	}
	go func() { readers.Wait(); close(logs) }()
	wait := func(what string, match func(map[string]any) bool) map[string]any {
		t.Helper()
		deadline := time.After(3 * time.Minute)
		for {
			select {
			case m, ok := <-logs:
				if !ok {
					t.Fatalf("daemon exited before %s", what)
				}
				if m["_stdout"] == true {
					t.Errorf("a log record on stdout: %v", m)
				}
				if match(m) {
					return m
				}
			case <-deadline:
				t.Fatalf("no %s in the log", what)
			}
		}
	}
	var failed map[string]any
	started := false
	wait("the startup load and the subscription's failure", func(m map[string]any) bool {
		if msg, _ := m["msg"].(string); strings.HasPrefix(msg, "events: ") && failed == nil {
			failed = m
		}
		started = started || (m["msg"] == "loaded" && m["scope"] == "startup")
		return started && failed != nil
	})
	if failed["level"] != "ERROR" || failed["class"] != "config" || failed["reason"] != "credentials" || failed["fix"] == "" {
		t.Errorf("the failure's record: %v; want an ERROR of class config, reason credentials, with a fix", failed)
	}
	metas, _ := filepath.Glob(filepath.Join(bucket, "sync_tracking_datasets", "*", "*", "*", "metadata.json"))
	if len(metas) == 0 {
		t.Fatal("no run in the generated bucket")
	}
	run := filepath.Dir(metas[0])
	files, _ := os.ReadDir(run)
	for _, f := range files { // a new run: the same files in a folder of their own
		raw, err := os.ReadFile(filepath.Join(run, f.Name()))
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(filepath.Dir(run), "9900050", f.Name())
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst+".tmp", raw, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(dst+".tmp", dst); err != nil {
			t.Fatal(err)
		}
	}
	wait("the new run, loaded on --schedule", func(m map[string]any) bool {
		return m["msg"] == "loaded" && m["scope"] != "startup" && m["files"] != 0.0
	})
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for range logs {
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("after SIGTERM: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(notJSON) > 0 {
		t.Errorf("%d lines that are no JSON log record (--log-format json):\n%s", len(notJSON), strings.Join(notJSON, "\n"))
	}
}
