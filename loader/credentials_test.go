package loader_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
)

// The AWS SDK says "no EC2 IMDS role found" for every failure of the
// instance metadata service, its last place to look for credentials. A
// refusal (no service: a laptop; a 403: an instance with no role) is the
// user's to fix, config; a timeout or a 5xx (an instance with a role, its
// service busy) may pass, transient, saying what to do either way.
func TestBucketWithoutAWSCredentials(t *testing.T) {
	const at = "operation error S3: ListObjectsV2, get identity: get credentials: failed to refresh cached credentials, " +
		"no EC2 IMDS role found, operation error ec2imds: GetMetadata, "
	for tail, want := range map[string]warehouse.Class{
		`request send failed, Get "http://169.254.169.254/latest/meta-data/iam/security-credentials/": dial tcp 169.254.169.254:80: connect: connection refused`: warehouse.Config,
		"http response error StatusCode: 403, request to EC2 IMDS failed":                                                                                        warehouse.Config,
		"access disabled to EC2 IMDS via client option, or \"AWS_EC2_METADATA_DISABLED\" environment variable":                                                   warehouse.Config,
		"http response error StatusCode: 503, request to EC2 IMDS failed":                                                                                        warehouse.Transient,
		"request canceled, context deadline exceeded":                                                                                                            warehouse.Transient,
	} {
		var e *warehouse.Error
		if !errors.As(loader.BucketError(errors.New(at+tail)), &e) || e.Class != want || e.Reason != "credentials" || !strings.Contains(e.Hint, "AWS_ACCESS_KEY_ID") {
			t.Errorf("%s: %+v, want %s credentials naming AWS_ACCESS_KEY_ID", tail, e, want)
		}
	}
}
