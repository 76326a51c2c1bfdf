package web

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/synctrack/synctrack/internal/reportrun"
	analysis "github.com/synctrack/synctrack/sql"
	"github.com/synctrack/synctrack/sql/export"
	"github.com/synctrack/synctrack/warehouse"
)

// contentTypes are the downloads' formats.
var contentTypes = map[string]string{
	"csv":     "text/csv; charset=utf-8",
	"json":    "application/json",
	"parquet": "application/vnd.apache.parquet",
}

// writeStall is how long a download, or a page, waits for its client to
// take the next bytes before it gives up: a client that stopped reading is
// gone.
const writeStall = time.Minute

// download sends a run's records with the page's filters, through the
// records template and writer that synctrack records uses, so the file is
// what `synctrack records --sync S --run R [--status O] [--identifier Q]
// --limit 0 --format F` prints. The records are written to a temporary
// file first and the warehouse let go before the client gets them: a slow
// or stalled client then holds a file of its own, not what every other
// page and the next load need (the embedded engine's file; a connection
// of a server engine's pool, where four stalled downloads held all of
// PostgreSQL's and every page waited: found by a review).
func (s *Server) download(w http.ResponseWriter, r *http.Request) {
	syncID, run, file := pathID(r, "sync"), pathID(r, "run"), r.PathValue("file")
	format, ok := strings.CutPrefix(file, "records.")
	if _, known := contentTypes[format]; !ok || !known {
		// The run's page has the downloads there are.
		kept, keptQ := keptFilters(r)
		s.failNear(w, r, notFound("no download %q: records.csv, records.json or records.parquet", file), syncID, run, kept, keptQ)
		return
	}
	outcome, q, err := recordFilters(r)
	if err == nil {
		err = textIDs(syncID, run)
	}
	if err != nil {
		kept, keptQ := keptFilters(r)
		s.failNear(w, r, err, syncID, run, kept, keptQ)
		return
	}
	if r.Method != http.MethodHead {
		select {
		case s.downloads <- struct{}{}:
			defer func() { <-s.downloads }()
		default:
			w.Header().Set("Retry-After", "10")
			s.fail(w, r, &httpError{Status: http.StatusServiceUnavailable,
				Msg: fmt.Sprintf("%d downloads are running, as many as run at once. Try again when one has ended.", cap(s.downloads))})
			return
		}
	}
	wh, release, err := s.o.Open(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	release = sync.OnceFunc(release)
	defer release()
	// A run that is not loaded is not found, as its page says, rather than
	// an empty file.
	if _, err := runInfoOf(r.Context(), wh, syncID, run); err != nil {
		s.fail(w, r, nearer(r.Context(), wh, err, syncID, "", "", ""))
		return
	}
	name := downloadName(syncID, run, outcome, format)
	if r.Method == http.MethodHead {
		downloadHeaders(w, format, name, -1)
		return
	}
	v := analysis.Values{analysis.ParamSync: syncID, analysis.ParamRun: run}
	setFilters(v, outcome, q)
	if err := rangeFiles(r.Context(), wh, v); err != nil {
		s.fail(w, r, err)
		return
	}
	s.spooled(w, r, wh, release, v, format, name)
}

// spooled writes the records to a temporary file, lets the warehouse go,
// then sends the file with its length.
func (s *Server) spooled(w http.ResponseWriter, r *http.Request, wh warehouse.Querier, release func(), v analysis.Values, format, name string) {
	f, err := os.CreateTemp("", "synctrack-download-*")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// Gone from the folder at once where the system allows it (the open
	// file stays readable): nothing is left behind, however this ends.
	os.Remove(f.Name())
	defer func() {
		f.Close()
		os.Remove(f.Name())
	}()
	bw := bufio.NewWriterSize(f, 64<<10)
	ew, err := export.New(format, bw)
	if err == nil {
		_, err = reportrun.Run(r.Context(), wh, "records", v, ew)
	}
	release()
	if err == nil {
		err = bw.Flush()
	}
	var size int64
	if err == nil {
		size, err = f.Seek(0, io.SeekCurrent)
	}
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	downloadHeaders(w, format, name, size)
	guarded, done := stallGuard(w)
	defer done()
	buf := make([]byte, 64<<10)
	if _, err := io.CopyBuffer(guarded, io.LimitReader(f, size), buf); err != nil && r.Context().Err() == nil {
		s.o.Logger.Warn("download cut off", "path", r.URL.Path, "err", err)
	}
}

func downloadHeaders(w http.ResponseWriter, format, name string, size int64) {
	w.Header().Set("Content-Type", contentTypes[format])
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	if size >= 0 {
		w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
	}
}

// stallGuard gives each write to w writeStall to reach the client,
// until done is called (the connection may serve another request later).
func stallGuard(w http.ResponseWriter) (out io.Writer, done func()) {
	rc := http.NewResponseController(w)
	return &deadlineWriter{w: w, rc: rc}, func() { _ = rc.SetWriteDeadline(time.Time{}) }
}

type deadlineWriter struct {
	w  io.Writer
	rc *http.ResponseController
}

func (d *deadlineWriter) Write(p []byte) (int, error) {
	_ = d.rc.SetWriteDeadline(time.Now().Add(writeStall)) // not every writer has one
	return d.w.Write(p)
}
