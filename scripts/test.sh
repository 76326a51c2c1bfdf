#!/usr/bin/env bash
# The whole test suite, as CI runs it. Needs Go and a C compiler (cgo, for DuckDB).
set -euo pipefail
cd "$(dirname "$0")/.."
# gosnowflake unpacks a native helper at start-up unless told not to; tests need none.
export SF_DISABLE_MINICORE=true
go vet ./...
go test -count=1 ./...
# The BigQuery emulator suite is its own Go module (a heavy build: minutes cold).
(cd test/bigquery && go vet ./... && go test -count=1 -timeout 20m ./...)
# configs/grafana checked with Prometheus's own parsers: its own Go module, so
# github.com/prometheus/prometheus moves none of the binary's versions.
(cd test/grafana && go vet ./... && go test -count=1 ./...)
