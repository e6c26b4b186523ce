package heliconetest

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"time"
)

// DefaultMaxBodyBytes is the default bound on request bodies (1 MiB).
const DefaultMaxBodyBytes = 1 << 20

// DefaultRateLimitWindow is Helicone's rate-limit window.
const DefaultRateLimitWindow = 5 * time.Minute

// Tier budgets: requests per organization per window when a rate limit is enabled.
const (
	FreeBudget       = 1_000
	ProBudget        = 10_000
	EnterpriseBudget = 100_000
)

// config is what the options set.
type config struct {
	seeds         []Seed
	seedFiles     []string
	apiKey        string
	writeDelay    time.Duration
	rateLimit     bool
	rlWindow      time.Duration
	rlBudget      int
	deprecated    bool
	dataDir       string
	numericScores bool
	maxBody       int64
	clock         func() time.Time
	logger        *slog.Logger
	logLimit      int
}

// Option configures a [Handler] or [Server].
type Option func(*config)

// WithSeed adds organizations, requests and experiments. It may be given several times;
// organizations with the same id are merged. The first organization of the first seed is
// the default organization (see [Handler.DefaultOrganizationID]).
func WithSeed(s Seed) Option { return func(c *config) { c.seeds = append(c.seeds, s) } }

// WithSeedFile adds the seed stored as JSON in path (the format of [Seed]).
func WithSeedFile(path string) Option {
	return func(c *config) { c.seedFiles = append(c.seedFiles, path) }
}

// WithAPIKey adds key to the default organization and makes it the key reported by
// [Handler.DefaultAPIKey] and [Server.APIKey]. Without it a random key is generated
// unless the default organization is seeded with keys.
func WithAPIKey(key string) Option { return func(c *config) { c.apiKey = key } }

// WithWriteDelay makes a score write be stored d after its 201 is sent, as on the real
// server where the write is asynchronous. The default, 0, stores it before answering.
func WithWriteDelay(d time.Duration) Option { return func(c *config) { c.writeDelay = d } }

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

// WithExperimentsDeprecated makes the experiment query answer as hosted Helicone may after
// the Experiments deprecation: always 500 {"data":null,"error":"Not implemented"}.
func WithExperimentsDeprecated() Option { return func(c *config) { c.deprecated = true } }

// WithDataDir makes the score store durable: every acknowledged score write is appended to
// an fsync'd log in dir before it is acknowledged, and the log is replayed on start, so
// scores survive a crash (even kill -9) and a restart with the same seed.
func WithDataDir(dir string) Option { return func(c *config) { c.dataDir = dir } }

// WithNumericScores makes query-clickhouse send score values as JSON numbers. By default
// they are strings ("92"), as the real server sends them.
func WithNumericScores() Option { return func(c *config) { c.numericScores = true } }

// WithMaxBodyBytes bounds request bodies (default [DefaultMaxBodyBytes]); a larger body is
// answered with 413.
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
		maxBody:  DefaultMaxBodyBytes,
		clock:    time.Now,
		logger:   slog.New(slog.DiscardHandler),
		logLimit: 100_000,
	}
	for _, o := range opts {
		if o != nil {
			o(c)
		}
	}
	return c
}

// LoadSeedFile reads a seed stored as JSON.
func LoadSeedFile(path string) (Seed, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Seed{}, fmt.Errorf("heliconetest: reading seed file: %w", err)
	}
	var s Seed
	if err := json.Unmarshal(b, &s); err != nil {
		return Seed{}, fmt.Errorf("heliconetest: seed file %s is not a valid seed (see the Seed type for the format): %w", path, err)
	}
	return s, nil
}
