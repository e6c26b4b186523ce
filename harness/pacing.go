package harness

import (
	"context"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/heval-dev/heval/helicone"
)

// paceMargin keeps the steady rate just under the budget on large budgets.
const paceMargin = 0.99

// paceReserve is the least number of a window's requests the steady rate leaves unspent:
// one for the bucket's own token, which lets one more request through in any window than
// the rate alone would, and one for a request sent just before a window's end that the
// server counts in the next.
const paceReserve = 2

// steadyRate is the rate in requests per second that one of shares processes keeps to
// with a budget of requests per window: under the budget by paceMargin, and by at least
// paceReserve requests per window (half the budget at most, for the smallest budgets).
func steadyRate(requests float64, window time.Duration, shares int) float64 {
	perWindow := requests / float64(max(shares, 1))
	keep := perWindow * paceMargin
	if perWindow-keep < paceReserve {
		keep = max(perWindow-paceReserve, perWindow/2)
	}
	return keep / window.Seconds()
}

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

func newPacer(r helicone.Rate) *pacer {
	p := &pacer{shares: r.Shares(), penalty: 1, base: math.Inf(1)}
	if !r.IsUnlimited() {
		p.base = steadyRate(float64(r.Requests), r.Window, r.Shares())
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
		p.base = steadyRate(float64(rl.Limit), rl.Window, p.shares)
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
