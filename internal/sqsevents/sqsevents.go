// Package sqsevents opens an awssqs:// subscription URL (gocloud.dev/pubsub)
// with an AWS SDK configuration of its own, so that what the SDK says goes to
// the daemon's logger: gocloud.dev's own opener loads the SDK's defaults,
// whose logger prints plain "SDK ..." lines on stderr (the IMDSv1 fallback
// warning on every credentials lookup without credentials), into a
// --log-format json stream. Check reads a URL as Open will, so
// `synctrack run --check` refuses what the start refuses.
package sqsevents

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"gocloud.dev/pubsub"
	"gocloud.dev/pubsub/awssnssqs"

	"github.com/synctrack/synctrack/internal/awslog"
)

// Scheme is the URL scheme, gocloud.dev's.
const Scheme = "awssqs"

// Params are the query parameters an awssqs:// URL takes: gocloud.dev's for
// an SQS subscription, less those about S3 (checksums) or no use to a
// subscriber (anonymous, awssdk).
var Params = []string{"region", "endpoint", "hostname_immutable", "profile", "fips", "dualstack", "role",
	"rate_limiter_capacity", "waittime", "raw", "nacklazy", "snstopicarn"}

// spec is what a URL asks for.
type spec struct {
	queueURL string
	region   string // region=, else the one the host names; "" lets the SDK resolve it
	endpoint string
	profile  string
	role     string
	fips     bool
	dual     bool
	capacity int64
	opts     awssnssqs.SubscriptionOptions
}

// hostRegion finds the region in a queue URL's host: sqs.REGION.amazonaws.com
// (and .com.cn, -fips, VPC endpoints), REGION.queue.amazonaws.com (legacy).
var hostRegion = []*regexp.Regexp{
	regexp.MustCompile(`^sqs(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$`),
	regexp.MustCompile(`\.sqs\.([a-z0-9-]+)\.vpce\.amazonaws\.com(?:\.cn)?$`),
	regexp.MustCompile(`^([a-z0-9-]+)\.queue\.amazonaws\.com(?:\.cn)?$`),
}

func parse(u *url.URL) (spec, error) {
	if u.Scheme != Scheme || u.Host == "" || len(strings.Split(strings.Trim(u.Path, "/"), "/")) != 2 {
		return spec{}, fmt.Errorf("want awssqs://sqs.REGION.amazonaws.com/ACCOUNT/QUEUE (the queue's URL with https:// replaced)")
	}
	s := spec{queueURL: "https://" + u.Host + u.Path}
	for k, vs := range u.Query() {
		if !slices.Contains(Params, k) {
			return spec{}, fmt.Errorf("unknown query parameter %q (known: %s)", k, strings.Join(Params, ", "))
		}
		v := vs[0]
		var err error
		switch k {
		case "region":
			s.region = v
		case "endpoint":
			s.endpoint = v
		case "profile":
			s.profile = v
		case "role":
			if !strings.HasPrefix(v, "arn:") {
				err = fmt.Errorf("want a role ARN (arn:...)")
			}
			s.role = v
		case "fips":
			s.fips, err = strconv.ParseBool(v)
		case "dualstack":
			s.dual, err = strconv.ParseBool(v)
		case "hostname_immutable":
			_, err = strconv.ParseBool(v) // an endpoint= is always used as it is
		case "rate_limiter_capacity":
			s.capacity, err = strconv.ParseInt(v, 10, 32)
		case "waittime":
			s.opts.WaitTime, err = time.ParseDuration(v)
		case "raw":
			s.opts.Raw, err = strconv.ParseBool(v)
		case "nacklazy":
			s.opts.NackLazy, err = strconv.ParseBool(v)
		case "snstopicarn":
			s.opts.SNSTopicARN = v
		}
		if err != nil {
			return spec{}, fmt.Errorf("query parameter %s=%q: %v", k, v, err)
		}
	}
	if s.region == "" {
		for _, re := range hostRegion {
			if m := re.FindStringSubmatch(u.Hostname()); m != nil {
				s.region = m[1]
				break
			}
		}
	}
	return s, nil
}

// load is the SDK configuration of s, logging to log. It reads the
// environment and the shared config files, and connects to nothing.
func load(ctx context.Context, s spec, log *slog.Logger) (aws.Config, error) {
	opts := []func(*config.LoadOptions) error{
		config.WithLogger(awslog.New(log)),
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.RateLimiter = ratelimit.None // as gocloud.dev: no client-side retry quota
				if s.capacity > 0 {
					o.RateLimiter = ratelimit.NewTokenRateLimit(uint(s.capacity))
				}
			})
		}),
	}
	if s.region != "" {
		opts = append(opts, config.WithRegion(s.region))
	}
	if s.profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(s.profile))
	}
	if s.fips {
		opts = append(opts, config.WithUseFIPSEndpoint(aws.FIPSEndpointStateEnabled))
	}
	if s.dual {
		opts = append(opts, config.WithUseDualStackEndpoint(aws.DualStackEndpointStateEnabled))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, err
	}
	if cfg.Region == "" {
		return aws.Config{}, fmt.Errorf("no region: add region=REGION (a host other than sqs.REGION.amazonaws.com names none, and neither AWS_REGION nor the profile sets one)")
	}
	if s.role != "" {
		cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), s.role))
	}
	return cfg, nil
}

// Check reads an awssqs:// URL as Open does, without connecting: its shape,
// its parameters, and that a region resolves (from region=, the host, or
// the SDK's environment and profile).
func Check(ctx context.Context, u *url.URL) error {
	s, err := parse(u)
	if err != nil {
		return err
	}
	_, err = load(ctx, s, slog.New(slog.DiscardHandler))
	return err
}

// Open opens the subscription. The SDK connects on the first receive: no
// credentials, or none that may read the queue, fail then, not here.
func Open(ctx context.Context, u *url.URL, log *slog.Logger) (*pubsub.Subscription, error) {
	s, err := parse(u)
	if err != nil {
		return nil, err
	}
	cfg, err := load(ctx, s, log)
	if err != nil {
		return nil, err
	}
	client := sqs.NewFromConfig(cfg, func(o *sqs.Options) {
		if s.endpoint != "" {
			o.BaseEndpoint = aws.String(s.endpoint)
		}
	})
	return awssnssqs.OpenSubscription(ctx, client, s.queueURL, &s.opts), nil
}
