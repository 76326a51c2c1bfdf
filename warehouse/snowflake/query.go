package snowflake

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
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
// (MULTI_STATEMENT_COUNT=1), whatever the account's default.
func (w *Warehouse) QueryReadOnly(ctx context.Context, q string) (warehouse.Rows, error) {
	if !w.describes {
		return nil, warehouse.Wrap(fmt.Errorf("snowflake: cannot tell a query from a write without reading the describe answer, "+
			"and the connection's certificate revocation mode keeps the driver's own transport"),
			warehouse.Config, "not_read_only", "drop certRevocationCheckMode from the URL for synctrack query")
	}
	ctx, err := sf.WithMultiStatement(ctx, 1)
	if err != nil {
		return nil, err
	}
	typ := int64(-1)
	dctx := context.WithValue(sf.WithDescribeOnly(ctx), describeKey{}, &typ)
	w.log.Debug("describe", "sql", q)
	rows, err := w.db.QueryContext(dctx, q)
	if err != nil {
		return nil, w.classify(err, q)
	}
	rows.Close()
	switch typ {
	case typeSelect:
	case -1:
		return nil, warehouse.NotReadOnly("Snowflake", "nothing of the statement's type: refused, as it could not be told")
	default:
		return nil, warehouse.NotReadOnly("Snowflake", fmt.Sprintf("statement type 0x%X (%s), not a SELECT", typ, typeName(typ)))
	}
	return w.Query(ctx, q, nil)
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

// typeReader is the HTTP transport the driver is given on read-only opens:
// the driver's own default transport, which reads the statement type id of
// each answer to a request made with a describeKey in its context.
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

// withTypeReader gives a read-only connection the type reader over the
// transport the driver would choose itself, and says whether it could: with
// certificate revocation lists (certRevocationCheckMode) the driver builds
// a transport of its own that cannot be wrapped from outside.
func withTypeReader(cfg *sf.Config) bool {
	var base http.RoundTripper
	switch {
	case cfg.Transporter != nil:
		base = cfg.Transporter
	case cfg.CertRevocationCheckMode != sf.CertRevocationCheckDisabled:
		return false
	case cfg.DisableOCSPChecks || cfg.InsecureMode: //nolint:staticcheck // the driver still reads it
		base = http.DefaultTransport
	default:
		// The driver's default: OCSP checks. Deprecated as a variable, still
		// what gosnowflake v1.19.1 builds when given nothing.
		base = sf.SnowflakeTransport //nolint:staticcheck
	}
	cfg.Transporter = typeReader{base: base}
	return true
}
