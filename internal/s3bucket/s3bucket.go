// Package s3bucket opens s3:// bucket URLs as gocloud.dev's s3blob does,
// query parameter for query parameter, with an AWS SDK configuration that
// logs to the command's logger (awslog): s3blob's own opener loads the
// SDK's defaults, whose logger prints plain "SDK ..." lines on stderr (a
// response without a checksum, as S3-compatible servers send; the IMDSv1
// fallback on a credentials lookup) into a --log-format json stream.
// gocloud.dev takes no logger nor SDK options from its URL opener, and the
// SDK hands its logger to the credential providers while it loads the
// configuration, so it is given at load time, not set afterwards.
//
// URLOpener.OpenBucketURL and configFromURLParams (split into its steps,
// readURLParams and assumeRoleOptions) follow gocloud.dev@v0.47.0's
// s3blob.URLOpener.OpenBucketURL and aws.V2ConfigFromURLParams line for
// line, plus the logger: compare them when go.mod moves gocloud.dev.
package s3bucket

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"gocloud.dev/blob"
	"gocloud.dev/blob/s3blob"

	"github.com/synctrack/synctrack/internal/awslog"
)

// Scheme is the URL scheme, gocloud.dev's.
const Scheme = s3blob.Scheme

// Open opens an s3:// bucket URL, the SDK logging to log. prefix= and key=
// are taken by gocloud.dev's URL mux, as for a bucket of any scheme.
func Open(ctx context.Context, raw string, log *slog.Logger) (*blob.Bucket, error) {
	mux := new(blob.URLMux)
	mux.RegisterBucket(Scheme, &URLOpener{Logger: log})
	return mux.OpenBucket(ctx, raw)
}

// URLOpener opens s3:// URLs as s3blob.URLOpener does, the SDK logging to
// Logger. The host is the bucket's name.
type URLOpener struct {
	Logger *slog.Logger
}

var _ blob.BucketURLOpener = (*URLOpener)(nil)

// OpenBucketURL opens the bucket u names. It connects to nothing: wrong
// credentials or a wrong endpoint fail on the first request.
func (o *URLOpener) OpenBucketURL(ctx context.Context, u *url.URL) (*blob.Bucket, error) {
	q := u.Query()
	var bo s3blob.Options
	if v := q.Get("ssetype"); v != "" {
		q.Del("ssetype")
		sse, err := sseType(v)
		if err != nil {
			return nil, err
		}
		bo.EncryptionType = sse
	}
	if v := q.Get("kmskeyid"); v != "" {
		q.Del("kmskeyid")
		bo.KMSEncryptionID = v
	}
	accelerate := false
	if v := q.Get("accelerate"); v != "" {
		q.Del("accelerate")
		var err error
		if accelerate, err = strconv.ParseBool(v); err != nil {
			return nil, fmt.Errorf("invalid value for %q: %w", "accelerate", err)
		}
	}
	opts := []func(*s3.Options){func(o *s3.Options) { o.UseAccelerate = accelerate }}
	if v := q.Get("disable_https"); v != "" {
		q.Del("disable_https")
		off, err := strconv.ParseBool(v)
		if err != nil {
			return nil, fmt.Errorf("invalid value for %q: %w", "disable_https", err)
		}
		opts = append(opts, func(o *s3.Options) { o.EndpointOptions.DisableHTTPS = off })
	}
	for _, key := range []string{"use_path_style", "s3ForcePathStyle"} { // the second is SDK v1's name
		if v := q.Get(key); v != "" {
			q.Del(key)
			path, err := strconv.ParseBool(v)
			if err != nil {
				return nil, fmt.Errorf("invalid value for %q: %w", key, err)
			}
			opts = append(opts, func(o *s3.Options) { o.UsePathStyle = path })
		}
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg, err := configFromURLParams(ctx, q, log)
	if err != nil {
		return nil, fmt.Errorf("open bucket %v: %w", u, err)
	}
	client := s3.NewFromConfig(cfg, opts...)
	// The upload manager takes no checksum setting from the client (as s3blob says).
	bo.RequestChecksumCalculation = cfg.RequestChecksumCalculation
	return s3blob.OpenBucket(ctx, client, u.Host, &bo)
}

func sseType(v string) (types.ServerSideEncryption, error) {
	for _, t := range types.ServerSideEncryptionAes256.Values() {
		if strings.EqualFold(string(t), v) {
			return t, nil
		}
	}
	return "", fmt.Errorf("%q is not a valid value for %q", v, "ssetype")
}

// configFromURLParams is gocloud.dev's aws.V2ConfigFromURLParams with every
// configuration it loads logging to log. Parameters: region, anonymous,
// profile, role, endpoint, hostname_immutable, dualstack, fips,
// rate_limiter_capacity, request_checksum_calculation,
// response_checksum_validation, awssdk (ignored); any other is an error.
func configFromURLParams(ctx context.Context, q url.Values, log *slog.Logger) (aws.Config, error) {
	logger := config.WithLogger(awslog.New(log))
	p, err := readURLParams(q, logger)
	if err != nil {
		return aws.Config{}, err
	}
	opts := p.opts
	if p.roleARN != "" {
		if opts, err = assumeRoleOptions(ctx, opts, logger, p.roleARN); err != nil {
			return aws.Config{}, err
		}
	}
	// One limiter for every client made from this configuration, as
	// gocloud.dev makes it: no client-side retry quota unless
	// rate_limiter_capacity= sets one.
	var limiter retry.RateLimiter = ratelimit.None
	if p.capacity > 0 {
		limiter = ratelimit.NewTokenRateLimit(uint(p.capacity))
	}
	opts = append(opts, config.WithRetryer(func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) { o.RateLimiter = limiter })
	}))
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, err
	}
	if p.endpoint != "" {
		// gocloud.dev's global resolver, deprecated by the SDK, kept as it
		// is (not BaseEndpoint) so that an endpoint= with or without
		// hostname_immutable= resolves as it did through s3blob.
		cfg.EndpointResolverWithOptions = aws.EndpointResolverWithOptionsFunc( //nolint:staticcheck
			func(service, region string, options ...any) (aws.Endpoint, error) {
				return aws.Endpoint{PartitionID: "aws", URL: p.endpoint, SigningRegion: region, HostnameImmutable: p.hostnameImmutable}, nil
			})
	}
	return cfg, nil
}

