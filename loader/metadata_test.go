package loader

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

func ts(s string) *time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return &t
}

// fullSchema is the payload schema most cases below expect.
var fullSchema = map[string]string{"email": "string", "age": "number", "vip": "boolean", "tags": "array", "addr": "json"}

func TestParseMetadataStyles(t *testing.T) {
	full := RunMeta{
		OrgID: "o1", WorkspaceID: "w1", SyncConfigurationID: "s1", SyncRunID: "r1",
		SourceType: "DataWarehouse::Query", SourceObjectID: "so1",
		DestinationType: "Salesforce::Connection", DestinationID: "d1", DestinationObjectID: "do1",
		StartedAt: ts("2025-11-18T10:00:00Z"), PayloadSchema: fullSchema,
	}
	tests := []struct {
		name string
		raw  string
		want RunMeta
	}{
		{"flat snake_case", `{"organization_id":"o1","workspace_id":"w1","sync_configuration_id":"s1",
			"sync_run_id":"r1","source_type":"DataWarehouse::Query","source_object_id":"so1",
			"destination_type":"Salesforce::Connection","destination_id":"d1","destination_object_id":"do1",
			"started_at":"2025-11-18T10:00:00Z",
			"record_payload_schema":{"email":"string","age":"number","vip":"boolean","tags":"array","addr":"object"}}`, full},
		{"flat camelCase", `{"orgId":"o1","workspaceId":"w1","syncConfigurationId":"s1","syncRunId":"r1",
			"sourceType":"DataWarehouse::Query","sourceObjectId":"so1","destinationType":"Salesforce::Connection",
			"destinationId":"d1","destinationObjectId":"do1","runStartedAt":"2025-11-18T12:00:00+02:00",
			"recordPayloadSchema":{"email":"String","age":"NUMBER","vip":"boolean","tags":"Array","addr":"map"}}`, full},
		{"nested", `{"organization":{"id":"o1"},"workspace":{"id":"w1"},"sync_configuration":{"id":"s1"},
			"sync_run":{"id":"r1","started_at":1763460000},
			"source":{"type":"DataWarehouse::Query","id":"so1"},
			"destination":{"type":"Salesforce::Connection","id":"d1"},"destination_object":{"id":"do1"},
			"payload_schema":[{"name":"email","type":"string"},{"name":"age","type":"number"},
				{"name":"vip","type":"boolean"},{"name":"tags","type":"array"},{"name":"addr","type":"object"}]}`, full},
		{"nested object_id, kebab keys, schema of {type}", `{"org-id":"o1","workspace-id":"w1","sync-id":"s1","run-id":"r1",
			"source":{"type":"DataWarehouse::Query","id":"conn9","object_id":"so1"},
			"destination":{"type":"Salesforce::Connection","id":"d1","object_id":"do1"},"start_time":"2025-11-18 10:00:00",
			"schema":{"email":{"type":"string"},"age":{"Type":"number"},"vip":{"type":"bool"},"tags":{"type":"array"},"addr":{}}}`, full},
		{"wrapped in sync_run", `{"sync_run":{"id":"r1","org_id":"o1","workspace_id":"w1","sync_id":"s1",
			"source_type":"DataWarehouse::Query","source_object_id":"so1","destination_type":"Salesforce::Connection",
			"destination_id":"d1","destination_object_id":"do1","started_at":"2025-11-18T10:00:00.000Z",
			"record_payload_schema":"{\"email\":\"string\",\"age\":\"number\",\"vip\":\"boolean\",\"tags\":\"array\",\"addr\":\"object\"}"}}`, full},
		{"JSON Schema", `{"schema":{"type":"object","properties":{"email":{"type":["string","null"]},"age":{"type":"integer"},
			"vip":{"type":"boolean"},"tags":{"type":"array"},"addr":{"type":"object"}}}}`,
			RunMeta{PayloadSchema: fullSchema}},
		{"empty object", `{}`, RunMeta{}},
		{"unusable values stay empty", `{"org_id":{"x":1},"workspace_id":null,"sync_id":"","started_at":"yesterday",
			"schema":"public","source_type":["a"]}`, RunMeta{NotUnderstood: []string{"org_id (an object)", "source_type (an array)",
			"started_at (a string not understood)"}}},
		{"numeric ids stay exact", `{"org_id":123456789012345678901234567890,"workspace_id":1e3,"sync_id":1.5E1,
			"run_id":25e-1,"source_object_id":-7,"destination_id":true,"destination_object_id":12.50}`,
			RunMeta{OrgID: "123456789012345678901234567890", WorkspaceID: "1000", SyncConfigurationID: "15",
				SyncRunID: "2.5", SourceObjectID: "-7", DestinationID: "true", DestinationObjectID: "12.50"}},
		{"top-level keys beat wrapped and nested ones", `{"sync_run":{"org_id":"wrapped"},"org":{"id":"nested"},"org_id":"top"}`,
			RunMeta{OrgID: "top"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseMetadata([]byte(tt.raw), "", "", "")
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Raw, []byte(tt.raw)) {
				t.Errorf("Raw = %q, want the input", got.Raw)
			}
			checkMeta(t, got, tt.want)
		})
	}
}

