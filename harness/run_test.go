package harness_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"sync/atomic"
	"time"

	"github.com/heval-dev/heval"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/datasets"
	"github.com/heval-dev/heval/harness"
	"github.com/heval-dev/heval/helicone"
)

var _ = Describe("declaring evaluators", func() {
	It("keeps the options and the Ginkgo labels", func() {
		ev := harness.Evaluator("judge", constant(1), harness.Repeat(3), harness.Timeout(time.Second), Label("judge", "slow"))
		Expect(ev.Name()).To(Equal("judge"))
		Expect(ev.Repeats()).To(Equal(3))
		Expect(ev.Timeout()).To(Equal(time.Second))
		Expect(ev.Labels()).To(ConsistOf("judge", "slow"))
	})

	It("panics at declaration on an option of an unknown type, naming it", func() {
		Expect(func() { harness.Evaluator("x", constant(1), 42) }).To(PanicWith(ContainSubstring("option 1 has type int")))
		Expect(func() { harness.Evaluator("", constant(1)) }).To(Panic())
		Expect(func() { harness.Evaluator("x", nil) }).To(Panic())
		Expect(func() { harness.Expect("x", "~", 1) }).To(Panic())
	})

	It("re-exports the score helpers", func() {
		var s heval.Score = heval.Int(3)
		Expect(s.Entries()).To(HaveLen(1))
		Expect(heval.Bool(true).Entries()[0].Value).To(BeTrue())
	})
})

