package web

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"time"
)

// cursor is where a page ends: the last run's start and id, the last
// record's file and row, or a record history's last row's start, run, file
// and row. Links carry it opaque; a tampered one is only a wrong but
// well-typed bind value.
type cursor struct {
	T time.Time `json:"t,omitzero"`
	K string    `json:"k,omitempty"`
	N int       `json:"n,omitempty"`
	// F is the last history row's file, when K is its run: start and run
	// tie across a run's rows (and across syncs with the same run id).
	F string `json:"f,omitempty"`
	// Z says the last run (or history row) has no start (T is zero): the
	// next page is the runs (rows) without one, before K.
	Z bool `json:"z,omitempty"`
}

func encodeCursor(c cursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor reads a cursor from a link. Its keys must be text, as every
// id a page binds (a NUL in it was PostgreSQL's error on a 500 page: found
// by a review).
func decodeCursor(s string) (cursor, error) {
	var c cursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return c, err
	}
	if err = json.Unmarshal(b, &c); err == nil && (!isText(c.K) || !isText(c.F)) {
		err = errors.New("a key that is not text")
	}
	return c, err
}
