package helicone

import (
	"errors"
	"math"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"time"
)

// RateLimit is the rate-limit state a server announced with one answer (IETF draft-6
// RateLimit-* headers and Retry-After). Known is false when the server sent none.
type RateLimit struct {
	Known     bool
	Limit     int
	Remaining int
	// Window is the policy's window (the w= of RateLimit-Policy), when sent.
	Window time.Duration
	// Reset is how long until the window ends.
	Reset time.Duration
	// RetryAfter is the wait the server asked for (429), zero when absent.
	RetryAfter time.Duration
	// At is when the answer arrived.
	At time.Time
}

// The headers parseRateLimit reads, in canonical form: an answer's header is looked up
// without canonicalizing a name per answer.
var (
	hdrLimit      = textproto.CanonicalMIMEHeaderKey("RateLimit-Limit")
	hdrRemaining  = textproto.CanonicalMIMEHeaderKey("RateLimit-Remaining")
	hdrReset      = textproto.CanonicalMIMEHeaderKey("RateLimit-Reset")
	hdrPolicy     = textproto.CanonicalMIMEHeaderKey("RateLimit-Policy")
	hdrRetryAfter = textproto.CanonicalMIMEHeaderKey("Retry-After")
)

// header is h.Get(key) for a key already in canonical form.
func header(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func parseRateLimit(h http.Header, now time.Time) RateLimit {
	rl := RateLimit{At: now}
	if v, ok := headerInt(h, hdrLimit); ok {
		rl.Known, rl.Limit = true, v
	}
	if v, ok := headerInt(h, hdrRemaining); ok {
		rl.Known, rl.Remaining = true, v
	}
	if v, ok := headerInt(h, hdrReset); ok {
		rl.Known, rl.Reset = true, seconds(float64(v))
	}
	if p := header(h, hdrPolicy); p != "" {
		for part := range strings.SplitSeq(p, ";") {
			if w, ok := strings.CutPrefix(strings.TrimSpace(part), "w="); ok {
				if n, err := strconv.Atoi(strings.TrimSpace(w)); err == nil && n > 0 {
					rl.Window = seconds(float64(n))
				}
			}
		}
	}
	rl.RetryAfter = parseRetryAfter(header(h, hdrRetryAfter), now)
	return rl
}

// parseRetryAfter reads delta-seconds or an HTTP date; zero when absent or unreadable.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseFloat(v, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		return seconds(n)
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return min(d, maxHeaderWait)
		}
	}
	return 0
}

// maxHeaderWait bounds any wait read from a header, so that absurd values cannot overflow.
const maxHeaderWait = 365 * 24 * time.Hour

// seconds converts a header's seconds to a Duration: NaN and negative values are 0, huge
// values are capped.
func seconds(n float64) time.Duration {
	switch {
	case math.IsNaN(n) || n <= 0:
		return 0
	case n >= maxHeaderWait.Seconds():
		return maxHeaderWait
	}
	return time.Duration(n * float64(time.Second))
}

// headerInt reads the non-negative integer of header key (in canonical form).
func headerInt(h http.Header, key string) (int, bool) {
	v := strings.TrimSpace(header(h, key))
	if v == "" {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}

type rateLimitState struct {
	mu   sync.Mutex
	last RateLimit
}

func (s *rateLimitState) update(rl RateLimit) {
	if !rl.Known && rl.RetryAfter == 0 {
		return
	}
	s.mu.Lock()
	s.last = rl
	s.mu.Unlock()
}

// RateLimit returns the rate-limit state of the most recent answer that announced one.
func (c *Client) RateLimit() RateLimit {
	c.limits.mu.Lock()
	defer c.limits.mu.Unlock()
	return c.limits.last
}
