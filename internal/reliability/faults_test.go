package reliability_test

import (
	"context"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/datasets"
	"github.com/heval-dev/heval/evals"
	"github.com/heval-dev/heval/harness"
	"github.com/heval-dev/heval/helicone"
	"github.com/heval-dev/heval/helicone/heliconetest"
	"github.com/heval-dev/heval/helicone/heliconetest/demo"
)

var _ = Describe("transport faults", func() {
	evaluators := func() []*harness.EvaluatorSpec {
		return []*harness.EvaluatorSpec{
			harness.Evaluator("word_count", evals.WordCount),
			harness.Evaluator("has_citations", evals.HasCitations),
		}
	}

	// Each fault hits a fifth of the score writes (answered instead of, or after, storing
	// them); every score must still be stored exactly as computed. A write gets 12 attempts:
	// with 6, one of the 480 writes meets six faults in a row in about 3% of runs (0.2⁶ ×
	// 480), which is the retry budget running out, not a lost score.
	DescribeTable("every score lands exactly, whatever a fifth of the answers do",
		func(name string, f heliconetest.Fault) {
			if f.Count == 0 {
				f = f.Sometimes(0.2, 7)
			}
			srv := heliconetest.NewServer(heliconetest.WithSeed(demo.Seed()), heliconetest.WithProfile(heliconetest.Legacy), heliconetest.WithWriteDelay(0))
			DeferCleanup(srv.Close)
			srv.Inject(heliconetest.RouteAddScores, f)
			client, err := helicone.NewClient(helicone.WithBaseURL(srv.URL), helicone.WithAPIKey(srv.APIKey),
				helicone.WithRetry(helicone.RetryPolicy{MaxAttempts: 12, BaseDelay: time.Millisecond, MaxDelay: 20 * time.Millisecond, MaxRetryAfter: 2 * time.Second}),
				helicone.WithTimeouts(helicone.Timeouts{Header: time.Second}))
			Expect(err).NotTo(HaveOccurred())
			src := datasets.Experiment(demo.SupportExperimentID)
			dry, err := harness.Run(context.Background(), harness.Config{Source: src, Env: datasets.Env{Client: client}, Evaluators: evaluators(), DryRun: true, KeepResults: true})
			Expect(err).NotTo(HaveOccurred())
			res, err := harness.Run(context.Background(), harness.Config{Source: src, Env: datasets.Env{Client: client}, Evaluators: evaluators(), KeepResults: true})
			Expect(err).NotTo(HaveOccurred())
			d := res.Summary.Delivery
			var failures []string
			for _, r := range res.All().Errors() {
				failures = append(failures, r.DeliveryErr)
			}
			Expect(d.Failed).To(BeZero(), "%v", failures)
			want := map[string]map[string]int64{}
			for _, r := range dry.All().Records() {
				for _, v := range r.Values {
					key := v.Key
					if v.Type == "boolean" {
						key += helicone.BoolSuffix
					}
					if want[r.Sample.RequestID] == nil {
						want[r.Sample.RequestID] = map[string]int64{}
					}
					want[r.Sample.RequestID][key] = v.Value
				}
			}
			for id, scores := range want {
				Expect(srv.Scores(id)).To(Equal(scores), "request %s", id)
			}
			report("%-34s %d of %d writes acknowledged, %d retried attempts (%d answered 429), every score stored exactly", name, d.Acknowledged, d.Posts, d.Retries, d.RateLimited)
		},
		Entry(nil, "429 with Retry-After", heliconetest.Fault{Kind: heliconetest.FaultStatus, Status: 429, RetryAfter: "0"}),
		Entry(nil, "500", heliconetest.Fail(500)),
		Entry(nil, "502 (a proxy's HTML page)", heliconetest.Fail(502)),
		Entry(nil, "503", heliconetest.Fail(503)),
		Entry(nil, "connection reset", heliconetest.Disconnect()),
		Entry(nil, "reset after storing", heliconetest.Disconnect().AfterHandling()),
		Entry(nil, "slow answer (past the header timeout)", heliconetest.Delay(2*time.Second).Times(8)),
		Entry(nil, "truncated JSON (after storing)", heliconetest.Truncate()),
		Entry(nil, "200 HTML page", heliconetest.NotJSON()),
		Entry(nil, "200 HTML page after storing", heliconetest.NotJSON().AfterHandling()),
	)

	It("judges and scores every sample exactly once when the experiment answer breaks off midway, twice", func() {
		srv := heliconetest.NewServer(heliconetest.WithSeed(demo.Seed()), heliconetest.WithProfile(heliconetest.Legacy), heliconetest.WithWriteDelay(0))
		DeferCleanup(srv.Close)
		queries := 0
		client, err := helicone.NewClient(helicone.WithBaseURL(srv.URL), helicone.WithAPIKey(srv.APIKey),
			helicone.WithRetry(helicone.RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: 20 * time.Millisecond}),
			helicone.WithObserver(func(a helicone.Attempt) {
				if a.Path == "/v1/experiment/query" {
					queries++
				}
			}))
		Expect(err).NotTo(HaveOccurred())
		src := datasets.Experiment(demo.SupportExperimentID)
		dry, err := harness.Run(context.Background(), harness.Config{Source: src, Env: datasets.Env{Client: client}, Evaluators: evaluators(), DryRun: true, KeepResults: true})
		Expect(err).NotTo(HaveOccurred())
		Expect(queries).To(Equal(1))
		// Each cut answer ends halfway through its bytes, after hundreds of samples were
		// handed to the evaluators.
		srv.Inject(heliconetest.RouteQueryExperiment, heliconetest.Truncate().Times(2))
		res, err := harness.Run(context.Background(), harness.Config{Source: src, Env: datasets.Env{Client: client}, Evaluators: evaluators(), KeepResults: true})
		Expect(err).NotTo(HaveOccurred())
		Expect(queries).To(Equal(4), "the dry run's query, then two cut answers and a whole one")
		Expect(res.Summary.Samples).To(Equal(dry.Summary.Samples))
		Expect(res.Summary.Delivery.Failed).To(BeZero())
		Expect(res.Summary.Delivery.Posts).To(Equal(dry.Summary.Samples), "one write per sample: none twice")
		seen := map[string]int{}
		for _, r := range res.All().Records() {
			seen[r.Sample.RequestID+"/"+r.Evaluator]++
		}
		for k, n := range seen {
			Expect(n).To(Equal(1), "%s judged %d times", k, n)
		}
		for _, r := range dry.All().Records() {
			for _, v := range r.Values {
				key := v.Key
				if v.Type == "boolean" {
					key += helicone.BoolSuffix
				}
				Expect(srv.Scores(r.Sample.RequestID)).To(HaveKeyWithValue(key, v.Value), "request %s", r.Sample.RequestID)
			}
		}
		report("experiment answer cut twice midway: %d samples judged once each, %d writes, every score stored exactly", res.Summary.Samples, res.Summary.Delivery.Posts)
	})
})
