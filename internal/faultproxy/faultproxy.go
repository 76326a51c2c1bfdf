// Package faultproxy is an HTTP proxy for tests that breaks chosen requests
// on their way to a real server (the in-process S3 fake): a 5xx with S3's XML
// error body, a connection reset, a stall, a truncated or short body. Each
// rule picks requests (by method and path), says which fault and how many
// times; everything else passes through untouched. The faults are the ones
// a real network and a real object store produce, seen by the real client
// (aws-sdk-go-v2 through gocloud.dev), so its own retries are part of what is
// tested.
package faultproxy

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// Fault is one way a request goes wrong.
type Fault int

const (
	Error500  Fault = iota + 1 // 500 InternalError, with S3's XML error body
	Error503                   // 503 ServiceUnavailable, with S3's XML error body
	Reset                      // the connection is reset (TCP RST) before any response
	ResetBody                  // headers and half the body, then a reset
	Stall                      // no response at all until the client gives up
	StallBody                  // headers and half the body, then nothing until the client gives up
	Truncate                   // Content-Length says N, fewer bytes come, the connection closes
	// Short is a well-formed response whose body is half the object, without
	// the x-amz-checksum-* headers: as from a store or proxy that sends none
	// (with them, aws-sdk-go-v2 refuses the body itself: "checksum did not
	// match"). Only the reader's own size check is left to catch it.
	Short
)

var names = map[Fault]string{Error500: "500", Error503: "503", Reset: "reset", ResetBody: "reset-body",
	Stall: "stall", StallBody: "stall-body", Truncate: "truncate", Short: "short"}

func (f Fault) String() string { return names[f] }

// Rule breaks the requests Match picks: the first Times of them, or every one
// when Times is 0.
type Rule struct {
	Match func(*http.Request) bool
	Fault Fault
	Times int
}

// Object picks GETs of one object of a path-style bucket.
func Object(bucket, key string) func(*http.Request) bool {
	return func(r *http.Request) bool {
		return r.Method == http.MethodGet && r.URL.Path == "/"+bucket+"/"+key
	}
}

// List picks the listings of a path-style bucket.
func List(bucket string) func(*http.Request) bool {
	return func(r *http.Request) bool {
		return r.Method == http.MethodGet && strings.TrimSuffix(r.URL.Path, "/") == "/"+bucket
	}
}

// Proxy forwards to one server and breaks what its rules pick.
type Proxy struct {
	URL string // http://127.0.0.1:PORT

	target string
	srv    *httptest.Server
	client *http.Client
	done   chan struct{} // closed at Close: ends every stall

	mu       sync.Mutex
	rules    []*Rule
	injected map[Fault]int
	requests int
}

// Start runs a proxy to target (http://host:port) until the test ends.
func Start(t testing.TB, target string) *Proxy {
	t.Helper()
	p := &Proxy{target: strings.TrimSuffix(target, "/"), done: make(chan struct{}), injected: map[Fault]int{},
		client: &http.Client{Transport: &http.Transport{}}}
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	p.URL = p.srv.URL
	t.Cleanup(p.Close)
	return p
}

// Close ends every stall, then stops the proxy.
func (p *Proxy) Close() {
	select {
	case <-p.done:
		return
	default:
	}
	close(p.done)
	p.srv.Close()
}

// Inject adds a rule; rules are tried in the order added.
func (p *Proxy) Inject(r Rule) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules = append(p.rules, &r)
}

// Off removes every rule: from now on the proxy only forwards.
func (p *Proxy) Off() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules = nil
}

// Total is how many faults the proxy has caused, and how many requests it saw.
func (p *Proxy) Total() (faults, requests int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, n := range p.injected {
		faults += n
	}
	return faults, p.requests
}

// pick returns the fault for r, counting it, or 0 to forward it.
func (p *Proxy) pick(r *http.Request) Fault {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.requests++
	for _, rule := range p.rules {
		if !rule.Match(r) {
			continue
		}
		if rule.Times > 0 {
			rule.Times--
			if rule.Times == 0 {
				rule.Match = func(*http.Request) bool { return false }
			}
		}
		p.injected[rule.Fault]++
		return rule.Fault
	}
	return 0
}

