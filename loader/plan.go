package loader

import (
	"sort"
	"unicode/utf8"

	"github.com/synctrack/synctrack/warehouse"
)

// Why an object is in a plan.
const (
	ReasonNew     = "new"
	ReasonChanged = "changed" // a new version (etag) of a key loaded before
	ReasonRetry   = "retry"   // this version failed before
	// reasonQuarantined marks a version that failed too often: not loaded,
	// not up to date either.
	reasonQuarantined = "quarantined"
)

// Work is one object the plan loads.
type Work struct {
	Object
	Reason   string
	Attempts int // this try, from 1
	// Seen says the ledger has a row for this key (any version), so rows of an
	// earlier version may be in the warehouse and must be replaced.
	Seen bool
}

// Plan is what a load would do, decided from a listing and the ledger alone.
type Plan struct {
	Records  []Work
	Metadata []Work
	// Facts holds, for each fact table with a new or changed file, every current
	// file of that table: fact tables are rebuilt whole, never appended to.
	Facts map[string][]Work
	// HeldFacts holds, for each fact table, the keys of its quarantined files
	// loaded before (and, in the daemon, those that failed in an earlier try
	// of the same cycle): a rebuild keeps their rows as they are.
	HeldFacts map[string][]string
	// Ignored are objects not seen before that are no data (markers, temp files).
	Ignored []Object
	// BadKeys are objects whose keys are not UTF-8 (a local folder's file
	// names may be any bytes): never read, nor kept in the ledger, which
	// holds text; each load reports them.
	BadKeys []Object
	// Listed counts every object listed; UpToDate those already loaded;
	// Quarantined those that failed too often to be read again (synctrack
	// retry puts them back).
	Listed      int
	UpToDate    int
	Quarantined int
	// QuarantinedMetadata are the keys of the listed metadata.json files
	// in quarantine: their runs get no state from them until synctrack
	// retry puts them back and they load (the daemon says so of a run a
	// sync.completed names).
	QuarantinedMetadata []string
	// Unordered says the listing or the ledger scan was not in key order,
	// so each prefix's ledger was read into memory instead of merged.
	Unordered bool
	// Gone are the ledger's failed and quarantined versions whose key the
	// listing no longer has: deleted from the bucket (the fix for a bad
	// file is often to remove it). The load marks them deleted, so they
	// stop being reported as failures. Only PlanStream finds them: it
	// holds the ledger rows of exactly what it lists.
	Gone []warehouse.LedgerVersion
	// GoneFacts holds, for each fact table, the loaded versions of its
	// files that the listing no longer has: the vendor replaced the file
	// by one of another name, or a user removed a bad one. A fact table
	// is its current files, so their rows must go: the table is in Facts
	// (with no file at all when its last one went), and its rebuild marks
	// them deleted in the ledger in the same transaction. Only PlanStream
	// finds them, as Gone: a listing that failed makes no plan, and one of
	// a run folder alone reads no fact file's ledger row.
	GoneFacts map[string][]warehouse.LedgerVersion
	// VanishedFacts counts the loaded fact files missing from a listing of
	// metadata/ that had no fact file at all: not taken as deleted. Every
	// org's every fact file gone at once is a folder unmounted (its mount
	// point left empty) or a listing that lost them, far likelier than
	// the vendor's intent; taken as deleted it emptied every fact table (a
	// review).
	VanishedFacts int
}

// unlisted takes a ledger row whose key the complete listing of its prefix
// did not have.
func (pl *Planner) unlisted(v warehouse.LedgerVersion) {
	switch v.Status {
	case warehouse.StatusFailed, warehouse.StatusQuarantined:
		pl.p.Gone = append(pl.p.Gone, v)
	case warehouse.StatusLoaded:
		if o := Classify(v.Key); o.Kind == KindFact {
			pl.gone[o.FactTable] = append(pl.gone[o.FactTable], v)
			pl.dirty[o.FactTable] = true
		}
	}
}

// decide returns the work an object needs, or false when it is up to date,
// from the ledger's versions of its key.
func decide(o Object, versions []Version) (Work, bool) {
	w, todo := decideVersion(o, versions)
	w.Seen = len(versions) > 0
	return w, todo
}

func decideVersion(o Object, versions []Version) (Work, bool) {
	for _, v := range versions {
		if v.ETag != o.ETag {
			continue
		}
		switch v.Status {
		case warehouse.StatusLoaded, warehouse.StatusSkipped, warehouse.StatusExpired:
			return Work{}, false // expired: retention deleted its rows; it stays done
		case warehouse.StatusFailed:
			return Work{Object: o, Reason: ReasonRetry, Attempts: v.Attempts + 1}, true
		case warehouse.StatusQuarantined:
			return Work{Object: o, Reason: reasonQuarantined, Attempts: v.Attempts}, false
		}
		// Replaced: this version came back after another one replaced it.
		return Work{Object: o, Reason: ReasonChanged, Attempts: v.Attempts + 1}, true
	}
	for _, v := range versions {
		// A new version of an expired file loads: it is new data. If its rows
		// are as old, the load's retention pass expires it again.
		if v.Status == warehouse.StatusLoaded || v.Status == warehouse.StatusExpired {
			return Work{Object: o, Reason: ReasonChanged, Attempts: 1}, true
		}
	}
	return Work{Object: o, Reason: ReasonNew, Attempts: 1}, true
}

