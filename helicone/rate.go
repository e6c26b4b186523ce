package helicone

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
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

// The budgets of hosted Helicone's tiers, per organization per [RateWindow].
const (
	// RateWindow is the window Helicone counts requests in.
	RateWindow = 5 * time.Minute
	// FreeRequests is the free tier's budget.
	FreeRequests = 1000
	// ProRequests is the budget of the paid tiers.
	ProRequests = 10000
	// EnterpriseRequests is the enterprise tier's budget.
	EnterpriseRequests = 100000
	// NoTierRequests is the budget of an organization without a tier.
	NoTierRequests = 500
)

// ParseRate reads a budget as a user writes it: "10000/5m" (requests per Go duration; a
// bare unit such as "600/s" or "1000/m" means one of it), a tier name ("free", "pro" or
// "paid", "enterprise"), or "unlimited" (also "none" and "").
func ParseRate(s string) (Rate, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	switch t {
	case "", "unlimited", "none", "inf":
		return Rate{}, nil
	case "free":
		return Rate{Requests: FreeRequests, Window: RateWindow}, nil
	case "pro", "paid", "team", "growth":
		return Rate{Requests: ProRequests, Window: RateWindow}, nil
	case "enterprise":
		return Rate{Requests: EnterpriseRequests, Window: RateWindow}, nil
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

// Shares is the number of processes r is shared among (1 unless [Rate.Share] split it).
func (r Rate) Shares() int { return max(r.shares, 1) }
