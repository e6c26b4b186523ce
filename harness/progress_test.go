package harness_test

import (
	"context"
	"sync/atomic"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/datasets"
	"github.com/heval-dev/heval/harness"
	"github.com/heval-dev/heval/helicone"
	"github.com/heval-dev/heval/helicone/heliconetest"
	"github.com/heval-dev/heval/helicone/heliconetest/demo"
)

// phaseCounter counts what a PhaseProgress is told.
type phaseCounter struct {
	fetched, fetchDone, evaluated, delivered, submitted, verified atomic.Int64
}

func (p *phaseCounter) Fetched(n int)   { p.fetched.Add(int64(n)) }
func (p *phaseCounter) FetchDone()      { p.fetchDone.Add(1) }
func (p *phaseCounter) Evaluated(n int) { p.evaluated.Add(int64(n)) }
func (p *phaseCounter) Delivered(n int) { p.delivered.Add(int64(n)) }
func (p *phaseCounter) Submitted(n int) { p.submitted.Add(int64(n)) }
func (p *phaseCounter) Verified(n int)  { p.verified.Add(int64(n)) }

var _ = Describe("progress by phase", func() {
	It("tells a PhaseProgress how reading, evaluation, delivery and verification advance", func() {
		srv := heliconetest.NewServer(heliconetest.WithProfile(heliconetest.Legacy), heliconetest.WithWriteDelay(0), heliconetest.WithSeed(demo.Seed()))
		DeferCleanup(srv.Close)
		client, err := helicone.NewClient(helicone.WithBaseURL(srv.URL), helicone.WithAPIKey(srv.APIKey))
		Expect(err).NotTo(HaveOccurred())
		p := &phaseCounter{}
		res, err := harness.Run(context.Background(), harness.Config{
			Source: datasets.Experiment(demo.SupportExperimentID), Env: datasets.Env{Client: client}, Verify: true, Progress: p,
			Evaluators: []*harness.EvaluatorSpec{harness.Evaluator("one", constant(1))},
		})
		Expect(err).NotTo(HaveOccurred())
		n := int64(res.Summary.Samples)
		Expect(n).To(BeNumerically(">", 0))
		Expect(p.fetched.Load()).To(Equal(n))
		Expect(p.fetchDone.Load()).To(Equal(int64(1)))
		Expect(p.evaluated.Load()).To(Equal(n))
		Expect(p.delivered.Load()).To(Equal(n))
		Expect(p.submitted.Load()).To(Equal(n))
		Expect(p.verified.Load()).To(Equal(n))
	})
})
