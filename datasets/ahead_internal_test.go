package datasets

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// units makes the next function of n units whose fetch returns the unit's number after
// calling each (which may block), counting the fetches running at once.
func units(n int, each func(ctx context.Context, i int) error, running, most *atomic.Int32) func() (func(context.Context) (int, error), bool, error) {
	i := 0
	return func() (func(context.Context) (int, error), bool, error) {
		if i == n {
			return nil, false, nil
		}
		k := i
		i++
		return func(ctx context.Context) (int, error) {
			now := running.Add(1)
			defer running.Add(-1)
			for {
				m := most.Load()
				if now <= m || most.CompareAndSwap(m, now) {
					break
				}
			}
			return k, each(ctx, k)
		}, true, nil
	}
}

var _ = Describe("reading a source's queries ahead", func() {
	It("runs the next fetches while a unit is consumed, at most depth+1 at once, and yields the units in order", func(ctx SpecContext) {
		var running, most atomic.Int32
		// Each fetch waits until the fetch of the unit after it has started (or 2 s):
		// read one at a time, the units would take 20 × 2 s.
		started := make([]chan struct{}, 21)
		for i := range started {
			started[i] = make(chan struct{})
		}
		each := func(ctx context.Context, i int) error {
			close(started[i])
			if i+1 < 20 {
				select {
				case <-started[i+1]:
				case <-time.After(2 * time.Second):
				}
			}
			return nil
		}
		var got []int
		for v, err := range ahead(ctx, 2, units(20, each, &running, &most)) {
			Expect(err).NotTo(HaveOccurred())
			got = append(got, v)
		}
		Expect(got).To(HaveLen(20))
		for i, v := range got {
			Expect(v).To(Equal(i))
		}
		Expect(most.Load()).To(BeNumerically(">=", 2), "no fetch ran while another did")
		Expect(most.Load()).To(BeNumerically("<=", 3))
	})

	It("returns, when the consumer stops, only after every fetch has ended, and cancels them", func(ctx SpecContext) {
		var running, most atomic.Int32
		var cancelled atomic.Int32
		each := func(ctx context.Context, i int) error {
			if i == 0 {
				return nil
			}
			<-ctx.Done() // the later units wait until they are cancelled
			cancelled.Add(1)
			return ctx.Err()
		}
		for v := range ahead(ctx, 2, units(10, each, &running, &most)) {
			Expect(v).To(Equal(0))
			Eventually(running.Load).Should(BeNumerically(">=", 2)) // the next fetches have started
			break
		}
		Expect(running.Load()).To(BeZero(), "a fetch still runs after the sequence returned")
		Expect(cancelled.Load()).To(BeNumerically(">=", 2))
	})

	It("ends with the first failure, of a fetch or of next, after the units before it", func(ctx SpecContext) {
		var running, most atomic.Int32
		boom := errors.New("boom")
		each := func(_ context.Context, i int) error {
			if i == 3 {
				return boom
			}
			return nil
		}
		var got []int
		var last error
		for v, err := range ahead(ctx, 2, units(10, each, &running, &most)) {
			if err != nil {
				last = err
				continue
			}
			got = append(got, v)
		}
		Expect(got).To(Equal([]int{0, 1, 2}))
		Expect(last).To(MatchError(boom))

		n := 0
		next := func() (func(context.Context) (int, error), bool, error) {
			if n++; n == 3 {
				return nil, false, errors.New("the spool is damaged")
			}
			k := n
			return func(context.Context) (int, error) { return k, nil }, true, nil
		}
		got, last = nil, nil
		for v, err := range ahead(ctx, 2, next) {
			if err != nil {
				last = err
				continue
			}
			got = append(got, v)
		}
		Expect(got).To(Equal([]int{1, 2}))
		Expect(last).To(MatchError("the spool is damaged"))
	})
})
