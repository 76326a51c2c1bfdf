package loader

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/aws/smithy-go"
	"gocloud.dev/gcerrors"

	"github.com/synctrack/synctrack/warehouse"
)

func gcCode(codes ...gcerrors.ErrorCode) func(error) bool {
	return func(err error) bool {
		c := gcerrors.Code(err)
		for _, x := range codes {
			if c == x {
				return true
			}
		}
		return false
	}
}

// bucketRules map what a bucket (gocloud.dev, any provider) says to a class.
// A bucket error is never about an object's data: a read that fails stops the
// load, and the object is read again next time.
var bucketRules = []warehouse.Rule{
	{Class: warehouse.Config, Reason: "permission", Match: gcCode(gcerrors.PermissionDenied),
		Hint: "give synctrack's credentials list and read access to the bucket " +
			"(S3: s3:ListBucket and s3:GetObject; GCS: storage.objects.list and storage.objects.get), " +
			"or check AWS_* / GOOGLE_APPLICATION_CREDENTIALS"},
	{Class: warehouse.Config, Reason: "not_found", Match: gcCode(gcerrors.NotFound),
		Hint: "check the bucket name, region and endpoint in the bucket URL"},
	{Class: warehouse.Config, Reason: "bad_url", Match: gcCode(gcerrors.InvalidArgument, gcerrors.Unimplemented),
		Hint: "check the bucket URL"},
	{Class: warehouse.Resource, Reason: "quota", Match: gcCode(gcerrors.ResourceExhausted),
		Hint: "the bucket's request rate or quota was exceeded; the next load tries again"},
	{Class: warehouse.Transient, Reason: "bucket", Match: gcCode(gcerrors.Internal, gcerrors.DeadlineExceeded, gcerrors.Unknown, gcerrors.FailedPrecondition),
		Hint: "the bucket did not answer as it should; the next load tries again"},
}

// credentialRules come before warehouse.OSRules. The AWS SDK, finding no
// credentials in the environment or a profile, asks the instance metadata
// service last; on a machine without one (a laptop, a CI runner) that fails
// as the network would (connection refused), and "try again" (exit 3) would
// never pass: the user has credentials to give.
var credentialRules = AWSCredentialRules("no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or AWS_PROFILE, " +
	"or run with an instance or pod role; a public bucket: add anonymous=true to the bucket URL")

// AWSCredentialRules class the AWS SDK's failure to get credentials from
// the EC2 instance metadata service, its last place to look ("no EC2 IMDS
// role found"): config with hint when the service refused (a 403, a
// connection refused: no role, no service; or it is turned off), transient
// when the answer may come next time (a timeout, a 5xx, a 429: the service
// of an EC2 instance that has a role, busy), with hint for a machine that
// has none.
//
// They match the SDK's error by its type, never by its words: a bucket's
// error can quote an object's key, which is anyone's to choose, and a key
// reading "no EC2 IMDS role found" made a reset on reading that object a
// missing credential (exit 2) instead of a transient fault.
func AWSCredentialRules(hint string) []warehouse.Rule {
	return []warehouse.Rule{
		{Class: warehouse.Transient, Reason: "credentials", Match: imdsMayPass,
			Hint: "the instance metadata service did not answer in time or failed: on EC2 the next load tries again; elsewhere, " + hint},
		{Class: warehouse.Config, Reason: "credentials", Match: func(err error) bool { return imdsError(err) != nil }, Hint: hint},
	}
}

// imdsError is the metadata service's own error within err: the SDK's
// credential provider (ec2rolecreds) returns its client's operation error,
// service ec2imds, wrapped ("no EC2 IMDS role found, %w") up to the
// operation that wanted credentials. Nil when err holds none.
func imdsError(err error) *smithy.OperationError {
	for _, e := range chain(err) {
		if op, ok := e.(*smithy.OperationError); ok && op.ServiceID == imds.ServiceID {
			return op
		}
	}
	return nil
}

// chain is err and every error it wraps, depth first (errors.As would stop
// at the first operation error, the bucket's, which wraps the service's).
func chain(err error) []error {
	var all []error
	for err != nil {
		all = append(all, err)
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				all = append(all, chain(e)...)
			}
			return all
		default:
			return all
		}
	}
	return all
}

// imdsMayPass says err holds a metadata service's answer that may come next
// time: a timeout, a 5xx or a 429.
func imdsMayPass(err error) bool {
	op := imdsError(err)
	if op == nil {
		return false
	}
	var status interface{ HTTPStatusCode() int }
	if errors.As(op.Err, &status) {
		if c := status.HTTPStatusCode(); c >= 500 || c == 429 {
			return true
		}
	}
	var timeout interface{ Timeout() bool }
	return errors.Is(op.Err, context.DeadlineExceeded) || errors.As(op.Err, &timeout) && timeout.Timeout()
}

// localRules come before warehouse.OSRules, whose permission hint is about
// the warehouse: here it is a file:// bucket's file or folder, or the
// staging directory.
var localRules = []warehouse.Rule{
	{Class: warehouse.Config, Reason: "permission", Match: func(err error) bool { return errors.Is(err, fs.ErrPermission) },
		Hint: "let the user synctrack runs as read the bucket's files and folders (file://) and write the staging directory (--stage-dir, else the temp dir)"},
}

// osRules are warehouse.OSRules by errno and type only, never by words: a
// bucket's error quotes the object's key, which is anyone's to choose, and
// a read of a key reading "permission denied" or "no space left on device"
// that failed with a 500 was a misconfiguration (exit 2) or a full disk.
// No byte from the bucket may change what its error means.
var osRules = warehouse.WithoutWords(warehouse.OSRules)

// BucketError gives an error from a bucket its class: missing AWS
// credentials first, then the OS's and the network's (disk full while
// staging, a reset), then the bucket's own, each by the error's type or
// errno (osRules); anything else is transient (the bucket is I/O, and the
// object unharmed).
func BucketError(err error) error {
	err = warehouse.Classify(err, credentialRules, localRules, osRules, bucketRules)
	return warehouse.Wrap(err, warehouse.Transient, "bucket", "")
}

// CheckRoot says whether a file:// bucket's folder root is there, as a
// transient error of reason bucket_gone when it is not; "" (no file://
// bucket) is always there. A folder that went away (unmounted, moved) lists
// as empty, which would read as a bucket with nothing new, cycle after
// cycle: a load checks it before it applies a plan, and a daemon before each
// listing, its idle ones too.
func CheckRoot(root string) error {
	if root == "" {
		return nil
	}
	fi, err := os.Stat(root)
	if err == nil && !fi.IsDir() {
		err = errors.New("not a directory")
	}
	if err != nil {
		return warehouse.Wrap(fmt.Errorf("bucket folder %s: %w", root, err), warehouse.Transient, "bucket_gone",
			"the file:// bucket's folder is not there (unmounted or moved?); loads resume once it is back")
	}
	return nil
}
