package bigquery

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"google.golang.org/api/googleapi"
	"google.golang.org/api/iterator"
)

var errDone = iterator.Done

// Error is a BigQuery error with what to do about it.
type Error struct {
	Kind      string // quota, permission, not_found, invalid, unavailable, other
	Retryable bool   // the same request may succeed later
	Hint      string // what the user should grant or fix
	Err       error
}

func (e *Error) Error() string {
	if e.Hint == "" {
		return e.Err.Error()
	}
	return e.Err.Error() + " (" + e.Hint + ")"
}

func (e *Error) Unwrap() error { return e.Err }

// IsRetryable says whether err is worth retrying unchanged: quota and rate
// limits, backend errors and timeouts. Permission, not-found and invalid
// queries need a fix first.
func IsRetryable(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Retryable
}

// classify wraps an API error with its kind, retryability and a hint.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	var ge *googleapi.Error
	reason, code := "", 0
	if errors.As(err, &ge) {
		code = ge.Code
		if len(ge.Errors) > 0 {
			reason = ge.Errors[0].Reason
		}
	}
	msg := strings.ToLower(err.Error())
	switch {
	case reason == "quotaExceeded" || reason == "rateLimitExceeded" || code == http.StatusTooManyRequests ||
		strings.Contains(msg, "quota exceeded") || strings.Contains(msg, "exceeded rate limits"):
		return &Error{Kind: "quota", Retryable: true, Err: err,
			Hint: "a BigQuery quota or rate limit was hit; it is retried on the next load, or raise the quota (load jobs: 1,500 per table per day)"}
	case reason == "accessDenied" || code == http.StatusForbidden || code == http.StatusUnauthorized ||
		strings.Contains(msg, "permission") || strings.Contains(msg, "could not find default credentials"):
		return &Error{Kind: "permission", Err: err,
			Hint: "grant the service account roles/bigquery.dataEditor on the dataset and roles/bigquery.jobUser on the project, and roles/storage.objectViewer on the bucket for gs:// loads; see the README"}
	case reason == "notFound" || code == http.StatusNotFound:
		return &Error{Kind: "not_found", Err: err,
			Hint: "check the project and dataset in the warehouse URL and the bucket; synctrack creates its dataset and tables when it may"}
	case reason == "invalidQuery" || reason == "invalid" || code == http.StatusBadRequest:
		return &Error{Kind: "invalid", Err: err, Hint: "BigQuery rejected the request; the object is recorded as failed with this message"}
	case reason == "backendError" || reason == "internalError" || code >= 500 ||
		errors.Is(err, context.DeadlineExceeded):
		return &Error{Kind: "unavailable", Retryable: true, Err: err}
	}
	return &Error{Kind: "other", Err: err}
}

func isNotFound(err error) bool {
	var ge *googleapi.Error
	return errors.As(err, &ge) && ge.Code == http.StatusNotFound
}

// isAlreadyExists is 409 on BigQuery. The emulator answers 500 to creating a
// dataset that exists, which stays an error here: callers look first.
func isAlreadyExists(err error) bool {
	var ge *googleapi.Error
	return errors.As(err, &ge) && ge.Code == http.StatusConflict
}

func wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", what, err)
}
