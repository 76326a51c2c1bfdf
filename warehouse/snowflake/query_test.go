package snowflake

import (
	"net/http"
	"strings"
	"testing"

	sf "github.com/snowflakedb/gosnowflake"
)

// The type reader wraps only a transport the driver would build the same
// way itself; with DSN settings that shape the driver's own transport
// (proxy, TLS, revocation lists), QueryReadOnly refuses instead of
// connecting otherwise than asked.
func TestTypeReaderKeepsTheDriversTransport(t *testing.T) {
	custom := http.DefaultTransport
	for _, c := range []struct {
		name   string
		cfg    sf.Config
		refuse string
		base   http.RoundTripper
	}{
		{"defaults: OCSP", sf.Config{}, "", sf.SnowflakeTransport}, //nolint:staticcheck
		{"no revocation checks", sf.Config{DisableOCSPChecks: true}, "", http.DefaultTransport},
		{"a transport given", sf.Config{Transporter: custom}, "", custom},
		{"proxy", sf.Config{ProxyHost: "proxy.internal", ProxyPort: 3128}, "proxyHost", nil},
		{"TLS config", sf.Config{TLSConfigName: "corp"}, "tlsConfigName", nil},
		{"CRL", sf.Config{CertRevocationCheckMode: sf.CertRevocationCheckEnabled, DisableOCSPChecks: true}, "certRevocationCheckMode", nil},
	} {
		why := withTypeReader(&c.cfg)
		if c.refuse != "" {
			if !strings.Contains(why, c.refuse) || c.cfg.Transporter != nil {
				t.Errorf("%s: %q, transport %T; want a refusal naming %s", c.name, why, c.cfg.Transporter, c.refuse)
			}
			continue
		}
		tr, ok := c.cfg.Transporter.(typeReader)
		if why != "" || !ok || tr.base != c.base {
			t.Errorf("%s: %q, transport %#v; want the type reader over %T", c.name, why, c.cfg.Transporter, c.base)
		}
	}
}
