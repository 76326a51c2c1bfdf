package snowflake

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	sf "github.com/snowflakedb/gosnowflake"

	"github.com/synctrack/synctrack/warehouse"
)

var _ warehouse.ReadOnlyQuerier = (*Warehouse)(nil)

// Snowflake has no read-only session or transaction, and a transaction
// rolled back does not undo DDL (it commits the open transaction first). So
// a person's statement is first sent describe-only: Snowflake compiles it,
// runs nothing, and answers with its statement type id, the number its own
// drivers use to tell a query from DML and DDL (gosnowflake's
// statementTypeIDSelect; JDBC's SFStatementType). Only a SELECT is then run.
// gosnowflake reads that id but does not hand it to callers, so the HTTP
// transport reads it off the describe answer (typeReader). Nothing in the
// SQL text is inspected.
//
// Left to the role: a SELECT can still call a system function with effects
// of its own (SYSTEM$CANCEL_QUERY, ...); for a hard guarantee, run synctrack
// query with a role that has only SELECT on the schema (role= in the URL).

const typeSelect = 0x1000 // gosnowflake's statementTypeIDSelect

// QueryReadOnly describes q, refuses it unless Snowflake calls it a SELECT,
// then runs it. Both requests allow exactly one statement
// (MULTI_STATEMENT_COUNT=1), whatever the account's default. They go over a
// session of their own, opened on first use with the type reader (the
// warehouse's own session is never given it, and connects lazily, so a
// query command logs in once).
func (w *Warehouse) QueryReadOnly(ctx context.Context, q string) (warehouse.Rows, error) {
	if w.described == nil {
		cfg := *w.c.Driver
		if why := withTypeReader(&cfg); why != "" {
			return nil, warehouse.Wrap(fmt.Errorf("snowflake: cannot tell a query from a write here: %s", why),
				warehouse.Config, "not_read_only", "run synctrack query without that DSN parameter")
		}
		w.described = sql.OpenDB(sf.NewConnector(sf.SnowflakeDriver{}, cfg))
		w.described.SetMaxOpenConns(1)
	}
	ctx, err := sf.WithMultiStatement(ctx, 1)
	if err != nil {
		return nil, err
	}
	typ := int64(-1)
	dctx := context.WithValue(sf.WithDescribeOnly(ctx), describeKey{}, &typ)
	w.log.Debug("describe", "sql", q)
	rows, err := w.described.QueryContext(dctx, q)
	if err != nil {
		return nil, warehouse.RefusedQuery("Snowflake", w.classify(err, q))
	}
	rows.Close()
	switch typ {
	case typeSelect:
	case -1:
		return nil, warehouse.NotReadOnly("Snowflake", "nothing of the statement's type: refused, as it could not be told")
	default:
		return nil, warehouse.NotReadOnly("Snowflake", fmt.Sprintf("statement type 0x%X (%s), not a SELECT", typ, typeName(typ)))
	}
	w.log.Debug("query", "sql", q)
	rs, err := w.described.QueryContext(ctx, q)
	if err != nil {
		return nil, warehouse.RefusedQuery("Snowflake", w.classify(err, q))
	}
	return rs, nil
}

// typeName names the statement type ids' ranges as Snowflake's drivers do.
func typeName(id int64) string {
	switch id & 0xF000 {
	case 0x3000:
		return "DML"
	case 0x4000:
		return "SCL: SHOW, DESCRIBE, USE, ALTER SESSION"
	case 0x5000:
		return "TCL: BEGIN, COMMIT, ROLLBACK"
	case 0x6000:
		return "DDL"
	case 0x7000:
		return "a stage command: PUT, GET, REMOVE"
	case 0xA000:
		return "several statements"
	}
	return "unknown"
}

type describeKey struct{}

// typeReader is the HTTP transport of QueryReadOnly's session: the driver's
// own default transport, which also reads the statement type id of each
// answer to a request made with a describeKey in its context.
type typeReader struct{ base http.RoundTripper }

func (t typeReader) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(r)
	slot, _ := r.Context().Value(describeKey{}).(*int64)
	if err != nil || slot == nil || !strings.HasPrefix(r.URL.Path, "/queries/") {
		return resp, err
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(raw))
	var body io.Reader = bytes.NewReader(raw)
	if len(raw) > 1 && raw[0] == 0x1f && raw[1] == 0x8b {
		if body, err = gzip.NewReader(body); err != nil {
			return resp, nil // the driver reports what it cannot read
		}
	}
	var ans struct {
		Data struct {
			StatementTypeID *int64 `json:"statementTypeId"`
		} `json:"data"`
	}
	// An answer still in progress has no type yet; the driver polls for the
	// final one through here too.
	if json.NewDecoder(bufio.NewReader(body)).Decode(&ans) == nil && ans.Data.StatementTypeID != nil {
		*slot = *ans.Data.StatementTypeID
	}
	return resp, nil
}

// withTypeReader gives a connection the type reader over the transport the
// driver would build itself, or says why it cannot: the driver builds its
// transport from the DSN's proxy, TLS and certificate revocation settings,
// which a transport given from outside would lose, so with any of them set
// it refuses rather than connect otherwise than the user asked.
func withTypeReader(cfg *sf.Config) string {
	var base http.RoundTripper
	switch {
	case cfg.Transporter != nil:
		base = cfg.Transporter
	case cfg.ProxyHost != "":
		return "the DSN sets a proxy (proxyHost)"
	case cfg.TLSConfigName != "":
		return "the DSN names a TLS configuration (tlsConfigName)"
	case cfg.CertRevocationCheckMode != sf.CertRevocationCheckDisabled:
		return "the DSN sets certRevocationCheckMode"
	case cfg.DisableOCSPChecks || cfg.InsecureMode: //nolint:staticcheck // the driver still reads it
		// The driver's no-revocation transport: defaults, proxy from the environment.
		base = http.DefaultTransport
	default:
		// The driver's default, OCSP checks: gosnowflake v1.19.1 builds this
		// transport when given no settings. Deprecated as a variable only.
		base = sf.SnowflakeTransport //nolint:staticcheck
	}
	cfg.Transporter = typeReader{base: base}
	return ""
}
