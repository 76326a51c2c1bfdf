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
	fails := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte("<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message></Error>"))
	}))
	t.Cleanup(fails.Close)
	for name, endpoint := range map[string]string{"refused": imdsfake.Closed(t), "500": fails.URL} {
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
		_, err = b.ReadAll(context.Background(), key)
		b.Close()
		if err == nil || !strings.Contains(strings.ToLower(err.Error()), "no ec2 imds role found") {
			t.Fatalf("%s: reading %q: %v, want an error quoting the key", name, key, err)
		}
		var e *warehouse.Error
		if !errors.As(loader.BucketError(err), &e) || e.Class != warehouse.Transient || e.Reason == "credentials" {
			t.Errorf("%s (%v): %+v, want transient, not credentials", name, err, e)
		}
	}
}
