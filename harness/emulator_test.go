package harness_test

import (
	"context"
	"time"

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
		srv := heliconetest.NewServer(heliconetest.WithSeed(demo.Seed()), heliconetest.WithWriteDelay(5*time.Millisecond))
		DeferCleanup(srv.Close)
		client, err := helicone.NewClient(helicone.WithAPIKey(demo.APIKey), helicone.WithBaseURL(srv.URL))
		Expect(err).NotTo(HaveOccurred())
		rec := &recorder{}
		res, err := harness.Run(context.Background(), harness.Config{
			Source: datasets.Experiment(demo.SupportExperimentID),
			Env:    datasets.Env{Client: client},
			Evaluators: []*harness.EvaluatorSpec{
				harness.Evaluator("words", func(_ context.Context, s datasets.Sample) (harness.Score, error) {
					return harness.Int(int64(len(s.Text()))), nil
				}),
				harness.Evaluator("cites", func(_ context.Context, s datasets.Sample) (harness.Score, error) {
					return harness.Bool(len(s.Text())%2 == 0), nil
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
