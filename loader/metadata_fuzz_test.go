package loader

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// FuzzParseMetadata holds ParseMetadata to its contract over any bytes: an
// error exactly when the file (minus a BOM) is not one JSON object (or its
// payload schema passes MaxPayloadFields, which TestParseMetadataFieldCap
// checks: fuzzed inputs are far smaller), Raw the
// file minus the BOM, path ids over the file's, and payload types from the
// documented five. Interesting inputs live in testdata/fuzz/FuzzParseMetadata.
func FuzzParseMetadata(f *testing.F) {
	for _, s := range []string{
		`{}`, `[]`, `null`, `{} {}`, `{"a":`, "\xef\xbb\xbf{}", "\xef\xbb\xbf\xef\xbb\xbf{}",
		`{"org_id":1e400,"run_id":-1.5e-3,"started_at":9223372036854775807}`,
		`{"sync_run":{"metadata":{"data":{"sync":{"run":{"id":1}}}}}}`,
		`{"schema":"[{\"name\":\"a\",\"type\":[\"null\",\"array\"]}]","started_at":"-1"}`,
		`{"started_at":-9223372036854775808}`, `{"Org ID":"\ud800","orgId":"x"}`,
	} {
		f.Add([]byte(s), "o", "s", "")
		f.Add([]byte(s), "", "", "")
	}
	allowed := map[string]bool{"string": true, "number": true, "boolean": true, "array": true, "json": true}
	f.Fuzz(func(t *testing.T, raw []byte, org, sync, run string) {
		body := raw
		if len(body) >= 3 && body[0] == 0xef && body[1] == 0xbb && body[2] == 0xbf {
			body = body[3:]
		}
		m, err := ParseMetadata(raw, org, sync, run)
		if err != nil && strings.Contains(err.Error(), "record payload schema has") {
			return
		}
		if ok := isOneObject(body); (err == nil) != ok {
			t.Fatalf("error %v, but the oracle says one object: %v", err, ok)
		}
		if err != nil {
			if !errors.Is(err, ErrInvalidMetadata) {
				t.Fatalf("error %v does not wrap ErrInvalidMetadata", err)
			}
			return
		}
		if !json.Valid(m.Raw) || !bytes.Equal(m.Raw, body) {
			t.Fatalf("Raw %q: want the input minus a BOM, valid JSON", m.Raw)
		}
		if org != "" && m.OrgID != org || sync != "" && m.SyncConfigurationID != sync || run != "" && m.SyncRunID != run {
			t.Fatalf("path ids not kept: %+v", m)
		}
		if m.PayloadSchema != nil && len(m.PayloadSchema) == 0 {
			t.Fatalf("PayloadSchema is empty but not nil")
		}
		for f, typ := range m.PayloadSchema {
			if !allowed[typ] {
				t.Fatalf("field %q has type %q", f, typ)
			}
		}
		if m.StartedAt != nil && m.StartedAt.Location() != time.UTC {
			t.Fatalf("StartedAt %v not in UTC", m.StartedAt)
		}
		if again, _ := ParseMetadata(raw, org, sync, run); !reflect.DeepEqual(again, m) {
			t.Fatalf("not deterministic: %+v then %+v", m, again)
		}
	})
}

// isOneObject is the oracle for ParseMetadata's error, written without its
// helpers: Unmarshal fails on anything but space after the value, a nil map
// after success means the text was null, and RawMessage values keep 1e400
// (valid JSON that fits no float64) from failing the decode.
func isOneObject(body []byte) bool {
	var m map[string]json.RawMessage
	return json.Unmarshal(body, &m) == nil && m != nil
}
