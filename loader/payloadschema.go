package loader

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"github.com/synctrack/synctrack/dialects"
)

// payloadSchema reads {"field": "string"}, {"field": {"type": "string"}},
// [{"name", "type"}], a JSON Schema {"type": "object", "properties": {...}},
// or any of these written as a JSON string. Field names are kept as written.
func payloadSchema(v any) (map[string]string, bool) {
	if s, ok := v.(string); ok && json.Unmarshal([]byte(s), &v) != nil {
		return nil, false
	}
	out := map[string]string{}
	switch x := v.(type) {
	case map[string]any:
		if props, ok := lookup(x, "properties").(map[string]any); ok && typeName(x) == "object" {
			x = props
		}
		for name, t := range x {
			out[name] = payloadType(typeName(t))
		}
	case []any:
		for _, e := range x {
			o, _ := e.(map[string]any)
			if name, ok := lookup(o, "name", "field", "fieldname", "key", "column", "columnname").(string); ok {
				out[name] = payloadType(typeName(o))
			}
		}
	}
	return out, len(out) > 0
}

// typeName reads a type written as "string", {"type": "string"} or a JSON
// Schema list such as ["string", "null"] (the first type that is not null).
func typeName(v any) string {
	switch x := v.(type) {
	case string:
		return strings.ToLower(strings.TrimSpace(x))
	case map[string]any:
		if t := lookup(x, "type", "datatype", "jsontype"); t != nil {
			return typeName(t)
		}
	case []any:
		for _, e := range x {
			if t, ok := e.(string); ok && typeName(t) != "null" {
				return typeName(t)
			}
		}
	}
	return ""
}

// payloadType keeps "array" (RunMeta does) and otherwise agrees with the typed views.
func payloadType(t string) string {
	if t == "array" {
		return "array"
	}
	return dialects.NormalizeType(t)
}

// lookup returns the value of the first name matching a key of o after
// normalisation; among keys that normalise the same, the smallest wins.
func lookup(o map[string]any, names ...string) any {
	keys := slices.Sorted(maps.Keys(o))
	for _, n := range names {
		for _, k := range keys {
			if normKey(k) == n {
				return o[k]
			}
		}
	}
	return nil
}
