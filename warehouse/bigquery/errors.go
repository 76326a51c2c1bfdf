package bigquery

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"cloud.google.com/go/bigquery"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/iterator"

	"github.com/synctrack/synctrack/warehouse"
)

var errDone = iterator.Done

// reason is the first error reason BigQuery gave, and code the HTTP status.
// A job that failed (its status' errorResult, as a load job's failure or a
// dry run's comes back) has a reason and no status.
func reason(err error) (string, int) {
	var ge *googleapi.Error
	if errors.As(err, &ge) {
		if len(ge.Errors) > 0 {
			return ge.Errors[0].Reason, ge.Code
		}
		return "", ge.Code
	}
	var je *bigquery.Error
	if errors.As(err, &je) {
		return je.Reason, 0
	}
	return "", 0
}

func reasonIn(rs ...string) func(error) bool {
	return func(err error) bool {
		r, _ := reason(err)
		for _, x := range rs {
			if r == x {
				return true
			}
		}
		return false
	}
}

// unstructured matches an error that carries neither a reason nor a
// status (the client's own, or a transport's) by its words. One that does
// is judged by those: its message may quote a file's values ("Could not
// parse 'Access Denied' as TIMESTAMP"), which can read as anything, and a
// file's error taken for a permission refused would stop every load.
func unstructured(words ...string) func(error) bool {
	return func(err error) bool {
		if !noReason(err) {
			return false
		}
		msg := strings.ToLower(err.Error())
		for _, w := range words {
			if strings.Contains(msg, w) {
				return true
			}
		}
		return false
	}
}

// noReason says err carries neither a reason nor a status from BigQuery.
func noReason(err error) bool {
	r, c := reason(err)
	return r == "" && c == 0
}

func either(a, b func(error) bool) func(error) bool {
	return func(err error) bool { return a(err) || b(err) }
}

func codeIs(pred func(int) bool) func(error) bool {
	return func(err error) bool { _, c := reason(err); return pred(c) }
}

// errorRules map BigQuery's answers to a class, first match wins. Reasons are
// BigQuery's (cloud.google.com/bigquery/docs/error-messages).
var errorRules = []warehouse.Rule{
	// Credentials Google would not take (a 401, or a token the key could
	// not buy: a deleted or disabled key, a revoked login) are the user's
	// to fix, as a missing key file is.
	{Class: warehouse.Config, Reason: "credentials",
		Match: func(err error) bool {
			r, c := reason(err)
			return c == http.StatusUnauthorized || r == "authError" || noReason(err) && tokenRefused(err)
		},
		Hint: "Google did not accept the credentials: " + hintCredentials},
	// No credentials at all (no credentials_file=, no ADC on the machine):
	// nothing to grant yet, a key to give.
	{Class: warehouse.Config, Reason: "credentials", Match: unstructured("could not find default credentials"),
		Hint: hintCredentials},
	{Class: warehouse.Resource, Reason: "quota",
		Match: either(reasonIn("quotaExceeded", "rateLimitExceeded"), unstructured("quota exceeded", "exceeded rate limits")),
		Hint:  "a BigQuery quota or rate limit was hit; loads are tried again later, or raise the quota (load jobs: 1,500 per table per day)"},
	{Class: warehouse.Resource, Reason: "quota", Match: codeIs(func(c int) bool { return c == http.StatusTooManyRequests })},
	{Class: warehouse.Config, Reason: "permission", Match: either(reasonIn("accessDenied"), unstructured("permission", "access denied")),
		Hint: "grant the service account roles/bigquery.dataEditor on the dataset and roles/bigquery.jobUser on the project, " +
			"and roles/storage.objectViewer on the bucket for gs:// loads; see the README"},
	{Class: warehouse.Config, Reason: "permission", Match: codeIs(func(c int) bool { return c == http.StatusForbidden })},
	// A service that will not take path (a)'s temporary table definitions
	// (the emulator answers "Table not found: _st_file_0") refuses the step
	// for every file alike: nothing about the files.
	{Class: warehouse.Config, Reason: reasonRefused,
		// Our own temporary definition "not found": the service will not take
		// table definitions at all, which no file can cause.
		Match: func(err error) bool {
			msg := strings.ToLower(err.Error())
			return strings.Contains(msg, probeTable) && strings.Contains(msg, "not found") && !isReadError(err)
		},
		Hint: hintProbeRefused},
	// Strings that are not UTF-8: BigQuery documents no Parquet option to
	// replace them (ParquetOptions: enableListInference, enumAsString,
	// mapTargetType; the encoding option and its U+FFFD are CSV's), so the
	// loader repairs a local copy and loads it through a load job's upload
	// (LoadsLocalCopies). Its wording is not documented either: any mention
	// of UTF-8. The hint is for a file whose repaired copy was refused too.
	{Class: warehouse.Data, Reason: warehouse.ReasonBadText, Contains: []string{"utf-8", "utf8"},
		Hint: "BigQuery could not read strings that are not UTF-8 in this file and has no Parquet option to replace them; " +
			"synctrack loads a copy with the bad bytes replaced by U+FFFD, and this file stayed failed only if that copy was refused too: " +
			"it is tried again on the next load"},
	{Class: warehouse.Data, Reason: "bad_object", Match: isReadError,
		Hint: "BigQuery cannot read the file; it is recorded as failed and retried on the next load"},
	{Class: warehouse.Config, Reason: "missing", Match: reasonIn("notFound"),
		Hint: "check the project and dataset in the warehouse URL and the bucket; synctrack creates its dataset and tables when it may"},
	{Class: warehouse.Config, Reason: "missing", Match: codeIs(func(c int) bool { return c == http.StatusNotFound })},
	// A write that lost to another writer's, tried again already
	// (putView): the next load tries once more.
	{Class: warehouse.Transient, Reason: "changed", Match: codeIs(func(c int) bool { return c == http.StatusPreconditionFailed }),
		Hint: "another writer changed the table or view at the same time; the next load tries again"},
	{Class: warehouse.Transient, Reason: "unavailable", Match: reasonIn("backendError", "internalError"),
		Hint: "BigQuery did not answer; the next load tries again"},
	{Class: warehouse.Transient, Reason: "unavailable", Match: codeIs(func(c int) bool { return c >= 500 })},
	// Other 400s (invalidQuery, invalid) name no cause of their own: the
	// loader isolates them, and never blames one every file shares. Not
	// left to the operating system's words after this table either, which
	// the values they quote could hold.
	{Class: warehouse.Unclassified, Reason: "invalid",
		Match: either(reasonIn("invalidQuery", "invalid"), codeIs(func(c int) bool { return c == http.StatusBadRequest })),
		Hint:  "BigQuery rejected the request"},
}

