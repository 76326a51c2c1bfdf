package postgres

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
)

// Identity is the schema a postgres:// or postgresql:// URL names, written
// one way: the server (each host and port, a unix socket's directory
// cleaned, a host name lower-cased), the database and the schema, its
// default included. Two URLs with the same identity load one ledger, however
// their parameters are ordered or spelt. The user is left out: two roles
// writing one schema still share its ledger. ok is false for a URL that is
// not PostgreSQL's or does not parse.
func Identity(raw string) (id string, ok bool) {
	c, err := ParseURL(raw, func(string) string { return "" })
	if err != nil {
		return "", false
	}
	cc := c.Pool.ConnConfig
	// pgx lists a host again for each TLS mode it would try (sslmode=prefer).
	hosts := []string{server(cc.Host, cc.Port)}
	for _, f := range cc.Fallbacks {
		if h := server(f.Host, f.Port); !slices.Contains(hosts, h) {
			hosts = append(hosts, h)
		}
	}
	return fmt.Sprintf("postgres://%s/%s?schema=%s", strings.Join(hosts, ","), cc.Database, c.Schema), true
}

// server is one host and port as Identity writes them.
func server(host string, port uint16) string {
	if strings.HasPrefix(host, "/") {
		host = filepath.Clean(host)
	} else {
		host = strings.ToLower(host)
	}
	return fmt.Sprintf("%s:%d", host, port)
}
