package gen

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"
)

// object is a row of a fact table (source object, destination or
// destination object); the optional ids apply to source objects only.
type object struct {
	ID, Type, Name                                       string
	ModelID, BusinessObjectID, FilterSegmentID, CohortID *string
}

type orgPlan struct {
	id, workspace          string
	sources, dests, dobjs  []*object // what the fact tables list
	destByName, dobjByName map[string]*object
	syncs                  []*syncPlan
}

type syncPlan struct {
	org       *orgPlan
	g         int // global index over all syncs
	id        string
	tpl       *template
	fields    []field // base payload schema
	seed      uint64
	identBase int64
	source    *object
	dest      *object
	dobj      *object
	runs      []*runPlan
}

type runPlan struct {
	sync       *syncPlan
	idx        int // index in its sync
	id         string
	prefix     string // the run folder: sync_tracking_datasets/ORG/SYNC/RUN/
	start      time.Time
	legacy     bool
	style      int // metadata.json key style
	dest, dobj *object
	fields     []field // payload schema of this run
	files      []*filePlan
}

type filePlan struct {
	run            *runPlan
	key, batchType string
	rows, first    int // row count, index of the first record
	started, ended time.Time
	shape          Shape
	op             string
	seed           uint64
}

type bucketPlan struct {
	orgs []*orgPlan
	runs []*runPlan // in time order
}

// plan plans the bucket, checking ctx at each sync and file: a plan of
// MaxObjects objects takes seconds, and a cancelled command must stop.
func plan(ctx context.Context, o Options) (*bucketPlan, error) {
	r := rand.New(rand.NewPCG(uint64(o.Seed), 0x73796e63))
	nextID := 30000 + r.IntN(5000)
	newID := func() string { nextID += 1 + r.IntN(40); return strconv.Itoa(nextID) }
	total := o.Orgs * o.SyncsPerOrg
	syncBase := 52000 + 10*r.IntN(90)
	p := &bucketPlan{}
	var syncs []*syncPlan
	for oi := range o.Orgs {
		org := &orgPlan{id: strconv.Itoa(1001 + oi), workspace: strconv.Itoa(200 + r.IntN(800)),
			destByName: map[string]*object{}, dobjByName: map[string]*object{}}
		p.orgs = append(p.orgs, org)
		for si := range o.SyncsPerOrg {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			g := oi*o.SyncsPerOrg + si
			s := &syncPlan{org: org, g: g, tpl: &templates[g%len(templates)],
				id:   strconv.Itoa(syncBase + 10*g + r.IntN(10)),
				seed: mix(uint64(o.Seed), uint64(g)+1), identBase: int64(100000 + r.IntN(800000))}
			if g == 2%total {
				s.id = fmt.Sprintf("sync-%04x", r.Uint32()&0xffff)
			}
			s.fields = append([]field(nil), s.tpl.fields...)
			if o.Hostile && g == 0 {
				s.fields = append(s.fields, hostileFields...)
			}
			s.source = org.sourceFor(s.tpl, newID)
			s.dest, s.dobj = org.destFor(s.tpl, "", newID, true)
			org.syncs = append(org.syncs, s)
			syncs = append(syncs, s)
		}
		org.sources = append(org.sources, &object{ID: newID(), Type: "DataWarehouse::Query",
			Name: "Archived model", ModelID: ptrTo(newID())})
	}
	runID := 8800000 + r.IntN(100000)
	firstLegacy := true
	files := 0
	for ri := range o.RunsPerSync {
		for _, s := range syncs {
			runID += 1 + r.IntN(30)
			jitter := time.Duration(r.IntN(60)) * time.Second
			if len(p.runs) == 0 {
				jitter = 0 // the first run starts at o.Start
			}
			run := &runPlan{sync: s, idx: ri, id: strconv.Itoa(runID),
				start:  o.Start.Add(time.Duration(ri)*6*time.Hour + time.Duration(s.g)*7*time.Minute + jitter),
				legacy: ri == 0 && s.g%2 == 1, style: (ri + s.g) % 3, dest: s.dest, dobj: s.dobj, fields: s.fields}
			if s.tpl.grow != nil && o.RunsPerSync > 1 && ri == o.RunsPerSync-1 {
				run.fields = append(append([]field(nil), s.fields...), *s.tpl.grow)
			}
			if s.g == total-1 && ri == o.RunsPerSync-1 {
				// a destination newer than the last fact-table refresh
				run.dest, run.dobj = s.org.destFor(s.tpl, " (sandbox)", newID, false)
			}
			oldName := run.legacy && firstLegacy
			firstLegacy = firstLegacy && !run.legacy
			if err := planFiles(ctx, o, r, run, oldName, &files); err != nil {
				return nil, err
			}
			s.runs = append(s.runs, run)
			p.runs = append(p.runs, run)
		}
	}
	return p, nil
}

