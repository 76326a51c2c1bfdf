package loader

import (
	"context"
	"fmt"
	"io"
	"sort"

	"github.com/synctrack/synctrack/warehouse"
)

// maxMetadataBytes bounds how much of a metadata.json is read.
const maxMetadataBytes = 16 << 20

// loadRuns parses each metadata.json and loads the good ones together.
func (l *Loader) loadRuns(ctx context.Context, ws []Work, rep *Report, fail func(Work, error)) ([]string, error) {
	var runs []warehouse.Run
	for _, w := range ws {
		raw, err := l.readSmall(ctx, w.Key)
		if err != nil {
			fail(w, err)
			continue
		}
		m, err := ParseMetadata(raw, w.OrgID, w.SyncID, w.RunID)
		if err != nil {
			fail(w, err)
			continue
		}
		runs = append(runs, warehouse.Run{Object: w.Object, Meta: m, Attempts: w.Attempts})
	}
	if len(runs) == 0 {
		return nil, nil
	}
	if err := l.wh.LoadRuns(ctx, runs); err != nil {
		return nil, fmt.Errorf("load %d run metadata files: %w", len(runs), err)
	}
	seen := map[string]bool{}
	var syncs []string
	for _, r := range runs {
		if id := r.Meta.SyncConfigurationID; !seen[id] {
			seen[id] = true
			syncs = append(syncs, id)
		}
	}
	sort.Strings(syncs)
	rep.Files += len(runs)
	return syncs, nil
}

func (l *Loader) readSmall(ctx context.Context, key string) ([]byte, error) {
	r, err := l.bucket.NewReader(ctx, key, nil)
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	defer r.Close()
	raw, err := io.ReadAll(io.LimitReader(r, maxMetadataBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	if len(raw) > maxMetadataBytes {
		return nil, fmt.Errorf("metadata.json larger than %d bytes", maxMetadataBytes)
	}
	return raw, nil
}
