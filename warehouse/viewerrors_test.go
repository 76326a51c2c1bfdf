package warehouse_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/warehouse"
)

// A sync's own cause (config, data, unknown) lets the refresh go on; what is
// every sync's (the network, a full disk, a stopped context) stops it. The
// error names each failed sync once, in order, and has the first one's class.
func TestViewErrors(t *testing.T) {
	ctx := context.Background()
	stopped, cancel := context.WithCancel(ctx)
	cancel()
	for _, tc := range []struct {
		ctx  context.Context
		err  error
		own  bool
		name string
	}{
		{ctx, warehouse.Wrap(errors.New("x"), warehouse.Config, "dependents", ""), true, "config"},
		{ctx, errors.New("no class"), true, "unclassified"},
		{ctx, warehouse.Wrap(errors.New("x"), warehouse.Transient, "network", ""), false, "transient"},
		{ctx, warehouse.Wrap(errors.New("x"), warehouse.Resource, "disk_full", ""), false, "resource"},
		{stopped, errors.New("no class"), false, "context stopped"},
		{ctx, nil, false, "no error"},
	} {
		if got := warehouse.OwnViewFault(tc.ctx, tc.err); got != tc.own {
			t.Errorf("%s: own %v, want %v", tc.name, got, tc.own)
		}
	}

	e := warehouse.ViewErrors{
		"b": fmt.Errorf("typed view: %w", warehouse.Wrap(errors.New("b's cause"), warehouse.Data, "bad", "")),
		"a": warehouse.Wrap(errors.New("a's cause"), warehouse.Config, "name_taken", ""),
	}
	msg := e.Error()
	if !strings.Contains(msg, `2 syncs`) || strings.Index(msg, `sync "a": a's cause`) > strings.Index(msg, `sync "b": typed view: b's cause`) ||
		!strings.Contains(msg, `sync "b"`) {
		t.Errorf("message %q: want both syncs in order with their causes", msg)
	}
	if c := warehouse.ClassOf(fmt.Errorf("load: %w", e)); c != warehouse.Config {
		t.Errorf("class %v, want a's config", c)
	}
	if (warehouse.ViewErrors{}).Err() != nil || e.Err() == nil {
		t.Error("Err: nil exactly when no sync failed")
	}
}

// Syncs failing with the very same error share a cause that is none of
// theirs; an own cause names its view, so two differ.
func TestViewErrorsShared(t *testing.T) {
	denied := func() error {
		return warehouse.Wrap(errors.New("permission denied for table sync_runs (SQLSTATE 42501)"), warehouse.Config, "permission", "grant it")
	}
	deniedOn := func(view string) error {
		return warehouse.Wrap(fmt.Errorf("view %s: googleapi: Error 403: Access Denied: Table p:d.%s: Permission bigquery.tables.update denied on table p:d.%s, accessDenied", view, view, view),
			warehouse.Config, "permission", "grant it")
	}
	for _, tc := range []struct {
		name      string
		e         warehouse.ViewErrors
		refreshed int
		want      bool
	}{
		{"two alike", warehouse.ViewErrors{"a": denied(), "b": denied()}, 2, true},
		{"two alike, a third rebuilt", warehouse.ViewErrors{"a": denied(), "b": denied()}, 3, false},
		{"one alone", warehouse.ViewErrors{"a": denied()}, 1, false},
		{"each its own", warehouse.ViewErrors{"a": errors.New(`view "sync_records_a" is taken`), "b": errors.New(`view "sync_records_b" is taken`)}, 2, false},
		{"two alike, one not", warehouse.ViewErrors{"a": denied(), "b": denied(), "c": errors.New("other")}, 3, false},
		// BigQuery's permission refused names the view it was refused on,
		// Snowflake's in upper case.
		{"refused on each view", warehouse.ViewErrors{"52275": deniedOn("sync_records_52275"), "sync-a2ae": deniedOn("sync_records_sync_a2ae_38f31c4f")}, 2, true},
		{"refused on each view, upper case", warehouse.ViewErrors{"52275": deniedOn("SYNC_RECORDS_52275"), "52276": deniedOn("SYNC_RECORDS_52276")}, 2, true},
		{"refused on each view, a third rebuilt", warehouse.ViewErrors{"52275": deniedOn("sync_records_52275"), "52276": deniedOn("sync_records_52276")}, 3, false},
		{"refused on each view and another table", warehouse.ViewErrors{"52275": deniedOn("sync_records_52275"), "52276": deniedOn("payload_columns")}, 2, false},
		{"each its own, named by id", warehouse.ViewErrors{"a": warehouse.Wrap(errors.New(`table "sync_records_a" is not a view`), warehouse.Config, "name_taken", ""),
			"b": warehouse.Wrap(errors.New(`table "sync_records_b" is not a view`), warehouse.Config, "name_taken", "")}, 2, false},
	} {
		got := tc.e.Shared(tc.refreshed)
		if (got != nil) != tc.want {
			t.Errorf("%s: shared %v, want %v", tc.name, got, tc.want)
		}
		if got != nil && warehouse.ClassOf(got) != warehouse.Config {
			t.Errorf("%s: the shared cause lost its class: %v", tc.name, got)
		}
	}
}
