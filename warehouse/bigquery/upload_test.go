package bigquery

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"

	bqv2 "google.golang.org/api/bigquery/v2"
)

// upload is jobs.insert with its media (a load job from a reader,
// bigquery.NewReaderSource), as the client sends a small one: one
// multipart/related request, the job's JSON then the bytes. The bytes are
// kept (uploaded) and the job answered as any other.
func (f *bqFake) upload(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.Trim(strings.TrimPrefix(r.URL.Path, "/upload/bigquery/v2"), "/"), "/")
	if len(parts) != 3 || parts[0] != "projects" || parts[2] != "jobs" || r.Method != http.MethodPost {
		f.fail(w, http.StatusNotFound, "notFound", "no upload route "+r.Method+" "+r.URL.Path)
		return
	}
	if t := r.URL.Query().Get("uploadType"); t != "multipart" {
		f.fail(w, http.StatusBadRequest, "invalid", "the fake takes multipart uploads only, not "+t)
		return
	}
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || !strings.HasPrefix(mt, "multipart/") {
		f.fail(w, http.StatusBadRequest, "invalid", fmt.Sprintf("upload content type %q: %v", r.Header.Get("Content-Type"), err))
		return
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	var j bqv2.Job
	var media []byte
	for i := 0; ; i++ {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			f.fail(w, http.StatusBadRequest, "invalid", "upload: "+err.Error())
			return
		}
		b, err := io.ReadAll(p)
		if err != nil {
			f.fail(w, http.StatusBadRequest, "invalid", "upload: "+err.Error())
			return
		}
		switch i {
		case 0:
			if err := json.Unmarshal(b, &j); err != nil {
				f.fail(w, http.StatusBadRequest, "invalid", "upload job: "+err.Error())
				return
			}
		case 1:
			media = b
		}
	}
	if j.Configuration == nil || j.Configuration.Load == nil || media == nil {
		f.fail(w, http.StatusBadRequest, "invalid", "an upload must be a load job with its media")
		return
	}
	f.mu.Lock()
	f.uploaded = append(f.uploaded, uploaded{table: j.Configuration.Load.DestinationTable.TableId, media: media})
	f.mu.Unlock()
	f.answer(w, parts[1], j)
}

// uploaded is one load job's media and its destination table.
type uploaded struct {
	table string
	media []byte
}
