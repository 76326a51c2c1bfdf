package gcsbucket

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
)

func TestAnonymous(t *testing.T) {
	for q, want := range map[string]bool{
		"anonymous=true": true, "anonymous=1": true, "access_id=-": true, "anonymous=false&access_id=-": true,
		"": false, "anonymous=false": false, "anonymous=maybe": false, "access_id=sa@p.iam.gserviceaccount.com": false,
	} {
		v, _ := url.ParseQuery(q)
		if got := Anonymous(v); got != want {
			t.Errorf("Anonymous(%q) = %v, want %v", q, got, want)
		}
	}
}

// An anonymous URL's requests carry no credentials and go where its
// parameters say: universe_domain= names the host (gcsblob's URL opener
// takes it from the credentials it finds, none here), prefix= the keys.
func TestOpenAnonymousURLParameters(t *testing.T) {
	t.Setenv("STORAGE_EMULATOR_HOST", "")
	var mu sync.Mutex
	var seen []*http.Request
	next := http.DefaultTransport
	http.DefaultTransport = roundTripper(func(r *http.Request) (*http.Response, error) {
		mu.Lock()
		seen = append(seen, r)
		mu.Unlock()
		return nil, errors.New("no network in this test")
	})
	t.Cleanup(func() { http.DefaultTransport = next })
	for raw, want := range map[string]string{
		"gs://pub?anonymous=true":                               "https://storage.googleapis.com/storage/v1/b/pub/o",
		"gs://pub?access_id=-&universe_domain=example.com":      "https://storage.example.com/storage/v1/b/pub/o",
		"gs://pub?anonymous=true&prefix=p/&universe_domain=a.b": "https://storage.a.b/storage/v1/b/pub/o",
	} {
		seen = nil
		b, err := Open(context.Background(), raw)
		if err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		b.List(nil).Next(context.Background())
		b.Close()
		if len(seen) == 0 {
			t.Fatalf("%s: no request", raw)
		}
		r := seen[0]
		if got := r.URL.Scheme + "://" + r.URL.Host + r.URL.Path; got != want {
			t.Errorf("%s: listed %s, want %s", raw, got, want)
		}
		if a := r.Header.Get("Authorization"); a != "" {
			t.Errorf("%s: sent Authorization %q", raw, a)
		}
		if u, _ := url.Parse(raw); strings.Contains(raw, "prefix=") && r.URL.Query().Get("prefix") != u.Query().Get("prefix") {
			t.Errorf("%s: listed prefix %q", raw, r.URL.Query().Get("prefix"))
		}
	}
	for raw, says := range map[string]string{
		"gs://pub?anonymous=true&x=1":         `invalid query parameter "x"`,
		"gs://pub?anonymous=true&grpc=maybe":  `invalid value "maybe" for query parameter "grpc"`,
		"gs://pub?access_id=-&anonymous=nope": `invalid value "nope" for query parameter "anonymous"`,
	} {
		if _, err := Open(context.Background(), raw); err == nil || !strings.Contains(err.Error(), says) {
			t.Errorf("%s: %v, want an error saying %s", raw, err, says)
		}
	}
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
