package postgres

import (
	"context"
	"fmt"
	"hash/fnv"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/synctrack/synctrack/warehouse"
)

// A load holds the schema's load lock from its first ledger read (the plan)
// until the handle is closed: two loads that planned against the same ledger
// would each load every new file, and their two-connection batches (split)
// can wait on each other's uncommitted ledger rows, each side idle on the
// client, a deadlock PostgreSQL cannot see. The daemon's lease does not
// cover `synctrack load` from cron; this lock covers every load, the
// daemon's included (it takes it under its lease).
//
// The lock is a session-level advisory lock on a connection of its own,
// outside the pool, so that no transaction of the load ends it and closing
// the handle (or the process dying) lets it go. Its application_name says
// which host and process hold it, for the one waiting.

// loadLockClass is the first key of the lock, the schema's hash the second:
// the two-int4 form is a key space apart from the setup's bigint lock.
const loadLockClass = 0x53594e43 // "SYNC"

// lockPoll is how often a load waiting for the lock tries it again.
const lockPoll = 50 * time.Millisecond

// schemaKey is the schema's half of the lock's key. Two schemas that hash
// alike only exclude each other's loads.
func schemaKey(schema string) int32 {
	h := fnv.New32a()
	h.Write([]byte(schema))
	return int32(h.Sum32() & 0x7fffffff)
}

// lockLoads takes the schema's load lock if this handle writes and does not
// hold it yet, waiting up to the handle's lockWait for another load to end.
// Every method that reads the ledger to plan or writes what a load writes
// calls it first.
func (w *Warehouse) lockLoads(ctx context.Context) error {
	if w.readOnly {
		return nil
	}
	w.lockMu.Lock()
	defer w.lockMu.Unlock()
	if w.lockLost != nil {
		return w.lockLost
	}
	if w.lockConn != nil {
		return w.checkLock(ctx)
	}
	cc := w.pool.Config().ConnConfig.Copy()
	cc.RuntimeParams["application_name"] = lockAppName(cc.RuntimeParams["application_name"])
	// A client host that vanishes (power, network) sends no FIN: over TCP
	// the server would keep its lock for the OS keepalive, 2 hours by
	// default; these make it about 2 minutes (the URL's own win).
	for k, v := range map[string]string{"tcp_keepalives_idle": "60", "tcp_keepalives_interval": "10", "tcp_keepalives_count": "6"} {
		if cc.RuntimeParams[k] == "" {
			cc.RuntimeParams[k] = v
		}
	}
	conn, err := pgx.ConnectConfig(ctx, cc)
	if err != nil {
		return classify(fmt.Errorf("connect for the load lock: %w", withoutRefusedTLS(err)))
	}
	start := time.Now()
	if err := waitLock(ctx, conn, "pg_try_advisory_lock", w.schema, w.lockWait); err != nil {
		closeConn(conn)
		return err
	}
	w.lockConn = conn
	w.lockStop = make(chan struct{})
	go w.keepLock(w.lockStop)
	w.log.Debug("load lock taken", "schema", w.schema, "waited", time.Since(start).Round(time.Millisecond))
	return nil
}

// stillLocked is nil unless this handle took the load lock and has lost it
// since: asked before a load's transaction commits, so that a load whose
// lock's session ended commits nothing more.
func (w *Warehouse) stillLocked(ctx context.Context) error {
	w.lockMu.Lock()
	defer w.lockMu.Unlock()
	if w.lockLost != nil {
		return w.lockLost
	}
	if w.lockConn == nil {
		return nil
	}
	return w.checkLock(ctx)
}

// lockPing is how often the lock's connection is asked something while a
// load holds it: an idle session is what a server's idle_session_timeout
// or a middlebox's idle timer ends, and with it the lock.
const lockPing = 20 * time.Second

// checkLock asks the lock's connection whether it is still there, on
// lockMu. A session lock ends only with its session, so a session that
// answers still holds it. One that does not has let it go: another load
// may have planned against the ledger since, so this load must write
// nothing more; it fails, transient, and the handle is done with the lock.
func (w *Warehouse) checkLock(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	err := w.lockConn.Ping(ctx)
	if err == nil {
		return nil
	}
	if ctx.Err() != nil && !w.lockConn.IsClosed() {
		return classify(fmt.Errorf("load lock: %w", err)) // ours ended, not the session
	}
	closeConn(w.lockConn)
	w.lockConn = nil
	w.lockLost = warehouse.Wrap(fmt.Errorf("schema %s: the load lock's session ended mid-load (%v)", w.schema, err),
		warehouse.Transient, "locked",
		"another load may have begun since, so this one stopped writing (what it committed stays, each file once): "+
			"the next load goes on from there; a server's idle_session_timeout under 20 s, or a proxy ending idle "+
			"sessions, ends the lock's session")
	w.log.Warn("load lock lost", "schema", w.schema, "err", err)
	return w.lockLost
}

