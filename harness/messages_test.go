package harness_test

import (
	"context"
	"time"

	"github.com/heval-dev/heval"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/datasets"
	"github.com/heval-dev/heval/harness"
)

var _ = Describe("evaluator messages", func() {
	It("does not call an evaluator that returned ctx.Err() late, but within a second, abandoned", func() {
		res, err := harness.Run(context.Background(), harness.Config{
			Source: datasets.Slice(makeSamples(2)...), DryRun: true, KeepResults: true,
			Evaluators: []*harness.EvaluatorSpec{harness.Evaluator("slow", func(ctx context.Context, s heval.Sample) (heval.Score, error) {
				<-ctx.Done()
				time.Sleep(300 * time.Millisecond) // cleaning up before it returns
				return heval.Score{}, ctx.Err()
			}, harness.Timeout(20*time.Millisecond))},
		})
		Expect(err).NotTo(HaveOccurred())
		for _, r := range res.Records() {
			Expect(r.ErrKind).To(Equal(heval.ErrorKindTimeout))
			Expect(r.Err).To(Equal("evaluator timed out after 20ms: context deadline exceeded"))
		}
	})

	It("says a panic once", func() {
		res, err := harness.Run(context.Background(), harness.Config{
			Source: datasets.Slice(makeSamples(1)...), DryRun: true, KeepResults: true,
			Evaluators: []*harness.EvaluatorSpec{harness.Evaluator("boom", func(context.Context, heval.Sample) (heval.Score, error) { panic("kaboom") })},
		})
		Expect(err).NotTo(HaveOccurred())
		r := res.Records()[0]
		Expect(r.ErrKind).To(Equal(heval.ErrorKindPanic))
		Expect(r.Err).To(HavePrefix("the evaluator panicked: kaboom\n"))
	})
})
