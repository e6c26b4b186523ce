package harness

import (
	"time"

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
