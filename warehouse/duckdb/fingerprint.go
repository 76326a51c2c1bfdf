package duckdb

import (
	"context"
	"database/sql"
	"fmt"

	duckdb "github.com/duckdb/duckdb-go/v2"

	analysis "github.com/synctrack/synctrack/sql"
)

// fingerprintFunc is the name of the Go scalar function the counts INSERT
// calls for the fingerprint: analysis.FastFingerprint, equal to the six
// regexp_replace calls the templates render (and held equal by the tests),
// at a fraction of their cost on the load's path (BENCHMARKS.md, "What the
// counts cost a load"). It lives in the process only: nothing stored (no
// view, no macro) names it, so the file reads the same from any DuckDB.
const fingerprintFunc = "synctrack_fingerprint"

type fingerprintUDF struct{ in, out duckdb.TypeInfo }

func (f fingerprintUDF) Config() duckdb.ScalarFuncConfig {
	return duckdb.ScalarFuncConfig{InputTypeInfos: []duckdb.TypeInfo{f.in}, ResultTypeInfo: f.out}
}

// Executor works a chunk at a time on borrowed strings: the row-at-a-time
// executor copies every value in and boxes it.
func (fingerprintUDF) Executor() duckdb.ScalarFuncExecutor {
	return duckdb.ScalarFuncExecutor{ChunkContextExecutor: fingerprintChunk}
}

func fingerprintChunk(_ context.Context, st *duckdb.ChunkIteratorState) error {
	vec, err := st.GetInputChunk().GetVector(0)
	if err != nil {
		return err
	}
	in, err := duckdb.GetVectorView[string](vec)
	if err != nil {
		return err
	}
	out, err := duckdb.GetVectorWriter[string](st.GetResultVector())
	if err != nil {
		return err
	}
	var f analysis.Fingerprinter // one per call: DuckDB's threads call at once
	for row := range in.Len() {
		msg, ok, err := in.GetValueBorrowed(row)
		if err != nil {
			return err
		}
		if !ok {
			continue // NULL: the default NULL handling writes NULL after the call
		}
		// The borrowed msg may be what is set: Set copies it.
		if err := out.Set(row, f.Fingerprint(msg)); err != nil {
			return err
		}
	}
	return nil
}

// registerFingerprint makes fingerprintFunc callable. DuckDB keeps a
// function registered through one connection in the database's system
// catalog, so every connection of db's connector has it, those the pool opens
// later included (TestFingerprintOnNewConnection).
func registerFingerprint(ctx context.Context, db *sql.DB) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	t, err := duckdb.NewTypeInfo(duckdb.TYPE_VARCHAR)
	if err != nil {
		return err
	}
	if err := duckdb.RegisterScalarUDF(conn, fingerprintFunc, &fingerprintUDF{in: t, out: t}); err != nil {
		return fmt.Errorf("register %s: %w", fingerprintFunc, err)
	}
	return nil
}

// fingerprint renders the call of fingerprintFunc on expr, qualified: a
// macro of the same name in the user's file would otherwise be called
// instead (TestFingerprintNameShadowed).
func fingerprint(expr string) string { return "system.main." + fingerprintFunc + "(" + expr + ")" }