var _ = Describe("running evaluators", func() {
	var fake *fakeHelicone
	BeforeEach(func() {
		fake = newFakeHelicone()
		DeferCleanup(fake.Close)
	})

	It("records a float, NaN, a panic, an error and a timeout as failures, sends the rest in one POST per request id", func() {
		samples := makeSamples(40)
		rec := &recorder{}
		res, err := harness.Run(context.Background(), harness.Config{
			Source: datasets.Slice(samples...),
			Env:    datasets.Env{Client: fake.client()},
			Evaluators: []*harness.EvaluatorSpec{
				harness.Evaluator("length", func(_ context.Context, s heval.Sample) (heval.Score, error) {
					return heval.Int(int64(len(s.Text()))).With("is_even", index(s)%2 == 0), nil
				}),
				harness.Evaluator("ratio", constant(0.75)),
				harness.Evaluator("nan", constant(math.NaN())),
				harness.Evaluator("mixed", func(context.Context, heval.Sample) (heval.Score, error) {
					return heval.Scores("good", 7, "bad", 1.5), nil
				}),
				harness.Evaluator("boom", func(context.Context, heval.Sample) (heval.Score, error) { panic("kaboom") }),
				harness.Evaluator("fails", func(context.Context, heval.Sample) (heval.Score, error) {
					return heval.Score{}, errors.New("judge unavailable")
				}),
				harness.Evaluator("slow", func(ctx context.Context, s heval.Sample) (heval.Score, error) {
					if index(s) == 3 {
						<-ctx.Done()
						return heval.Score{}, ctx.Err()
					}
					return heval.Int(1), nil
				}, harness.Timeout(50*time.Millisecond)),
				harness.Evaluator("skips", func(context.Context, heval.Sample) (heval.Score, error) {
					return heval.Score{}, heval.ErrNotApplicable
				}),
				harness.Evaluator("short", constant(5), harness.AtLeast(10)),
			},
			Handler:     rec,
			KeepResults: true,
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(rec.starts).To(Equal(1))
		Expect(rec.records).To(HaveLen(40 * 9))
		Expect(rec.summary.Samples).To(Equal(40))

		for _, r := range rec.byEvaluator("ratio") {
			Expect(r.ErrKind).To(Equal(heval.ErrorKindInvalidValue))
			Expect(r.Err).To(ContainSubstring("heval.Percent"))
			Expect(r.Values).To(BeEmpty())
		}
		Expect(rec.byEvaluator("nan")[0].Err).To(ContainSubstring("NaN"))
		mixed := rec.byEvaluator("mixed")[0]
		Expect(mixed.ErrKind).To(Equal(heval.ErrorKindInvalidValue))
		Expect(mixed.Values).To(Equal([]heval.Value{{Key: "good", Value: 7, Type: heval.Number}}))
		Expect(mixed.Submitted).To(BeTrue())
		boom := rec.byEvaluator("boom")[0]
		Expect(boom.ErrKind).To(Equal(heval.ErrorKindPanic))
		Expect(boom.Err).To(ContainSubstring("kaboom"))
		Expect(boom.Err).To(ContainSubstring("run_test.go"))
		Expect(rec.byEvaluator("fails")[0].ErrKind).To(Equal(heval.ErrorKindEvaluator))
		Expect(rec.byEvaluator("fails")[0].Err).To(Equal("judge unavailable"))
		var timeouts int
		for _, r := range rec.byEvaluator("slow") {
			if r.ErrKind == heval.ErrorKindTimeout {
				timeouts++
				Expect(r.Sample.RequestID).To(Equal(uuidFor(3)))
				Expect(r.Err).To(ContainSubstring("timed out after 50ms"))
			}
		}
		Expect(timeouts).To(Equal(1))
		skip := rec.byEvaluator("skips")[0]
		Expect(skip.Err).To(BeEmpty())
		Expect(skip.Values).To(BeEmpty())
		Expect(skip.Reason).To(ContainSubstring("not applicable"))
		short := rec.byEvaluator("short")[0]
		Expect(short.Failures).To(ConsistOf("short = 5, expected >= 10"))

		posts, distinct, _ := fake.counts()
		Expect(posts).To(Equal(40))
		Expect(distinct).To(Equal(40))
		Expect(res.Summary.Delivery.Posts).To(Equal(40))
		Expect(res.Summary.Delivery.Acknowledged).To(Equal(40))
		Expect(fake.stored(uuidFor(2))).To(Equal(map[string]int64{
			"length": int64(len("answer number 2")), "is_even-hcone-bool": 1, "good": 7, "slow": 1, "short": 5,
		}))
		Expect(fake.stored(uuidFor(3))).NotTo(HaveKey("slow"))

		// Handlers see bodies; kept results do not, but keep the answer text.
		Expect(rec.bodies).To(Equal(len(rec.records)))
		Expect(res.Len()).To(Equal(40 * 9))
		kept := res.All().Records()[0]
		Expect(kept.Sample.Body).To(BeNil())
		Expect(kept.Sample.Text()).To(HavePrefix("answer number"))
	})

	It("never sends a sample whose request id is not a UUID, and says why", func() {
		s := makeSamples(2)
		s[1].RequestID = "req-123"
		rec := &recorder{}
		_, err := harness.Run(context.Background(), harness.Config{
			Source: datasets.Slice(s...), Env: datasets.Env{Client: fake.client()}, Handler: rec,
			Evaluators: []*harness.EvaluatorSpec{harness.Evaluator("one", constant(1))},
		})
		Expect(err).NotTo(HaveOccurred())
		for _, r := range rec.records {
			if r.Sample.RequestID == "req-123" {
				Expect(r.Submitted).To(BeFalse())
				Expect(r.DeliveryErr).To(Equal("not a UUID: Helicone would silently drop it"))
			} else {
				Expect(r.Submitted).To(BeTrue())
			}
		}
		posts, _, _ := fake.counts()
		Expect(posts).To(Equal(1))
	})

	It("sends the rounded mean of an evaluator's repeats and reports every repeat", func() {
		var n atomic.Int64
		rec := &recorder{}
		_, err := harness.Run(context.Background(), harness.Config{
			Source: datasets.Slice(makeSamples(1)...), Env: datasets.Env{Client: fake.client()}, Handler: rec,
			Evaluators: []*harness.EvaluatorSpec{harness.Evaluator("judge", func(context.Context, heval.Sample) (heval.Score, error) {
				return heval.Int(80 + 5*n.Add(1)), nil // 85, 90, 96 → mean 90.33
			}, harness.Repeat(3))},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(rec.records).To(HaveLen(3))
		Expect(fake.stored(uuidFor(0))).To(Equal(map[string]int64{"judge": 90}))
	})

	It("evaluates without sending in a dry run", func() {
		rec := &recorder{}
		res, err := harness.Run(context.Background(), harness.Config{
			Source: datasets.Slice(makeSamples(10)...), DryRun: true, Handler: rec,
			Evaluators: []*harness.EvaluatorSpec{harness.Evaluator("one", constant(1))},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(rec.info.DryRun).To(BeTrue())
		Expect(rec.records).To(HaveLen(10))
		for _, r := range rec.records {
			Expect(r.Submitted).To(BeFalse())
			Expect(r.DeliveryErr).To(BeEmpty())
		}
		Expect(res.Len()).To(BeZero(), "records are kept only with KeepResults")
		posts, _, _ := fake.counts()
		Expect(posts).To(BeZero())
	})

	It("refuses a configuration that cannot run", func() {
		_, err := harness.Run(context.Background(), harness.Config{Source: datasets.Slice(), Evaluators: []*harness.EvaluatorSpec{harness.Evaluator("a", constant(1))}})
		Expect(err).To(MatchError(harness.ErrConfig))
		Expect(err.Error()).To(ContainSubstring("DryRun"))
		_, err = harness.Run(context.Background(), harness.Config{Source: datasets.Slice(), DryRun: true,
			Evaluators: []*harness.EvaluatorSpec{harness.Evaluator("a", constant(1)), harness.Evaluator("a", constant(2))}})
		Expect(err).To(MatchError(ContainSubstring("two evaluators are named \"a\"")))
	})

	It("delivers every score despite injected 429s, 5xx and dropped connections", func() {
		fake.inject(503, 0, 429, 500, 502, 0, 0, 503, 504, 500, 0, 429)
		rec := &recorder{}
		res, err := harness.Run(context.Background(), harness.Config{
			Source: datasets.Slice(makeSamples(30)...), Env: datasets.Env{Client: fake.client()}, Handler: rec,
			Evaluators: []*harness.EvaluatorSpec{harness.Evaluator("one", constant(1)), harness.Evaluator("two", constant(true))},
			Submitters: 2,
		})
		Expect(err).NotTo(HaveOccurred())
		for i := range 30 {
			Expect(fake.stored(uuidFor(i))).To(Equal(map[string]int64{"one": 1, "two-hcone-bool": 1}))
		}
		for _, r := range rec.records {
			Expect(r.Submitted).To(BeTrue())
		}
		Expect(res.Summary.Delivery.Acknowledged).To(Equal(30))
		Expect(res.Summary.Delivery.Failed).To(BeZero())
	})

	It("records a write the server keeps refusing as a delivery error, never silently", func() {
		statuses := make([]int, 40)
		for i := range statuses {
			statuses[i] = 503
		}
		fake.inject(statuses...)
		rec := &recorder{}
		res, err := harness.Run(context.Background(), harness.Config{
			Source: datasets.Slice(makeSamples(1)...), Env: datasets.Env{Client: fake.client()}, Handler: rec,
			Evaluators: []*harness.EvaluatorSpec{harness.Evaluator("one", constant(1))},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(rec.records[0].Submitted).To(BeFalse())
		Expect(rec.records[0].DeliveryErr).To(ContainSubstring("503"))
		Expect(res.Summary.Delivery.Failed).To(Equal(1))
	})

	It("stays within a budget of N per window: no 429 at steady state", func() {
		fake.rateLimit(time.Second, 40)
		res, err := harness.Run(context.Background(), harness.Config{
			Source: datasets.Slice(makeSamples(100)...), Env: datasets.Env{Client: fake.client(helicone.WithRetry(helicone.NoRetry()))},
			Evaluators: []*harness.EvaluatorSpec{harness.Evaluator("one", constant(1))},
			Rate:       helicone.Rate{Requests: 40, Window: time.Second},
		})
		Expect(err).NotTo(HaveOccurred())
		_, distinct, tooMany := fake.counts()
		Expect(tooMany).To(BeZero())
		Expect(distinct).To(Equal(100))
		Expect(res.Summary.Delivery.RateLimited).To(BeZero())
	})

	It("stops gracefully when interrupted: flushes what is computed and says how to resume", func() {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var evaluated atomic.Int64
		rec := &recorder{}
		dir := GinkgoT().TempDir()
		res, err := harness.Run(ctx, harness.Config{
			Source: datasets.Slice(makeSamples(500)...), Env: datasets.Env{Client: fake.client()}, Handler: rec,
			Concurrency: 4,
			Evaluators: []*harness.EvaluatorSpec{harness.Evaluator("one", func(ctx context.Context, s heval.Sample) (heval.Score, error) {
				if evaluated.Add(1) == 50 {
					cancel()
				}
				return heval.Int(1), nil
			})},
			JournalPath: dir + "/journal.jsonl",
		})
		Expect(err).To(MatchError(harness.ErrInterrupted))
		Expect(err.Error()).To(ContainSubstring("--resume"))
		Expect(err.Error()).To(ContainSubstring("journal.jsonl"))
		Expect(rec.summary.Interrupted).To(BeTrue())
		Expect(res.Summary.Samples).To(BeNumerically("<", 500))
		Expect(res.Summary.Samples).To(BeNumerically(">=", 40))
		for _, r := range rec.records {
			Expect(r.Submitted).To(BeTrue(), "what was computed is delivered within the grace period")
			Expect(fake.stored(r.Sample.RequestID)).To(HaveKeyWithValue("one", int64(1)))
		}
	})

	It("checks thresholds at the end, naming the worst samples", func() {
		t1, err := harness.ParseThreshold("length:mean>=100")
		Expect(err).NotTo(HaveOccurred())
		t2, err := harness.ParseThreshold("even:pass_rate>=0.5@baseline")
		Expect(err).NotTo(HaveOccurred())
		t3, err := harness.ParseThreshold("boom:errors==0")
		Expect(err).NotTo(HaveOccurred())
		res, err := harness.Run(context.Background(), harness.Config{
			Source: datasets.Slice(makeSamples(20)...), DryRun: true,
			Evaluators: []*harness.EvaluatorSpec{
				harness.Evaluator("length", func(_ context.Context, s heval.Sample) (heval.Score, error) {
					return heval.Int(int64(index(s))), nil
				}),
				harness.Evaluator("even", func(_ context.Context, s heval.Sample) (heval.Score, error) {
					return heval.Bool(index(s)%2 == 0), nil
				}),
				harness.Evaluator("boom", func(_ context.Context, s heval.Sample) (heval.Score, error) {
					if index(s) == 7 {
						return heval.Score{}, errors.New("bad sample")
					}
					return heval.Int(1), nil
				}),
			},
			Thresholds: []harness.Threshold{t1, t2, t3},
		})
		Expect(err).NotTo(HaveOccurred())
		checks := res.Summary.Checks
		Expect(checks).To(HaveLen(3))
		Expect(checks[0].Passed).To(BeFalse())
		Expect(checks[0].Observed).To(BeNumerically("~", 9.5))
		Expect(checks[0].Message).To(ContainSubstring("mean of length is 9.5"))
		Expect(checks[0].Message).To(ContainSubstring("request " + uuidFor(0) + " = 0"))
		Expect(checks[1].Passed).To(BeTrue(), "every baseline sample has an even index")
		Expect(checks[1].Observed).To(Equal(1.0))
		Expect(checks[2].Passed).To(BeFalse())
		Expect(checks[2].Message).To(ContainSubstring("bad sample"))
	})

	It("splits samples over shards so that together they evaluate each exactly once", func() {
		samples := makeSamples(200)
		seen := map[string]int{}
		for k := 1; k <= 4; k++ {
			rec := &recorder{}
			_, err := harness.Run(context.Background(), harness.Config{
				Source: datasets.Slice(samples...), DryRun: true, Handler: rec, Shard: harness.Shard{K: k, N: 4},
				Evaluators: []*harness.EvaluatorSpec{harness.Evaluator("one", constant(1))},
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(rec.info.Shard).To(Equal(strings.Join([]string{string(rune('0' + k)), "4"}, "/")))
			Expect(len(rec.records)).To(BeNumerically(">", 20), "the hash spreads samples")
			for _, r := range rec.records {
				seen[r.Sample.RequestID]++
			}
		}
		Expect(seen).To(HaveLen(200))
		for id, n := range seen {
			Expect(n).To(Equal(1), id)
		}
	})
})
