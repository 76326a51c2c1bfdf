package sql

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

func TestFastFingerprintOracle(t *testing.T) {
	for _, c := range fingerprintOracle {
		if got := FastFingerprint(c.Msg); got != c.Want {
			t.Errorf("FastFingerprint(%q)\n got %q\nwant %q", c.Msg, got, c.Want)
		}
	}
}

// pieces are what random messages are made of: every byte a rule looks at,
// runs that come close to a match, UTF-8 and an invalid byte.
var pieces = []string{
	"a", "b", "e", "z", "A", "F", "G", "Z", "0", "1", "5", "9", "-", "_", ".", "@", "'", " ", "%", "+",
	"\"", "<", ">", "/", ":", "\n", "é", "日", "\xff", "co", "com", "ex", "Ab", "u_", "x9", "--", "..", "@@",
	"176f82de-2faf-46ad-95f3-0c86375fa8b7", "0F8FAD5B-D9CB-469F-A165-70867728950E", "176f82de-2faf-46ad",
	"0035g00000AbCdEfGH", "ana.lee@example.com", "db-1.internal.example.net", "-104901.39", "CUST-1042",
}

func randomMessage(r *rand.Rand) string {
	var b strings.Builder
	for n := r.IntN(24); n > 0; n-- {
		b.WriteString(pieces[r.IntN(len(pieces))])
	}
	return b.String()
}

// Each pass finds what its rule's regexp finds, on its own: a difference
// names the rule.
func TestFastFingerprintPasses(t *testing.T) {
	passes := map[string]func(dst, src []byte) []byte{
		"uuid": uuidPass, "email": emailPass, "quoted": quotedPass, "host": hostPass, "id": idPass, "number": numberPass,
	}
	r := rand.New(rand.NewPCG(1, 2))
	for _, ru := range rules {
		re, repl := regexp.MustCompile(ru.pattern), ru.token
		if ru.bounded {
			re, repl = regexp.MustCompile(boundary+ru.pattern), "${1}"+ru.token
		}
		pass := passes[ru.name]
		if pass == nil {
			t.Fatalf("no pass for rule %s", ru.name)
		}
		for i := 0; i < 20000; i++ {
			msg := randomMessage(r)
			out := pass(nil, []byte(msg))
			if out == nil { // nothing matched
				out = []byte(msg)
			}
			if got, want := string(out), re.ReplaceAllString(msg, repl); got != want {
				t.Fatalf("%s pass of %q\n got %q\nwant %q", ru.name, msg, got, want)
			}
		}
	}
}

func TestFastFingerprintRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 50000; i++ {
		msg := randomMessage(r)
		if got, want := FastFingerprint(msg), Fingerprint(msg); got != want {
			t.Fatalf("FastFingerprint(%q)\n got %q\nwant %q", msg, got, want)
		}
	}
}

func FuzzFastFingerprint(f *testing.F) {
	for _, c := range fingerprintOracle {
		f.Add(c.Msg)
	}
	for _, p := range pieces {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, msg string) {
		if got, want := FastFingerprint(msg), Fingerprint(msg); got != want {
			t.Fatalf("FastFingerprint(%q)\n got %q\nwant %q", msg, got, want)
		}
	})
}
