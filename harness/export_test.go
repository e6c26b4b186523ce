package harness

import (
	"time"

	"github.com/heval-dev/heval"
	"github.com/heval-dev/heval/helicone"
)

// VerifyTiming returns the first wait and the timeout of verification for cfg with client.
func VerifyTiming(cfg Config, client *helicone.Client) (first, timeout time.Duration) {
	t := newVerifyTiming(&cfg, client)
	return t.wait(0), t.timeout
}

// VerifyPolls returns the waits before the first n read-backs.
func VerifyPolls(cfg Config, client *helicone.Client, n int) []time.Duration {
	t := newVerifyTiming(&cfg, client)
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = t.wait(i)
	}
	return out
}

// PacedReleases returns when the first n requests of a run paced by r leave, from the
// first one's departure, for a sender that always has one waiting.
func PacedReleases(r helicone.Rate, n int) []time.Duration {
	p := newPacer(r)
	start := time.Unix(0, 0)
	at := start
	out := make([]time.Duration, n)
	for i := range out {
		at = at.Add(p.lim.ReserveN(at, 1).DelayFrom(at))
		out[i] = at.Sub(start)
	}
	return out
}

// DefaultSubmitters is the default number of score writers of a run paced at rt.
func DefaultSubmitters(rt helicone.Rate) int { return defaultSubmitters(rt) }

// FillFromGit fills in the commit and branch info lacks from git in dir.
func FillFromGit(info heval.RunInfo, dir string) heval.RunInfo {
	fillFromGit(&info, dir)
	return info
}
