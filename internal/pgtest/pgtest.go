// Package pgtest runs a throwaway PostgreSQL server for a test binary: the
// real server from the machine's packages (Debian's postgresql, found by
// pg_config --bindir or /usr/lib/postgresql/*/bin), in a temp dir, reached
// over a unix socket there, so no port is shared with anything. One server
// per test binary (Main starts none until a test asks); each test gets a
// schema of its own in one database.
//
// Without the binaries a test skips, unless SYNCTRACK_REQUIRE_POSTGRES=1
// (CI sets it): then it fails, so CI cannot go green without running them.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// RequireEnv is the variable that turns a missing server into a failure.
const RequireEnv = "SYNCTRACK_REQUIRE_POSTGRES"

// Database is the one database each server holds; tests take schemas in it.
const Database = "synctrack"

// PasswordUser is the one role that must give a password (SCRAM), to test
// where the password comes from; every other role is trusted.
const PasswordUser = "pwuser"

var (
	once    sync.Once
	srv     *Instance
	srvErr  error
	schemas atomic.Int64
)

// Main runs the tests of m and stops the server if one was started. Call
// it from TestMain: os.Exit(pgtest.Main(m)).
func Main(m *testing.M) int {
	code := m.Run()
	if srv != nil {
		srv.stop()
	}
	return code
}

// URL starts the server if need be and returns a postgres:// warehouse URL
// for a new, empty schema of its own. It skips (or fails, under RequireEnv)
// when the server's binaries are not installed.
func URL(t testing.TB) string {
	t.Helper()
	s := Server(t)
	return s.URL(fmt.Sprintf("t%d_%d", os.Getpid()%10000, schemas.Add(1)))
}

// Server returns the running server, starting it on first use.
func Server(t testing.TB) *Instance {
	t.Helper()
	once.Do(func() { srv, srvErr = start() })
	if srvErr != nil {
		if errors.Is(srvErr, errNoBinaries) && os.Getenv(RequireEnv) != "1" {
			t.Skipf("no PostgreSQL here (%v); install Debian's postgresql, or set %s=1 to fail instead", srvErr, RequireEnv)
		}
		t.Fatalf("PostgreSQL for tests: %v", srvErr)
	}
	return srv
}

type Instance struct {
	dir, sock string
	port      int
	cmd       *exec.Cmd
	exited    chan struct{}
}

// URL is a warehouse URL of this server for schema.
func (s *Instance) URL(schema string) string { return s.URLAs("postgres", schema) }

// URLAs is a warehouse URL of this server for schema, as user.
func (s *Instance) URLAs(user, schema string) string {
	return fmt.Sprintf("postgres://%s@/%s?host=%s&port=%d&sslmode=disable&schema=%s", user, Database, s.sock, s.port, schema)
}

// ConnString is the server's pgx connection string, without a schema.
func (s *Instance) ConnString() string {
	return fmt.Sprintf("postgres://postgres@/%s?host=%s&port=%d&sslmode=disable", Database, s.sock, s.port)
}

var errNoBinaries = errors.New("PostgreSQL server binaries not found")

// binDir finds initdb and postgres: pg_config's bindir, else the newest
// Debian install.
func binDir() (string, error) {
	var dirs []string
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		dirs = append(dirs, strings.TrimSpace(string(out)))
	}
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Sort(sort.Reverse(sort.StringSlice(found)))
	dirs = append(dirs, found...)
	for _, d := range dirs {
		if isFile(filepath.Join(d, "initdb")) && isFile(filepath.Join(d, "postgres")) {
			return d, nil
		}
	}
	return "", fmt.Errorf("%w (looked in pg_config --bindir and /usr/lib/postgresql/*/bin)", errNoBinaries)
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

func start() (*Instance, error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	cred, err := credential()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "synctrack-pg-")
	if err != nil {
		return nil, err
	}
	s := &Instance{dir: dir, sock: dir, port: 5432, exited: make(chan struct{})}
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	data := filepath.Join(dir, "data")
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "--auth=trust",
		"-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions")
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := initdb.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %v: %s", err, out)
	}
	hba := "local all " + PasswordUser + " scram-sha-256\nlocal all all trust\n"
	if err := os.WriteFile(filepath.Join(data, "pg_hba.conf"), []byte(hba), 0o600); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if cred != nil {
		os.Chown(filepath.Join(data, "pg_hba.conf"), int(cred.Uid), int(cred.Gid))
	}
	// Durability is not what these tests measure: fsync off keeps them fast.
	s.cmd = exec.Command(filepath.Join(bin, "postgres"), "-D", data, "-k", s.sock, "-p", strconv.Itoa(s.port),
		"-c", "listen_addresses=", "-c", "fsync=off", "-c", "synchronous_commit=off",
		"-c", "full_page_writes=off", "-c", "max_connections=300", "-c", "shared_buffers=64MB")
	log, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	s.cmd.Stdout, s.cmd.Stderr = log, log
	// Pdeathsig: a test binary killed without running Main's stop takes
	// its server with it.
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGQUIT}
	if err := s.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	go func() { s.cmd.Wait(); log.Close(); close(s.exited) }()
	if err := s.waitReady(); err != nil {
		s.stop()
		return nil, err
	}
	return s, nil
}

// credential is the postgres user's when running as root: initdb and the
// server refuse to run as root.
func credential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root, and PostgreSQL will not: no postgres user to run it as (%w)", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// waitReady waits for the server to take connections, then creates the
// tests' database.
func (s *Instance) waitReady() error {
	admin := fmt.Sprintf("postgres://postgres@/postgres?host=%s&port=%d&sslmode=disable", s.sock, s.port)
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		c, err := pgx.Connect(ctx, admin)
		if err == nil {
			_, err = c.Exec(ctx, "CREATE DATABASE "+Database)
			c.Close(ctx)
			cancel()
			return err
		}
		cancel()
		select {
		case <-s.exited:
			raw, _ := os.ReadFile(filepath.Join(s.dir, "server.log"))
			return fmt.Errorf("postgres exited: %s", raw)
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("postgres not ready after 60s: %w", err)
		}
	}
}

func (s *Instance) stop() {
	if s.cmd.Process != nil {
		_ = s.cmd.Process.Signal(syscall.SIGINT) // fast shutdown
		select {
		case <-s.exited:
		case <-time.After(20 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.exited
		}
	}
	os.RemoveAll(s.dir)
}