// Planner builds a plan one listed object at a time, keeping only what must
// load (and the fact files, which are few), never the whole listing.
type Planner struct {
	l           Ledger
	p           *Plan
	facts       map[string][]Work
	held        map[string][]string
	gone        map[string][]warehouse.LedgerVersion
	dirty       map[string]bool
	listedFacts int // fact files listed, quarantined ones too
}

// NewPlanner plans against l (nil when each object comes with its versions,
// through AddVersions).
func NewPlanner(l Ledger) *Planner {
	return &Planner{l: l, p: &Plan{Facts: map[string][]Work{}}, facts: map[string][]Work{}, held: map[string][]string{},
		gone: map[string][]warehouse.LedgerVersion{}, dirty: map[string]bool{}}
}

// Add takes one listed object, planned against the planner's ledger.
func (pl *Planner) Add(o Object) { pl.AddVersions(o, pl.l[o.Key]) }

// AddVersions takes one listed object with the ledger's versions of its key.
func (pl *Planner) AddVersions(o Object, versions []Version) {
	p := pl.p
	p.Listed++
	if o.Kind == KindFact {
		pl.listedFacts++
	}
	w, todo := decide(o, versions)
	if w.Reason == reasonQuarantined {
		p.Quarantined++
		if o.Kind == KindMetadata {
			p.QuarantinedMetadata = append(p.QuarantinedMetadata, o.Key)
		}
		if o.Kind == KindFact && w.Seen {
			pl.held[o.FactTable] = append(pl.held[o.FactTable], o.Key)
		}
		return
	}
	switch o.Kind {
	case KindIgnored:
		if !utf8.ValidString(o.Key) {
			p.BadKeys = append(p.BadKeys, o)
		} else if todo {
			p.Ignored = append(p.Ignored, o)
		}
	case KindFact:
		if !todo {
			w = Work{Object: o}
		}
		pl.facts[o.FactTable] = append(pl.facts[o.FactTable], w)
		pl.dirty[o.FactTable] = pl.dirty[o.FactTable] || todo
	case KindRecords:
		if todo {
			p.Records = append(p.Records, w)
		}
	case KindMetadata:
		if todo {
			p.Metadata = append(p.Metadata, w)
		}
	}
	if !todo {
		p.UpToDate++ // fact files of a dirty table too: they are reloaded, not new
	}
}

// Plan returns the plan for everything added.
func (pl *Planner) Plan() *Plan {
	p := pl.p
	if pl.listedFacts == 0 && len(pl.gone) > 0 {
		for t, vs := range pl.gone {
			p.VanishedFacts += len(vs)
			pl.dirty[t] = false // no file of it listed: dirty by gone alone
		}
		clear(pl.gone)
	}
	for t, dirty := range pl.dirty {
		if dirty {
			p.Facts[t] = pl.facts[t] // none listed: every file of the table is gone
		}
	}
	p.HeldFacts = pl.held
	if len(pl.gone) > 0 {
		p.GoneFacts = pl.gone
	}
	for _, vs := range p.GoneFacts {
		sort.Slice(vs, func(i, j int) bool { return vs[i].Key < vs[j].Key || vs[i].Key == vs[j].Key && vs[i].ETag < vs[j].ETag })
	}
	sort.Slice(p.Records, func(i, j int) bool { return p.Records[i].Key < p.Records[j].Key })
	sort.Slice(p.Metadata, func(i, j int) bool { return p.Metadata[i].Key < p.Metadata[j].Key })
	sort.Slice(p.Gone, func(i, j int) bool {
		return p.Gone[i].Key < p.Gone[j].Key || p.Gone[i].Key == p.Gone[j].Key && p.Gone[i].ETag < p.Gone[j].ETag
	})
	return p
}

// Build plans a load from listed objects.
func Build(objects []Object, l Ledger) *Plan {
	pl := NewPlanner(l)
	for _, o := range objects {
		pl.Add(o)
	}
	return pl.Plan()
}

// Bytes is the size of everything the plan loads.
func (p *Plan) Bytes() int64 {
	var n int64
	for _, w := range p.Records {
		n += w.Size
	}
	for _, w := range p.Metadata {
		n += w.Size
	}
	for _, ws := range p.Facts {
		for _, w := range ws {
			n += w.Size
		}
	}
	return n
}

// Runs counts the run folders the plan touches.
func (p *Plan) Runs() int {
	seen := map[string]bool{}
	for _, w := range p.Records {
		seen[RunFolder(w.Object)] = true
	}
	for _, w := range p.Metadata {
		seen[RunFolder(w.Object)] = true
	}
	return len(seen)
}
