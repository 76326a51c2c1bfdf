package main

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// `synctrack load --log-format json` from an S3-compatible server whose
// objects carry no checksum (gofakes3, the objects put without one, as a
// writer that sends none leaves them): the SDK warns on every read, and
// each warning is a JSON WARN record of the command's log, not a plain
// "SDK ..." line on stderr. The bucket URL's endpoint=, region=,
// use_path_style= and disable_https= reach the server as before.
func TestLoadS3BucketSDKLogsAreJSON(t *testing.T) {
	dir := generateBucket(t, "--orgs", "1", "--syncs", "1", "--runs", "1", "--files", "2", "--rows", "10")
	backend := s3mem.New()
	if err := backend.CreateBucket("sync-logs"); err != nil {
		t.Fatal(err)
	}
	objects := 0
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		objects++
		_, err = backend.PutObject("sync-logs", filepath.ToSlash(rel), nil, strings.NewReader(string(raw)), int64(len(raw)), nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	defer srv.Close()
	for _, k := range []string{"AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_REGION", "")
	bucket := "s3://sync-logs?region=us-east-1&endpoint=" + srv.URL + "&use_path_style=true&disable_https=true"
	code, stdout, stderr := runCLIAll(t, "load", "--log-format", "json", "--bucket", bucket,
		"--warehouse", "duckdb://"+filepath.Join(t.TempDir(), "w.duckdb"))
	if code != 0 {
		t.Fatalf("load: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	warned := 0
	for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Errorf("not a JSON log record (--log-format json): %s", line)
			continue
		}
		if rec["level"] == "WARN" && rec["msg"] == "aws sdk: Response has no supported checksum. Not validating response payload." {
			warned++
		}
	}
	if warned == 0 {
		t.Errorf("none of the SDK's warnings (one per object read) is in the log:\n%s", stderr)
	}
	if want := fmt.Sprintf("%d loaded now", objects); !strings.Contains(stdout, want) {
		t.Errorf("load's report says no %q: %s", want, stdout)
	}
}

// An s3:// bucket with no AWS credentials anywhere is the user's to fix
// (exit 2, saying what to set), not the bucket failing to answer (exit 3,
// "try again"), whether the SDK's last resort, the instance metadata
// service, is turned off or not there at all (a laptop: connection refused).
func TestS3BucketWithoutCredentials(t *testing.T) {
	for name, env := range map[string][2]string{
		"imds disabled": {"AWS_EC2_METADATA_DISABLED", "true"},
		"no imds":       {"AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:9"},
	} {
		t.Run(name, func(t *testing.T) {
			for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
				"AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
				"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_EC2_METADATA_DISABLED", "AWS_EC2_METADATA_SERVICE_ENDPOINT"} {
				t.Setenv(k, "")
			}
			none := filepath.Join(t.TempDir(), "none")
			t.Setenv("AWS_CONFIG_FILE", none)
			t.Setenv("AWS_SHARED_CREDENTIALS_FILE", none)
			t.Setenv(env[0], env[1])
			code, _, stderr := runCLIAll(t, "plan", "--bucket", "s3://sync-logs?region=us-east-1&endpoint=http://127.0.0.1:9&use_path_style=true&disable_https=true",
				"--warehouse", "duckdb://"+filepath.Join(t.TempDir(), "w.duckdb"))
			if code != exitConfig || !strings.Contains(stderr, "no AWS credentials found") {
				t.Errorf("plan on an s3:// bucket without credentials: exit %d, want %d saying so:\n%s", code, exitConfig, stderr)
			}
		})
	}
}
