package web

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
)

// TokenEnv is the environment variable holding the pages' secret.
const TokenEnv = "SYNCTRACK_WEB_TOKEN"

// Auth is the secret a request must carry: as a bearer token
// (Authorization: Bearer T) or as the password of HTTP basic auth, which a
// browser asks for (any user name). Empty means no secret, which only a
// loopback listener may have.
type Auth struct{ Token string }

// LoadAuth reads the secret from file when given (trailing newline
// dropped), else from the environment variable TokenEnv. A secret of only
// spaces and newlines is refused, not used: it reads as none to whoever set
// it, yet a request sending those spaces would get in.
func LoadAuth(getenv func(string) string, file string) (Auth, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return Auth{}, fmt.Errorf("token file: %w", err)
		}
		t := strings.TrimRight(string(b), "\r\n")
		if strings.TrimSpace(t) == "" {
			return Auth{}, fmt.Errorf("token file %s is empty or blank", file)
		}
		if err := sendable(t); err != nil {
			return Auth{}, fmt.Errorf("token file %s: %w", file, err)
		}
		return Auth{Token: t}, nil
	}
	if getenv == nil {
		getenv = os.Getenv
	}
	t := getenv(TokenEnv)
	if t != "" && strings.TrimSpace(t) == "" {
		return Auth{}, fmt.Errorf("%s is blank: set a secret or unset it", TokenEnv)
	}
	if t != "" {
		if err := sendable(t); err != nil {
			return Auth{}, fmt.Errorf("%s: %w", TokenEnv, err)
		}
	}
	return Auth{Token: t}, nil
}

// sendable refuses a secret that begins with white space: a Bearer
// header's value is read without the spaces after the scheme, so such a
// secret could be sent by basic auth only.
func sendable(t string) error {
	if strings.TrimLeft(t, " \t") != t {
		return errors.New("the secret begins with white space, which an Authorization: Bearer header cannot carry; remove it")
	}
	return nil
}

// ErrOpenListen is a listen address other than loopback without a secret.
var ErrOpenListen = errors.New("the web pages listen beyond this machine only with a secret")

// CheckListen refuses a listen address that is not loopback (127.0.0.0/8,
// ::1, localhost) unless a secret is set. An empty host (":8090") listens
// on every interface, so it needs one too. The error names no flag: each
// command names its own.
func CheckListen(addr string, a Auth) error {
	if err := CheckAddr(addr); err != nil {
		return err
	}
	host, _, _ := net.SplitHostPort(addr)
	if a.Token != "" || loopback(host) {
		return nil
	}
	return fmt.Errorf("%w: %s is not a loopback address", ErrOpenListen, addr)
}

// CheckAddr refuses a listen address a listener cannot take: no port, or
// a port that is neither a number from 0 to 65535 nor a service's name.
func CheckAddr(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err == nil {
		_, err = net.LookupPort("tcp", port)
	}
	if err != nil {
		return fmt.Errorf("listen address %q: %w (want host:port, such as 127.0.0.1:8090 or :8080)", addr, err)
	}
	return nil
}

// loopbackHost says whether a request's Host (with or without a port)
// names this machine's loopback: localhost, a name under .localhost
// (RFC 6761), or a loopback address.
func loopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	return loopback(host) || strings.HasSuffix(host, ".localhost")
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// wrap asks every request for the secret when one is set. Without one the
// listener is loopback's, and a request must name a loopback host too: a
// web page in the user's browser can point a name of its own at 127.0.0.1
// (DNS rebinding) and read the pages as same-origin, which the Host header,
// its own name, gives away.
func (a Auth) wrap(h http.Handler) http.Handler {
	if a.Token == "" {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !loopbackHost(r.Host) {
				http.Error(w, "without a secret (SYNCTRACK_WEB_TOKEN) the pages answer only a loopback host: open them as http://127.0.0.1 or http://localhost", http.StatusMisdirectedRequest)
				return
			}
			h.ServeHTTP(w, r)
		})
	}
	want := sha256.Sum256([]byte(a.Token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := ""
		if _, pass, ok := r.BasicAuth(); ok {
			got = pass
		} else if scheme, t, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Bearer") {
			got = strings.TrimLeft(t, " ") // the scheme's name is case-insensitive (RFC 9110)
		}
		// Compare digests: equal length, so the time says nothing of the secret.
		sum := sha256.Sum256([]byte(got))
		if got == "" || subtle.ConstantTimeCompare(sum[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Basic realm="synctrack", charset="UTF-8"`)
			http.Error(w, "a token is needed: basic auth password or Authorization: Bearer", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// csp allows nothing but the embedded stylesheet, images drawn as inline
// SVG, and forms and links back to the pages: no script at all, no inline
// style, no frames.
const csp = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; " +
	"frame-ancestors 'none'; base-uri 'none'"

// secure sets the security headers and refuses every method but GET and
// HEAD: the pages are read-only.
func secure(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", csp)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Cross-Origin-Opener-Policy", "same-origin")
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			hd.Set("Allow", "GET, HEAD")
			http.Error(w, "read-only: GET and HEAD only", http.StatusMethodNotAllowed)
			return
		}
		h.ServeHTTP(w, r)
	})
}
