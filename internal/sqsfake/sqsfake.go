// Package sqsfake is an in-process Amazon SQS queue speaking the service's
// JSON protocol (X-Amz-Target: AmazonSQS.*), enough for a subscriber:
// ReceiveMessage with a visibility timeout, DeleteMessageBatch and
// ChangeMessageVisibilityBatch. The real aws-sdk-go-v2 client talks to it.
package sqsfake

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// Queue is one queue behind a test HTTP server.
type Queue struct {
	srv        *httptest.Server
	visibility time.Duration

	mu      sync.Mutex
	msgs    []*message
	next    int
	deletes int
}

type message struct {
	id, body, handle string
	visibleAt        time.Time
	receives         int
	deleted          bool
}

// New starts a queue whose received messages stay invisible for visibility
// unless deleted or handed back.
func New(t testing.TB, visibility time.Duration) *Queue {
	q := &Queue{visibility: visibility}
	q.srv = httptest.NewServer(http.HandlerFunc(q.serve))
	t.Cleanup(q.srv.Close)
	return q
}

// Endpoint is the server's URL, for the client's endpoint setting.
func (q *Queue) Endpoint() string { return q.srv.URL }

// Send enqueues a message body.
func (q *Queue) Send(body string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.next++
	q.msgs = append(q.msgs, &message{id: fmt.Sprintf("msg-%d", q.next), body: body})
}

// Stats says how many messages were deleted (acknowledged) and how many
// times messages were received in all.
func (q *Queue) Stats() (deleted, receives int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, m := range q.msgs {
		receives += m.receives
	}
	return q.deletes, receives
}

func (q *Queue) serve(w http.ResponseWriter, r *http.Request) {
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "AmazonSQS.")
	var in struct {
		MaxNumberOfMessages int
		WaitTimeSeconds     int
		Entries             []struct {
			Id, ReceiptHandle string
			VisibilityTimeout int
		}
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		fail(w, "InvalidParameterValue", err.Error())
		return
	}
	var out any
	switch op {
	case "ReceiveMessage":
		out = q.receive(max(in.MaxNumberOfMessages, 1), time.Duration(min(in.WaitTimeSeconds, 1))*time.Second)
	case "DeleteMessageBatch", "ChangeMessageVisibilityBatch":
		var ok []map[string]string
		q.mu.Lock()
		for _, e := range in.Entries {
			for _, m := range q.msgs {
				if m.handle == e.ReceiptHandle && !m.deleted {
					if op == "DeleteMessageBatch" {
						m.deleted = true
						q.deletes++
					} else {
						m.visibleAt = time.Now().Add(time.Duration(e.VisibilityTimeout) * time.Second)
					}
				}
			}
			ok = append(ok, map[string]string{"Id": e.Id})
		}
		q.mu.Unlock()
		out = map[string]any{"Successful": ok, "Failed": []any{}}
	default:
		fail(w, "UnsupportedOperation", op)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	_ = json.NewEncoder(w).Encode(out)
}

// receive returns up to n visible messages, waiting up to wait for one.
func (q *Queue) receive(n int, wait time.Duration) map[string]any {
	deadline := time.Now().Add(wait)
	for {
		q.mu.Lock()
		now := time.Now()
		var out []map[string]any
		for _, m := range q.msgs {
			if len(out) == n {
				break
			}
			if m.deleted || now.Before(m.visibleAt) {
				continue
			}
			m.receives++
			m.visibleAt = now.Add(q.visibility)
			m.handle = fmt.Sprintf("%s-r%d", m.id, m.receives)
			sum := md5.Sum([]byte(m.body))
			out = append(out, map[string]any{"MessageId": m.id, "ReceiptHandle": m.handle, "Body": m.body,
				"MD5OfBody":  hex.EncodeToString(sum[:]),
				"Attributes": map[string]string{"ApproximateReceiveCount": fmt.Sprint(m.receives)}})
		}
		q.mu.Unlock()
		if len(out) > 0 || !time.Now().Before(deadline) {
			return map[string]any{"Messages": out}
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func fail(w http.ResponseWriter, code, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": "com.amazonaws.sqs#" + code, "message": msg})
}
