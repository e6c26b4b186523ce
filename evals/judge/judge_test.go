package judge_test

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/heval-dev/heval"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/evals/judge"
	"github.com/heval-dev/heval/evals/judge/judgetest"
)

const secretKey = "sk-test-SECRET-0123456789"

var _ = Describe("the LLM judge", func() {
	var (
		cacheDir string
		sample   heval.Sample
	)

	BeforeEach(func() {
		cacheDir = GinkgoT().TempDir()
		sample = withRef(chat("Paris is the capital of France."), "Paris")
		sample.Inputs = map[string]string{"question": "What is the capital of France?"}
	})

	start := func(o judgetest.Options) *judgetest.Server {
		srv := judgetest.NewServer(o)
		DeferCleanup(srv.Close)
		return srv
	}
	newJudge := func(srv *judgetest.Server, opts ...judge.Option) *judge.LLM {
		base := []judge.Option{
			judge.WithBaseURL(srv.URL), judge.WithAPIKey(secretKey), judge.WithModel("judge-model"),
			judge.WithCacheDir(cacheDir), judge.WithRetries(3),
		}
		j, err := judge.New(append(base, opts...)...)
		Expect(err).NotTo(HaveOccurred())
		return j
	}
	judgeOnce := func(j *judge.LLM, r judge.Rubric, s heval.Sample) (heval.Score, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return j.Func(r)(ctx, s)
	}

	It("returns the judge's score and reason and counts tokens", func() {
		srv := start(judgetest.Options{})
		j := newJudge(srv)
		sc, err := judgeOnce(j, judge.Accuracy(), sample)
		Expect(err).NotTo(HaveOccurred())

		reqs := srv.Requests()
		Expect(reqs).To(HaveLen(1))
		Expect(reqs[0].Model).To(Equal("judge-model"))
		Expect(reqs[0].ResponseFormat).To(Equal("json_object"))
		Expect(reqs[0].Authorized).To(BeTrue())
		Expect(reqs[0].Messages).To(HaveLen(2))
		user := reqs[0].Messages[1].Content
		Expect(user).To(ContainSubstring("question: What is the capital of France?"))
		Expect(user).To(ContainSubstring("## Reference answer\nParis"))
		Expect(user).To(ContainSubstring("## Answer to evaluate\nParis is the capital of France."))

		want := int64(judgetest.DeriveScore(reqs[0].Messages[0].Content, user))
		Expect(sc.Entries()).To(HaveLen(1))
		Expect(sc.Entries()[0].Value).To(Equal(want))
		Expect(sc.Reason()).To(ContainSubstring("fake judge"))

		st := j.Stats()
		Expect(st.Calls).To(Equal(int64(1)))
		Expect(st.Judgements).To(Equal(int64(1)))
		Expect(st.PromptTokens).To(BeNumerically(">", 10))
		Expect(st.CompletionTokens).To(Equal(int64(20)))
		Expect(st.TotalTokens()).To(Equal(st.PromptTokens + 20))
		Expect(st.String()).To(ContainSubstring("1 calls"))
	})

	It("hits the disk cache on a second run and makes no call", func() {
		srv := start(judgetest.Options{})
		first, err := judgeOnce(newJudge(srv), judge.Helpfulness(), sample)
		Expect(err).NotTo(HaveOccurred())
		Expect(srv.Calls()).To(Equal(1))

		j2 := newJudge(srv)
		second, err := judgeOnce(j2, judge.Helpfulness(), sample)
		Expect(err).NotTo(HaveOccurred())
		Expect(srv.Calls()).To(Equal(1))
		Expect(second).To(Equal(first))
		Expect(j2.Stats().CacheHits).To(Equal(int64(1)))
		Expect(j2.Stats().Calls).To(BeZero())

		By("leaving no temporary files behind")
		var files []string
		Expect(filepath.WalkDir(cacheDir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				files = append(files, filepath.Base(p))
			}
			return err
		})).To(Succeed())
		Expect(files).To(HaveLen(1))
		Expect(files[0]).To(HaveSuffix(".json"))
		Expect(files[0]).NotTo(HavePrefix(".tmp"))

		By("missing the cache for another model, rubric or answer")
		_, err = judgeOnce(newJudge(srv, judge.WithModel("other")), judge.Helpfulness(), sample)
		Expect(err).NotTo(HaveOccurred())
		_, err = judgeOnce(j2, judge.Safety(), sample)
		Expect(err).NotTo(HaveOccurred())
		_, err = judgeOnce(j2, judge.Helpfulness(), chat("Lyon"))
		Expect(err).NotTo(HaveOccurred())
		Expect(srv.Calls()).To(Equal(4))

		By("calling every time without a cache")
		j3 := newJudge(srv, judge.WithoutCache())
		_, err = judgeOnce(j3, judge.Helpfulness(), sample)
		Expect(err).NotTo(HaveOccurred())
		Expect(srv.Calls()).To(Equal(5))
	})

	It("asks again after a malformed answer", func() {
		srv := start(judgetest.Options{MalformedFirst: 1})
		j := newJudge(srv)
		sc, err := judgeOnce(j, judge.Relevance(), sample)
		Expect(err).NotTo(HaveOccurred())
		Expect(sc.Entries()[0].Value).To(BeNumerically(">=", 0))
		reqs := srv.Requests()
		Expect(reqs).To(HaveLen(2))
		Expect(reqs[1].Messages).To(HaveLen(4))
		Expect(reqs[1].Messages[2].Role).To(Equal("assistant"))
		Expect(reqs[1].Messages[3].Content).To(ContainSubstring("not usable"))
		Expect(j.Stats().Malformed).To(Equal(int64(1)))
	})

	It("gives up after a bounded number of malformed answers", func() {
		srv := start(judgetest.Options{Mode: judgetest.Malformed})
		j := newJudge(srv, judge.WithMalformedRetries(2))
		_, err := judgeOnce(j, judge.Relevance(), sample)
		Expect(err).To(MatchError(judge.ErrMalformed))
		Expect(err.Error()).To(ContainSubstring(`"relevance"`))
		Expect(srv.Calls()).To(Equal(3))
		Expect(j.Stats().Errors).To(Equal(int64(1)))

		By("caching nothing")
		_, err = judgeOnce(j, judge.Relevance(), sample)
		Expect(err).To(HaveOccurred())
		Expect(srv.Calls()).To(Equal(6))
	})

	It("stops at the context's deadline when the server is slow", func() {
		srv := start(judgetest.Options{Mode: judgetest.Slow, Delay: 10 * time.Second})
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err := newJudge(srv).Func(judge.Safety())(ctx, sample)
		Expect(errors.Is(err, context.DeadlineExceeded)).To(BeTrue(), "%v", err)
	})

	Describe("an endpoint that accepts the connection and never answers", func() {
		var baseURL string

		BeforeEach(func() {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			Expect(err).NotTo(HaveOccurred())
			var (
				mu    sync.Mutex
				conns []net.Conn
			)
			go func() {
				for {
					c, err := ln.Accept()
					if err != nil {
						return
					}
					mu.Lock()
					conns = append(conns, c) // held open, never read from or written to
					mu.Unlock()
				}
			}()
			DeferCleanup(func() {
				ln.Close()
				mu.Lock()
				defer mu.Unlock()
				for _, c := range conns {
					c.Close()
				}
			})
			baseURL = "http://" + ln.Addr().String() + "/v1"
		})

		// call judges sample without a deadline of its own and fails the spec when the
		// judgement has not ended within 10 seconds.
		call := func(j *judge.LLM) error {
			GinkgoHelper()
			done := make(chan error, 1)
			go func() {
				_, err := j.Func(judge.Accuracy())(context.Background(), sample)
				done <- err
			}()
			var err error
			Eventually(done, 10*time.Second).Should(Receive(&err), "the judgement did not end: no timeout")
			return err
		}

		It("ends the call at the judge's timeout, with an error that says how to raise it", func() {
			j, err := judge.New(judge.WithBaseURL(baseURL), judge.WithAPIKey(secretKey), judge.WithoutCache(),
				judge.WithTimeout(200*time.Millisecond))
			Expect(err).NotTo(HaveOccurred())
			began := time.Now()
			err = call(j)
			Expect(err).To(MatchError(context.DeadlineExceeded))
			Expect(err.Error()).To(ContainSubstring("no answer within 200ms"))
			Expect(err.Error()).To(ContainSubstring("judge.WithTimeout"))
			Expect(time.Since(began)).To(BeNumerically("<", 5*time.Second))
			Expect(j.Stats().Errors).To(Equal(int64(1)))
		})

		It("reads the timeout from HEVAL_JUDGE_TIMEOUT", func() {
			GinkgoT().Setenv(judge.EnvTimeout, "150ms")
			j, err := judge.New(judge.WithBaseURL(baseURL), judge.WithoutCache())
			Expect(err).NotTo(HaveOccurred())
			err = call(j)
			Expect(err).To(MatchError(context.DeadlineExceeded))
			Expect(err.Error()).To(ContainSubstring("no answer within 150ms"))
		})
	})

	It("refuses an unusable HEVAL_JUDGE_TIMEOUT", func() {
		srv := start(judgetest.Options{})
		GinkgoT().Setenv(judge.EnvTimeout, "soon")
		_, err := judge.New(judge.WithBaseURL(srv.URL))
		Expect(err).To(MatchError(ContainSubstring(`HEVAL_JUDGE_TIMEOUT="soon" is not a positive duration`)))
		_, err = judgeOnce(newJudge(srv, judge.WithTimeout(time.Minute)), judge.Accuracy(), sample)
		Expect(err).NotTo(HaveOccurred(), "an explicit timeout makes the variable irrelevant")
	})

	It("waits as a 429's Retry-After asks and then succeeds", func() {
		srv := start(judgetest.Options{RateLimitFirst: 2, RetryAfter: 5 * time.Millisecond})
		j := newJudge(srv, judge.WithRetries(3))
		began := time.Now()
		_, err := judgeOnce(j, judge.Accuracy(), sample)
		Expect(err).NotTo(HaveOccurred())
		Expect(srv.Calls()).To(Equal(3))
		// Without Retry-After the two waits would be a backoff of at least 0.375 s + 0.75 s.
		Expect(time.Since(began)).To(BeNumerically("<", time.Second))
		st := j.Stats()
		Expect(st.RateLimited).To(Equal(int64(2)))
		Expect(st.Retries).To(Equal(int64(2)))
	})

	It("retries 5xx a bounded number of times and never shows the API key", func() {
		srv := start(judgetest.Options{Mode: judgetest.ServerError})
		j := newJudge(srv, judge.WithRetries(2))
		_, err := judgeOnce(j, judge.Accuracy(), sample)
		Expect(err).To(HaveOccurred())
		Expect(srv.Calls()).To(Equal(3))
		Expect(err.Error()).To(ContainSubstring("500"))
		Expect(err.Error()).To(ContainSubstring("after 3 attempts"))
		st := j.Stats()
		Expect(st.Calls).To(Equal(int64(3)))
		Expect(st.Retries).To(Equal(int64(2)))
		Expect(st.RateLimited).To(BeZero())
		Expect(st.Errors).To(Equal(int64(1)))
		Expect(err.Error()).NotTo(ContainSubstring(secretKey))
		for e := errors.Unwrap(err); e != nil; e = errors.Unwrap(e) {
			Expect(e.Error()).NotTo(ContainSubstring(secretKey))
		}
	})

	It("does not repeat a request with retries disabled, nor a 4xx answer", func() {
		srv := start(judgetest.Options{Mode: judgetest.ServerError})
		_, err := judgeOnce(newJudge(srv, judge.WithRetries(0)), judge.Accuracy(), sample)
		Expect(err).To(MatchError(ContainSubstring("500")))
		Expect(srv.Calls()).To(Equal(1))

		bad := start(judgetest.Options{Mode: judgetest.BadRequest})
		_, err = judgeOnce(newJudge(bad), judge.Accuracy(), sample)
		Expect(err).To(MatchError(ContainSubstring("400")))
		Expect(bad.Calls()).To(Equal(1))
	})

	It("judges faithfulness against the context input", func() {
		srv := start(judgetest.Options{})
		j := newJudge(srv)
		_, err := judgeOnce(j, judge.Faithfulness(), sample)
		Expect(err).To(MatchError(ContainSubstring(`input "context"`)))
		Expect(srv.Calls()).To(BeZero())

		sample.Inputs["context"] = "France's capital is Paris."
		_, err = judgeOnce(j, judge.Faithfulness(), sample)
		Expect(err).NotTo(HaveOccurred())
		user := srv.Requests()[0].Messages[1].Content
		Expect(user).To(ContainSubstring("## Context\nFrance's capital is Paris."))
		Expect(strings.Count(user, "France's capital is Paris.")).To(Equal(1))
	})

	It("scores a custom rubric on its own scale, with structured output", func() {
		srv := start(judgetest.Options{})
		r := judge.CustomRubric("tone", "Is the tone friendly? 10: very friendly; 0: rude.", 10)
		sc, err := judgeOnce(newJudge(srv, judge.WithJSONSchemaOutput()), r, sample)
		Expect(err).NotTo(HaveOccurred())
		Expect(sc.Entries()[0].Value).To(BeNumerically("<=", 10))
		Expect(srv.Requests()[0].ResponseFormat).To(Equal("json_schema"))
		Expect(srv.Requests()[0].Messages[0].Content).To(ContainSubstring("Score range: 0 to 10"))
	})

	It("rejects an out-of-range score as malformed", func() {
		srv := start(judgetest.Options{Score: func(string, string) int { return 150 }})
		_, err := judgeOnce(newJudge(srv, judge.WithMalformedRetries(0)), judge.Accuracy(), sample)
		Expect(err).To(MatchError(ContainSubstring("outside 0 to 100")))
	})

	It("does not judge an unreadable answer, and reports bad configuration", func() {
		srv := start(judgetest.Options{})
		_, err := judgeOnce(newJudge(srv), judge.Accuracy(), unavailable())
		Expect(err).To(MatchError(heval.ErrBodyNotAvailable))
		Expect(srv.Calls()).To(BeZero())

		_, err = judge.New(judge.WithBaseURL("not a url"), judge.WithoutCache())
		Expect(err).To(MatchError(ContainSubstring("not an http(s) URL")))
		_, err = judgeOnce(newJudge(srv), judge.Rubric{Name: "x"}, sample)
		Expect(err).To(MatchError(ContainSubstring("no instructions")))
	})

	It("knows its ready-made rubrics by name", func() {
		for _, name := range []string{"accuracy", "relevance", "helpfulness", "faithfulness", "Safety"} {
			r, ok := judge.RubricNamed(name)
			Expect(ok).To(BeTrue(), name)
			Expect(r.Max).To(Equal(100))
		}
		_, ok := judge.RubricNamed("vibes")
		Expect(ok).To(BeFalse())
	})
})

var _ = Describe("the ready-made rubrics", func() {
	It("are new values on every call, so changing one changes no other", func() {
		r := judge.Accuracy()
		r.Max = 5
		r.Instructions = "changed"
		Expect(judge.Accuracy().Max).To(Equal(100))
		Expect(judge.Accuracy().Instructions).NotTo(Equal("changed"))
		rs := judge.Rubrics()
		rs[0].Name = "changed"
		Expect(judge.Rubrics()[0].Name).To(Equal("accuracy"))
		named, _ := judge.RubricNamed("accuracy")
		Expect(named).To(Equal(judge.Accuracy()))
	})
})
