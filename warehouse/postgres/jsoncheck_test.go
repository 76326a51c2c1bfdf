package postgres

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

var jsonCases = []string{
	`{}`, `[]`, ` { } `, "\t[\n]\r", `{"a":1}`, `{"a":1,"b":[true,false,null,"x"]}`, `"s"`, `0`, `-0`, `-0.5e+10`,
	`1E5`, `12.25`, `[1,2,{"k":{"k":[]}}]`, `"\u00e9\ud83d\ude00"`, `"\\u0000"`, `"\"\\\/\b\f\n\r\t"`, "\"\xff\xfe\"",
	`{"a" : 1 , "b" :2}`, `{"n":1e1000000}`,
	``, ` `, `{`, `}`, `[`, `]`, `{"a"}`, `{"a":}`, `{"a":1,}`, `[1,]`, `[,1]`, `{,}`, `{1:2}`, `{"a":1 "b":2}`,
	`01`, `-`, `1.`, `.5`, `1e`, `1e+`, `+1`, `0x10`, `tru`, `truex`, `nul`, `falsey`, `"abc`, `"\x"`, `"\u12"`,
	`"\u12g4"`, "\"a\x01b\"", `"a"b`, `{} {}`, `[1]]`, `[1}`, `{"a":1]`, `NaN`, `'s'`, "\x00", `[1,2`,
	"not json", `{"k":"a\u0000b"}`,
	strings.Repeat("[", 10000) + strings.Repeat("]", 10000), strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
	strings.Repeat(`{"a":`, 300) + "1" + strings.Repeat("}", 300),
}

// validJSON says what json.Valid says, and sees a \u escape where a
// string holds one (and not in an escaped backslash followed by u).
func TestValidJSONAgreesWithEncodingJSON(t *testing.T) {
	for _, c := range jsonCases {
		ok, u := validJSON([]byte(c))
		if want := json.Valid([]byte(c)); ok != want {
			t.Errorf("validJSON(%.60q) = %v, json.Valid says %v", c, ok, want)
		}
		if wantU := ok && strings.Contains(strings.ReplaceAll(c, `\\`, ""), `\u`); ok && u != wantU {
			t.Errorf("validJSON(%.60q): \\u escape %v, want %v", c, u, wantU)
		}
	}
}

func FuzzValidJSON(f *testing.F) {
	for _, c := range jsonCases {
		if len(c) < 1000 { // the deep ones stay in the table test: they stall the mutator
			f.Add([]byte(c))
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ok, u := validJSON(b)
		if want := json.Valid(b); ok != want {
			t.Fatalf("validJSON(%q) = %v, json.Valid says %v", b, ok, want)
		}
		if ok && !u && bytes.Contains(bytes.ReplaceAll(b, []byte(`\\`), nil), []byte(`\u`)) {
			t.Fatalf("validJSON(%q) saw no \\u escape", b)
		}
	})
}

var benchPayload = []byte(`{"email":"user_1234@example.com","first_name":"Ada","last_name":"Lovelace","plan":"enterprise",` +
	`"seats":42,"mrr":1234.5,"active":true,"tags":["a","b","c"],"address":{"city":"London","zip":"N1 9GU"},` +
	`"created_at":"2026-01-05T08:01:19.369Z","notes":"line one\nline two \"quoted\" caf\u00e9","score":-0.25e3}`)

// go test ./warehouse/postgres -run '^$' -bench ValidJSON: the ratio is validJSON's speed against json.Valid.
func BenchmarkValidJSON(b *testing.B) {
	b.Run("encoding/json", func(b *testing.B) {
		b.SetBytes(int64(len(benchPayload)))
		for b.Loop() {
			json.Valid(benchPayload)
		}
	})
	b.Run("validJSON", func(b *testing.B) {
		b.SetBytes(int64(len(benchPayload)))
		for b.Loop() {
			validJSON(benchPayload)
		}
	})
}