func (p *Proxy) serve(w http.ResponseWriter, r *http.Request) {
	f := p.pick(r)
	switch f {
	case Error500:
		s3Error(w, http.StatusInternalServerError, "InternalError", "We encountered an internal error. Please try again.")
		return
	case Error503:
		s3Error(w, http.StatusServiceUnavailable, "ServiceUnavailable", "Please reduce your request rate.")
		return
	case Reset:
		conn, _ := hijack(w)
		reset(conn)
		return
	case Stall:
		select {
		case <-r.Context().Done(): // the client gave up and closed the connection
		case <-p.done:
		}
		// Returning would send an empty 200; a stall ends without an answer.
		conn, _ := hijack(w)
		reset(conn)
		return
	}
	resp, body, err := p.forward(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	half := body[:len(body)/2]
	switch f {
	case Short:
		copyHeader(w.Header(), resp.Header)
		for k := range w.Header() {
			if strings.HasPrefix(strings.ToLower(k), "x-amz-checksum-") {
				w.Header().Del(k)
			}
		}
		w.Header().Set("Content-Length", fmt.Sprint(len(half)))
		w.WriteHeader(resp.StatusCode)
		w.Write(half)
	case ResetBody, StallBody, Truncate:
		conn, bw := hijack(w)
		writeHead(bw, resp, len(body))
		bw.Write(half)
		bw.Flush()
		switch f {
		case ResetBody:
			reset(conn)
		case StallBody:
			p.hold(conn)
		default:
			conn.Close()
		}
	default:
		copyHeader(w.Header(), resp.Header)
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		w.WriteHeader(resp.StatusCode)
		w.Write(body)
	}
}

// forward sends r to the target and reads the whole answer: objects in
// these tests are small.
func (p *Proxy) forward(r *http.Request) (*http.Response, []byte, error) {
	out, err := http.NewRequestWithContext(r.Context(), r.Method, p.target+r.URL.RequestURI(), r.Body)
	if err != nil {
		return nil, nil, err
	}
	copyHeader(out.Header, r.Header)
	out.ContentLength = r.ContentLength
	resp, err := p.client.Do(out)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

// hold keeps a connection open, sending nothing, until the client closes it
// or the proxy stops.
func (p *Proxy) hold(conn net.Conn) {
	closed := make(chan struct{})
	go func() {
		io.Copy(io.Discard, conn) // returns when the client closes its end
		close(closed)
	}()
	select {
	case <-closed:
	case <-p.done:
	}
	conn.Close()
}

func s3Error(w http.ResponseWriter, status int, code, msg string) {
	var b bytes.Buffer
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+
		`<Error><Code>%s</Code><Message>%s</Message><RequestId>faultproxy</RequestId><HostId>faultproxy</HostId></Error>`, code, msg)
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Length", fmt.Sprint(b.Len()))
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

func hijack(w http.ResponseWriter) (net.Conn, *bufio.ReadWriter) {
	conn, bw, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(fmt.Sprintf("faultproxy: hijack: %v", err)) // httptest's HTTP/1.1 server always can
	}
	return conn, bw
}

// reset closes conn with SO_LINGER 0, so the peer gets a RST, not a FIN.
func reset(conn net.Conn) {
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	conn.Close()
}

// writeHead writes a status line and headers that promise size bytes.
func writeHead(bw *bufio.ReadWriter, resp *http.Response, size int) {
	fmt.Fprintf(bw, "HTTP/1.1 %d %s\r\n", resp.StatusCode, http.StatusText(resp.StatusCode))
	h := resp.Header.Clone()
	h.Del("Connection")
	h.Del("Transfer-Encoding")
	h.Set("Content-Length", fmt.Sprint(size))
	h.Write(bw)
	bw.WriteString("\r\n")
}

func copyHeader(dst, src http.Header) {
	for k, vs := range src {
		for _, v := range vs {
			dst.Add(k, v)
		}
	}
}
