package s3bucket

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"gocloud.dev/blob"
)

// noAWSEnv leaves the SDK nothing from the environment but what a test sets.
func noAWSEnv(t *testing.T) {
	for _, k := range []string{"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_ACCESS_KEY_ID",
		"AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_ENDPOINT_URL",
		"AWS_ENDPOINT_URL_S3", "AWS_USE_FIPS_ENDPOINT", "AWS_USE_DUALSTACK_ENDPOINT",
		"AWS_REQUEST_CHECKSUM_CALCULATION", "AWS_RESPONSE_CHECKSUM_VALIDATION"} {
		t.Setenv(k, "")
	}
	none := filepath.Join(t.TempDir(), "none")
	t.Setenv("AWS_CONFIG_FILE", none)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", none)
}

// fakeS3 is gofakes3 behind an HTTP server that notes, per request, what
// the URL's parameters decide: the path, the signing key and region, the
// encryption and checksum headers.
type fakeS3 struct {
	backend *s3mem.Backend
	url     string
	mu      sync.Mutex
	seen    []string
}

func newFakeS3(t *testing.T) *fakeS3 {
	f := &fakeS3{backend: s3mem.New()}
	if err := f.backend.CreateBucket("bkt"); err != nil {
		t.Fatal(err)
	}
	h := gofakes3.New(f.backend).Server()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scope := "anonymous"
		if a := r.Header.Get("Authorization"); a != "" {
			c := strings.Split(strings.TrimSuffix(strings.SplitN(strings.SplitN(a, "Credential=", 2)[1], ",", 2)[0], "/aws4_request"), "/")
			scope = c[0] + " " + strings.Join(c[2:], " ") // key, region, service; not the date
		}
		line := []string{r.Method, r.URL.Path, r.URL.Query().Get("x-id"), r.URL.Query().Get("prefix"), scope}
		for _, h := range []string{"X-Amz-Server-Side-Encryption", "X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id",
			"X-Amz-Sdk-Checksum-Algorithm", "X-Amz-Checksum-Mode"} {
			line = append(line, h+"="+r.Header.Get(h))
		}
		f.mu.Lock()
		f.seen = append(f.seen, strings.Join(line, " "))
		f.mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	f.url = srv.URL
	return f
}

