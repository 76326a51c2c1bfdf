// Package imdsfake gives, for tests, the errors the AWS SDK returns when it
// finds credentials nowhere and asks the EC2 instance metadata service last:
// the SDK's own errors, from a real S3 client behind gocloud.dev's s3blob,
// so that a test classes them as a load does, by type and not by words.
package imdsfake

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/ec2rolecreds"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"gocloud.dev/blob/s3blob"
)

// Answers are what NoCredentials's metadata service can do: not be there
// (a laptop), be turned off (AWS_EC2_METADATA_DISABLED), refuse (403: an
// instance with no role), fail (503) or not answer in time (the SDK gives
// each metadata request 5 seconds).
const (
	Refused   = "refused"
	Disabled  = "disabled"
	Status403 = "403"
	Status503 = "503"
	Stall     = "stall"
)

// NoCredentials lists a bucket whose only credentials are an EC2 role, the
// metadata service answering as answer says, and returns the listing's
// error as gocloud.dev gives it.
func NoCredentials(t testing.TB, answer string) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// One try each: the SDK's retries (3 at each level, with backoff) change
	// no error's type, and would take seconds.
	o := imds.Options{Endpoint: Closed(t), Retryer: aws.NopRetryer{}}
	switch answer {
	case Refused:
	case Disabled:
		o.ClientEnableState = imds.ClientDisabled
	case Status403, Status503, Stall:
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPut && r.URL.Path == "/latest/api/token" {
				w.Header().Set("X-Aws-Ec2-Metadata-Token-Ttl-Seconds", "21600")
				_, _ = w.Write([]byte("token"))
				return
			}
			switch answer {
			case Status403:
				w.WriteHeader(http.StatusForbidden)
			case Status503:
				w.WriteHeader(http.StatusServiceUnavailable)
			default:
				<-r.Context().Done()
			}
		}))
		t.Cleanup(srv.Close)
		o.Endpoint = srv.URL
	default:
		t.Fatalf("imdsfake: no answer %q", answer)
	}
	creds := ec2rolecreds.New(func(p *ec2rolecreds.Options) { p.Client = imds.New(o) })
	client := s3.New(s3.Options{
		Region:       "us-east-1",
		Credentials:  aws.NewCredentialsCache(creds),
		BaseEndpoint: aws.String(Closed(t)),
		UsePathStyle: true,
		Retryer:      aws.NopRetryer{},
	})
	b, err := s3blob.OpenBucketV2(ctx, client, "sync-logs", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	_, err = b.List(nil).Next(ctx)
	if err == nil {
		t.Fatal("imdsfake: a listing without credentials succeeded")
	}
	return err
}

// Closed is the URL of a local port nothing listens on: connecting to it is
// refused at once.
func Closed(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := "http://" + l.Addr().String()
	l.Close()
	return u
}
