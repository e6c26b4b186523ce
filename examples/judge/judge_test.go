// This suite shows an LLM judge scoring a few hand-made answers. It talks to a fake
// OpenAI-compatible server on 127.0.0.1 (evals/judge/judgetest) instead of a real model;
// point judge.WithBaseURL, WithAPIKey and WithModel (or HEVAL_JUDGE_BASE_URL, HEVAL_JUDGE_API_KEY
// and HEVAL_JUDGE_MODEL) at a real endpoint to judge for real.
package judge_test

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/heval-dev/heval"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/datasets"
	"github.com/heval-dev/heval/evals"
	"github.com/heval-dev/heval/evals/judge"
	"github.com/heval-dev/heval/evals/judge/judgetest"
)

func answer(id, question, text, reference string) heval.Sample {
	body, _ := json.Marshal(map[string]any{
		"object":  "chat.completion",
		"choices": []any{map[string]any{"index": 0, "message": map[string]any{"role": "assistant", "content": text}}},
	})
	ref, _ := json.Marshal(reference)
	return heval.Sample{
		Kind: heval.KindFile, RequestID: id, Model: "support-bot",
		Inputs: map[string]string{"question": question},
		Body:   body, Reference: ref,
	}
}

var samples = datasets.Slice(
	answer("1", "How do I reset my password?", "Open Settings › Security and choose “Reset password”.", "Settings › Security › Reset password."),
	answer("2", "Can I get a refund?", "Yes, within 30 days of purchase [1].", "Refunds are granted within 30 days."),
	answer("3", "What is your phone number?", "I'm sorry, but I can't help with that.", "Call 0800 123 456."),
)

// judgeAll runs every evaluator over every sample and returns the scores by request id.
func judgeAll(ctx context.Context, evaluators map[string]heval.Func) map[string]map[string]heval.Score {
	out := map[string]map[string]heval.Score{}
	for s, err := range samples.Samples(ctx, datasets.Env{}) {
		Expect(err).NotTo(HaveOccurred())
		out[s.RequestID] = map[string]heval.Score{}
		for name, f := range evaluators {
			sc, err := f(ctx, s)
			Expect(err).NotTo(HaveOccurred(), "%s on request %s", name, s.RequestID)
			out[s.RequestID][name] = sc
		}
	}
	return out
}

var _ = Describe("an LLM judge against a fake server", Ordered, func() {
	var (
		srv        *judgetest.Server
		cacheDir   string
		evaluators func() (map[string]heval.Func, *judge.LLM)
	)

	BeforeAll(func() {
		srv = judgetest.NewServer(judgetest.Options{})
		DeferCleanup(srv.Close)
		cacheDir = GinkgoT().TempDir()
		evaluators = func() (map[string]heval.Func, *judge.LLM) {
			j, err := judge.New(
				judge.WithBaseURL(srv.URL),
				judge.WithAPIKey("sk-fake"),
				judge.WithModel("judge-model"),
				judge.WithCacheDir(cacheDir),
			)
			Expect(err).NotTo(HaveOccurred())
			return map[string]heval.Func{
				"accuracy":    j.Func(judge.Accuracy()),
				"helpfulness": j.Func(judge.Helpfulness()),
				// Judge only answers that do not refuse; the refusal is scored as skipped.
				"relevance": evals.When(func(s heval.Sample) bool {
					sc, err := evals.Refusal(context.Background(), s)
					return err == nil && sc.Entries()[0].Value == false
				}, j.Func(judge.Relevance())),
			}, j
		}
	})

	var first map[string]map[string]heval.Score

	It("scores every answer from 0 to 100 with a reason", func(ctx SpecContext) {
		fs, j := evaluators()
		fs["relevance"] = ignoreNotApplicable(fs["relevance"])
		first = judgeAll(ctx, fs)
		Expect(first).To(HaveLen(3))
		for id, scores := range first {
			for name, sc := range scores {
				if sc.IsZero() {
					continue
				}
				Expect(sc.Entries()[0].Value).To(BeNumerically("<=", 100), "%s/%s", id, name)
				Expect(sc.Entries()[0].Value).To(BeNumerically(">=", 0), "%s/%s", id, name)
				Expect(sc.Reason()).NotTo(BeEmpty())
			}
		}
		Expect(first["3"]["relevance"].IsZero()).To(BeTrue(), "the refusal is not judged for relevance")
		Expect(srv.Calls()).To(Equal(8))
		Expect(j.Stats().TotalTokens()).To(BeNumerically(">", 0))
	})

	It("makes no judge call when the same suite runs again: every verdict is cached", func(ctx SpecContext) {
		before := srv.Calls()
		fs, j := evaluators()
		fs["relevance"] = ignoreNotApplicable(fs["relevance"])
		second := judgeAll(ctx, fs)
		Expect(srv.Calls() - before).To(BeZero())
		Expect(j.Stats().CacheHits).To(Equal(int64(8)))
		Expect(second).To(Equal(first))
	})
})

// ignoreNotApplicable turns heval.ErrNotApplicable into an empty score, as the harness
// records it as skipped.
func ignoreNotApplicable(f heval.Func) heval.Func {
	return func(ctx context.Context, s heval.Sample) (heval.Score, error) {
		sc, err := f(ctx, s)
		if err != nil && errors.Is(err, heval.ErrNotApplicable) {
			return heval.Score{}, nil
		}
		return sc, err
	}
}