func checkMeta(t *testing.T, got, want RunMeta) {
	t.Helper()
	if (got.StartedAt == nil) != (want.StartedAt == nil) ||
		got.StartedAt != nil && (!got.StartedAt.Equal(*want.StartedAt) || got.StartedAt.Location() != time.UTC) {
		t.Errorf("StartedAt = %v, want %v in UTC", got.StartedAt, want.StartedAt)
	}
	got.StartedAt, want.StartedAt, got.Raw, want.Raw = nil, nil, nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func TestParseMetadataPathIDs(t *testing.T) {
	tests := []struct {
		name, raw, org, sync, run string
		want                      RunMeta
	}{
		{"path fills missing ids", `{"workspace_id":"w"}`, "o", "s", "r",
			RunMeta{OrgID: "o", WorkspaceID: "w", SyncConfigurationID: "s", SyncRunID: "r"}},
		{"path overrides contradicting ids", `{"org_id":"x","sync_configuration_id":"y","sync_run_id":"z"}`, "o", "s", "r",
			RunMeta{OrgID: "o", SyncConfigurationID: "s", SyncRunID: "r"}},
		{"empty path ids keep the file's", `{"org_id":"x","sync_id":"y","run_id":"z"}`, "", "", "",
			RunMeta{OrgID: "x", SyncConfigurationID: "y", SyncRunID: "z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseMetadata([]byte(tt.raw), tt.org, tt.sync, tt.run)
			if err != nil {
				t.Fatal(err)
			}
			checkMeta(t, got, tt.want)
		})
	}
}

func TestParseMetadataTimes(t *testing.T) {
	tests := []struct {
		raw  string
		want *time.Time
	}{
		{`"2025-11-18T10:00:00Z"`, ts("2025-11-18T10:00:00Z")},
		{`"2025-11-18T10:00:00.123456+02:00"`, ts("2025-11-18T08:00:00.123456Z")},
		{`"2025-11-18T10:00:00.5"`, ts("2025-11-18T10:00:00.5Z")}, // no zone: UTC
		{`"2025-11-18 10:00:00"`, ts("2025-11-18T10:00:00Z")},
		{`"2025-11-18 10:00:00 UTC"`, ts("2025-11-18T10:00:00Z")},
		{`1763460000`, ts("2025-11-18T10:00:00Z")},
		{`1763460000123`, ts("2025-11-18T10:00:00.123Z")},
		{`1763460000123456`, ts("2025-11-18T10:00:00.123456Z")},
		{`1763460000.25`, ts("2025-11-18T10:00:00.25Z")},
		{`"1763460000"`, ts("2025-11-18T10:00:00Z")},
		{`"soon"`, nil},
		{`""`, nil},
		{`"-Inf"`, nil},
		{`1e300`, nil},
		{`{"at":1}`, nil},
		// Outside 2000-2199: a default or a number at the wrong scale.
		{`0`, nil},
		{`"0001-01-01T00:00:00Z"`, nil},
		{`99999999999`, nil}, // seconds: the year 5138
		{`"1999-12-31T23:59:59Z"`, nil},
		{`946684800`, ts("2000-01-01T00:00:00Z")},
		{`"2199-12-31T23:59:59Z"`, ts("2199-12-31T23:59:59Z")},
	}
	for _, tt := range tests {
		got, err := ParseMetadata([]byte(`{"started_at":`+tt.raw+`}`), "", "", "")
		if err != nil {
			t.Fatalf("%s: %v", tt.raw, err)
		}
		if (got.StartedAt == nil) != (tt.want == nil) || got.StartedAt != nil && !got.StartedAt.Equal(*tt.want) {
			t.Errorf("started_at %s: got %v, want %v", tt.raw, got.StartedAt, tt.want)
		}
	}
}

func TestParseMetadataErrors(t *testing.T) {
	tests := []struct{ raw, want string }{
		{`{"org_id": "o",}`, "metadata.json: invalid JSON at offset 16: "},
		{`{"org_id": `, "metadata.json: invalid JSON at offset 11: unexpected EOF"},
		{``, "metadata.json: empty file"},
		{" \n\t", "metadata.json: empty file"},
		{`[{"org_id": "o"}]`, "metadata.json: top level is an array, want an object"},
		{`"text"`, "metadata.json: top level is a scalar or null, want an object"},
		{`null`, "metadata.json: top level is a scalar or null, want an object"},
		{`{} {}`, "metadata.json: invalid JSON at offset 2: data after the top-level value"},
		{`{}x`, "metadata.json: invalid JSON at offset 2: data after the top-level value"},
		{"\xef\xbb\xbf\xef\xbb\xbf{}", "metadata.json: invalid JSON at offset 1: "}, // one BOM is forgiven
	}
	for _, tt := range tests {
		_, err := ParseMetadata([]byte(tt.raw), "o", "s", "r")
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) || !errors.Is(err, ErrInvalidMetadata) {
			t.Errorf("ParseMetadata(%q) error = %v, want prefix %q", tt.raw, err, tt.want)
		}
	}
}

