package harness_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/datasets"
	"github.com/heval-dev/heval/harness"
	"github.com/heval-dev/heval/helicone"
)

var _ = Describe("a server that fails every write", func() {
	var fake *fakeHelicone
	BeforeEach(func() {
		fake = newFakeHelicone()
		DeferCleanup(fake.Close)
	})

	run := func(c *helicone.Client, n int, maxFailures ...int) (*harness.Results, string, error) {
		journal := filepath.Join(GinkgoT().TempDir(), "journal.jsonl")
		res, err := harness.Run(context.Background(), harness.Config{
			Source:      datasets.Slice(makeSamples(n)...),
			Env:         datasets.Env{Client: c},
			Evaluators:  []*harness.EvaluatorSpec{harness.Evaluator("one", constant(1))},
			JournalPath: journal,
			Submitters:  4,
			// A run stops after this many failed writes in a row; each failed write here takes
			// the delivery's 2.5 s of re-queues, so the test keeps it small.
			MaxConsecutiveFailures: append(maxFailures, 0)[0],
		})
		return res, journal, err
	}

	It("stops early instead of retrying every write, leaving the rest to --resume", func() {
		statuses := make([]int, 100000)
		for i := range statuses {
			statuses[i] = 500
		}
		fake.inject(statuses...)
		res, journal, err := run(fake.client(), 2000, 4)
		Expect(err).To(MatchError(harness.ErrDeliveryStopped))
		var ds *harness.DeliveryStoppedError
		Expect(errors.As(err, &ds)).To(BeTrue())
		Expect(ds.Failures).To(Equal(4))
		Expect(err.Error()).To(ContainSubstring("--resume"))
		// Far fewer writes than 2000 samples × 4 attempts × 3 tries were made.
		fake.mu.Lock()
		writes := fake.writes
		fake.mu.Unlock()
		Expect(writes).To(BeNumerically("<", 200))
		Expect(res.Summary.Delivery.Acknowledged).To(BeZero())
		b, _ := os.ReadFile(journal)
		Expect(string(b)).NotTo(ContainSubstring(`"rid"`), "nothing was acknowledged, so nothing is journaled")
	})

	It("stops at the first write when the key is refused", func() {
		c, err := helicone.NewClient(helicone.WithAPIKey("sk-helicone-wr0ngk3-y9a7b1c-q2w8e4r-t6u5i3o"), helicone.WithBaseURL(fake.URL))
		Expect(err).NotTo(HaveOccurred())
		_, _, err = run(c, 200)
		var ds *harness.DeliveryStoppedError
		Expect(errors.As(err, &ds)).To(BeTrue())
		Expect(ds.Auth).To(BeTrue())
		Expect(err.Error()).To(ContainSubstring("HELICONE_API_KEY"))
		Expect(err.Error()).NotTo(ContainSubstring("wr0ngk3"))
	})

	It("counts every 429 answer and every retried attempt in the summary", func() {
		fake.every429(3)
		res, _, err := run(fake.client(), 120)
		Expect(err).NotTo(HaveOccurred())
		d := res.Summary.Delivery
		Expect(d.Acknowledged).To(Equal(120))
		Expect(d.RateLimited).To(Equal(fake.answered429()))
		Expect(d.RateLimited).To(BeNumerically(">=", 40))
		Expect(d.Retries).To(BeNumerically(">=", d.RateLimited))
	})
})

var _ = Describe("a 2xx answer that is not Helicone's", func() {
	It("is not an acknowledgement: nothing is journaled and every write is reported as failed", func() {
		fake := newFakeHelicone()
		DeferCleanup(fake.Close)
		fake.answerHTML()
		journal := filepath.Join(GinkgoT().TempDir(), "journal.jsonl")
		rec := &recorder{}
		res, err := harness.Run(context.Background(), harness.Config{
			Source:      datasets.Slice(makeSamples(10)...),
			Env:         datasets.Env{Client: fake.client()},
			Evaluators:  []*harness.EvaluatorSpec{harness.Evaluator("one", constant(1))},
			JournalPath: journal,
			Handler:     rec,
			Submitters:  10,
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(res.Summary.Delivery.Acknowledged).To(BeZero())
		Expect(res.Summary.Delivery.Failed).To(Equal(10))
		for _, r := range rec.records {
			Expect(r.Submitted).To(BeFalse())
			Expect(r.DeliveryErr).To(ContainSubstring("HTML"))
		}
		b, _ := os.ReadFile(journal)
		Expect(string(b)).NotTo(ContainSubstring(`"rid"`))
	})
})
