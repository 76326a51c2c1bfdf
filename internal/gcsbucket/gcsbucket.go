// Package gcsbucket opens gs:// bucket URLs. One that asks for no
// credentials (anonymous=true or access_id=-: a public bucket) is opened
// with gocloud.dev's gcsblob.URLOpener given an unauthenticated client, as
// gcsblob's own URL opener ends up doing: that one first looks up
// Application Default Credentials for every URL, and where there are none
// it prints "Warning: unable to load GCP Default Credentials" on stdout,
// amid a load's report or a query's CSV. Any other gs:// URL goes to
// gcsblob's opener as before (the command checks first that there are
// credentials).
//
// The URL's parameters are gcsblob.URLOpener's, taken by it (an unknown
// one is its "invalid query parameter" error), plus universe_domain, which
// the URL opener takes from the credentials it found and is given here as
// a client option; prefix= and key= are the URL mux's, as for a bucket of
// any scheme. STORAGE_EMULATOR_HOST (and STORAGE_EMULATOR_HOST_GRPC for
// grpc=true) point the client at an emulator, read by gcsblob.OpenBucket
// and the storage client themselves. Compare with gocloud.dev@v0.47.0's
// gcsblob.lazyCredsOpener when go.mod moves gocloud.dev.
package gcsbucket

import (
	"context"
	"net/url"
	"strconv"

	"gocloud.dev/blob"
	"gocloud.dev/blob/gcsblob"
	"gocloud.dev/gcp"
	"google.golang.org/api/option"
)

// Scheme is the URL scheme, gocloud.dev's.
const Scheme = gcsblob.Scheme

// Anonymous says whether a gs:// URL's query asks for an unauthenticated
// client, as gcsblob.URLOpener reads it: anonymous=true, or access_id=-.
func Anonymous(q url.Values) bool {
	anon, _ := strconv.ParseBool(q.Get("anonymous"))
	return anon || q.Get("access_id") == "-"
}

// Open opens the gs:// bucket URL raw. It connects to nothing: a bucket
// that is not there, or not public, fails on the first request.
func Open(ctx context.Context, raw string) (*blob.Bucket, error) {
	u, err := url.Parse(raw)
	if err != nil || !Anonymous(u.Query()) {
		return blob.OpenBucket(ctx, raw)
	}
	mux := new(blob.URLMux)
	mux.RegisterBucket(Scheme, anonymousOpener{})
	return mux.OpenBucket(ctx, raw)
}

// anonymousOpener opens a gs:// URL that asks for no credentials, looking
// for none.
type anonymousOpener struct{}

func (anonymousOpener) OpenBucketURL(ctx context.Context, u *url.URL) (*blob.Bucket, error) {
	o := &gcsblob.URLOpener{Client: gcp.NewAnonymousHTTPClient(gcp.DefaultTransport())}
	if ud := u.Query().Get("universe_domain"); ud != "" {
		o.Options.ClientOptions = []option.ClientOption{option.WithUniverseDomain(ud)}
	}
	return o.OpenBucketURL(ctx, u)
}
