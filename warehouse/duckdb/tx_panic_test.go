package duckdb

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"
)

// A panic inside a transaction's function reaches the caller, and the
// warehouse's one connection is free again: with the Tx left open, the
// deferred Conn.Close waited for it forever and the process hung silently.
func TestPanicInTxPropagates(t *testing.T) {
	w, err := Open(context.Background(), Config{Path: filepath.Join(t.TempDir(), "w.duckdb"), Schema: "synctrack", MemoryLimit: DefaultMemoryLimit}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	done := make(chan any)
	go func() {
		defer func() { done <- recover() }()
		_ = w.inConnTx(context.Background(), nil, func(*sql.Conn, *sql.Tx) error { panic("boom") })
	}()
	select {
	case p := <-done:
		if p != "boom" {
			t.Fatalf("recovered %v, want the function's panic", p)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("inConnTx hung after its function panicked")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var n int
	if err := w.db.QueryRowContext(ctx, "SELECT 1").Scan(&n); err != nil || n != 1 {
		t.Fatalf("the connection after the panic: %d, %v", n, err)
	}
}
