package dialects

// keywords are words that no engine of ours takes as a plain column name:
// the union of DuckDB's reserved and type-or-function keywords (its
// duckdb_keywords(), which follows PostgreSQL's), Snowflake's reserved and
// limited keywords (docs.snowflake.com/en/sql-reference/reserved-keywords)
// and BigQuery's reserved keywords (cloud.google.com/bigquery/docs/reference/
// standard-sql/lexical#reserved_keywords). A payload field named one of them
// gets a suffix (select -> select_f), so every engine's users can type the
// column without quotes; payload_columns records the mapping.
var keywords = set(
	// DuckDB (and PostgreSQL).
	"all", "analyse", "analyze", "and", "anti", "any", "array", "as", "asc", "asof", "asymmetric", "at",
	"authorization", "binary", "both", "by", "case", "cast", "check", "collate", "collation", "column", "columns",
	"concurrently", "constraint", "create", "cross", "default", "deferrable", "desc", "describe", "distinct", "do",
	"else", "end", "except", "false", "fetch", "for", "foreign", "freeze", "from", "full", "generated", "glob",
	"group", "having", "ilike", "in", "initially", "inner", "intersect", "into", "is", "isnull", "join", "lambda",
	"lateral", "leading", "left", "like", "limit", "map", "natural", "not", "notnull", "null", "offset", "on",
	"only", "or", "order", "outer", "overlaps", "pivot", "pivot_longer", "pivot_wider", "placing", "positional",
	"primary", "qualify", "references", "returning", "right", "select", "semi", "show", "similar", "some",
	"struct", "summarize", "symmetric", "table", "tablesample", "then", "to", "trailing", "true", "try_cast",
	"union", "unique", "unpack", "unpivot", "using", "variadic", "verbose", "when", "where", "window", "with",
	"current_catalog", "current_date", "current_role", "current_schema", "current_time", "current_timestamp",
	"current_user", "localtime", "localtimestamp", "session_user", "system_user", "user",
	// Snowflake.
	"account", "alter", "between", "connect", "connection", "current", "database", "delete", "drop", "exists",
	"following", "grant", "gscluster", "increment", "insert", "issue", "minus", "of", "organization", "regexp",
	"revoke", "rlike", "row", "rows", "sample", "schema", "set", "start", "trigger", "update", "values", "view",
	"whenever",
	// BigQuery.
	"assert_rows_modified", "contains", "cube", "define", "enum", "escape", "exclude", "extract", "grouping",
	"groups", "hash", "if", "ignore", "interval", "lookup", "merge", "new", "no", "nulls", "over", "partition",
	"preceding", "proto", "range", "recursive", "respect", "rollup", "treat", "unbounded", "unnest", "within",
)

func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// IsKeyword says whether a sanitized name is a keyword of some engine.
func IsKeyword(name string) bool { return keywords[name] }
