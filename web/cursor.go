package web

import (
	"encoding/base64"
	"encoding/json"
	"time"
)

// cursor is where a page ends: the last run's start and id, or the last
// record's file and row. Links carry it opaque; a tampered one is only a
// wrong but well-typed bind value.
type cursor struct {
	T time.Time `json:"t,omitzero"`
	K string    `json:"k,omitempty"`
	N int       `json:"n,omitempty"`
	// Z says the last run has no start (T is zero): the next page is the
	// runs without one, before K.
	Z bool `json:"z,omitempty"`
}

func encodeCursor(c cursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (cursor, error) {
	var c cursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return c, err
	}
	err = json.Unmarshal(b, &c)
	return c, err
}
