package gen

import (
	"encoding/json"
	"strconv"
	"time"
)

// value generators for payload fields
type valueKind uint8

const (
	vIdent valueKind = iota // the record's identifier (string or number)
	vEmail
	vFirst
	vLast
	vFullName
	vPhone
	vTime // changes every run
	vWord // one of field.words
	vInt
	vMoney
	vBool
	vArray
	vObject
	vDomain
	vUUID
)

// field is one payload field: its name, its JSON type in the schema, the
// JSON-encoded `"name":` prefix and how values are made.
type field struct {
	name, typ string
	key       []byte
	kind      valueKind
	words     [][]byte // pre-encoded JSON strings for vWord
}

func mkField(name, typ string, kind valueKind, words ...string) field {
	k, _ := json.Marshal(name)
	f := field{name: name, typ: typ, key: append(k, ':'), kind: kind}
	for _, w := range words {
		b, _ := json.Marshal(w)
		f.words = append(f.words, b)
	}
	return f
}

// template describes one kind of sync: source, destination and payload.
type template struct {
	name, srcType, srcName, destName, destObject, mode string
	intIDs                                             bool
	fields                                             []field // fields[0] is the identifier
	grow                                               *field  // added by a later run, if any
}

var (
	tiers    = []string{"bronze", "silver", "gold", "platinum"}
	segments = []string{"high_value", "churn_risk", "new_signup", "dormant"}
	variants = []string{"control", "treatment_a", "treatment_b"}
	currency = []string{"USD", "EUR", "GBP", "JPY"}
)

func ptr(f field) *field { return &f }

var templates = []template{
	{name: "contacts", srcType: "DataWarehouse::Query", srcName: "Contacts model", destName: "Salesforce", destObject: "Contact", mode: "upsert",
		fields: []field{mkField("customer_id", "string", vIdent), mkField("email", "string", vEmail),
			mkField("first_name", "string", vFirst), mkField("last_name", "string", vLast),
			mkField("phone", "string", vPhone), mkField("lifetime_value", "number", vMoney),
			mkField("is_subscribed", "boolean", vBool), mkField("tags", "array", vArray),
			mkField("updated_at", "string", vTime)},
		grow: ptr(mkField("loyalty_tier", "string", vWord, tiers...))},
	{name: "accounts", srcType: "DataWarehouse::Table", srcName: "analytics.accounts", destName: "Hubspot", destObject: "Company", mode: "update", intIDs: true,
		fields: []field{mkField("account_id", "number", vIdent), mkField("name", "string", vFullName),
			mkField("domain", "string", vDomain), mkField("employee_count", "number", vInt),
			mkField("arr", "number", vMoney), mkField("is_customer", "boolean", vBool),
			mkField("industries", "array", vArray)}},
	{name: "audience", srcType: "DataWarehouse::FilterSegmentSource", srcName: "High value customers", destName: "GoogleSheets", destObject: "Sheet", mode: "mirror",
		fields: []field{mkField("user_id", "string", vIdent), mkField("email", "string", vEmail),
			mkField("segment", "string", vWord, segments...), mkField("score", "number", vInt),
			mkField("opted_in", "boolean", vBool)},
		grow: ptr(mkField("last_seen_at", "string", vTime))},
	{name: "orders", srcType: "DataWarehouse::BusinessObjectSource", srcName: "Orders", destName: "Braze", destObject: "User", mode: "append",
		fields: []field{mkField("user_id", "string", vIdent), mkField("order_id", "string", vUUID),
			mkField("amount", "number", vMoney), mkField("currency", "string", vWord, currency...),
			mkField("items", "array", vArray), mkField("is_first_order", "boolean", vBool),
			mkField("properties", "object", vObject)}},
	{name: "cohort", srcType: "DataWarehouse::CohortSource", srcName: "Winback holdout", destName: "Iterable", destObject: "User", mode: "upsert",
		fields: []field{mkField("user_id", "string", vIdent), mkField("email", "string", vEmail),
			mkField("variant", "string", vWord, variants...), mkField("in_holdout", "boolean", vBool)},
		grow: ptr(mkField("exposed_at", "string", vTime))},
}

// hostileFields are added to one sync when Options.Hostile is set.
var hostileFields = []field{
	mkField("first name", "string", vFirst),
	mkField("Email", "string", vEmail),
	mkField("status", "string", vWord, "active", "inactive", "pending"),
	mkField("identifier", "string", vUUID),
	mkField(`x"); DROP TABLE sync_records; --`, "string", vWord, `'); DROP TABLE users; --`, `" OR 1=1 --`),
	mkField("naïve_ünïcode", "string", vWord, "Zoë Ångström", "東京", "Ünïcödé ✓", "emoji 🚀"),
	mkField("select", "boolean", vBool),
	mkField("1st_value", "number", vMoney),
	mkField("a/b", "string", vWord, "a/b", `back\slash`),
	mkField("tilde~key", "string", vWord, "~", "tab\there"),
	mkField("it's", "string", vWord, "it's fine", "can't"),
}

