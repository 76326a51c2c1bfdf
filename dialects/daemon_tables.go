package dialects

// What only the daemon (synctrack run) needs, on every engine: the run state
// columns of sync_runs and the lease table, the same logical columns as
// DuckDB's (warehouse/duckdb/state.go).

// RunStateColumns are the columns the daemon adds to sync_runs. state is
// 'open' or 'complete'; a row without one (loaded before the column existed,
// or on BigQuery, inserted without it) reads as open.
var RunStateColumns = []Column{{"state", "VARCHAR"}, {"completed_at", "TIMESTAMPTZ"}}

// LeaseColumns are daemon_lease's columns, in order: one row per lease name.
var LeaseColumns = []Column{
	{"name", "VARCHAR"}, {"holder", "VARCHAR"}, {"expires_at", "TIMESTAMPTZ"}, {"acquired_at", "TIMESTAMPTZ"},
}

// RunRef is one run to update: org, sync and run ids.
type RunRef struct{ Org, Sync, Run string }
