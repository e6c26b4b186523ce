package helicone

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"
)

// RetryPolicy says how often and how long the client retries a failed request. Transport
// errors, 408, 429 and 5xx other than 501 are retried; every wait ends early when the
// context is cancelled.
type RetryPolicy struct {
	// MaxAttempts counts the first try; 1 disables retries.
	MaxAttempts int
	// BaseDelay is the first backoff; each retry doubles it, up to MaxDelay, with full jitter.
	BaseDelay time.Duration
	MaxDelay  time.Duration
	// MaxRetryAfter caps a server-requested Retry-After wait.
	MaxRetryAfter time.Duration
}

// DefaultRetryPolicy is 6 attempts, backoff from 250ms up to 10s, Retry-After honoured up to 5 minutes.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxAttempts: 6, BaseDelay: 250 * time.Millisecond, MaxDelay: 10 * time.Second, MaxRetryAfter: 5 * time.Minute}
}

// NoRetry makes a single attempt.
func NoRetry() RetryPolicy { return RetryPolicy{MaxAttempts: 1} }

func (p RetryPolicy) backoff(attempt int) time.Duration {
	d := p.BaseDelay << min(attempt, 20)
	if d <= 0 || (p.MaxDelay > 0 && d > p.MaxDelay) {
		d = p.MaxDelay
	}
	if d <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(d)) + 1)
}

func (c *Client) withRetries(ctx context.Context, method, path string, attempt func(context.Context) (RateLimit, bool, error)) (RateLimit, error) {
	maxAttempts := max(c.retry.MaxAttempts, 1)
	for i := 0; ; i++ {
		rl, retryable, err := attempt(ctx)
		if err == nil || !retryable || i+1 >= maxAttempts {
			return rl, err
		}
		wait := c.retry.backoff(i)
		if rl.RetryAfter > 0 {
			wait = rl.RetryAfter
			if c.retry.MaxRetryAfter > 0 && wait > c.retry.MaxRetryAfter {
				wait = c.retry.MaxRetryAfter
			}
		}
		c.logger.DebugContext(ctx, "helicone: retrying", "method", method, "path", path, "attempt", i+1, "wait", wait, "error", err)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return rl, errors.Join(ctx.Err(), err)
		case <-t.C:
		}
	}
}