var (
	firstNames = []string{"Bob", "Alice", "Jane", "Omar", "Mei", "Lucas", "Priya", "Sven", "Ana", "Kofi", "Yuki", "Noah"}
	lastNames  = []string{"Smith", "Garcia", "Chen", "Okafor", "Muller", "Rossi", "Patel", "Kim", "Silva", "Novak", "Brown", "Ito"}
	domains    = []string{"example.com", "acme.io", "globex.net", "initech.co", "umbrella.org"}
	tagWords   = []string{"vip", "newsletter", "beta", "partner", "trial", "enterprise", "smb"}
)

// row is what a payload needs to know about its record.
type row struct {
	h        uint64 // stable per record
	hr       uint64 // per record and run
	ident    []byte
	nullIdx  int // field index written as JSON null (-1 for none)
	runStart time.Time
}

var firstLower, lastLower = lowerAll(firstNames), lowerAll(lastNames)

func lowerAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		b := []byte(s)
		if 'A' <= b[0] && b[0] <= 'Z' {
			b[0] += 'a' - 'A'
		}
		out[i] = string(b)
	}
	return out
}

// appendPayload appends the JSON object for one record.
func appendPayload(dst []byte, fields []field, r *row, intIDs bool) []byte {
	dst = append(dst, '{')
	for i := range fields {
		if i > 0 {
			dst = append(dst, ',')
		}
		f := &fields[i]
		dst = append(dst, f.key...)
		if i == r.nullIdx {
			dst = append(dst, "null"...)
			continue
		}
		dst = appendValue(dst, f, r, mix(r.h, uint64(i)), intIDs)
	}
	return append(dst, '}')
}

func appendValue(dst []byte, f *field, r *row, h uint64, intIDs bool) []byte {
	fi, li := h%12, (h>>8)%12
	first, last := firstNames[fi], lastNames[li]
	switch f.kind {
	case vIdent:
		if intIDs {
			return append(dst, r.ident...)
		}
		return append(append(append(dst, '"'), r.ident...), '"') // identifiers need no escaping
	case vEmail:
		dst = append(append(append(dst, '"'), firstLower[fi]...), '.')
		dst = strconv.AppendUint(append(dst, lastLower[li]...), h>>20%1000, 10)
		return append(append(append(dst, '@'), domains[(h>>4)%5]...), '"')
	case vFirst:
		return append(append(append(dst, '"'), first...), '"')
	case vLast:
		return append(append(append(dst, '"'), last...), '"')
	case vFullName:
		return append(append(append(append(append(dst, '"'), last...), " & "...), lastNames[(h>>16)%12]...), " Ltd\""...)
	case vPhone:
		return append(strconv.AppendUint(append(dst, `"+1-555-`...), 1000+h>>12%9000, 10), '"')
	case vTime:
		t := r.runStart.Add(-time.Duration(mix(r.hr, h)%86400) * time.Second)
		return append(t.AppendFormat(append(dst, '"'), time.RFC3339), '"')
	case vWord:
		return append(dst, f.words[(h^r.hr)%uint64(len(f.words))]...)
	case vInt:
		return strconv.AppendUint(dst, h>>10%5000, 10)
	case vMoney:
		dst = strconv.AppendUint(dst, h>>7%100000, 10)
		return strconv.AppendUint(append(dst, '.'), 10+h>>30%90, 10)
	case vBool:
		return strconv.AppendBool(dst, (h^r.hr)>>3&1 == 1)
	case vArray:
		dst = append(dst, '[')
		for j := range h >> 40 % 3 {
			if j > 0 {
				dst = append(dst, ',')
			}
			dst = append(append(append(dst, '"'), tagWords[(h>>(12+4*j))%7]...), '"')
		}
		return append(dst, ']')
	case vObject:
		dst = strconv.AppendUint(append(dst, `{"channel":"web","coupon":null,"items_count":`...), h>>50%9+1, 10)
		return append(dst, '}')
	case vDomain:
		return append(append(append(dst, '"'), lastLower[li]...), ".com\""...)
	case vUUID:
		return append(appendUUID(append(dst, '"'), h, mix(h, 9)), '"')
	}
	return append(dst, "null"...)
}

const hexDigits = "0123456789abcdef"

// appendUUID appends a version-4 style UUID made from two hashes.
func appendUUID(dst []byte, a, b uint64) []byte {
	for i := range 32 {
		x := a
		if i >= 16 {
			x = b
		}
		if i == 8 || i == 12 || i == 16 || i == 20 {
			dst = append(dst, '-')
		}
		d := x >> (4 * (i % 16)) & 15
		if i == 12 {
			d = 4
		}
		dst = append(dst, hexDigits[d])
	}
	return dst
}

// splitmix64 finalizer: a cheap, well-mixed deterministic hash.
func mix(a, b uint64) uint64 {
	z := a ^ (b+0x9E3779B97F4A7C15)*0xBF58476D1CE4E5B9
	z = (z ^ z>>30) * 0xBF58476D1CE4E5B9
	z = (z ^ z>>27) * 0x94D049BB133111EB
	return z ^ z>>31
}
