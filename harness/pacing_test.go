package harness_test

import (
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/harness"
	"github.com/heval-dev/heval/helicone"
)

// busiestWindow counts the arrivals in each of a fixed-window limiter's windows, the first
// opening at the first arrival and each next one at the first arrival after the last ended
// (as Helicone and its emulator count), and returns the largest count.
func busiestWindow(arrivals []time.Duration, window time.Duration) int {
	most, n := 0, 0
	var start time.Duration
	for i, a := range arrivals {
		if i == 0 || a >= start+window {
			start, n = a, 0
		}
		n++
		most = max(most, n)
	}
	return most
}

var _ = Describe("pacing", func() {
	DescribeTable("stays within a fixed window's budget when one request arrives late",
		func(rate helicone.Rate) {
			released := harness.PacedReleases(rate.Share(1), 3*rate.Requests)
			gap := released[2] - released[1]
			for _, late := range []time.Duration{0, gap / 4, gap / 2, gap * 9 / 10} {
				// The first request of the run reaches the server late, the others at once;
				// a window that opens on it ends late enough to take in a whole window of
				// the rest.
				arrivals := append([]time.Duration(nil), released...)
				arrivals[0] += late
				Expect(busiestWindow(arrivals, rate.Window)).To(BeNumerically("<=", rate.Requests),
					fmt.Sprintf("the first request %v late, the others %v apart", late, gap))
			}
		},
		Entry("25 per second", helicone.Rate{Requests: 25, Window: time.Second}),
		Entry("4 per second", helicone.Rate{Requests: 4, Window: time.Second}),
		Entry("the free tier", helicone.Rate{Requests: helicone.FreeRequests, Window: helicone.RateWindow}),
	)

	It("keeps most of a large budget", func() {
		released := harness.PacedReleases(helicone.Rate{Requests: helicone.ProRequests, Window: helicone.RateWindow}, 1001)
		perSecond := 1000 / (released[1000] - released[0]).Seconds()
		Expect(perSecond).To(BeNumerically(">=", 0.98*helicone.ProRequests/helicone.RateWindow.Seconds()))
	})

	DescribeTable("has enough score writers to spend a budget when each write takes a quarter of a second",
		func(rate helicone.Rate, want int) {
			Expect(harness.DefaultSubmitters(rate)).To(Equal(want))
		},
		Entry("unlimited", helicone.Rate{}, 8),
		Entry("the free tier", helicone.Rate{Requests: helicone.FreeRequests, Window: helicone.RateWindow}, 8),
		Entry("a paid tier", helicone.Rate{Requests: helicone.ProRequests, Window: helicone.RateWindow}, 9),
		Entry("enterprise, a quarter share", helicone.Rate{Requests: helicone.EnterpriseRequests, Window: helicone.RateWindow}.Share(4), 21),
		Entry("enterprise, at most 48", helicone.Rate{Requests: helicone.EnterpriseRequests, Window: helicone.RateWindow}, 48),
	)
})
