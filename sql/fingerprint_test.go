package sql

import "testing"

// fingerprintCases are messages and the fingerprint each must have: the same
// error about different values must give the same fingerprint.
var fingerprintCases = []struct{ msg, want string }{
	{"INVALID_EMAIL_ADDRESS: invalid email address: ana.lee@@example", "INVALID_EMAIL_ADDRESS: invalid email address: <email>"},
	{"INVALID_EMAIL_ADDRESS: invalid email address: bo.kim@example..com", "INVALID_EMAIL_ADDRESS: invalid email address: <email>"},
	{"invalid email address: bo.kim.example.com", "invalid email address: <host>"},
	{"Record 0035g00000AbCdEfGH not found", "Record <id> not found"},
	{"Request 176f82de-2faf-46ad-95f3-0c86375fa8b7 failed: 503 Service Unavailable", "Request <uuid> failed: <n> Service Unavailable"},
	{"value 'ABC-1234' exceeds maximum length of 12 for field \"Phone\"", "value '<v>' exceeds maximum length of <n> for field \"Phone\""},
	{"Annual revenue must be positive (value: -104901.39)", "Annual revenue must be positive (value: <n>)"},
	{"retry after 94 seconds", "retry after <n> seconds"},
	{`HTTP 400: {"error":"invalid_phone","detail":"+1-555-1268 is bad"}`, `HTTP <n>: {"error":"invalid_phone","detail":"+<n>-<n>-<n> is bad"}`},
	{"Duplicate identifier in batch: CUST-316920", "Duplicate identifier in batch: <id>"},
	{"for record u_792736 and cus_9f2Ab", "for record <id> and <id>"},
	{"Invalid date format for field 'birthday': '12/31/1999'", "Invalid date format for field '<v>': '<v>'"},
	{"1 2 3", "<n> <n> <n>"},
	{"Property \"utm_source\" does not exist on object type COMPANY", "Property \"utm_source\" does not exist on object type COMPANY"},
	{"java.lang.NullPointerException at line 12", "java.lang.NullPointerException at line <n>"},
	{"UNABLE_TO_LOCK_ROW", "UNABLE_TO_LOCK_ROW"},
	{"", ""},
	{"v2 of api", "<id> of api"},
}

func TestFingerprint(t *testing.T) {
	for _, c := range fingerprintCases {
		if got := Fingerprint(c.msg); got != c.want {
			t.Errorf("Fingerprint(%q)\n got %q\nwant %q", c.msg, got, c.want)
		}
	}
}

// FingerprintCases are the messages above, for tests that run the SQL.
func FingerprintCases() []string {
	out := make([]string, len(fingerprintCases))
	for i, c := range fingerprintCases {
		out[i] = c.msg
	}
	return out
}
