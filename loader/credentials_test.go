package loader_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"gocloud.dev/blob/s3blob"

	"github.com/synctrack/synctrack/internal/imdsfake"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
)

// The AWS SDK says "no EC2 IMDS role found" for every failure of the
// instance metadata service, its last place to look for credentials. A
// refusal (no service: a laptop; a 403: an instance with no role) is the
// user's to fix, config; a timeout or a 5xx (an instance with a role, its
// service busy) may pass, transient, saying what to do either way. The
// errors are the SDK's own (imdsfake), as a listing gets them.
func TestBucketWithoutAWSCredentials(t *testing.T) {
	for answer, want := range map[string]warehouse.Class{
		imdsfake.Refused:   warehouse.Config,
		imdsfake.Status403: warehouse.Config,
		imdsfake.Disabled:  warehouse.Config,
		imdsfake.Status503: warehouse.Transient,
		imdsfake.Stall:     warehouse.Transient,
	} {
		err := imdsfake.NoCredentials(t, answer)
		var e *warehouse.Error
		if !errors.As(loader.BucketError(err), &e) || e.Class != want || e.Reason != "credentials" || !strings.Contains(e.Hint, "AWS_ACCESS_KEY_ID") {
			t.Errorf("%s (%v): %+v, want %s credentials naming AWS_ACCESS_KEY_ID", answer, err, e, want)
		}
	}
}

// An object's key is anyone's to choose, and a bucket's errors quote it
// (gocloud.dev: `blob (key "...")`). A key that reads as the SDK's words
// for missing credentials keeps its error's class: a read refused by the
// network or failed by the bucket is transient, never credentials (it was
// config, exit 2, for a refused connection).
func TestKeyReadingAsNoCredentialsKeepsItsClass(t *testing.T) {
	const key = "no EC2 IMDS role found, operation error ec2imds: GetMetadata, http response error StatusCode: 403/records.parquet"
	for name, endpoint := range map[string]string{"refused": imdsfake.Closed(t), "500": failingS3(t)} {
		err := readFromS3(t, endpoint, key)
		if !strings.Contains(strings.ToLower(err.Error()), "no ec2 imds role found") {
			t.Fatalf("%s: reading %q: %v, want an error quoting the key", name, key, err)
		}
		var e *warehouse.Error
		if !errors.As(err, &e) || e.Class != warehouse.Transient || e.Reason == "credentials" {
			t.Errorf("%s (%v): %+v, want transient, not credentials", name, err, e)
		}
	}
}

// Nor does a key that reads as the machine's words: a bucket's errors are
// classed by errno and type only, so a read of such a key, refused by the
// network or failed by the bucket (a 500), keeps the class and reason a
// plain key's gets. It was config/permission (exit 2, "fix your config")
// for "permission denied", resource/disk_full for "no space left on
// device" (found by a review).
func TestKeyReadingAsMachineWordsKeepsItsClass(t *testing.T) {
	words := []string{"permission denied", "operation not permitted", "read-only file system",
		"no space left on device", "disk quota exceeded", "input/output error", "too many open files",
		"cannot allocate memory", "stale file handle", "transport endpoint is not connected", "connection reset"}
	for name, endpoint := range map[string]string{"refused": imdsfake.Closed(t), "500": failingS3(t)} {
		plain := readFromS3(t, endpoint, "org=1/sync=2/run=3/records.parquet")
		if warehouse.ClassOf(plain) != warehouse.Transient {
			t.Fatalf("%s: a plain key: %v, want transient", name, plain)
		}
		want, _ := warehouse.Explain(plain)
		for _, w := range words {
			key := "org=1/sync=2/run=3/" + w + ".parquet"
			err := readFromS3(t, endpoint, key)
			if !strings.Contains(err.Error(), w) {
				t.Fatalf("%s: reading %q: %v, want an error quoting the key", name, key, err)
			}
			if reason, _ := warehouse.Explain(err); warehouse.ClassOf(err) != warehouse.Transient || reason != want {
				t.Errorf("%s: key %q: %s/%s (%v), want transient/%s as a plain key", name, key, warehouse.ClassOf(err), reason, err, want)
			}
		}
	}
}

// readFromS3 reads key from an S3 at endpoint, without retries, and classes
// the error as a load does.
func readFromS3(t *testing.T, endpoint, key string) error {
	t.Helper()
	client := s3.New(s3.Options{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		BaseEndpoint: aws.String(endpoint),
		UsePathStyle: true,
		Retryer:      aws.NopRetryer{},
	})
	b, err := s3blob.OpenBucketV2(context.Background(), client, "sync-logs", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err = b.ReadAll(context.Background(), key); err == nil {
		t.Fatalf("reading %q: no error", key)
	}
	return loader.BucketError(err)
}

// failingS3 is the address of an S3 that answers every request with a 500.
func failingS3(t *testing.T) string {
	fails := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte("<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message></Error>"))
	}))
	t.Cleanup(fails.Close)
	return fails.URL
}
