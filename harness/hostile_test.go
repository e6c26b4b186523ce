package harness_test

import (
	"context"
	"errors"
	"runtime"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval"
	"github.com/heval-dev/heval/datasets"
	"github.com/heval-dev/heval/harness"
)

// badError is an error type whose Error method dereferences its receiver.
type badError struct{ msg string }

func (e *badError) Error() string { return e.msg }

var _ = Describe("hostile evaluators", func() {
	var fake *fakeHelicone
	BeforeEach(func() {
		fake = newFakeHelicone()
		DeferCleanup(fake.Close)
	})

	run := func(ctx context.Context, evs ...*harness.EvaluatorSpec) (*recorder, *harness.Results, error) {
		rec := &recorder{}
		res, err := harness.Run(ctx, harness.Config{
			Source:      datasets.Slice(makeSamples(30)...),
			Env:         datasets.Env{Client: fake.client()},
			Evaluators:  append([]*harness.EvaluatorSpec{harness.Evaluator("good", constant(1))}, evs...),
			Handler:     rec,
			GracePeriod: 300 * time.Millisecond,
		})
		return rec, res, err
	}

	It("records a typed nil pointer returned as an error as a failure of that evaluator only", func() {
		rec, _, err := run(context.Background(), harness.Evaluator("typed_nil", func(context.Context, heval.Sample) (heval.Score, error) {
			var e *badError
			return heval.Int(1), e
		}))
		Expect(err).NotTo(HaveOccurred())
		Expect(rec.summary.Samples).To(Equal(30))
		for _, r := range rec.byEvaluator("typed_nil") {
			Expect(r.ErrKind).To(Equal(heval.ErrorKindEvaluator))
			Expect(r.Err).To(ContainSubstring("nil *harness_test.badError"))
			Expect(r.Values).To(BeEmpty())
		}
		for _, r := range rec.byEvaluator("good") {
			Expect(r.Submitted).To(BeTrue())
		}
		_, distinct, _ := fake.counts()
		Expect(distinct).To(Equal(30))
	})

	It("records runtime.Goexit (t.FailNow, require.*) as a failure and keeps every sample", func() {
		for _, timeout := range []time.Duration{0, time.Second} {
			opts := []any{}
			if timeout > 0 {
				opts = append(opts, harness.Timeout(timeout))
			}
			rec, _, err := run(context.Background(), harness.Evaluator("fails_now", func(_ context.Context, s heval.Sample) (heval.Score, error) {
				if index(s)%3 == 0 {
					runtime.Goexit()
				}
				return heval.Int(2), nil
			}, opts...))
			Expect(err).NotTo(HaveOccurred())
			Expect(rec.summary.Samples).To(Equal(30), "timeout %s", timeout)
			exited := 0
			for _, r := range rec.byEvaluator("fails_now") {
				if r.Err != "" {
					exited++
					Expect(r.Err).To(ContainSubstring("runtime.Goexit"))
					Expect(r.Err).To(ContainSubstring("return an error"))
				}
			}
			Expect(exited).To(Equal(10))
			Expect(rec.byEvaluator("good")).To(HaveLen(30))
		}
	})

	It("returns within the grace period when an evaluator ignores the cancellation, naming it", func() {
		ctx, cancel := context.WithCancel(context.Background())
		release := make(chan struct{})
		DeferCleanup(func() { close(release) })
		started := make(chan struct{}, 100)
		go func() {
			<-started
			cancel()
		}()
		done := make(chan error, 1)
		var rec *recorder
		go func() {
			var err error
			rec, _, err = run(ctx, harness.Evaluator("stuck", func(_ context.Context, s heval.Sample) (heval.Score, error) {
				if index(s) == 5 {
					started <- struct{}{}
					<-release // ignores its context
				}
				return heval.Int(1), nil
			}))
			done <- err
		}()
		var err error
		Eventually(done, 5*time.Second).Should(Receive(&err))
		Expect(err).To(MatchError(harness.ErrInterrupted))
		var ie *harness.InterruptedError
		Expect(errors.As(err, &ie)).To(BeTrue())
		Expect(ie.Abandoned).To(ConsistOf("evaluator stuck on request " + uuidFor(5)))
		Expect(err.Error()).To(ContainSubstring("harness.Timeout"))
		for _, r := range rec.records {
			Expect(r.Sample.RequestID).NotTo(Equal(uuidFor(5)), "an abandoned sample is not reported")
		}
	})
})

var _ = Describe("invalid score keys", func() {
	It("are a failure of the evaluator that returned them; every valid value of the sample is still sent", func() {
		fake := newFakeHelicone()
		DeferCleanup(fake.Close)
		rec := &recorder{}
		_, err := harness.Run(context.Background(), harness.Config{
			Source: datasets.Slice(makeSamples(5)...),
			Env:    datasets.Env{Client: fake.client()},
			Evaluators: []*harness.EvaluatorSpec{
				harness.Evaluator("bad_keys", func(context.Context, heval.Sample) (heval.Score, error) {
					return heval.Scores("k\xff", 1, "tab\tkey", 2, ".", 3, "fine", 4), nil
				}),
				harness.Evaluator("other", constant(7)),
			},
			Handler: rec,
		})
		Expect(err).NotTo(HaveOccurred())
		for _, r := range rec.byEvaluator("bad_keys") {
			Expect(r.ErrKind).To(Equal(heval.ErrorKindInvalidValue))
			Expect(r.Err).To(ContainSubstring("UTF-8"))
			Expect(r.Err).To(ContainSubstring("control character"))
			Expect(r.Values).To(Equal([]heval.Value{{Key: "fine", Value: 4, Type: heval.Number}}))
		}
		for i := range 5 {
			Expect(fake.stored(uuidFor(i))).To(Equal(map[string]int64{"fine": 4, "other": 7}))
		}
	})
})
