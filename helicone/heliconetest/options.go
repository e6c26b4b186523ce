package heliconetest

import (
	"log/slog"
	"time"
)

// DefaultMaxBodyBytes is the bound on request bodies, as the server's JSON body parser
// sets it (10 MB). A larger body is answered with the generic 500, never 413.
const DefaultMaxBodyBytes = 10 << 20

// DefaultWriteDelay is how long after its 201 a score write is applied unless
// [WithWriteDelay] says otherwise: hosted Helicone queues writes and a consumer applies them
// seconds later.
const DefaultWriteDelay = 2 * time.Second

// DefaultRateLimitWindow is Helicone's rate-limit window.
const DefaultRateLimitWindow = 5 * time.Minute

// Tier budgets: requests per organization per window when a rate limit is enabled.
const (
	FreeBudget       = 1_000
	ProBudget        = 10_000
	EnterpriseBudget = 100_000
	// NoTierBudget is the budget of an organization without a tier ([TierNone]).
	NoTierBudget = 500
	// GetRequestBudget is the separate budget of GET /v1/request/{requestId}.
	GetRequestBudget = 600
)

// config is what the options set.
type config struct {
	seeds         []Seed
	seedFiles     []string
	apiKey        string
	profile       Profile
	writeDelay    time.Duration
	latency       time.Duration
	rateLimit     bool
	rlWindow      time.Duration
	rlBudget      int
	dataDir       string
	numericScores bool
	maxBody       int64
	clock         func() time.Time
	logger        *slog.Logger
	logLimit      int
}

// Option configures a [Handler] or [Server].
type Option func(*config)

// WithSeed adds organizations, requests, experiments and Helicone Datasets. It may be given
// several times; organizations with the same id are merged. The first organization of the
// first seed is the default organization (see [Handler.DefaultOrganizationID]).
func WithSeed(s Seed) Option { return func(c *config) { c.seeds = append(c.seeds, s) } }

// WithSeedFile adds the seed stored as JSON in path (the format of [Seed]); a field the
// format does not know makes [NewHandler] fail with an error naming it.
func WithSeedFile(path string) Option {
	return func(c *config) { c.seedFiles = append(c.seedFiles, path) }
}

// WithAPIKey adds key to the default organization and makes it the key reported by
// [Handler.DefaultAPIKey] and [Server.APIKey]. Without it a random key is generated
// unless the default organization is seeded with keys.
func WithAPIKey(key string) Option { return func(c *config) { c.apiKey = key } }

// WithProfile chooses the server the emulator plays: [Current] (the default, hosted Helicone
// today) or [Legacy] (self-hosted, before the 2025-10 migration). An unknown profile makes
// [NewHandler] fail.
func WithProfile(p Profile) Option { return func(c *config) { c.profile = p } }

// WithWriteDelay sets how long after its 201 a score write is applied (default
// [DefaultWriteDelay]), as on the real server, where a queue consumer applies writes in
// batches. The writes acknowledged while a batch waits form one consumer batch, applied d
// after its first write; within a batch only the newest write of each request is applied
// and the older ones are dropped with [DropSuperseded]. A delay of 0 applies every write
// before its 201 is sent, one by one, as a self-hosted server without a queue does.
func WithWriteDelay(d time.Duration) Option {
	return func(c *config) { c.writeDelay = max(d, 0) }
}

// WithLatency makes every request wait d before the emulator handles it: the round trip to
// hosted Helicone, or to its storage for a signed body, that a server on loopback lacks, so
// that a test or a benchmark sees what a client does when each call takes its time. Requests
// wait side by side, each on its own; one whose client gives up while it waits is not
// handled (nor logged). 0, the default, answers at once.
func WithLatency(d time.Duration) Option {
	return func(c *config) { c.latency = max(d, 0) }
}

// WithRateLimit enables the per-organization rate limit: budget requests per window.
// A window of 0 means [DefaultRateLimitWindow]; a budget of 0 or less means the budget of
// each organization's tier ([FreeBudget], [ProBudget], [EnterpriseBudget]).
func WithRateLimit(window time.Duration, budget int) Option {
	return func(c *config) {
		if window <= 0 {
			window = DefaultRateLimitWindow
		}
		c.rateLimit, c.rlWindow, c.rlBudget = true, window, budget
	}
}

// WithTierRateLimits enables the rate limit as hosted Helicone applies it: a 5-minute
// window and the budget of each organization's tier.
func WithTierRateLimits() Option { return WithRateLimit(DefaultRateLimitWindow, 0) }

// WithExperimentsDeprecated makes the emulator play hosted Helicone, whose experiment query
// answers every valid body with 500 {"data":null,"error":"Not implemented"}.
//
// Deprecated: the experiment query answers so in the current profile, the default; use
// WithProfile(Current).
func WithExperimentsDeprecated() Option { return WithProfile(Current) }

// WithDataDir makes the score store durable: every acknowledged score write is appended to
// an fsync'd log in dir before it is acknowledged, and the log is replayed on start, so
// scores survive a crash (even kill -9) and a restart with the same seed.
func WithDataDir(dir string) Option { return func(c *config) { c.dataDir = dir } }

// WithNumericScores makes request rows carry their Int64 columns (score values and token
// counts) as JSON numbers, as ClickHouse 25.8 and later send them. By default they are
// quoted strings ("92"), ClickHouse's older default.
func WithNumericScores() Option { return func(c *config) { c.numericScores = true } }

// WithMaxBodyBytes bounds request bodies (default [DefaultMaxBodyBytes]); a larger body is
// answered with the generic 500, as the real server does.
func WithMaxBodyBytes(n int64) Option {
	return func(c *config) {
		if n > 0 {
			c.maxBody = n
		}
	}
}

// WithClock sets the emulator's clock (default time.Now). It drives seeding ("created_ago"),
// the 30-day rule, rate-limit windows and the times recorded by [Handler.Log] and
// [Handler.Dropped].
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now != nil {
			c.clock = now
		}
	}
}

// WithLogger sets the logger (default: discard). Every answer is logged at debug level
// with its method, path, status and organization; keys are never logged.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		if l != nil {
			c.logger = l
		}
	}
}

// WithLogLimit bounds how many calls [Handler.Log] keeps (the newest; default 100,000).
func WithLogLimit(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.logLimit = n
		}
	}
}

func newConfig(opts []Option) *config {
	c := &config{
		profile:    DefaultProfile,
		writeDelay: DefaultWriteDelay,
		maxBody:    DefaultMaxBodyBytes,
		clock:      time.Now,
		logger:     slog.New(slog.DiscardHandler),
		logLimit:   100_000,
	}
	for _, o := range opts {
		if o != nil {
			o(c)
		}
	}
	return c
}
