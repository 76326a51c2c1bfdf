package duckdb

// TallyFallbacks counts the batches whose counts the SQL pass wrote.
var TallyFallbacks = &tallyFallbacks
