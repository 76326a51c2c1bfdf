package httpserver

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// ClosedWhenIdle asks addr for path on a connection of its own, reads the
// answer, sends next (nothing, or the first bytes of another request) and
// waits for the server to close the connection: nil when it does, an error
// when it is still open after wait (a hang guard for tests, not a timing).
func ClosedWhenIdle(addr, path, next string, wait time.Duration) error {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", path, addr); err != nil {
		return err
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.Close {
		return fmt.Errorf("GET %s: the server closed the connection after its answer (%s): nothing idle to test", path, resp.Status)
	}
	if _, err := io.WriteString(conn, next); err != nil {
		return err
	}
	_ = conn.SetReadDeadline(time.Now().Add(wait))
	if _, err := br.ReadByte(); err != io.EOF {
		return fmt.Errorf("after an answer to GET %s and %q, the connection was not closed: %v", path, next, err)
	}
	return nil
}

// StalledBody posts to path a Content-Length of 100 and 5 bytes of body,
// then nothing: nil when the server answers or closes the connection, an
// error when it still waits after wait (a hang guard, not a timing).
func StalledBody(addr, path string, wait time.Duration) error {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Length: 100\r\n\r\n{\"a\":", path, addr); err != nil {
		return err
	}
	_ = conn.SetReadDeadline(time.Now().Add(wait))
	if _, err := bufio.NewReader(conn).ReadByte(); err != nil && err != io.EOF {
		return fmt.Errorf("POST %s with a body that stopped coming: still waiting for it: %v", path, err)
	}
	return nil
}
