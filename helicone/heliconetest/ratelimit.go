package heliconetest

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// rateWindow is one organization's fixed rate-limit window.
type rateWindow struct {
	mu    sync.Mutex
	start time.Time
	used  int
}

// rateLimit counts the call against o's budget, sets the RateLimit-* headers and answers
// 429 itself when the budget is spent. It returns whether the call may go on.
func (h *Handler) rateLimit(w http.ResponseWriter, o *org) bool {
	budget := h.cfg.rlBudget
	if budget <= 0 {
		budget = tierBudget(o.tier)
	}
	window := h.cfg.rlWindow
	now := h.cfg.clock()

	o.rl.mu.Lock()
	if o.rl.start.IsZero() || !now.Before(o.rl.start.Add(window)) {
		o.rl.start, o.rl.used = now, 0
	}
	o.rl.used++
	used := o.rl.used
	reset := o.rl.start.Add(window).Sub(now)
	o.rl.mu.Unlock()

	resetSecs := int(math.Ceil(reset.Seconds()))
	if resetSecs < 1 {
		resetSecs = 1
	}
	remaining := max(budget-used, 0)
	hd := w.Header()
	hd.Set("RateLimit-Policy", strconv.Itoa(budget)+";w="+strconv.Itoa(int(window/time.Second)))
	hd.Set("RateLimit-Limit", strconv.Itoa(budget))
	hd.Set("RateLimit-Remaining", strconv.Itoa(remaining))
	hd.Set("RateLimit-Reset", strconv.Itoa(resetSecs))
	if used > budget {
		hd.Set("Retry-After", strconv.Itoa(resetSecs))
		writeJSON(w, http.StatusTooManyRequests, bodyRate)
		return false
	}
	return true
}
