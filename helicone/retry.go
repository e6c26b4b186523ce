package helicone

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// RetryPolicy says how often and how long the client retries a failed request. Transport
// errors, 408, 429 and 5xx other than 501 are retried, as is a 2xx answer whose body is
// not valid JSON (a truncated answer); every wait ends early when the context is
// cancelled. Score writes are safe to retry because the server merges scores per key.
//
// The zero RetryPolicy makes a single attempt.
type RetryPolicy struct {
	// MaxAttempts counts the first try; 0 or 1 disables retries.
	MaxAttempts int
	// BaseDelay is the first backoff; each retry doubles it, up to MaxDelay. The actual
	// wait is drawn uniformly from the upper half of that value (jitter).
	BaseDelay time.Duration
	// MaxDelay caps the backoff (0: no cap).
	MaxDelay time.Duration
	// MaxRetryAfter caps a server-requested wait (Retry-After, or RateLimit-Reset on a 429
	// without Retry-After). 0 means no cap.
	MaxRetryAfter time.Duration
}

// DefaultRetryPolicy is 6 attempts, backoff from 250ms up to 10s, Retry-After honoured up to 5 minutes.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxAttempts: 6, BaseDelay: 250 * time.Millisecond, MaxDelay: 10 * time.Second, MaxRetryAfter: 5 * time.Minute}
}

// NoRetry makes a single attempt.
func NoRetry() RetryPolicy { return RetryPolicy{MaxAttempts: 1} }

// Backoff returns the jittered wait before retry number retry (0 for the first retry)
// when the server did not say how long to wait.
func (p RetryPolicy) Backoff(retry int) time.Duration {
	if p.BaseDelay <= 0 {
		return 0
	}
	d := p.BaseDelay
	for i := 0; i < retry && (p.MaxDelay <= 0 || d < p.MaxDelay); i++ {
		if d > time.Duration(1<<62)/2 {
			break
		}
		d *= 2
	}
	if p.MaxDelay > 0 && d > p.MaxDelay {
		d = p.MaxDelay
	}
	half := d / 2
	return half + time.Duration(rand.Int64N(int64(d-half)+1))
}

// wait returns how long to wait before retrying after an answer that announced rl.
func (p RetryPolicy) wait(retry int, rl RateLimit, status int) time.Duration {
	server := rl.RetryAfter
	if server == 0 && status == 429 && rl.Reset > 0 {
		server = rl.Reset
	}
	if server <= 0 {
		return p.Backoff(retry)
	}
	if p.MaxRetryAfter > 0 && server > p.MaxRetryAfter {
		return p.MaxRetryAfter
	}
	return server
}

// Attempt describes one HTTP attempt of a call, as reported to the observer of
// [WithObserver].
type Attempt struct {
	// Method and Path name the call ("POST", "/v1/request/<id>/score").
	Method, Path string
	// N counts attempts of the same call from 1.
	N int
	// Status is the HTTP status of the answer, 0 when none arrived.
	Status int
	// Err is the attempt's error, nil on success.
	Err error
	// Retry is true when the client will try again after RetryIn.
	Retry bool
	// RetryIn is the wait before the next attempt.
	RetryIn time.Duration
	// RateLimit is what the answer announced (Known is false when it announced nothing).
	RateLimit RateLimit
	// Duration is how long the attempt took.
	Duration time.Duration
}

// RateLimited reports whether the server answered 429.
func (a Attempt) RateLimited() bool { return a.Status == 429 }

// Retried reports whether this attempt was itself a retry.
func (a Attempt) Retried() bool { return a.N > 1 }

// RetryError is returned when every allowed attempt failed; it wraps the last failure.
type RetryError struct {
	Attempts int
	Err      error
}

func (e *RetryError) Error() string {
	return fmt.Sprintf("%v (gave up after %d attempts)", e.Err, e.Attempts)
}

// Unwrap returns the last attempt's error.
func (e *RetryError) Unwrap() error { return e.Err }

func (c *Client) withRetries(ctx context.Context, cl call) (RateLimit, error) {
	maxAttempts := max(c.retry.MaxAttempts, 1)
	for n := 1; ; n++ {
		start := time.Now()
		var rl RateLimit
		var status int
		var retryable bool
		var err error
		if cl.send != nil {
			rl, status, retryable, err = cl.send(ctx)
		} else {
			rl, status, retryable, err = c.once(ctx, cl)
		}
		var apiErr *APIError
		if retryable && cl.retryAPI != nil && errors.As(err, &apiErr) {
			retryable = cl.retryAPI(apiErr, n)
		}
		if retryable && cl.restartable != nil && !cl.restartable(err) {
			retryable = false
		}
		a := Attempt{Method: cl.method, Path: cl.path, N: n, Status: status, Err: c.scrubErr(err), RateLimit: rl, Duration: time.Since(start)}
		if err == nil || !retryable || n >= maxAttempts || ctx.Err() != nil {
			c.observe(ctx, a)
			if err != nil && retryable && n >= maxAttempts && n > 1 {
				err = &RetryError{Attempts: n, Err: err}
			}
			return rl, err
		}
		wait := c.retry.wait(n-1, rl, status)
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			c.observe(ctx, a)
			return rl, fmt.Errorf("%w (not retried: the context deadline comes before the %s wait)", err, wait.Round(time.Millisecond))
		}
		a.Retry, a.RetryIn = true, wait
		c.observe(ctx, a)
		c.logger.DebugContext(ctx, "helicone: retrying", "method", cl.method, "path", cl.path, "attempt", n, "wait", wait, "error", a.Err)
		if err := sleep(ctx, wait); err != nil {
			return rl, fmt.Errorf("helicone: %s %s: %w while waiting %s to retry after: %w", cl.method, cl.path, err, wait.Round(time.Millisecond), a.Err)
		}
	}
}

func (c *Client) observe(ctx context.Context, a Attempt) {
	if c.observer != nil {
		c.observer(a)
	}
	if fn, ok := ctx.Value(observerKey{}).(func(Attempt)); ok {
		fn(a)
	}
}

type observerKey struct{}

// ObserveAttempts returns a context under which every HTTP attempt of a call is also
// reported to fn (after the client's own observer, see [WithObserver]). A run uses it to
// count its own retries and 429 answers on a client it shares. fn must be quick and safe
// for concurrent use.
func ObserveAttempts(ctx context.Context, fn func(Attempt)) context.Context {
	if prev, ok := ctx.Value(observerKey{}).(func(Attempt)); ok {
		inner := fn
		fn = func(a Attempt) { prev(a); inner(a) }
	}
	return context.WithValue(ctx, observerKey{}, fn)
}

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-t.C:
		return nil
	}
}