func TestParseMetadataRaw(t *testing.T) {
	in := []byte("\xef\xbb\xbf{\"org_id\": \"o\"}\n")
	got, err := ParseMetadata(in, "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if string(got.Raw) != "{\"org_id\": \"o\"}\n" || !json.Valid(got.Raw) {
		t.Errorf("Raw = %q, want the bytes without the BOM", got.Raw)
	}
	in[5] = 'X' // the caller may reuse its buffer
	if got.Raw[2] != 'o' {
		t.Error("Raw shares the caller's buffer")
	}
}

// Keys that normalise the same must resolve the same way whatever Go's map
// order; the parser ranks by depth, then original key bytes.
func TestParseMetadataDeterministic(t *testing.T) {
	raw := []byte(`{"org_id":"a","orgId":"b","ORG-ID":"c","org":{"id":"d"},"data":{"org_id":"e"},
		"schema":[{"name":"x","type":"string","Type":"number"}]}`)
	first, _ := ParseMetadata(raw, "", "", "")
	if first.OrgID != "c" || first.PayloadSchema["x"] != "number" {
		t.Errorf("OrgID = %q, schema = %v; want c (smallest key) and number (\"Type\" < \"type\")", first.OrgID, first.PayloadSchema)
	}
	for i := 0; i < 100; i++ {
		got, _ := ParseMetadata(raw, "", "", "")
		if !reflect.DeepEqual(got, first) {
			t.Fatalf("run %d: %+v, first %+v", i, got, first)
		}
	}
}

// The cap counts fields in every schema style, and a schema at the cap parses.
func TestParseMetadataFieldCap(t *testing.T) {
	styles := map[string]func(n int) any{
		"map": func(n int) any {
			m := map[string]string{}
			for i := range n {
				m[fmt.Sprint("f", i)] = "number"
			}
			return m
		},
		"list": func(n int) any {
			var l []map[string]string
			for i := range n {
				l = append(l, map[string]string{"name": fmt.Sprint("f", i), "type": "string"})
			}
			return l
		},
		"JSON Schema": func(n int) any {
			props := map[string]any{}
			for i := range n {
				props[fmt.Sprint("f", i)] = map[string]string{"type": "boolean"}
			}
			return map[string]any{"type": "object", "properties": props}
		},
	}
	for name, schema := range styles {
		for _, n := range []int{MaxPayloadFields, MaxPayloadFields + 1} {
			raw, _ := json.Marshal(map[string]any{"record_payload_schema": schema(n)})
			m, err := ParseMetadata(raw, "o", "s", "r")
			if n == MaxPayloadFields {
				if err != nil || len(m.PayloadSchema) != n {
					t.Errorf("%s, %d fields: %d parsed, error %v; want all, no error", name, n, len(m.PayloadSchema), err)
				}
				continue
			}
			want := fmt.Sprintf("metadata.json: record payload schema has %d fields, more than the %d", n, MaxPayloadFields)
			if err == nil || !strings.HasPrefix(err.Error(), want) || !errors.Is(err, ErrInvalidMetadata) {
				t.Errorf("%s, %d fields: error %v, want prefix %q", name, n, err, want)
			}
		}
	}
}

// A value of a known field that is not understood stays empty and is named,
// with what it is (never its bytes), so the load can say so; an id the path
// gives, null and empty values are not.
func TestParseMetadataNamesValuesNotUnderstood(t *testing.T) {
	raw := `{"org_id":{"x":1},"sync_run_id":[1],"started_at":"last tuesday","destination_id":{"id":7},` +
		`"source_type":null,"workspace_id":"","record_payload_schema":"email string"}`
	m, err := ParseMetadata([]byte(raw), "", "s", "r")
	if err != nil {
		t.Fatal(err)
	}
	want := "org_id (an object), destination_id (an object), started_at (a string not understood), record_payload_schema (a string not understood)"
	if got := strings.Join(m.NotUnderstood, ", "); got != want {
		t.Errorf("not understood: %q\nwant %q", got, want)
	}
	if m.OrgID != "" || m.StartedAt != nil || m.DestinationID != "" || m.PayloadSchema != nil || m.SyncRunID != "r" {
		t.Errorf("values not understood are not left empty: %+v", m)
	}
	if ok, _ := ParseMetadata([]byte(`{"org_id":"1","started_at":"2026-01-05T08:00:00Z","record_payload_schema":{"a":"string"}}`), "", "", ""); len(ok.NotUnderstood) != 0 {
		t.Errorf("a plain file has values not understood: %q", ok.NotUnderstood)
	}
}
