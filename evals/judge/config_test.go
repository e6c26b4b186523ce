package judge_test

import (
	"context"
	"errors"
	"net/http"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/evals"
	"github.com/heval-dev/heval/evals/judge"
	"github.com/heval-dev/heval/evals/judge/judgetest"
)

// recorder is an http.RoundTripper that records the URL of every request and answers none,
// so a judge given it reaches no network at all.
type recorder struct {
	mu   sync.Mutex
	urls []string
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.urls = append(r.urls, req.URL.String())
	return nil, errors.New("recorder: tests reach no network")
}

func (r *recorder) URLs() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.urls...)
}

var _ = Describe("the judge's configuration", func() {
	var (
		rec     *recorder
		offline judge.Option
		ctx     = context.Background()
		sample  = withRef(chat("Paris is the capital of France."), "Paris")
	)

	BeforeEach(func() {
		for _, k := range []string{judge.EnvBaseURL, judge.EnvAPIKey, "OPENAI_API_KEY", "OPENAI_BASE_URL", judge.EnvModel, judge.EnvTimeout} {
			GinkgoT().Setenv(k, "")
		}
		rec = &recorder{}
		offline = judge.WithHTTPClient(&http.Client{Transport: rec})
	})

	It("refuses a judge with no API key and no base URL, saying what to set", func() {
		j, err := judge.New(offline, judge.WithoutCache())
		Expect(j).To(BeNil())
		Expect(err).To(MatchError(judge.ErrNotConfigured))
		for _, want := range []string{"HEVAL_JUDGE_API_KEY", "OPENAI_API_KEY", "HEVAL_JUDGE_BASE_URL", "OPENAI_BASE_URL",
			"judge.WithAPIKey", "judge.WithBaseURL"} {
			Expect(err.Error()).To(ContainSubstring(want))
		}

		By("making the shorthand's every evaluation that error, without a call")
		f := judge.Func(judge.Accuracy(), offline, judge.WithoutCache())
		for range 3 {
			_, err := f(ctx, sample)
			Expect(err).To(MatchError(judge.ErrNotConfigured))
		}
		Expect(rec.URLs()).To(BeEmpty())
	})

	It("fails the registry lookup of judge=RUBRIC, not the evaluations", func() {
		reg := evals.NewRegistry(append(evals.Builtin(), judge.Entry(offline, judge.WithoutCache()))...)
		_, f, err := reg.Lookup("judge=accuracy")
		Expect(f).To(BeNil())
		Expect(err).To(MatchError(judge.ErrNotConfigured))
		Expect(err.Error()).To(ContainSubstring(`evaluator "judge=accuracy"`))
		Expect(err.Error()).To(ContainSubstring("HEVAL_JUDGE_API_KEY"))
		_, _, err = reg.Lookup("safety:judge=safety")
		Expect(err).To(MatchError(judge.ErrNotConfigured))
		_, _, err = reg.Lookup("word_count")
		Expect(err).NotTo(HaveOccurred(), "the other evaluators do not need the judge")
		Expect(rec.URLs()).To(BeEmpty())
	})

	It("calls OpenAI's endpoint when it is given an API key and no base URL", func() {
		GinkgoT().Setenv("OPENAI_API_KEY", secretKey)
		j, err := judge.New(offline, judge.WithoutCache(), judge.WithRetries(0))
		Expect(err).NotTo(HaveOccurred())
		_, err = j.Func(judge.Accuracy())(ctx, sample)
		Expect(err).To(MatchError(ContainSubstring("tests reach no network")))
		Expect(err.Error()).NotTo(ContainSubstring(secretKey))
		Expect(rec.URLs()).To(Equal([]string{judge.DefaultBaseURL + "/chat/completions"}))
	})

	It("reads the base URL from HEVAL_JUDGE_BASE_URL, else OPENAI_BASE_URL, and needs no key then", func() {
		generic := judgetest.NewServer(judgetest.Options{})
		DeferCleanup(generic.Close)
		own := judgetest.NewServer(judgetest.Options{})
		DeferCleanup(own.Close)

		GinkgoT().Setenv("OPENAI_BASE_URL", generic.URL)
		j, err := judge.New(judge.WithoutCache())
		Expect(err).NotTo(HaveOccurred())
		_, err = j.Func(judge.Accuracy())(ctx, sample)
		Expect(err).NotTo(HaveOccurred())
		Expect(generic.Calls()).To(Equal(1))
		Expect(generic.Requests()[0].Authorized).To(BeFalse())

		GinkgoT().Setenv(judge.EnvBaseURL, own.URL)
		j, err = judge.New(judge.WithoutCache())
		Expect(err).NotTo(HaveOccurred())
		_, err = j.Func(judge.Accuracy())(ctx, sample)
		Expect(err).NotTo(HaveOccurred())
		Expect(own.Calls()).To(Equal(1))
		Expect(generic.Calls()).To(Equal(1))
	})
})