// keepLock asks the lock's connection something every lockPing until stop
// is closed, so that the session is never idle for long; a session found
// gone is noted, and the load's next write fails.
func (w *Warehouse) keepLock(stop chan struct{}) {
	t := time.NewTicker(w.lockPing)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		w.lockMu.Lock()
		if w.lockConn != nil {
			_ = w.checkLock(context.Background())
		}
		w.lockMu.Unlock()
	}
}

// queryRower is a connection or a transaction.
type queryRower interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// waitLock calls fn, one of PostgreSQL's pg_try_advisory_*lock functions,
// on the schema's load lock until it takes it or wait has passed; then the
// error is lockedError, naming the holder.
func waitLock(ctx context.Context, q queryRower, fn, schema string, wait time.Duration) error {
	start := time.Now()
	for {
		var got bool
		if err := q.QueryRow(ctx, `SELECT `+fn+`($1::int4, $2::int4)`, loadLockClass, schemaKey(schema)).Scan(&got); err != nil {
			return classify(fmt.Errorf("load lock: %w", err))
		}
		if got {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		left := wait - time.Since(start)
		if left <= 0 {
			return lockedError(schema, lockHolder(ctx, q, schema), time.Since(start))
		}
		select {
		case <-ctx.Done():
		case <-time.After(min(lockPoll, left)):
		}
	}
}

// unlockLoads lets the load lock go by closing its connection.
func (w *Warehouse) unlockLoads() {
	w.lockMu.Lock()
	defer w.lockMu.Unlock()
	if w.lockStop != nil {
		close(w.lockStop)
		w.lockStop = nil
	}
	if w.lockConn != nil {
		closeConn(w.lockConn)
		w.lockConn = nil
	}
}

func closeConn(c *pgx.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = c.Close(ctx)
}

// lockedError is the load lock held by another session: transient, reason
// "locked" as a DuckDB file held by another process, so `synctrack load`
// exits 3 and the daemon waits with backoff.
func lockedError(schema, holder string, waited time.Duration) error {
	if holder == "" {
		holder = "a session this role cannot see"
	}
	return warehouse.Wrap(fmt.Errorf("schema %s: another load holds it (%s); waited %s", schema, holder, waited.Round(time.Millisecond)),
		warehouse.Transient, "locked",
		"two loads of one schema at once would both load every new file, so this one did nothing: "+
			"run it again when the other ends, or give it a longer --lock-wait")
}

// lockHolder describes the session holding the schema's load lock, as far
// as pg_stat_activity shows it to this role (application_name and the pid
// always; the rest to its own role or pg_read_all_stats). Empty when it
// cannot tell: the lock was let go just now, or the query failed.
func lockHolder(ctx context.Context, q queryRower, schema string) string {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	var (
		pid       int32
		app, user string
		addr      *string
		since     *time.Time
	)
	err := q.QueryRow(ctx, `SELECT a.pid, coalesce(a.application_name, ''), coalesce(a.usename::text, ''),
  host(a.client_addr), a.backend_start
FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND l.classid = $1::int4::oid AND l.objid = $2::int4::oid`, loadLockClass, schemaKey(schema)).Scan(&pid, &app, &user, &addr, &since)
	if err != nil {
		return ""
	}
	parts := []string{}
	if app != "" {
		parts = append(parts, app)
	}
	parts = append(parts, fmt.Sprintf("server pid %d", pid))
	if user != "" {
		parts = append(parts, "role "+user)
	}
	if addr != nil {
		parts = append(parts, "from "+*addr)
	}
	if since != nil {
		parts = append(parts, "connected "+since.UTC().Format(time.RFC3339))
	}
	return strings.Join(parts, ", ")
}

// lockAppName is the lock connection's application_name: the URL's (or
// synctrack) with this host and process, which is what a load waiting for
// the lock can see of its holder. PostgreSQL keeps 63 bytes of it.
func lockAppName(base string) string {
	if base == "" {
		base = "synctrack"
	}
	host, _ := os.Hostname()
	return fmt.Sprintf("%s load, pid %d on %s", base, os.Getpid(), host)
}
