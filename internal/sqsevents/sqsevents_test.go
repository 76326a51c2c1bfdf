package sqsevents

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/synctrack/synctrack/internal/sqsfake"
)

// noAWSEnv leaves the SDK nothing from the environment but what a test sets.
func noAWSEnv(t *testing.T) {
	for _, k := range []string{"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_ACCESS_KEY_ID",
		"AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"} {
		t.Setenv(k, "")
	}
	none := filepath.Join(t.TempDir(), "none")
	t.Setenv("AWS_CONFIG_FILE", none)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", none)
}

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// The queue URL's host names its region, so a URL written as the README
// says (the queue's URL with https:// replaced) needs no region=: gocloud's
// own opener leaves the region to the environment, and with none every
// receive failed ("Missing Region") while --check passed.
func TestOpenTakesTheRegionFromTheHost(t *testing.T) {
	noAWSEnv(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	q := sqsfake.New(t, time.Minute)
	u := mustURL(t, "awssqs://sqs.eu-west-1.amazonaws.com/000000000000/sync-logs?waittime=1s&endpoint="+url.QueryEscape(q.Endpoint()))
	if err := Check(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	sub, err := Open(context.Background(), u, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Shutdown(context.Background())
	q.Send("hello")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	msg, err := sub.Receive(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if string(msg.Body) != "hello" {
		t.Fatalf("body %q", msg.Body)
	}
	msg.Ack()
}

func TestHostRegion(t *testing.T) {
	for host, want := range map[string]string{
		"sqs.us-east-1.amazonaws.com":                        "us-east-1",
		"sqs-fips.us-gov-west-1.amazonaws.com":               "us-gov-west-1",
		"sqs.cn-north-1.amazonaws.com.cn":                    "cn-north-1",
		"vpce-0a1b-2c3d.sqs.eu-central-1.vpce.amazonaws.com": "eu-central-1",
		"ap-southeast-2.queue.amazonaws.com":                 "ap-southeast-2",
		"localhost:9324":                                     "",
		"sqs.us-east-1.amazonaws.com.evil.example":           "",
	} {
		s, err := parse(mustURL(t, "awssqs://"+host+"/1/q"))
		if err != nil && want != "" {
			t.Errorf("%s: %v", host, err)
			continue
		}
		if err == nil && s.region != want {
			t.Errorf("%s: region %q, want %q", host, s.region, want)
		}
	}
}

// What the SDK says goes to the logger it is given, never to stderr: here
// the warning it prints on each credentials lookup where the instance
// metadata service refuses a token (a container without a role).
func TestSDKLogsToTheLogger(t *testing.T) {
	noAWSEnv(t)
	imds := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "forbidden", http.StatusForbidden)
	}))
	defer imds.Close()
	t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.URL)
	q := sqsfake.New(t, time.Minute)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := os.Stderr
	os.Stderr = w
	defer func() { os.Stderr = stderr }()
	var logs bytes.Buffer
	sub, err := Open(context.Background(), mustURL(t, "awssqs://sqs.us-east-1.amazonaws.com/000000000000/sync-logs?endpoint="+
		url.QueryEscape(q.Endpoint())), slog.New(slog.NewJSONHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	_, rerr := sub.Receive(context.Background())
	sub.Shutdown(context.Background())
	os.Stderr = stderr
	w.Close()
	printed, _ := io.ReadAll(r)
	if rerr == nil || !strings.Contains(rerr.Error(), "get credentials") {
		t.Fatalf("receive without credentials: %v", rerr)
	}
	if len(printed) > 0 {
		t.Errorf("the SDK printed on stderr:\n%s", printed)
	}
	if !strings.Contains(logs.String(), `"level":"WARN","msg":"aws sdk: falling back to IMDSv1`) {
		t.Errorf("the SDK's warning is not in the log:\n%s", logs.String())
	}
}
