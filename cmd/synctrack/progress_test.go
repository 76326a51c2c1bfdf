package main

import (
	"strings"
	"testing"
	"time"

	"github.com/synctrack/synctrack/loader"
)

// A long listing's progress rewrites one line and ends it, so the records'
// line and the report after start on lines of their own.
func TestProgressPrinterEndsTheListingLine(t *testing.T) {
	var b strings.Builder
	p := progressPrinter(&b, time.Now())
	p(loader.Progress{Listing: true, Listed: 1000})
	p(loader.Progress{Listing: true, Listed: 2000})
	p(loader.Progress{Listed: 2345})
	p(loader.Progress{FilesTotal: 4})
	p(loader.Progress{FilesDone: 4, FilesTotal: 4, Rows: 40})
	lines := strings.Split(b.String(), "\n")
	if len(lines) != 3 || lines[2] != "" {
		t.Fatalf("output %q: want the listing's line and the records' line, each ended", b.String())
	}
	if want := "\rlisting the bucket: 1000 objects\rlisting the bucket: 2000 objects\rlisting the bucket: 2345 objects, done"; lines[0] != want {
		t.Errorf("listing line %q, want %q", lines[0], want)
	}
	if !strings.HasPrefix(lines[1], "\rrecords files 0/4, 0 rows") || !strings.Contains(lines[1], "\rrecords files 4/4, 40 rows") {
		t.Errorf("records line %q", lines[1])
	}
}
