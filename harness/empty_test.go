package harness_test

import (
	"context"
	"errors"
	"iter"
	"os"
	"path/filepath"

	"github.com/heval-dev/heval"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/datasets"
	"github.com/heval-dev/heval/harness"
	"github.com/heval-dev/heval/helicone"
	"github.com/heval-dev/heval/helicone/heliconetest"
	"github.com/heval-dev/heval/helicone/heliconetest/demo"
)

// failingSource fails before its first sample.
type failingSource struct{}

func (failingSource) String() string { return "a failing source" }

func (failingSource) Samples(context.Context, datasets.Env) iter.Seq2[heval.Sample, error] {
	return func(yield func(heval.Sample, error) bool) { yield(heval.Sample{}, errors.New("the source is broken")) }
}

var _ = Describe("a run without samples", func() {
	It("fails with what was asked and what the source says there is, and calls no handler", func() {
		rec := &recorder{}
		_, err := harness.Run(context.Background(), harness.Config{
			Source: datasets.JSONL(writeTemp("empty.jsonl", "\n\n")), DryRun: true, Handler: rec,
			Evaluators: []*harness.EvaluatorSpec{harness.Evaluator("one", constant(1))},
		})
		Expect(err).To(MatchError(harness.ErrNoSamples))
		var empty *harness.NoSamplesError
		Expect(errors.As(err, &empty)).To(BeTrue())
		Expect(empty.Source).To(HavePrefix("JSONL file"))
		Expect(empty.Hint).To(ContainSubstring("holds no samples"))
		Expect(err.Error()).To(ContainSubstring("matched no samples, so nothing was evaluated"))
		Expect(rec.starts).To(BeZero(), "a run that evaluated nothing has nothing to report")
		Expect(rec.summary).To(BeNil())
	})

	It("succeeds with AllowEmpty and reports an empty run", func() {
		rec := &recorder{}
		res, err := harness.Run(context.Background(), harness.Config{
			Source: datasets.Slice(), DryRun: true, Handler: rec, AllowEmpty: true,
			Evaluators: []*harness.EvaluatorSpec{harness.Evaluator("one", constant(1))},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(res.Summary.Samples).To(BeZero())
		Expect(rec.starts).To(Equal(1))
		Expect(rec.summary).NotTo(BeNil())
	})

	It("calls no handler when the source fails before its first sample", func() {
		rec := &recorder{}
		_, err := harness.Run(context.Background(), harness.Config{
			Source: failingSource{}, DryRun: true, Handler: rec,
			Evaluators: []*harness.EvaluatorSpec{harness.Evaluator("one", constant(1))},
		})
		Expect(err).To(MatchError(ContainSubstring("the source is broken")))
		Expect(rec.starts).To(BeZero())
		Expect(rec.summary).To(BeNil())
	})

	It("leaves the journal of an earlier run as it was", func() {
		fake := newFakeHelicone()
		DeferCleanup(fake.Close)
		journal := filepath.Join(GinkgoT().TempDir(), harness.JournalFile)
		cfg := harness.Config{
			Source: datasets.Slice(makeSamples(4)...), Env: datasets.Env{Client: fake.client()}, JournalPath: journal,
			Evaluators: []*harness.EvaluatorSpec{harness.Evaluator("one", constant(1))},
		}
		_, err := harness.Run(context.Background(), cfg)
		Expect(err).NotTo(HaveOccurred())
		before, err := os.ReadFile(journal)
		Expect(err).NotTo(HaveOccurred())
		Expect(before).NotTo(BeEmpty())

		cfg.Source = failingSource{}
		_, err = harness.Run(context.Background(), cfg)
		Expect(err).To(HaveOccurred())
		cfg.Source = datasets.Slice()
		_, err = harness.Run(context.Background(), cfg)
		Expect(err).To(MatchError(harness.ErrNoSamples))
		after, err := os.ReadFile(journal)
		Expect(err).NotTo(HaveOccurred())
		Expect(after).To(Equal(before), "--resume needs the journal of the run that delivered")
	})

	DescribeTable("names the models and properties there are, on both Helicone profiles",
		func(profile heliconetest.Profile) {
			srv := heliconetest.NewServer(heliconetest.WithProfile(profile), heliconetest.WithSeed(demo.Seed()))
			DeferCleanup(srv.Close)
			client, err := helicone.NewClient(helicone.WithBaseURL(srv.URL), helicone.WithAPIKey(srv.APIKey))
			Expect(err).NotTo(HaveOccurred())
			f, err := helicone.ParseFilter("model=gpt-4o-mini")
			Expect(err).NotTo(HaveOccurred())
			_, err = harness.Run(context.Background(), harness.Config{
				Source: datasets.Requests(f), Env: datasets.Env{Client: client}, DryRun: true,
				Evaluators: []*harness.EvaluatorSpec{harness.Evaluator("one", constant(1))},
			})
			Expect(err).To(MatchError(harness.ErrNoSamples))
			Expect(err.Error()).To(ContainSubstring(`no recent request has the model "gpt-4o-mini" exactly, but gpt-4o-mini-2024-07-18 contains it`))
			Expect(err.Error()).To(ContainSubstring("write model~gpt-4o-mini"))
			Expect(err.Error()).To(ContainSubstring("Variant (A ×"))
		},
		Entry("current", heliconetest.Current),
		Entry("legacy", heliconetest.Legacy),
	)
})

// writeTemp writes a file in a temporary directory and returns its path.
func writeTemp(name, content string) string {
	p := filepath.Join(GinkgoT().TempDir(), name)
	Expect(os.WriteFile(p, []byte(content), 0o644)).To(Succeed())
	return p
}