// urlParams is what readURLParams took from the query: the options every
// configuration is loaded with, and what is applied around that load (the
// role to assume first, the retry quota, the endpoint set on the result).
type urlParams struct {
	opts              []func(*config.LoadOptions) error
	endpoint, roleARN string
	hostnameImmutable bool
	capacity          int64
}

// readURLParams is the first step of configFromURLParams, apart because it
// reads every parameter before anything is loaded: with role=, the
// configuration that assumes the role needs all the others (region
// above all), whatever order the query gives them in.
func readURLParams(q url.Values, logger config.LoadOptionsFunc) (urlParams, error) {
	var endpoint, roleARN string
	var hostnameImmutable bool
	var capacity int64
	opts := []func(*config.LoadOptions) error{logger}
	for param, values := range q {
		value := values[0]
		switch param {
		case "hostname_immutable":
			var err error
			if hostnameImmutable, err = strconv.ParseBool(value); err != nil {
				return urlParams{}, fmt.Errorf("invalid value for hostname_immutable: %w", err)
			}
		case "region":
			opts = append(opts, config.WithRegion(value))
		case "endpoint":
			endpoint = value
		case "profile":
			opts = append(opts, config.WithSharedConfigProfile(value))
		case "dualstack":
			dual, err := strconv.ParseBool(value)
			if err != nil {
				return urlParams{}, fmt.Errorf("invalid value for dualstack: %w", err)
			}
			if dual {
				opts = append(opts, config.WithUseDualStackEndpoint(aws.DualStackEndpointStateEnabled))
			}
		case "fips":
			fips, err := strconv.ParseBool(value)
			if err != nil {
				return urlParams{}, fmt.Errorf("invalid value for fips: %w", err)
			}
			if fips {
				opts = append(opts, config.WithUseFIPSEndpoint(aws.FIPSEndpointStateEnabled))
			}
		case "rate_limiter_capacity":
			var err error
			if capacity, err = strconv.ParseInt(value, 10, 32); err != nil {
				return urlParams{}, fmt.Errorf("invalid value for capacity: %w", err)
			}
		case "anonymous":
			anon, err := strconv.ParseBool(value)
			if err != nil {
				return urlParams{}, fmt.Errorf("invalid value for anonymous: %w", err)
			}
			if anon {
				opts = append(opts, config.WithCredentialsProvider(aws.AnonymousCredentials{}))
			}
		case "role":
			if !strings.HasPrefix(value, "arn:") {
				return urlParams{}, fmt.Errorf("invalid value for role: must be a valid ARN (starts with 'arn:'): %s", value)
			}
			roleARN = value
		case "request_checksum_calculation":
			required, err := whenRequired(param, value)
			if err != nil {
				return urlParams{}, err
			}
			c := aws.RequestChecksumCalculationWhenSupported
			if required {
				c = aws.RequestChecksumCalculationWhenRequired
			}
			opts = append(opts, config.WithRequestChecksumCalculation(c))
		case "response_checksum_validation":
			required, err := whenRequired(param, value)
			if err != nil {
				return urlParams{}, err
			}
			c := aws.ResponseChecksumValidationWhenSupported
			if required {
				c = aws.ResponseChecksumValidationWhenRequired
			}
			opts = append(opts, config.WithResponseChecksumValidation(c))
		case "awssdk":
			// gocloud.dev's choice of SDK version; v2 is the only one left
		default:
			return urlParams{}, fmt.Errorf("unknown query parameter %q", param)
		}
	}
	return urlParams{opts: opts, endpoint: endpoint, roleARN: roleARN, hostnameImmutable: hostnameImmutable, capacity: capacity}, nil
}

// assumeRoleOptions is the role= step of configFromURLParams, apart
// because it loads a configuration of its own (from opts, to reach STS)
// and then replaces opts: the bucket's configuration is loaded from what
// it returns, the retryer added after.
func assumeRoleOptions(ctx context.Context, opts []func(*config.LoadOptions) error,
	logger config.LoadOptionsFunc, roleARN string) ([]func(*config.LoadOptions) error, error) {
	base, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("failed to load default AWS config: %w", err)
	}
	if base.Region == "" {
		return nil, fmt.Errorf("STS client created with empty region: all other parameters must be collected before assuming role")
	}
	// As gocloud.dev: with role=, the bucket's configuration is the
	// role's credentials and the region; the other parameters only
	// shaped the configuration that assumes the role.
	opts = []func(*config.LoadOptions) error{logger,
		config.WithCredentialsProvider(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(base), roleARN)),
		config.WithRegion(base.Region)}
	return opts, nil
}

// whenRequired reads a checksum mode: when_supported or when_required.
func whenRequired(param, value string) (bool, error) {
	switch strings.ToLower(value) {
	case "when_supported":
		return false, nil
	case "when_required":
		return true, nil
	}
	return false, fmt.Errorf("invalid value for %q: %q. Valid values are: when_supported, when_required", param, value)
}