// tokenRefused says whether Google's token endpoint refused the
// credentials (golang.org/x/oauth2's "oauth2: cannot fetch token: 400 ...",
// cloud.google.com/go/auth's "auth: cannot fetch token: 401"): an OAuth
// error code or a 400/401. The endpoint failing (a 5xx, a broken
// connection) is not the credentials' fault.
func tokenRefused(err error) bool {
	msg := strings.ToLower(err.Error())
	_, after, ok := strings.Cut(msg, "cannot fetch token")
	if !ok {
		return false
	}
	for _, s := range []string{"invalid_grant", "invalid_client", "unauthorized_client", "invalid_scope"} {
		if strings.Contains(after, s) {
			return true
		}
	}
	after = strings.TrimLeft(after, ": ")
	return strings.HasPrefix(after, "400") || strings.HasPrefix(after, "401")
}

const hintCredentials = "credentials_file= must name a readable service-account key (JSON); " +
	"without it, Application Default Credentials are used (GOOGLE_APPLICATION_CREDENTIALS, gcloud auth application-default login)"

// reasonRefused is the reason of an error every file of a step shares: the
// service refused the step, not the files, so none is blamed.
const reasonRefused = "refused_step"

const hintProbeRefused = "BigQuery refused path (a)'s schema dry run over temporary table definitions; " +
	"nothing was marked failed: add path=load to the warehouse URL to load through load jobs instead"

// refused is the error of a step BigQuery refused for every file of a batch,
// each on its own, with no error about its data: a config error naming no
// file, which stops the load with nothing marked failed.
func refused(step string, n int, hint string, err error) error {
	return &warehouse.Error{Class: warehouse.Config, Reason: reasonRefused, Hint: hint,
		Err: fmt.Errorf("BigQuery refused the %s of each of %d files alone, with no error about its data: %w", step, n, err)}
}

// isReadError says whether BigQuery could not read a file's data.
func isReadError(err error) bool {
	msg := strings.ToLower(err.Error())
	return strings.Contains(msg, "error while reading") || strings.Contains(msg, "not a valid parquet") ||
		strings.Contains(msg, "parquet") && (strings.Contains(msg, "invalid") || strings.Contains(msg, "corrupt"))
}

// classify gives err its class, hint and reason.
func classify(err error) error {
	return warehouse.Classify(err, errorRules, warehouse.OSRules)
}

func isNotFound(err error) bool {
	_, c := reason(err)
	return c == http.StatusNotFound
}

// isAlreadyExists is 409 on BigQuery. The emulator answers 500 to creating a
// dataset that exists, which stays an error here: callers look first.
func isAlreadyExists(err error) bool {
	_, c := reason(err)
	return c == http.StatusConflict
}

func wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", what, err)
}
