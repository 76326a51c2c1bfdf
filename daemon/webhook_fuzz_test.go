package daemon

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"
)

// FuzzParseEvent: whatever the body, an id that comes back is one folder name,
// since it is joined into a bucket prefix.
func FuzzParseEvent(f *testing.F) {
	for _, s := range []string{
		`{"type":"sync.completed","data":{"org_id":"1","sync_id":"2","sync_run_id":"3"}}`,
		`{"orgId":1e400,"syncId":-0,"runId":123456789012345678901234567890}`,
		`{"org_id":"..","sync_id":".","run_id":"a\\b"}`,
		`{"org_id":"a/b"}`, `{"data":{"org_id":".."},"org_id":"x"}`, `null`, `[]`, `{`,
		`{"type":"sync.completed"} garbage`, `{"org_id":"1"}{"org_id":"2"}`, "{}\n\t ",
		`{"org_id":"\u002e\u002e","sync_id":"\ud800"}`, `{"run":{"runId":"%2e%2e"}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, err := parseEvent(body)
		if err != nil && ev != (event{}) {
			t.Fatalf("error %v with event %+v", err, ev)
		}
		for _, id := range []string{ev.org, ev.sync, ev.run} {
			if strings.ContainsAny(id, `/\`) || id == "." || id == ".." {
				t.Fatalf("%q: id %q is not a folder name", body, id)
			}
		}
	})
}

// FuzzValidSignature: the body's HMAC is accepted in every documented form,
// and a signature that differs in any byte, or is cut short, is refused.
func FuzzValidSignature(f *testing.F) {
	f.Add([]byte("k"), []byte(`{"type":"sync.completed"}`), uint8(0), uint8(1), "")
	f.Add([]byte(""), []byte(""), uint8(31), uint8(0x80), "sha256=")
	f.Add([]byte("secret"), []byte("\x00\xff"), uint8(7), uint8(0xff), " \t")
	f.Fuzz(func(t *testing.T, secret, body []byte, at, flip uint8, header string) {
		m := hmac.New(sha256.New, secret)
		m.Write(body)
		sum := m.Sum(nil)
		for _, h := range encodings(sum) {
			if !validSignature(secret, body, h) {
				t.Fatalf("signature %q refused", h)
			}
		}
		bad := bytes.Clone(sum)
		bad[int(at)%len(bad)] ^= max(flip, 1)
		for _, h := range append(encodings(bad), encodings(sum[:len(sum)-1])...) {
			if validSignature(secret, body, h) {
				t.Fatalf("wrong signature %q accepted", h)
			}
		}
		// Any header accepted must carry the digest itself.
		if validSignature(secret, body, header) && !carries(header, sum) {
			t.Fatalf("header %q accepted without the digest", header)
		}
	})
}

func encodings(sum []byte) []string {
	h, b := hex.EncodeToString(sum), base64.StdEncoding.EncodeToString(sum)
	return []string{h, strings.ToUpper(h), b, "sha256=" + h, "sha256=" + b, " " + h + "\n"}
}

// carries reports whether header, trimmed and without "sha256=", decodes from
// hex or base64 to sum.
func carries(header string, sum []byte) bool {
	s := strings.TrimPrefix(strings.TrimSpace(header), "sha256=")
	got, err := hex.DecodeString(s)
	if err == nil && bytes.Equal(got, sum) {
		return true
	}
	got, err = base64.StdEncoding.DecodeString(s)
	return err == nil && bytes.Equal(got, sum)
}
