#!/usr/bin/env bash
# The whole test suite, as CI runs it. Needs Go and a C compiler (cgo, for DuckDB).
set -euo pipefail
cd "$(dirname "$0")/.."
# gosnowflake unpacks a native helper at start-up unless told not to; tests need none.
export SF_DISABLE_MINICORE=true
go vet ./...
go test -count=1 ./...
# The Postgres COPY's data is read by pgconn's own goroutine; a backend killed
# mid-COPY once left it reading a closed source: checked under the race detector.
go test -count=1 -race -run 'TestCopyKilledMidStream|TestSplitCommitFailureLoadsOnce' ./warehouse/postgres
# The BigQuery emulator suite is its own Go module (a heavy build: minutes cold).
# Each test runs in a process of its own: the emulator's SQL analyser (WebAssembly)
# keeps memory across emulators in one process, and past 2 GiB its finalizers
# panic (slice bounds out of range [-2147...]), which one process running the
# whole module reached once the loads also wrote the per-run counts.
(
	cd test/bigquery && go vet ./...
	bin=$(mktemp -d)/bigquery.test
	trap 'rm -rf "$(dirname "$bin")"' EXIT
	go test -c -o "$bin" .
	for t in $("$bin" -test.list '^Test'); do
		echo "test/bigquery: $t"
		"$bin" -test.count=1 -test.timeout 20m -test.run "^$t\$"
	done
)
# configs/grafana checked with Prometheus's own parsers: its own Go module, so
# github.com/prometheus/prometheus moves none of the binary's versions.
(cd test/grafana && go vet ./... && go test -count=1 ./...)
