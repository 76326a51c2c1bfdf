package web_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/web"
)

// Without a secret the pages answer loopback host names only: a page on
// another site can point a name of its own at 127.0.0.1 (DNS rebinding)
// and read the pages from the user's browser as its own origin; its
// requests name that host. With a secret the secret decides.
func TestNoSecretAnswersLoopbackHostsOnly(t *testing.T) {
	opened := 0
	open := func(context.Context) (warehouse.Querier, func(), error) {
		opened++
		return nil, nil, errors.New("no warehouse here")
	}
	do := func(srvURL, host, token string) int {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, srvURL+"/", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Host = host
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	open1 := serve(t, web.Options{Open: open})
	for _, h := range []string{"evil.example:8090", "evil.example", "127.0.0.1.evil.example", "localhost.evil.example:80", "10.0.0.1:8090"} {
		opened = 0
		if got := do(open1.URL, h, ""); got != http.StatusMisdirectedRequest || opened != 0 {
			t.Errorf("Host %s without a secret: %d (warehouse opened %d times), want 421 and no query", h, got, opened)
		}
	}
	for _, h := range []string{"127.0.0.1:8090", "localhost:8090", "LOCALHOST", "[::1]:8090", "127.0.0.2", "app.localhost:8090", "localhost.:8090"} {
		opened = 0
		if got := do(open1.URL, h, ""); got == http.StatusMisdirectedRequest || opened != 1 {
			t.Errorf("Host %s without a secret: %d (warehouse opened %d times), want the page asked for", h, got, opened)
		}
	}
	// With a secret, any host that brings it is served (a proxy's name).
	withSecret := serve(t, web.Options{Open: open, Auth: web.Auth{Token: "s3cret"}})
	if got := do(withSecret.URL, "synctrack.example.com", ""); got != http.StatusUnauthorized {
		t.Errorf("no token: %d, want 401", got)
	}
	opened = 0
	if got := do(withSecret.URL, "synctrack.example.com", "s3cret"); got == http.StatusMisdirectedRequest || opened != 1 {
		t.Errorf("Host synctrack.example.com with the secret: %d, want the page asked for", got)
	}
}
