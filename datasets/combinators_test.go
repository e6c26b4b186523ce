package datasets_test

import (
	"context"
	"errors"
	"iter"

	"github.com/heval-dev/heval"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/datasets"
)

type failingSource struct{ after int }

func (f failingSource) String() string { return "failing" }

func (f failingSource) Samples(context.Context, datasets.Env) iter.Seq2[heval.Sample, error] {
	return func(yield func(heval.Sample, error) bool) {
		for i := range f.after {
			if !yield(heval.Sample{RequestID: "f" + string(rune('0'+i))}, nil) {
				return
			}
		}
		yield(heval.Sample{}, errors.New("boom"))
	}
}

func ids(samples []heval.Sample) []string {
	out := make([]string, len(samples))
	for i, s := range samples {
		out[i] = s.RequestID
	}
	return out
}

var _ = Describe("combinators", func() {
	a := datasets.Slice(heval.Sample{RequestID: "a1", Hypothesis: "x"}, heval.Sample{RequestID: "a2", Hypothesis: "y"})
	b := datasets.Slice(heval.Sample{RequestID: "b1", Hypothesis: "x"})

	It("concatenates, filters and limits", func() {
		got, err := collect(datasets.Concat(a, b), datasets.Env{})
		Expect(err).NotTo(HaveOccurred())
		Expect(ids(got)).To(Equal([]string{"a1", "a2", "b1"}))

		got, err = collect(datasets.Filter(datasets.Concat(a, b), func(s heval.Sample) bool { return s.Hypothesis == "x" }), datasets.Env{})
		Expect(err).NotTo(HaveOccurred())
		Expect(ids(got)).To(Equal([]string{"a1", "b1"}))

		got, err = collect(datasets.Limit(datasets.Concat(a, b), 2), datasets.Env{})
		Expect(err).NotTo(HaveOccurred())
		Expect(ids(got)).To(Equal([]string{"a1", "a2"}))

		got, err = collect(datasets.Limit(a, 0), datasets.Env{})
		Expect(err).NotTo(HaveOccurred())
		Expect(got).To(BeEmpty())
	})

	It("stops at the first error and does not read past a limit", func() {
		got, err := collect(datasets.Concat(failingSource{after: 1}, b), datasets.Env{})
		Expect(err).To(MatchError("boom"))
		Expect(ids(got)).To(Equal([]string{"f0"}))

		got, err = collect(datasets.Limit(failingSource{after: 2}, 2), datasets.Env{})
		Expect(err).NotTo(HaveOccurred())
		Expect(got).To(HaveLen(2))

		_, err = collect(datasets.Filter(failingSource{after: 2}, func(heval.Sample) bool { return false }), datasets.Env{})
		Expect(err).To(MatchError("boom"))
	})

	It("describes itself", func() {
		Expect(datasets.Limit(datasets.Concat(a, b), 5).String()).To(Equal("2 samples in memory + 1 samples in memory (first 5)"))
		Expect(datasets.Experiment("e1").String()).To(Equal("experiment e1"))
		Expect(datasets.JSONL("x.jsonl").String()).To(ContainSubstring("x.jsonl"))
	})

	It("returns cached samples from Slice", func() {
		got, err := collect(datasets.Slice(heval.Sample{Body: []byte(`"hello"`)}), datasets.Env{})
		Expect(err).NotTo(HaveOccurred())
		Expect(got[0].Text()).To(Equal("hello"))
	})
})
