package harness_test

import (
	"context"
	"time"

	"github.com/heval-dev/heval"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/datasets"
	"github.com/heval-dev/heval/harness"
	"github.com/heval-dev/heval/helicone"
	"github.com/heval-dev/heval/helicone/heliconetest"
	"github.com/heval-dev/heval/helicone/heliconetest/demo"
)

var _ = Describe("against the Helicone emulator", func() {
	It("judges a demo experiment: one POST per request id, every score verified on read-back", func() {
		srv := heliconetest.NewServer(heliconetest.WithProfile(heliconetest.Legacy), heliconetest.WithSeed(demo.Seed()), heliconetest.WithWriteDelay(5*time.Millisecond))
		DeferCleanup(srv.Close)
		client, err := helicone.NewClient(helicone.WithAPIKey(demo.APIKey), helicone.WithBaseURL(srv.URL))
		Expect(err).NotTo(HaveOccurred())
		rec := &recorder{}
		res, err := harness.Run(context.Background(), harness.Config{
			Source: datasets.Experiment(demo.SupportExperimentID),
			Env:    datasets.Env{Client: client},
			Evaluators: []*harness.EvaluatorSpec{
				harness.Evaluator("words", func(_ context.Context, s heval.Sample) (heval.Score, error) {
					return heval.Int(int64(len(s.Text()))), nil
				}),
				harness.Evaluator("cites", func(_ context.Context, s heval.Sample) (heval.Score, error) {
					return heval.Bool(len(s.Text())%2 == 0), nil
				}),
			},
			Handler: rec, Verify: true, VerifyDelay: 20 * time.Millisecond,
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(res.Summary.Samples).To(BeNumerically(">=", 100))
		Expect(res.Summary.Delivery.Missing).To(BeZero())
		Expect(res.Summary.Delivery.Verified).To(Equal(2 * res.Summary.Samples))
		ids := map[string]bool{}
		for _, r := range rec.records {
			Expect(r.Submitted).To(BeTrue())
			ids[r.Sample.RequestID] = true
		}
		Expect(srv.Dropped()).To(BeEmpty())
		Expect(srv.Counts()[heliconetest.RouteAddScores]).To(Equal(len(ids)))
		first := rec.records[0]
		Expect(srv.Scores(first.Sample.RequestID)).To(HaveKeyWithValue("words", first.Values[0].Value))
	})
})

var _ = Describe("verification through request queries", func() {
	words := harness.Evaluator("words", func(_ context.Context, s heval.Sample) (heval.Score, error) {
		return heval.Int(int64(len(s.Text()))), nil
	})
	polite := harness.Evaluator("polite", func(_ context.Context, s heval.Sample) (heval.Score, error) {
		return heval.Bool(len(s.Text())%3 == 0), nil
	})

	// Writes are applied at once: the verifier reads them back through request queries
	// without polling. The legacy profile serves the experiment of the fallback spec.
	start := func() (*heliconetest.Server, *helicone.Client) {
		srv := heliconetest.NewServer(heliconetest.WithProfile(heliconetest.Legacy), heliconetest.WithWriteDelay(0), heliconetest.WithSeed(demo.Seed()))
		DeferCleanup(srv.Close)
		client, err := helicone.NewClient(helicone.WithAPIKey(demo.APIKey), helicone.WithBaseURL(srv.URL), helicone.WithRetry(helicone.NoRetry()))
		Expect(err).NotTo(HaveOccurred())
		return srv, client
	}

	It("reads back the scores of logged requests with batched request queries", func() {
		srv, client := start()
		res, err := harness.Run(context.Background(), harness.Config{
			Source:     datasets.Requests(helicone.Property(demo.PropertyVariant, helicone.Equals, "B")),
			Env:        datasets.Env{Client: client},
			Evaluators: []*harness.EvaluatorSpec{words, polite},
			Verify:     true, VerifyDelay: 5 * time.Millisecond,
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(res.Summary.Samples).To(BeNumerically(">", 10))
		Expect(res.Summary.Delivery.Verified).To(Equal(2 * res.Summary.Samples))
		Expect(srv.Counts()[heliconetest.RouteExperimentScore]).To(BeZero())
		Expect(srv.Counts()[heliconetest.RouteQueryClickhouse]).To(BeNumerically("<", res.Summary.Samples), "up to 100 requests per query")
	})

	It("reads back an experiment's scores through request queries, never the experiment score route", func() {
		srv, client := start()
		res, err := harness.Run(context.Background(), harness.Config{
			Source:     datasets.Experiment(demo.CodeExperimentID),
			Env:        datasets.Env{Client: client},
			Evaluators: []*harness.EvaluatorSpec{words, polite},
			Verify:     true, VerifyDelay: 5 * time.Millisecond,
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(res.Summary.Delivery.Missing).To(BeZero())
		Expect(res.Summary.Delivery.Verified).To(Equal(2 * res.Summary.Samples))
		Expect(srv.Counts()[heliconetest.RouteExperimentScore]).To(BeZero())
	})

	It("names a score the server dropped", func() {
		_, client := start()
		unknown := heval.Sample{Kind: heval.KindRequest, RequestID: "0b0b0b0b-0000-4000-8000-000000000001", Body: []byte(`"hello there"`)}
		res, err := harness.Run(context.Background(), harness.Config{
			Source:     datasets.Slice(unknown),
			Env:        datasets.Env{Client: client},
			Evaluators: []*harness.EvaluatorSpec{words},
			Verify:     true, VerifyTimeout: 300 * time.Millisecond,
			KeepResults: true,
		})
		Expect(err).To(MatchError(harness.ErrScoresMissing))
		Expect(err.Error()).To(ContainSubstring("0b0b0b0b-0000-4000-8000-000000000001"))
		Expect(res.Summary.Delivery.Missing).To(Equal(1))
		rec := res.All().Records()[0]
		Expect(rec.Submitted).To(BeFalse())
		Expect(rec.DeliveryErr).To(ContainSubstring("not found on read-back"))
		Expect(rec.DeliveryErr).To(ContainSubstring("unknown to this organization"))
	})
})
