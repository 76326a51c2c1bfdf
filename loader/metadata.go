package loader

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/synctrack/synctrack/dialects"
)

// ErrInvalidMetadata wraps every ParseMetadata error: retrying the same bytes cannot help.
var ErrInvalidMetadata = errors.New("metadata.json")

// ParseMetadata reads one run's metadata.json. orgID, syncID and runID come
// from the object's path; a non-empty one fills or overrides the file's id,
// since the path is what the run's records are filed under. Key names are
// not published, so keys match a few synonyms after normalisation (case, "_",
// "-", " ", "." ignored), flat (source_type), nested (source: {type}) or under
// a wrapper ({"sync_run": {...}}). A value it cannot understand stays empty:
// only bytes that are not one JSON object, and a payload schema of more than
// MaxPayloadFields fields, are an error.
func ParseMetadata(raw []byte, orgID, syncID, runID string) (RunMeta, error) {
	body := bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf")) // a BOM is not JSON; Raw must be
	obj, err := decodeObject(body)
	if err != nil {
		return RunMeta{}, err
	}
	k := flatKeys{}
	k.add(obj, "", "", 0)
	var odd []string
	// An id the path gives is the run's whatever the file says: not odd.
	unless := func(fromPath string) *[]string {
		if fromPath != "" {
			return new([]string)
		}
		return &odd
	}
	m := RunMeta{
		OrgID:               first(k, unless(orgID), "org_id", scalarText, "orgid", "organizationid", "organisationid"),
		WorkspaceID:         first(k, &odd, "workspace_id", scalarText, "workspaceid"),
		SyncConfigurationID: first(k, unless(syncID), "sync_configuration_id", scalarText, "syncconfigurationid", "syncid", "syncconfigid", "configurationid"),
		SyncRunID:           first(k, unless(runID), "sync_run_id", scalarText, "syncrunid", "runid"),
		SourceType:          first(k, &odd, "source_type", scalarText, "sourcetype", "sourceobjecttype"),
		SourceObjectID:      first(k, &odd, "source_object_id", scalarText, "sourceobjectid", "sourceid"),
		DestinationType:     first(k, &odd, "destination_type", scalarText, "destinationtype"),
		DestinationID:       first(k, &odd, "destination_id", scalarText, "destinationid"),
		DestinationObjectID: first(k, &odd, "destination_object_id", scalarText, "destinationobjectid"),
		StartedAt:           first(k, &odd, "started_at", parseTime, "startedat", "runstartedat", "syncrunstartedat", "starttime", "runstarttime", "syncrunstarttime"),
		PayloadSchema:       payloadSchemaOf(k, &odd),
		Raw:                 bytes.Clone(body),
		NotUnderstood:       odd,
	}
	if n := len(m.PayloadSchema); n > MaxPayloadFields {
		return RunMeta{}, fmt.Errorf("%w: record payload schema has %d fields, more than the %d a sync's typed view may have",
			ErrInvalidMetadata, n, MaxPayloadFields)
	}
	m.OrgID = cmp.Or(orgID, m.OrgID)
	m.SyncConfigurationID = cmp.Or(syncID, m.SyncConfigurationID)
	m.SyncRunID = cmp.Or(runID, m.SyncRunID)
	return m, nil
}

// MaxPayloadFields bounds a run's payload schema, whose every field becomes a
// column of its sync's typed view and a payload_columns row: a view holds
// dialects.MaxViewFields. One metadata.json of 790,000 fields, within
// maxMetadataBytes, took 192 s and 6 GB to load into DuckDB, left a 399 MB
// file for 25 records, and every later load spent over 15 minutes reading
// DuckDB's catalog.
const MaxPayloadFields = dialects.MaxViewFields

// decodeObject parses body as exactly one JSON object.
func decodeObject(body []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber() // ids can exceed 2^53: keep the digits as written
	var top any
	err := dec.Decode(&top)
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return nil, fmt.Errorf("%w: invalid JSON at offset %d: %v", ErrInvalidMetadata, se.Offset, err)
	case errors.Is(err, io.EOF):
		return nil, fmt.Errorf("%w: empty file", ErrInvalidMetadata)
	case err != nil: // io.ErrUnexpectedEOF: the file ends inside the value
		return nil, fmt.Errorf("%w: invalid JSON at offset %d: %v", ErrInvalidMetadata, len(body), err)
	}
	end := dec.InputOffset()
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: invalid JSON at offset %d: data after the top-level value", ErrInvalidMetadata, end)
	}
	if obj, ok := top.(map[string]any); ok {
		return obj, nil
	}
	kind := "a scalar or null"
	if _, ok := top.([]any); ok {
		kind = "an array"
	}
	return nil, fmt.Errorf("%w: top level is %s, want an object", ErrInvalidMetadata, kind)
}

