package helicone_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/helicone"
)

var _ = Describe("retries", func() {
	const ok = `{"data":null,"error":null}`
	scores := helicone.Scores{"accuracy": helicone.Int(80), "ok": helicone.Bool(false)}

	DescribeTable("retry transient failures and re-send the same body",
		func(first http.HandlerFunc) {
			s := newScript(first, reply(201, ok))
			var obs attempts
			_, err := newClient(s, helicone.WithObserver(obs.observe)).AddScores(ctx, reqID, scores)
			Expect(err).NotTo(HaveOccurred())
			r := s.requests()
			Expect(r).To(HaveLen(2))
			Expect(r[1].Body).To(Equal(r[0].Body))
			Expect(r[1].Body).To(MatchJSON(`{"scores":{"accuracy":80,"ok":false}}`))
			a := obs.all()
			Expect(a).To(HaveLen(2))
			Expect(a[0].N).To(Equal(1))
			Expect(a[0].Retry).To(BeTrue())
			Expect(a[0].Err).To(HaveOccurred())
			Expect(a[1].Retried()).To(BeTrue())
			Expect(a[1].Retry).To(BeFalse())
			Expect(a[1].Err).NotTo(HaveOccurred())
			Expect(a[1].Status).To(Equal(201))
		},
		Entry("408", reply(408, ``)),
		Entry("429", reply(429, `{"error":"Too many requests, please try again later."}`)),
		Entry("500", reply(500, `{"message":"Internal Server Error","details":"Internal Server Error"}`)),
		Entry("502", reply(502, `<html>Bad Gateway</html>`)),
		Entry("503", reply(503, ``)),
		Entry("504", reply(504, ``)),
		Entry("dropped connection", hangup()),
		Entry("truncated error body", truncated(503, `{"error":"ov`)),
	)

	DescribeTable("do not retry permanent failures",
		func(status int) {
			s := newScript(reply(status, `{"error":"no"}`), reply(201, ok))
			_, err := newClient(s).AddScores(ctx, reqID, scores)
			var apiErr *helicone.APIError
			Expect(errors.As(err, &apiErr)).To(BeTrue())
			Expect(apiErr.Status).To(Equal(status))
			Expect(s.requests()).To(HaveLen(1))
		},
		Entry("400", 400), Entry("401", 401), Entry("403", 403), Entry("404", 404), Entry("422", 422), Entry("501", 501),
	)

	It("gives up after MaxAttempts with a transport error", func() {
		s := newScript(hangup())
		_, err := newClient(s).AddScores(ctx, reqID, scores)
		var te *helicone.TransportError
		Expect(errors.As(err, &te)).To(BeTrue())
		Expect(te.Path).To(Equal("/v1/request/" + reqID + "/score"))
		Expect(s.requests()).To(HaveLen(4))
	})

	It("makes one attempt with NoRetry", func() {
		s := newScript(reply(503, ``))
		_, err := newClient(s, helicone.WithRetry(helicone.NoRetry())).AddScores(ctx, reqID, scores)
		Expect(err).To(MatchError(helicone.ErrServer))
		Expect(s.requests()).To(HaveLen(1))
	})

	It("reports 429s with their rate limit to the observer and in the error", func() {
		s := newScript(reply(429, `{"error":"Too many requests, please try again later."}`,
			"Retry-After", "7", "RateLimit-Policy", "1000;w=300", "RateLimit-Limit", "1000", "RateLimit-Remaining", "0", "RateLimit-Reset", "7"))
		var obs attempts
		_, err := newClient(s, helicone.WithObserver(obs.observe)).AddScores(ctx, reqID, scores)
		Expect(err).To(MatchError(helicone.ErrRateLimited))
		Expect(err.Error()).To(ContainSubstring("Too many requests"))
		a := obs.all()
		Expect(a).To(HaveLen(4))
		for _, x := range a {
			Expect(x.RateLimited()).To(BeTrue())
			Expect(x.RateLimit.Known).To(BeTrue())
			Expect(x.RateLimit.Limit).To(Equal(1000))
			Expect(x.RateLimit.Remaining).To(Equal(0))
			Expect(x.RateLimit.Window).To(Equal(300 * time.Second))
			Expect(x.RateLimit.RetryAfter).To(Equal(7 * time.Second))
		}
		Expect(a[0].RetryIn).To(Equal(5*time.Millisecond), "Retry-After is capped by MaxRetryAfter")
		Expect(a[3].Retry).To(BeFalse())
	})

	It("exposes the last announced rate limit", func() {
		s := newScript(reply(201, ok, "RateLimit-Limit", "10000", "RateLimit-Remaining", "9812", "RateLimit-Reset", "137"))
		c := newClient(s)
		rl, err := c.AddScores(ctx, reqID, scores)
		Expect(err).NotTo(HaveOccurred())
		Expect(rl.Remaining).To(Equal(9812))
		Expect(rl.Reset).To(Equal(137 * time.Second))
		Expect(c.RateLimit().Remaining).To(Equal(9812))
	})

	// The waits below are real seconds; each test cancels the context as soon as the
	// observer announces the wait, which also proves that the wait is cancellable.
	waitThenCancel := func(s *script) (helicone.Attempt, error) {
		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		var obs attempts
		c := newClient(s, helicone.WithRetry(helicone.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxRetryAfter: time.Hour}),
			helicone.WithObserver(func(a helicone.Attempt) { obs.observe(a); cancel() }))
		_, err := c.AddScores(cctx, reqID, scores)
		Expect(obs.all()).To(HaveLen(1))
		return obs.all()[0], err
	}

	It("honours Retry-After in seconds, and the wait ends with the context", func() {
		s := newScript(reply(429, `{"error":"Too many requests, please try again later."}`, "Retry-After", "30"))
		a, err := waitThenCancel(s)
		Expect(a.RetryIn).To(Equal(30 * time.Second))
		Expect(err).To(MatchError(context.Canceled))
		Expect(err).To(MatchError(helicone.ErrRateLimited))
		Expect(err.Error()).To(ContainSubstring("waiting 30s"))
		Expect(s.requests()).To(HaveLen(1))
	})

	It("honours Retry-After as an HTTP date", func() {
		at := time.Now().Add(45 * time.Second).UTC().Format(http.TimeFormat)
		s := newScript(reply(503, ``, "Retry-After", at))
		a, err := waitThenCancel(s)
		Expect(a.RetryIn).To(BeNumerically(">", 30*time.Second))
		Expect(a.RetryIn).To(BeNumerically("<=", 45*time.Second))
		Expect(err).To(MatchError(context.Canceled))
	})

	It("falls back to RateLimit-Reset on a 429 without Retry-After", func() {
		s := newScript(reply(429, `{"error":"Too many requests, please try again later."}`, "RateLimit-Reset", "12"))
		a, _ := waitThenCancel(s)
		Expect(a.RetryIn).To(Equal(12 * time.Second))
	})

	It("does not start a wait that outlasts the context deadline", func() {
		s := newScript(reply(429, `{"error":"Too many requests, please try again later."}`, "Retry-After", "60"))
		dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		c := newClient(s, helicone.WithRetry(helicone.RetryPolicy{MaxAttempts: 3, MaxRetryAfter: time.Hour}))
		_, err := c.AddScores(dctx, reqID, scores)
		Expect(err).To(MatchError(helicone.ErrRateLimited))
		Expect(err.Error()).To(ContainSubstring("deadline"))
		Expect(dctx.Err()).NotTo(HaveOccurred())
	})

	It("stops when the context is cancelled during a request", func() {
		release := make(chan struct{})
		DeferCleanup(func() { close(release) })
		s := newScript(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-release:
			}
		})
		cctx, cancel := context.WithCancel(ctx)
		go func() { defer GinkgoRecover(); Eventually(s.requests).Should(HaveLen(1)); cancel() }()
		_, err := newClient(s).AddScores(cctx, reqID, scores)
		Expect(err).To(MatchError(context.Canceled))
		Expect(s.requests()).To(HaveLen(1))
	})

	DescribeTable("backoff grows, is capped and jittered within the upper half",
		func(retry int, lo, hi time.Duration) {
			p := helicone.RetryPolicy{BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second}
			for range 50 {
				d := p.Backoff(retry)
				Expect(d).To(BeNumerically(">=", lo))
				Expect(d).To(BeNumerically("<=", hi))
			}
		},
		Entry("first retry", 0, 50*time.Millisecond, 100*time.Millisecond),
		Entry("third retry", 2, 200*time.Millisecond, 400*time.Millisecond),
		Entry("capped", 10, 500*time.Millisecond, time.Second),
		Entry("huge retry count", 1000, 500*time.Millisecond, time.Second),
	)

	It("has a sane default policy", func() {
		p := helicone.DefaultRetryPolicy()
		Expect(p.MaxAttempts).To(BeNumerically(">", 1))
		Expect(p.MaxRetryAfter).To(BeNumerically(">", 0))
		Expect(helicone.RetryPolicy{}.Backoff(3)).To(BeZero())
	})

	It("logs retries without the key", func() {
		var buf strings.Builder
		s := newScript(reply(503, `{"error":"echo `+testKey+`"}`), reply(201, ok))
		_, err := newClient(s, helicone.WithLogger(newTextLogger(&buf))).AddScores(ctx, reqID, scores)
		Expect(err).NotTo(HaveOccurred())
		Expect(buf.String()).To(ContainSubstring("retrying"))
		Expect(buf.String()).NotTo(ContainSubstring(testKey))
	})
})
