package sql

import (
	"regexp"
	"testing"
)

// FingerprintCase is a message and the fingerprint it must have, written by
// hand from what the rules are for (the comments in fingerprint.go), not by
// running them: the oracle for both the Go reference and the SQL every
// template computes (duckdb_test.go runs it).
type FingerprintCase struct{ Msg, Want string }

var fingerprintOracle = []FingerprintCase{
	// uuid: either case, glued to anything; dashes missing make it ids.
	{"Request 176f82de-2faf-46ad-95f3-0c86375fa8b7 failed: 503 Service Unavailable", "Request <uuid> failed: <n> Service Unavailable"},
	{"job 0F8FAD5B-D9CB-469F-A165-70867728950E timed out", "job <uuid> timed out"},
	{"ref=176f82de-2faf-46ad-95f3-0c86375fa8b7;", "ref=<uuid>;"},
	{"trace 176f82de-2faf-46ad-95f3", "trace <id>-<id>-<id>-<id>"},
	// email: anything around an @, malformed too; before quotes and hosts.
	{"INVALID_EMAIL_ADDRESS: invalid email address: ana.lee@@example", "INVALID_EMAIL_ADDRESS: invalid email address: <email>"},
	{"bo.kim@example..com rejected", "<email> rejected"},
	{"contact <Ana.Lee+test@example.co.uk>", "contact <<email>>"},
	{"sent @ 5pm", "sent <email> <id>"},
	{"user 'Ana@Example.com' already exists", "user '<v>' already exists"},
	{"john.smith@mail.example.com bounced", "<email> bounced"},
	// quoted: single-quoted values, empty ones too; double quotes name a field.
	{"value 'ABC-1234' exceeds maximum length of 12 for field \"Phone\"", "value '<v>' exceeds maximum length of <n> for field \"Phone\""},
	{"Invalid date format for field 'birthday': '12/31/1999'", "Invalid date format for field '<v>': '<v>'"},
	{"empty value '' for 'Name'", "empty value '<v>' for '<v>'"},
	{"it's 3 o'clock", "it'<v>'clock"},
	{`Property "utm_source" does not exist on object type COMPANY`, `Property "utm_source" does not exist on object type COMPANY`},
	// host: two dots or more, ending in a lower-case label; not Java classes,
	// not Object.field, not dotted numbers.
	{"invalid email address: bo.kim.example.com", "invalid email address: <host>"},
	{"connect to db-1.internal.example.net:5432 refused", "connect to <host>:<n> refused"},
	{"GET https://api.example.com/v2/items failed", "GET https://<host>/<id>/items failed"},
	{"java.lang.NullPointerException at line 12", "java.lang.NullPointerException at line <n>"},
	{"Contact.email is required", "Contact.email is required"},
	{"timeout from 10.0.0.12", "timeout from <n>.<n>"},
	// id: letters and digits mixed, or letters, - or _ and digits; _ starts a word.
	{"Record 0035g00000AbCdEfGH not found", "Record <id> not found"},
	{"Duplicate identifier in batch: CUST-316920", "Duplicate identifier in batch: <id>"},
	{"for record u_792736 and cus_9f2Ab", "for record <id> and <id>"},
	{"v2 of api", "<id> of api"},
	{"ref_x9f2", "ref_<id>"},
	{"2fa required", "<id> required"},
	{"UNABLE_TO_LOCK_ROW", "UNABLE_TO_LOCK_ROW"},
	// number: signed, decimal, every one; a word start is needed, so a dash
	// between numbers is kept rather than read as a sign.
	{"Annual revenue must be positive (value: -104901.39)", "Annual revenue must be positive (value: <n>)"},
	{"retry after 94 seconds", "retry after <n> seconds"},
	{"1 2 3", "<n> <n> <n>"},
	{"42", "<n>"},
	{`HTTP 400: {"error":"invalid_phone","detail":"+1-555-1268 is bad"}`, `HTTP <n>: {"error":"invalid_phone","detail":"+<n>-<n>-<n> is bad"}`},
	// Non-ASCII letters are word boundaries; backslashes are text.
	{"日本語 42 ünï-7", "日本語 <n> ünï<n>"},
	{`it's "quoted" \ back\slash`, `it's "quoted" \ back\slash`},
	{"", ""},
}

// FingerprintOracle is the hand-written table, for the DuckDB tests.
func FingerprintOracle() []FingerprintCase { return fingerprintOracle }

func TestFingerprint(t *testing.T) {
	for _, c := range fingerprintOracle {
		if got := Fingerprint(c.Msg); got != c.Want {
			t.Errorf("Fingerprint(%q)\n got %q\nwant %q", c.Msg, got, c.Want)
		}
	}
}

// The oracle leaves no rule untested: without any one rule, and with the
// number rule matching inside words, some case comes out otherwise. (The id
// rule's boundary changes nothing: its pattern cannot start inside a word
// anyway.)
func TestFingerprintOracleCoversEveryRule(t *testing.T) {
	for i, r := range rules {
		without := append(append([]rule{}, rules[:i]...), rules[i+1:]...)
		if !oracleNotices(without) {
			t.Errorf("no case fails without the %s rule", r.name)
		}
		if r.name == "number" {
			unbounded := append([]rule{}, rules...)
			unbounded[i].bounded = false
			if !oracleNotices(unbounded) {
				t.Errorf("no case fails with the %s rule matching inside words", r.name)
			}
		}
	}
}

func oracleNotices(rs []rule) bool {
	for _, c := range fingerprintOracle {
		msg := c.Msg
		for _, r := range rs {
			if r.bounded {
				msg = regexp.MustCompile(boundary+r.pattern).ReplaceAllString(msg, "${1}"+r.token)
			} else {
				msg = regexp.MustCompile(r.pattern).ReplaceAllString(msg, r.token)
			}
		}
		if msg != c.Want {
			return true
		}
	}
	return false
}
