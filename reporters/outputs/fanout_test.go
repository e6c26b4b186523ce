package outputs_test

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval"
	"github.com/heval-dev/heval/reporters/outputs"
)

// tape records what a sink is called with, in order.
type tape struct {
	calls   []string
	fail    func(n int) error // the error of the n-th record (from 0), if any
	panicAt int               // the record (from 1) to panic at; 0 for none
	block   chan struct{}     // when set, every record waits for it to be closed
	seen    atomic.Int64
}

func (t *tape) Start(info heval.RunInfo) error {
	t.calls = append(t.calls, "start "+info.RunID)
	return nil
}

func (t *tape) Record(r heval.Record) error {
	if t.block != nil {
		<-t.block
	}
	n := len(t.calls) - 1
	t.seen.Add(1)
	if t.panicAt > 0 && n+1 == t.panicAt {
		panic("the sink broke")
	}
	t.calls = append(t.calls, fmt.Sprintf("%s/%d", r.Evaluator, r.Repeat))
	if t.fail != nil {
		return t.fail(n)
	}
	return nil
}

func (t *tape) Finish(s heval.Summary) error {
	t.calls = append(t.calls, fmt.Sprintf("finish %d", s.Samples))
	return nil
}

func rec(i int) heval.Record {
	return heval.Record{Sample: &heval.Sample{RequestID: fmt.Sprint(i)}, Evaluator: "e", Repeat: i}
}

func want(n int) []string {
	out := []string{"start r"}
	for i := range n {
		out = append(out, fmt.Sprintf("e/%d", i))
	}
	return append(out, fmt.Sprintf("finish %d", n))
}

var _ = Describe("the fan-out to the sinks", func() {
	It("passes Start, every record in order and Finish to every sink", func() {
		n := 3*outputs.BatchSize + 17
		a, b := &tape{}, &tape{}
		h := outputs.NewFanout([]string{"a", "b"}, a, b)
		Expect(h.Start(heval.RunInfo{RunID: "r"})).To(Succeed())
		for i := range n {
			Expect(h.Record(rec(i))).To(Succeed())
		}
		Expect(h.Finish(heval.Summary{Samples: n})).To(Succeed())
		Expect(a.calls).To(Equal(want(n)))
		Expect(b.calls).To(Equal(want(n)))
	})

	It("reports a sink's error once, by name, and keeps passing records to every sink", func() {
		n := 4 * outputs.BatchSize
		bad := &tape{fail: func(i int) error {
			if i%100 == 5 {
				return fmt.Errorf("disk full at %d", i)
			}
			return nil
		}}
		good := &tape{}
		h := outputs.NewFanout([]string{"scores.parquet", "junit.xml"}, bad, good)
		Expect(h.Start(heval.RunInfo{RunID: "r"})).To(Succeed())
		var errs []error
		for i := range n {
			if err := h.Record(rec(i)); err != nil {
				errs = append(errs, err)
			}
		}
		err := h.Finish(heval.Summary{Samples: n})
		Expect(err).To(HaveOccurred())
		all := errors.Join(append(errs, err)...)
		Expect(all.Error()).To(ContainSubstring("scores.parquet: disk full at 5"))
		Expect(all.Error()).To(ContainSubstring("scores.parquet: 10 more records failed, the last: disk full at 1005"))
		Expect(all.Error()).NotTo(ContainSubstring("junit.xml"))
		Expect(len(errs)).To(BeNumerically("<=", 1))
		Expect(good.calls).To(Equal(want(n)))
		Expect(bad.calls).To(Equal(want(n)))
	})

	It("turns a sink's panic into an error and lets the other sinks finish", func() {
		n := 2 * outputs.BatchSize
		broken, good := &tape{panicAt: 10}, &tape{}
		h := outputs.NewFanout([]string{"report.html", "junit.xml"}, broken, good)
		Expect(h.Start(heval.RunInfo{RunID: "r"})).To(Succeed())
		var errs []error
		for i := range n {
			if err := h.Record(rec(i)); err != nil {
				errs = append(errs, err)
			}
		}
		err := errors.Join(append(errs, h.Finish(heval.Summary{Samples: n}))...)
		Expect(err).To(MatchError(ContainSubstring("report.html: panic: the sink broke")))
		Expect(good.calls).To(Equal(want(n)))
		Expect(broken.calls).To(Equal(want(9)[:10]), "the broken sink receives nothing after its panic, not even Finish")
	})

	It("holds the caller back when a sink falls behind, instead of queueing without bound", func() {
		slow := &tape{block: make(chan struct{})}
		h := outputs.NewFanout([]string{"slow"}, slow)
		Expect(h.Start(heval.RunInfo{RunID: "r"})).To(Succeed())
		var handed atomic.Int64
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer GinkgoRecover()
			for i := range 100 * outputs.BatchSize {
				Expect(h.Record(rec(i))).To(Succeed())
				handed.Add(1)
			}
		}()
		limit := int64((outputs.QueuedBatches + 2) * outputs.BatchSize)
		Eventually(handed.Load).Should(BeNumerically(">=", limit-2*outputs.BatchSize))
		Consistently(handed.Load, "200ms").Should(BeNumerically("<=", limit))
		close(slow.block)
		wg.Wait()
		Expect(h.Finish(heval.Summary{Samples: 100 * outputs.BatchSize})).To(Succeed())
		Expect(slow.calls).To(Equal(want(100 * outputs.BatchSize)))
	})
})
