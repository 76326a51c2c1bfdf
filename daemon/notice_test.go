package daemon

import (
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// NoticeBody is testdata/notices/NAME.json for an object key of a bucket
// (exported for the package's external tests).
func NoticeBody(t testing.TB, name, bucket, key string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "notices", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(raw)
	if strings.Contains(s, "{{S3_PUT_AS_STRING}}") {
		inner, _ := json.Marshal(string(NoticeBody(t, "s3_put", bucket, key)))
		s = strings.ReplaceAll(s, `"{{S3_PUT_AS_STRING}}"`, string(inner))
	}
	r := strings.NewReplacer("{{BUCKET}}", bucket, "{{KEY}}", key, "{{KEY_URLENCODED}}", url.QueryEscape(key))
	return []byte(r.Replace(s))
}

// GCSAttributes are the attributes Cloud Storage sets on a notification.
func GCSAttributes(bucket, key, eventType string) map[string]string {
	return map[string]string{
		"notificationConfig": "projects/_/buckets/" + bucket + "/notificationConfigs/1",
		"eventType":          eventType,
		"payloadFormat":      "JSON_API_V1",
		"bucketId":           bucket,
		"objectId":           key,
		"objectGeneration":   "1588778055917163",
		"eventTime":          "2026-01-05T08:01:19.369Z",
	}
}

func TestParseNotice(t *testing.T) {
	const bucket = "acme-sync-logs"
	key := "sync_tracking_datasets/1001/52275/8867463/records_updated.0.parquet"
	odd := "sync_tracking_datasets/1001/sync a+b/run%1/records_updated.0.parquet" // URL-encoded by S3: spaces as +
	for _, c := range []struct {
		name  string
		body  []byte
		attrs map[string]string
		key   string
		err   error
	}{
		{"s3 put", NoticeBody(t, "s3_put", bucket, key), nil, key, nil},
		{"s3 put, odd key", NoticeBody(t, "s3_put", bucket, odd), nil, odd, nil},
		{"via sns", NoticeBody(t, "sns_envelope", bucket, key), nil, key, nil},
		{"eventbridge", NoticeBody(t, "eventbridge_created", bucket, key), nil, key, nil},
		{"gcs finalize", NoticeBody(t, "gcs_finalize", bucket, key), GCSAttributes(bucket, key, "OBJECT_FINALIZE"), key, nil},
		{"gcs body alone", NoticeBody(t, "gcs_finalize", bucket, key), nil, key, nil},
		{"gcs no payload", nil, GCSAttributes(bucket, key, "OBJECT_FINALIZE"), key, nil},
		{"gcs delete", NoticeBody(t, "gcs_finalize", bucket, key), GCSAttributes(bucket, key, "OBJECT_DELETE"), "", errForeign},
		{"s3 removed", NoticeBody(t, "s3_removed", bucket, key), nil, "", errForeign},
		{"s3 test event", NoticeBody(t, "s3_test_event", bucket, key), nil, "", errForeign},
		{"other json", []byte(`{"hello":"world"}`), nil, "", errForeign},
		{"not json", []byte("\x00\xffgarbage"), nil, "", errMalformed},
		{"truncated", NoticeBody(t, "s3_put", bucket, key)[:100], nil, "", errMalformed},
		{"records not a list", []byte(`{"Records":{"a":1}}`), nil, "", errMalformed},
		{"record without key", []byte(`{"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{"object":{}}}]}`), nil, "", errMalformed},
		{"bad escape", []byte(`{"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{"object":{"key":"a%zz"}}}]}`), nil, "", errMalformed},
		{"gcs without object", nil, map[string]string{"eventType": "OBJECT_FINALIZE"}, "", errMalformed},
	} {
		ns, err := parseNotice(c.body, c.attrs)
		if !errors.Is(err, c.err) {
			t.Errorf("%s: err %v, want %v", c.name, err, c.err)
			continue
		}
		if c.err != nil {
			continue
		}
		if len(ns) != 1 || ns[0].Key != c.key || ns[0].Bucket != bucket || ns[0].At.IsZero() {
			t.Errorf("%s: %+v, want key %q in %s with a time", c.name, ns, c.key, bucket)
		}
	}
}

// FuzzParseNotice: no message panics the reader, and whatever it yields is a
// key the message carried.
func FuzzParseNotice(f *testing.F) {
	for _, n := range []string{"s3_put", "sns_envelope", "eventbridge_created", "gcs_finalize", "s3_test_event"} {
		f.Add(NoticeBody(f, n, "b", "sync_tracking_datasets/1/2/3/metadata.json"))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ns, err := parseNotice(body, nil)
		if err == nil && len(ns) == 0 {
			t.Fatalf("no notice and no error for %q", body)
		}
		for _, n := range ns {
			if n.Key == "" {
				t.Fatalf("empty key from %q", body)
			}
		}
	})
}

// EventBridge's documented "Object Created" body with a key that has a
// space, a '+' and parentheses, written URL-encoded as S3's notifications
// write keys, or as is: either way a notice names the object's key, and
// any other is the same text decoded. A literal '%' that does not decode
// leaves the key as written.
func TestEventBridgeKeyEitherEncoding(t *testing.T) {
	const bucket = "acme-sync-logs"
	odd := "sync_tracking_datasets/1001/sync a+b/run (1)/records_updated.0.parquet"
	pct := "sync_tracking_datasets/1001/52275/run%1/records_updated.0.parquet"
	for _, c := range []struct{ name, written, key string }{
		{"url-encoded", strings.ReplaceAll(url.QueryEscape(odd), "%2F", "/"), odd},
		{"as is", odd, odd},
		{"as is, a literal %", pct, pct},
	} {
		ns, err := parseNotice(NoticeBody(t, "eventbridge_created", bucket, c.written), nil)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		decoded, _ := url.QueryUnescape(c.written)
		found := false
		for _, n := range ns {
			found = found || n.Key == c.key
			if n.Key != c.written && n.Key != decoded || n.Bucket != bucket || n.At.IsZero() {
				t.Errorf("%s: notice %+v is neither the key written nor it decoded", c.name, n)
			}
		}
		if !found {
			t.Errorf("%s: notices %+v do not name %q", c.name, ns, c.key)
		}
	}
}
