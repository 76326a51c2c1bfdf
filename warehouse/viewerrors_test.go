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
