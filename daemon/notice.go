package daemon

import (
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"time"
)

// A notice is one object the bucket says was created: what an S3 event
// notification (straight to SQS, or through SNS), an EventBridge "Object
// Created" event or a GCS OBJECT_FINALIZE notification names.
type notice struct {
	Bucket string
	Key    string
	At     time.Time // when the store wrote the object; zero when the message does not say
}

var (
	// errMalformed: a message no documented shape reads (not JSON, a
	// record without a key, a key that does not decode).
	errMalformed = errors.New("malformed bucket notification")
	// errForeign: a message read, but not an object created (a test event,
	// a deletion, another service's message).
	errForeign = errors.New("not an object-created notification")
)

// dropError is why a message is malformed or foreign (kind): the reason
// the log gives, a fixed phrase, never the message's own text.
type dropError struct {
	kind   error
	reason string
	key    string // the object it names, when that is why
}

func (e *dropError) Error() string { return e.kind.Error() + ": " + e.reason }
func (e *dropError) Unwrap() error { return e.kind }

func malformed(reason string) error { return &dropError{kind: errMalformed, reason: reason} }
func foreign(reason string) error   { return &dropError{kind: errForeign, reason: reason} }

// dropReason is err's reason, or its text.
func dropReason(err error) string {
	if d, ok := err.(*dropError); ok {
		return d.reason
	}
	return err.Error()
}

// parseNotice reads one message's body and attributes. Every byte of it is
// untrusted: what it yields is only ever a bucket key, classified by the
// loader and listed as a prefix, never SQL.
func parseNotice(body []byte, attrs map[string]string) ([]notice, error) {
	if ev := attrs["eventType"]; ev != "" || attrs["objectId"] != "" {
		return gcsNotice(attrs)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return nil, malformed("not a JSON object")
	}
	switch {
	case top["Records"] != nil:
		return s3Notice(top["Records"])
	case top["detail-type"] != nil:
		return eventBridgeNotice(body)
	case top["Type"] != nil && top["Message"] != nil: // an SNS envelope gocloud did not unwrap
		var env struct{ Type, Message string }
		if err := json.Unmarshal(body, &env); err != nil || env.Type != "Notification" {
			return nil, foreign("an SNS message that is not a notification (a subscription confirmation?)")
		}
		return parseNotice([]byte(env.Message), nil)
	case top["kind"] != nil && top["name"] != nil: // a GCS object resource without its attributes
		var o struct{ Kind, Name, Bucket, Updated string }
		if err := json.Unmarshal(body, &o); err != nil || o.Kind != "storage#object" || o.Name == "" {
			return nil, malformed("a Cloud Storage object resource without its name")
		}
		return []notice{{Bucket: o.Bucket, Key: o.Name, At: parseTime(o.Updated)}}, nil
	}
	return nil, foreign("no known notification shape (S3's s3:TestEvent, another service's message)")
}

// gcsNotice reads a Cloud Storage Pub/Sub notification from its attributes
// (https://cloud.google.com/storage/docs/pubsub-notifications): eventType,
// bucketId, objectId, eventTime. Only OBJECT_FINALIZE creates an object.
func gcsNotice(attrs map[string]string) ([]notice, error) {
	if attrs["eventType"] != "OBJECT_FINALIZE" {
		return nil, foreign("a Cloud Storage event other than OBJECT_FINALIZE (a deletion, a metadata update, ...)")
	}
	if attrs["objectId"] == "" {
		return nil, malformed("a Cloud Storage notification without objectId")
	}
	return []notice{{Bucket: attrs["bucketId"], Key: attrs["objectId"], At: parseTime(attrs["eventTime"])}}, nil
}

// s3Notice reads the Records of an S3 event notification
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html).
// Keys are URL-encoded there, a space as '+'.
func s3Notice(raw json.RawMessage) ([]notice, error) {
	var recs []struct {
		EventSource string `json:"eventSource"`
		EventName   string `json:"eventName"`
		EventTime   string `json:"eventTime"`
		S3          struct {
			Bucket struct{ Name string } `json:"bucket"`
			Object struct {
				Key *string `json:"key"`
			} `json:"object"`
		} `json:"s3"`
	}
	if err := json.Unmarshal(raw, &recs); err != nil {
		return nil, malformed("S3 Records that are not a list of event records")
	}
	var out []notice
	for _, r := range recs {
		if r.EventSource != "aws:s3" || !strings.HasPrefix(r.EventName, "ObjectCreated:") {
			continue
		}
		if r.S3.Object.Key == nil {
			return nil, malformed("an S3 record without s3.object.key")
		}
		key, err := url.QueryUnescape(*r.S3.Object.Key)
		if err != nil || key == "" {
			return nil, malformed("an S3 record whose key is empty or not URL-encoded")
		}
		out = append(out, notice{Bucket: r.S3.Bucket.Name, Key: key, At: parseTime(r.EventTime)})
	}
	if len(out) == 0 {
		return nil, foreign("S3 records none of which is aws:s3 ObjectCreated (a deletion, ...)")
	}
	return out, nil
}

// eventBridgeNotice reads an S3 event delivered by EventBridge
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html).
//
// Whether detail.object.key is URL-encoded there is not documented. S3's
// own notifications say "The object key name value is URL encoded. For
// example, "red flower.jpg" becomes "red+flower.jpg""
// (notification-content-structure.html), but the EventBridge page's detail
// field says only "object — Information about the Amazon S3 object involved
// in the event", and its examples' keys ("example-key") have nothing to
// encode. AWS's Powertools for Lambda (Python) decodes it as S3's
// (S3EventBridgeNotificationObject.key is unquote_plus(key)), which is a
// library's reading, not the documentation's. So both are taken: the key as written and,
// when it decodes to something else, the decoded key. Each names a run
// folder that is only listed, so the one that is not the object's lists
// nothing and costs one empty listing. A key that does not decode (a
// literal '%') is taken as written.
func eventBridgeNotice(body []byte) ([]notice, error) {
	var ev struct {
		DetailType string `json:"detail-type"`
		Source     string `json:"source"`
		Time       string `json:"time"`
		Detail     struct {
			Bucket struct{ Name string } `json:"bucket"`
			Object struct{ Key string }  `json:"object"`
		} `json:"detail"`
	}
	if err := json.Unmarshal(body, &ev); err != nil {
		return nil, malformed("an EventBridge event of an unexpected shape")
	}
	if ev.Source != "aws.s3" || ev.DetailType != "Object Created" {
		return nil, foreign("an EventBridge event other than aws.s3 Object Created")
	}
	raw := ev.Detail.Object.Key
	if raw == "" {
		return nil, malformed("an EventBridge Object Created without detail.object.key")
	}
	n := notice{Bucket: ev.Detail.Bucket.Name, Key: raw, At: parseTime(ev.Time)}
	out := []notice{n}
	if key, err := url.QueryUnescape(raw); err == nil && key != raw && key != "" {
		n.Key = key
		out = append(out, n)
	}
	return out, nil
}

func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}