// requests writes, reads and lists through b and returns what the server saw.
func (f *fakeS3) requests(t *testing.T, b *blob.Bucket) []string {
	t.Helper()
	f.mu.Lock()
	f.seen = nil
	f.mu.Unlock()
	ctx := context.Background()
	if err := b.WriteAll(ctx, "dir/k", []byte("hello"), nil); err != nil {
		t.Fatalf("write: %v", err)
	}
	if got, err := b.ReadAll(ctx, "dir/k"); err != nil || string(got) != "hello" {
		t.Fatalf("read: %q, %v", got, err)
	}
	if _, _, err := b.ListPage(ctx, blob.FirstPageToken, 10, &blob.ListOptions{Prefix: "dir/"}); err != nil {
		t.Fatalf("list: %v", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.seen)
}

// client is what the URL made of the SDK's client, all that can be read
// back of it.
func client(t *testing.T, b *blob.Bucket) string {
	t.Helper()
	var c *s3.Client
	if !b.As(&c) {
		t.Fatal("not an s3 bucket")
	}
	o := c.Options()
	s := fmt.Sprintf("region=%q path_style=%v accelerate=%v no_https=%v fips=%v dualstack=%v request_checksum=%v response_checksum=%v credentials=%T retryer=%T",
		o.Region, o.UsePathStyle, o.UseAccelerate, o.EndpointOptions.DisableHTTPS, o.EndpointOptions.UseFIPSEndpoint,
		o.EndpointOptions.UseDualStackEndpoint, o.RequestChecksumCalculation, o.ResponseChecksumValidation, o.Credentials, o.Retryer)
	if o.EndpointResolver != nil {
		ep, err := o.EndpointResolver.ResolveEndpoint(o.Region, o.EndpointOptions)
		s += fmt.Sprintf(" endpoint=%s immutable=%v signing_region=%s err=%v", ep.URL, ep.HostnameImmutable, ep.SigningRegion, err)
	}
	return s
}

// Every query parameter gocloud.dev's s3blob takes means the same here:
// the same error for a bad value, the same client, and against gofakes3
// (path-style, which a server on 127.0.0.1 needs) the same requests.
func TestSameAsGocloud(t *testing.T) {
	noAWSEnv(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_REGION", "us-west-2") // for a URL without region=
	profiles := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(profiles, []byte("[profile p]\nregion = ap-south-1\naws_access_key_id = pk\naws_secret_access_key = ps\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", profiles)
	f := newFakeS3(t)
	fake := "s3://bkt?endpoint=" + f.url + "&use_path_style=true&disable_https=true"
	for _, c := range []struct {
		url   string
		wire  bool   // make requests to gofakes3
		fails string // words of the error both must return
	}{
		{url: fake + "&region=us-east-1", wire: true},
		{url: fake, wire: true}, // the region from the environment
		{url: fake + "&profile=p", wire: true},
		{url: strings.Replace(fake, "use_path_style", "s3ForcePathStyle", 1) + "&region=eu-west-1", wire: true},
		{url: fake + "&region=us-east-1&prefix=pre/", wire: true},
		{url: fake + "&region=us-east-1&hostname_immutable=true", wire: true},
		{url: fake + "&region=us-east-1&ssetype=AES256", wire: true},
		{url: fake + "&region=us-east-1&ssetype=aws:kms&kmskeyid=k1", wire: true},
		{url: fake + "&region=us-east-1&request_checksum_calculation=when_required&response_checksum_validation=when_required", wire: true},
		{url: fake + "&region=us-east-1&anonymous=true", wire: true},
		{url: fake + "&region=us-east-1&rate_limiter_capacity=100&awssdk=v2&accelerate=false&fips=false&dualstack=false", wire: true},
		{url: "s3://bkt?region=us-east-1"},
		{url: "s3://bkt?region=us-east-1&fips=true"},
		{url: "s3://bkt?region=us-east-1&dualstack=true"},
		{url: "s3://bkt?region=us-east-1&accelerate=true"},
		{url: "s3://bkt?region=us-east-1&disable_https=true&use_path_style=false"},
		{url: "s3://bkt?region=us-east-1&endpoint=https://minio.example:9000&hostname_immutable=true"},
		{url: "s3://bkt?profile=p&anonymous=true"},
		{url: "s3://bkt?region=us-east-1&role=arn:aws:iam::123456789012:role/r"},
		{url: "s3://bkt?region=us-east-1&nope=1", fails: `unknown query parameter "nope"`},
		{url: "s3://bkt?ssetype=rot13", fails: "ssetype"},
		{url: "s3://bkt?accelerate=maybe", fails: "accelerate"},
		{url: "s3://bkt?disable_https=maybe", fails: "disable_https"},
		{url: "s3://bkt?use_path_style=maybe", fails: "use_path_style"},
		{url: "s3://bkt?s3ForcePathStyle=maybe", fails: "s3ForcePathStyle"},
		{url: "s3://bkt?hostname_immutable=maybe", fails: "hostname_immutable"},
		{url: "s3://bkt?dualstack=maybe", fails: "dualstack"},
		{url: "s3://bkt?fips=maybe", fails: "fips"},
		{url: "s3://bkt?anonymous=maybe", fails: "anonymous"},
		{url: "s3://bkt?rate_limiter_capacity=lots", fails: "capacity"},
		{url: "s3://bkt?role=r", fails: "valid ARN"},
		{url: "s3://bkt?request_checksum_calculation=always", fails: "request_checksum_calculation"},
		{url: "s3://bkt?response_checksum_validation=always", fails: "response_checksum_validation"},
		{url: "s3://bkt?profile=missing", fails: "missing"},
		{url: "s3:///?region=us-east-1", fails: "bucketName is required"},
	} {
		t.Run(c.url, func(t *testing.T) {
			ctx := context.Background()
			theirs, terr := blob.OpenBucket(ctx, c.url)
			ours, oerr := Open(ctx, c.url, slog.New(slog.DiscardHandler))
			if c.fails != "" {
				if terr == nil || oerr == nil || oerr.Error() != terr.Error() || !strings.Contains(oerr.Error(), c.fails) {
					t.Fatalf("error: ours %v; gocloud.dev's %v; want both, the same, saying %q", oerr, terr, c.fails)
				}
				return
			}
			if terr != nil || oerr != nil {
				t.Fatalf("ours: %v; gocloud.dev's: %v", oerr, terr)
			}
			defer theirs.Close()
			defer ours.Close()
			if got, want := client(t, ours), client(t, theirs); got != want {
				t.Errorf("client:\n ours       %s\n gocloud's  %s", got, want)
			}
			if !c.wire {
				return
			}
			if got, want := f.requests(t, ours), f.requests(t, theirs); !slices.Equal(got, want) {
				t.Errorf("requests:\n ours:\n  %s\n gocloud's:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
			}
		})
	}
}

// stderrOf runs f and returns what was written to os.Stderr meanwhile,
// where the SDK's default logger writes.
func stderrOf(t *testing.T, f func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stderr
	os.Stderr = w
	done := make(chan string)
	go func() {
		b, _ := io.ReadAll(r)
		done <- string(b)
	}()
	defer func() {
		os.Stderr = old
		w.Close()
	}()
	f()
	os.Stderr = old
	w.Close()
	return <-done
}

// An object a client wrote without a checksum (the vendor's writer, an
// S3-compatible server that keeps none): the SDK warns on each read that it
// cannot validate it. The warning is a WARN record of the logger given,
// and nothing reaches stderr.
func TestSDKWarningsGoToTheLogger(t *testing.T) {
	noAWSEnv(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	f := newFakeS3(t)
	if _, err := f.backend.PutObject("bkt", "k", nil, strings.NewReader("hello"), 5, nil); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	printed := stderrOf(t, func() {
		b, err := Open(context.Background(), "s3://bkt?region=us-east-1&endpoint="+f.url+"&use_path_style=true&disable_https=true",
			slog.New(slog.NewJSONHandler(&logs, nil)))
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		if got, err := b.ReadAll(context.Background(), "k"); err != nil || string(got) != "hello" {
			t.Fatalf("read: %q, %v", got, err)
		}
	})
	if printed != "" {
		t.Errorf("the SDK printed on stderr:\n%s", printed)
	}
	if !strings.Contains(logs.String(), `"level":"WARN","msg":"aws sdk: Response has no supported checksum. Not validating response payload."`) {
		t.Errorf("the SDK's warning is not in the log:\n%s", logs.String())
	}
}

// What the SDK says while it looks for credentials goes to the logger too:
// its credential providers take the logger when the configuration loads,
// so setting one on the configuration afterwards would miss this warning,
// printed on each lookup where the instance metadata service refuses a
// token (a container without a role).
func TestCredentialsLookupLogsToTheLogger(t *testing.T) {
	noAWSEnv(t)
	imds := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "forbidden", http.StatusForbidden)
	}))
	defer imds.Close()
	t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.URL)
	f := newFakeS3(t)
	var logs bytes.Buffer
	var rerr error
	printed := stderrOf(t, func() {
		b, err := Open(context.Background(), "s3://bkt?region=us-east-1&endpoint="+f.url+"&use_path_style=true&disable_https=true",
			slog.New(slog.NewJSONHandler(&logs, nil)))
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		_, rerr = b.ReadAll(context.Background(), "k")
	})
	if rerr == nil || !strings.Contains(rerr.Error(), "credentials") {
		t.Fatalf("read without credentials: %v", rerr)
	}
	if printed != "" {
		t.Errorf("the SDK printed on stderr:\n%s", printed)
	}
	if !strings.Contains(logs.String(), `"level":"WARN","msg":"aws sdk: falling back to IMDSv1`) {
		t.Errorf("the SDK's warning is not in the log:\n%s", logs.String())
	}
}