func planFiles(ctx context.Context, o Options, r *rand.Rand, run *runPlan, oldName bool, counter *int) error {
	s := run.sync
	run.prefix = fmt.Sprintf("sync_tracking_datasets/%s/%s/%s/", s.org.id, s.id, run.id)
	prefix := run.prefix
	t := run.start.Add(time.Duration(10+r.IntN(50))*time.Second + time.Duration(r.IntN(1e6))*time.Microsecond)
	for j := range o.FilesPerRun {
		if err := ctx.Err(); err != nil {
			return err
		}
		fc := *counter
		*counter++
		f := &filePlan{run: run, rows: o.RowsPerFile, first: j * o.RowsPerFile,
			seed: mix(s.seed, uint64(run.idx)<<20|uint64(j)),
			shape: Shape{Legacy: run.legacy, IntIdentifier: s.tpl.intIDs, Millis: fc%7 == 3,
				LocalTime: fc%11 == 5, ExtraColumn: !run.legacy && fc%9 == 4}}
		if s.tpl.mode == "append" {
			f.first = (run.idx*o.FilesPerRun + j) * o.RowsPerFile
		}
		f.batchType, f.op = batchOf(s.tpl.mode, j, r.IntN(10))
		f.key = prefix + f.batchType + "." + strconv.Itoa(j) + ".parquet"
		if oldName && j == 0 {
			f.key = prefix + f.batchType + ".parquet"
		}
		dur := time.Duration(f.rows)*time.Duration(1+r.IntN(3))*time.Millisecond +
			time.Duration(1500+r.IntN(4000))*time.Millisecond + time.Duration(r.IntN(1e6))*time.Microsecond
		f.started, f.ended = t, t.Add(dur)
		t = f.ended.Add(time.Duration(1+r.IntN(20)) * time.Second)
		run.files = append(run.files, f)
	}
	return nil
}

// batchOf picks a file's batch type (mostly records_updated) and operation.
func batchOf(mode string, j, x int) (batchType, op string) {
	batchType = "records_updated"
	switch {
	case mode == "append":
		if j > 0 {
			batchType = "records_inserted"
		}
		return batchType, "append"
	case j == 0 || x < 6:
	case x < 8:
		batchType = "records_inserted"
	default:
		batchType = "records_deleted"
	}
	switch {
	case mode == "mirror":
		return batchType, "mirror"
	case batchType == "records_deleted":
		return batchType, "delete"
	}
	return batchType, mode
}

func ptrTo(s string) *string { return &s }

func (org *orgPlan) sourceFor(t *template, newID func() string) *object {
	src := &object{ID: newID(), Type: t.srcType, Name: t.srcName}
	switch t.srcType {
	case "DataWarehouse::Query":
		src.ModelID = ptrTo(newID())
	case "DataWarehouse::BusinessObjectSource":
		src.BusinessObjectID = ptrTo(newID())
	case "DataWarehouse::FilterSegmentSource":
		src.FilterSegmentID = ptrTo(newID())
	case "DataWarehouse::CohortSource":
		src.FilterSegmentID, src.CohortID = ptrTo(newID()), ptrTo(newID())
	}
	org.sources = append(org.sources, src)
	return src
}

// destFor returns the org's destination and destination object for a
// template, creating them; listed says whether the fact tables know them.
func (org *orgPlan) destFor(t *template, suffix string, newID func() string, listed bool) (*object, *object) {
	name := t.destName + suffix
	d := org.destByName[name]
	if d == nil {
		d = &object{ID: newID(), Type: t.destName + "::Connection", Name: name}
		org.destByName[name] = d
		if listed {
			org.dests = append(org.dests, d)
		}
	}
	key := name + "/" + t.destObject
	do := org.dobjByName[key]
	if do == nil {
		do = &object{ID: newID(), Type: t.destName + "::ObjectTypes::" + t.destObject, Name: t.destObject}
		org.dobjByName[key] = do
		if listed {
			org.dobjs = append(org.dobjs, do)
		}
	}
	return d, do
}
