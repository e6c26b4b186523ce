package harness

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/heval-dev/heval/helicone"
)

// Rate is a budget of requests per window, as Helicone counts them per organization. The
// zero Rate is unlimited (a self-hosted server without a limiter); an unlimited run still
// slows down when the server announces a limit in its RateLimit-* headers.
type Rate struct {
	// Requests is the number of requests allowed per Window.
	Requests int
	// Window is the length of the window, 5 minutes on hosted Helicone.
	Window time.Duration
	shares int
}

// The budgets of hosted Helicone's tiers.
var (
	// Free is the free tier: 1,000 requests per 5 minutes.
	Free = Rate{Requests: 1000, Window: 5 * time.Minute}
	// Pro is the paid tiers: 10,000 requests per 5 minutes.
	Pro = Rate{Requests: 10000, Window: 5 * time.Minute}
	// Enterprise is 100,000 requests per 5 minutes.
	Enterprise = Rate{Requests: 100000, Window: 5 * time.Minute}
	// Unlimited sends as fast as the server answers.
	Unlimited = Rate{}
)

// ParseRate reads a budget as a user writes it: "10000/5m" (requests per Go duration; a
// bare unit such as "600/s" or "1000/m" means one of it), a tier name ("free", "pro" or
// "paid", "enterprise"), or "unlimited" (also "none" and "").
func ParseRate(s string) (Rate, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	switch t {
	case "", "unlimited", "none", "inf":
		return Unlimited, nil
	case "free":
		return Free, nil
	case "pro", "paid", "team", "growth":
		return Pro, nil
	case "enterprise":
		return Enterprise, nil
	}
	n, per, ok := strings.Cut(t, "/")
	if !ok {
		return Rate{}, fmt.Errorf("rate %q: write requests per window such as 10000/5m, a tier (free, pro, enterprise) or unlimited", s)
	}
	count, err := strconv.Atoi(strings.ReplaceAll(strings.TrimSpace(n), "_", ""))
	if err != nil || count <= 0 {
		return Rate{}, fmt.Errorf("rate %q: %q is not a positive number of requests", s, n)
	}
	per = strings.TrimSpace(per)
	if per != "" && (per[0] < '0' || per[0] > '9') {
		per = "1" + per
	}
	window, err := time.ParseDuration(per)
	if err != nil || window <= 0 {
		return Rate{}, fmt.Errorf("rate %q: %q is not a window such as 5m, 300s or 1h", s, per)
	}
	return Rate{Requests: count, Window: window}, nil
}

// IsUnlimited reports whether r sets no budget.
func (r Rate) IsUnlimited() bool { return r.Requests <= 0 || r.Window <= 0 }

// Share returns the part of r that one of n processes may use: under `ginkgo -p` or with
// n shards, each process takes 1/n of the organization's budget so that together they
// stay within it.
func (r Rate) Share(n int) Rate {
	if n > 1 {
		r.shares = max(r.shares, 1) * n
	}
	return r
}

// PerSecond is the rate in requests per second of this process (after [Rate.Share]);
// +Inf when unlimited.
func (r Rate) PerSecond() float64 {
	if r.IsUnlimited() {
		return math.Inf(1)
	}
	return float64(r.Requests) / r.Window.Seconds() / float64(max(r.shares, 1))
}

// String formats r the way [ParseRate] reads it.
func (r Rate) String() string {
	if r.IsUnlimited() {
		return "unlimited"
	}
	s := strconv.Itoa(r.Requests) + "/" + shortDuration(r.Window)
	if r.shares > 1 {
		s += fmt.Sprintf(" (1/%d share)", r.shares)
	}
	return s
}

func shortDuration(d time.Duration) string {
	s := d.String()
	s = strings.TrimSuffix(s, "0s")
	s = strings.TrimSuffix(s, "0m")
	if s == "" {
		return d.String()
	}
	return s
}

// paceMargin keeps the steady rate just under the budget, so that a full bucket at the
// start of a window plus a window's worth of steady sending still fits.
const paceMargin = 0.99

// pacer paces the run's requests (score writes and read-backs) with a token bucket whose
// rate follows the configured budget, the server's RateLimit-* headers and its 429s.
type pacer struct {
	lim    *rate.Limiter
	shares int

	mu         sync.Mutex
	base       float64 // requests per second from the budget (or from the headers when unlimited)
	penalty    float64 // multiplier < 1 after 429s, recovering on success
	pauseUntil time.Time
}

func newPacer(r Rate) *pacer {
	p := &pacer{shares: max(r.shares, 1), penalty: 1, base: math.Inf(1)}
	if !r.IsUnlimited() {
		p.base = r.PerSecond() * paceMargin
	}
	p.lim = rate.NewLimiter(p.limit(), 1)
	return p
}

func (p *pacer) limit() rate.Limit {
	if math.IsInf(p.base, 1) {
		return rate.Inf
	}
	return rate.Limit(p.base * p.penalty)
}

// wait blocks until the next request may go out.
func (p *pacer) wait(ctx context.Context) error {
	p.mu.Lock()
	until := p.pauseUntil
	p.mu.Unlock()
	if d := time.Until(until); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
	return p.lim.Wait(ctx)
}

// observe adjusts the pace from the rate-limit state of an answer: it slows down when the
// server's remaining budget would run out before the window resets at the current pace, and
// pauses until the reset when nothing remains.
func (p *pacer) observe(rl helicone.RateLimit) {
	if !rl.Known {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if math.IsInf(p.base, 1) && rl.Limit > 0 && rl.Window > 0 {
		// An unlimited run against a server that announces its policy adopts it.
		p.base = float64(rl.Limit) / rl.Window.Seconds() / float64(p.shares) * paceMargin
	}
	now := time.Now()
	if rl.Remaining == 0 && rl.Reset > 0 {
		if end := rl.At.Add(rl.Reset); end.After(p.pauseUntil) {
			p.pauseUntil = end
		}
		return
	}
	want := p.base * p.penalty
	// The reset has whole-second resolution: only a reset far enough away, and a clear
	// shortfall, say that others spend the budget too. Closer to the reset, a spent budget
	// (Remaining 0) and 429s still slow the run down.
	if rl.Reset >= 5*time.Second {
		left := float64(rl.Remaining) / rl.Reset.Seconds() / float64(p.shares)
		if left < 0.9*want {
			want = left
		}
	}
	if math.IsInf(want, 1) {
		p.lim.SetLimitAt(now, rate.Inf)
		return
	}
	p.lim.SetLimitAt(now, rate.Limit(want))
}

// throttled records a 429: pause for Retry-After and lower the steady rate.
func (p *pacer) throttled(retryAfter time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if retryAfter <= 0 {
		retryAfter = time.Second
	}
	if end := time.Now().Add(retryAfter); end.After(p.pauseUntil) {
		p.pauseUntil = end
	}
	p.penalty = max(p.penalty*0.8, 0.25)
	p.lim.SetLimit(p.limit())
}

// succeeded lets the rate recover slowly after 429s.
func (p *pacer) succeeded() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.penalty < 1 {
		p.penalty = min(1, p.penalty*1.01)
		p.lim.SetLimit(p.limit())
	}
}
