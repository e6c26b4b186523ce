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
// 429 itself when the budget is spent. It returns whether the call may go on. It runs after
// authentication, so a 401 spends nothing and a 422 spends as much as a success.
// GET /v1/request/{requestId} has a budget of its own ([GetRequestBudget] with the tier
// budgets).
func (h *Handler) rateLimit(w http.ResponseWriter, o *org, rt Route) bool {
	budget := h.cfg.rlBudget
	rw := &o.rl
	if rt == RouteGetRequest {
		rw = &o.rlGet
		if budget <= 0 {
			budget = GetRequestBudget
		}
	}
	if budget <= 0 {
		budget = tierBudget(o.tier)
	}
	window := h.cfg.rlWindow
	now := h.cfg.clock()

	rw.mu.Lock()
	if rw.start.IsZero() || !now.Before(rw.start.Add(window)) {
		rw.start, rw.used = now, 0
	}
	rw.used++
	used := rw.used
	reset := rw.start.Add(window).Sub(now)
	rw.mu.Unlock()

	resetSecs := int(math.Ceil(reset.Seconds()))
	remaining := max(budget-used, 0)
	hd := w.Header()
	hd.Set("RateLimit-Policy", strconv.Itoa(budget)+";w="+strconv.Itoa(int(window/time.Second)))
	hd.Set("RateLimit-Limit", strconv.Itoa(budget))
	hd.Set("RateLimit-Remaining", strconv.Itoa(remaining))
	if resetSecs > 0 {
		hd.Set("RateLimit-Reset", strconv.Itoa(resetSecs))
	}
	if used > budget {
		hd.Set("Retry-After", strconv.Itoa(max(resetSecs, 1)))
		writeJSON(w, http.StatusTooManyRequests, bodyRate)
		return false
	}
	return true
}