// maxDepth bounds flattening: real files nest one or two levels.
const maxDepth = 4

// wrappers are top-level keys whose object may hold the whole metadata; their
// children also match as top-level keys, ranking below genuine ones.
var wrappers = map[string]bool{"metadata": true, "data": true, "sync": true, "run": true, "syncrun": true, "syncrunmetadata": true}

// flatKeys maps a flattened normalised key path (source.object_id ->
// "sourceobjectid") to its value. When several paths flatten the same, the
// shallowest wins, then the bytewise smallest original path, so the outcome
// does not depend on Go's map order.
type flatKeys map[string]hit

type hit struct {
	rank string // depth digit, then the original key path
	val  any
}

func (f flatKeys) add(obj map[string]any, prefix, path string, depth int) {
	for key, v := range obj {
		fk, p := prefix+normKey(key), path+"\x00"+key
		if old, ok := f[fk]; !ok || strconv.Itoa(depth)+p < old.rank {
			f[fk] = hit{strconv.Itoa(depth) + p, v}
		}
		sub, ok := v.(map[string]any)
		if !ok || depth >= maxDepth {
			continue
		}
		f.add(sub, fk, p, depth+1)
		if depth == 0 && wrappers[normKey(key)] {
			f.add(sub, "", p, depth+1)
		}
	}
}

// keySeparators are dropped when comparing keys; a Replacer is immutable.
var keySeparators = strings.NewReplacer("_", "", "-", "", " ", "", ".", "")

func normKey(k string) string { return strings.ToLower(keySeparators.Replace(k)) }

// first returns the value of the first synonym that conv accepts. When
// none does but one is there (not null), field and what its value is go
// to odd: the field stays empty, and a loader can say why.
func first[T any](f flatKeys, odd *[]string, field string, conv func(any) (T, bool), names ...string) (zero T) {
	seen := ""
	for _, n := range names {
		h, ok := f[n]
		if s, isText := h.val.(string); !ok || h.val == nil || isText && strings.TrimSpace(s) == "" {
			continue // absent, null or empty: nothing to understand
		}
		if v, ok := conv(h.val); ok {
			return v
		}
		if seen == "" {
			seen = jsonKind(h.val)
		}
	}
	if seen != "" {
		*odd = append(*odd, field+" ("+seen+")")
	}
	return zero
}

// payloadSchemaOf is the payload schema under its own names, else under
// "schema", a word other fields use too ("schema": "public"): not
// understood there, it is not named odd.
func payloadSchemaOf(k flatKeys, odd *[]string) map[string]string {
	var own []string
	if m := first(k, &own, "record_payload_schema", payloadSchema, "recordpayloadschema", "payloadschema"); m != nil {
		return m
	}
	if m := first(k, new([]string), "", payloadSchema, "schema"); m != nil {
		return m
	}
	*odd = append(*odd, own...)
	return nil
}

// jsonKind names what a decoded JSON value is, for a message: never the
// value itself, which is the bucket's.
func jsonKind(v any) string {
	switch v.(type) {
	case string:
		return "a string not understood"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return "a value not understood"
}

// scalarText accepts a non-empty string, number or boolean, as text.
func scalarText(v any) (string, bool) {
	s := ""
	switch x := v.(type) {
	case string:
		s = strings.TrimSpace(x)
	case json.Number:
		s = decimalText(string(x))
	case bool:
		s = strconv.FormatBool(x)
	}
	return s, s != ""
}

// decimalText renders a JSON number as exact decimal text (1e3 is 1000; no
// float64 in between). Exponents beyond ±400 are no id: kept as written.
func decimalText(n string) string {
	mant, exp, ok := strings.Cut(strings.ToLower(n), "e")
	e, err := strconv.Atoi(exp)
	if !ok || err != nil || e > 400 || e < -400 {
		return n
	}
	neg := strings.HasPrefix(mant, "-")
	ip, fp, _ := strings.Cut(strings.TrimPrefix(mant, "-"), ".")
	// Pad with zeros so that the point, moved e places, lands inside the digits.
	digits := strings.Repeat("0", max(0, -e)) + ip + fp + strings.Repeat("0", max(0, e))
	point := max(0, -e) + len(ip) + e
	s := cmp.Or(strings.TrimLeft(digits[:point], "0"), "0")
	if fp := strings.TrimRight(digits[point:], "0"); fp != "" {
		s += "." + fp
	}
	if neg && strings.Trim(s, "0.") != "" {
		s = "-" + s
	}
	return s
}
