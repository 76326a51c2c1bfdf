package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strings"

	"github.com/synctrack/synctrack/web"
)

// webAuth reads the pages' secret (the file, else SYNCTRACK_WEB_TOKEN) and
// refuses a listen address beyond loopback without one. serve and run --web
// name the file by different flags, so the caller passes its own (without
// "--") and the refusal names that flag and its config key.
func webAuth(file, fileFlag, listen string) (web.Auth, error) {
	auth, err := web.LoadAuth(os.Getenv, file)
	if err != nil {
		return web.Auth{}, err
	}
	if err := web.CheckListen(listen, auth); err != nil {
		if !errors.Is(err, web.ErrOpenListen) {
			return web.Auth{}, err
		}
		return web.Auth{}, fmt.Errorf("%w; set %s or --%s (config key %s), or listen on 127.0.0.1",
			err, web.TokenEnv, fileFlag, strings.ReplaceAll(fileFlag, "-", "_"))
	}
	return auth, nil
}

// pagesURL is the address to print for a listener at addr. One on every
// interface reports itself as [::] or 0.0.0.0, which a browser cannot open,
// so it prints loopback and says the pages are open beyond it.
func pagesURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr + "/"
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		return "http://" + net.JoinHostPort("127.0.0.1", port) + "/ (listening on all interfaces)"
	}
	return "http://" + addr + "/"
}
