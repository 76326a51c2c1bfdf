package duckdb

// TallyFallbacks counts the batches whose counts the SQL pass wrote.
var TallyFallbacks = &tallyFallbacks

// TallyPrepared counts the files whose counts were grouped as they were staged.
var TallyPrepared = &tallyPrepared

// AfterRecordsInsert is called between a batch's records INSERT and its counts.
var AfterRecordsInsert = &afterRecordsInsert

// MaxTallyBytes bounds the strings a batch's Go grouping keeps.
var MaxTallyBytes = &maxTallyBytes
