package heliconetest_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/helicone/heliconetest"
)

var _ = Describe("the rate limit", func() {
	It("sends the draft-6 headers on every answer and 429 with Retry-After when the budget is spent", func() {
		srv, clock := newServer(heliconetest.WithRateLimit(time.Minute, 3))
		for i := range 3 {
			a := score(srv, keyA, reqA1, `{"scores":{"a":1}}`)
			Expect(a.Status).To(Equal(201))
			Expect(a.Header.Get("RateLimit-Policy")).To(Equal("3;w=60"))
			Expect(a.Header.Get("RateLimit-Limit")).To(Equal("3"))
			Expect(a.Header.Get("RateLimit-Remaining")).To(Equal([]string{"2", "1", "0"}[i]))
			Expect(a.Header.Get("RateLimit-Reset")).To(Equal("60"))
			Expect(a.Header.Get("X-RateLimit-Limit")).To(BeEmpty())
		}
		clock.Advance(15 * time.Second)
		a := get(srv, keyA, "/v2/experiment/x/"+reqA1+"/a")
		expectGolden("429-rate-limited", a)
		Expect(a.Header.Get("Retry-After")).To(Equal("45"))
		Expect(a.Header.Get("RateLimit-Remaining")).To(Equal("0"))

		By("keeping organizations' budgets apart")
		Expect(score(srv, keyB, reqB1, `{"scores":{"a":1}}`).Status).To(Equal(201))

		By("starting a new window")
		clock.Advance(45 * time.Second)
		a = score(srv, keyA, reqA1, `{"scores":{"a":2}}`)
		Expect(a.Status).To(Equal(201))
		Expect(a.Header.Get("RateLimit-Remaining")).To(Equal("2"))
	})

	It("uses the tier budgets and a 5-minute window by default", func() {
		srv, _ := newServer(heliconetest.WithTierRateLimits())
		Expect(score(srv, keyA, reqA1, `{"scores":{}}`).Header.Get("RateLimit-Policy")).To(Equal("10000;w=300"))
		Expect(score(srv, keyB, reqB1, `{"scores":{}}`).Header.Get("RateLimit-Policy")).To(Equal("1000;w=300"))
		Expect(srv.AddOrganization("org-e", "enterprise", "sk-helicone-e")).To(Succeed())
		Expect(post(srv, "sk-helicone-e", "/v1/experiment/query", `{"filter":"all"}`).Header.Get("RateLimit-Limit")).To(Equal("100000"))
	})

	It("runs after authentication: a 422 spends budget, a 401 does not", func() {
		srv, _ := newServer(heliconetest.WithRateLimit(time.Minute, 5))
		Expect(score(srv, keyA, reqA1, `{}`).Header.Get("RateLimit-Remaining")).To(Equal("4"))
		a := score(srv, "sk-helicone-nope", reqA1, `{"scores":{}}`)
		Expect(a.Status).To(Equal(401))
		Expect(a.Header.Get("RateLimit-Remaining")).To(BeEmpty())
		Expect(score(srv, keyAR, reqA1, `{"scores":{}}`).Status).To(Equal(401))
		Expect(score(srv, keyA, reqA1, `{"scores":{}}`).Header.Get("RateLimit-Remaining")).To(Equal("3"))
	})

	It("gives an organization without a tier 500 per window", func() {
		srv, _ := newServer(heliconetest.WithTierRateLimits())
		Expect(srv.AddOrganization("org-n", heliconetest.TierNone, "sk-helicone-n")).To(Succeed())
		Expect(post(srv, "sk-helicone-n", "/v1/request/query-clickhouse", `{"filter":"all"}`).Header.Get("RateLimit-Policy")).To(Equal("500;w=300"))
	})

	It("sends no rate-limit headers when disabled", func() {
		srv, _ := newServer()
		Expect(score(srv, keyA, reqA1, `{"scores":{}}`).Header.Get("RateLimit-Limit")).To(BeEmpty())
	})
})

var _ = Describe("fault injection", func() {
	DescribeTable("answers the next N calls with a failure status, then normally",
		func(status int, golden string) {
			srv, _ := newServer()
			srv.Inject(heliconetest.RouteAddScores, heliconetest.Fail(status).Times(2))
			for range 2 {
				expectGolden(golden, score(srv, keyA, reqA1, `{"scores":{"a":1}}`))
			}
			Expect(srv.Scores(reqA1)).To(BeEmpty())
			Expect(score(srv, keyA, reqA1, `{"scores":{"a":1}}`).Status).To(Equal(201))
			Expect(srv.Scores(reqA1)).To(Equal(map[string]int64{"a": 1}))
			Expect(srv.Counts()[heliconetest.RouteAddScores]).To(Equal(3))
		},
		Entry("429", http.StatusTooManyRequests, "fault-429"),
		Entry("500", http.StatusInternalServerError, "500-internal"),
		Entry("502", http.StatusBadGateway, "fault-502"),
		Entry("503", http.StatusServiceUnavailable, "fault-503"),
	)

	It("sends Retry-After with an injected 429", func() {
		srv, _ := newServer()
		f := heliconetest.Fail(429)
		f.RetryAfter = "7"
		srv.Inject(heliconetest.AnyRoute, f)
		Expect(post(srv, keyA, "/v1/experiment/query", `{"filter":"all"}`).Header.Get("Retry-After")).To(Equal("7"))
	})

	It("drops the connection", func() {
		srv, _ := newServer(legacy)
		srv.Inject(heliconetest.RouteQueryExperiment, heliconetest.Disconnect())
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1/experiment/query", strings.NewReader(`{"filter":"all"}`))
		req.Header.Set("Authorization", keyA)
		_, err := httpClient.Do(req)
		Expect(err).To(HaveOccurred())
		Expect(errors.Is(err, io.EOF) || strings.Contains(err.Error(), "EOF") || strings.Contains(err.Error(), "reset")).To(BeTrue(), "error: %v", err)
		Expect(srv.Log()[0].Status).To(Equal(0))
		Expect(experimentIDs(queryExperiments(srv, keyA, `{"filter":"all"}`))).To(HaveLen(2))
	})

	It("stores the write before dropping the connection with AfterHandling", func() {
		srv, _ := newServer()
		srv.Inject(heliconetest.RouteAddScores, heliconetest.Disconnect().AfterHandling())
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1/request/"+reqA1+"/score", strings.NewReader(`{"scores":{"a":5}}`))
		req.Header.Set("Authorization", keyA)
		req.Header.Set("Content-Type", "application/json")
		_, err := httpClient.Do(req)
		Expect(err).To(HaveOccurred())
		Expect(srv.Scores(reqA1)).To(Equal(map[string]int64{"a": 5}))
	})

	It("delays the answer, then answers normally", func() {
		srv, _ := newServer(legacy)
		srv.Inject(heliconetest.RouteExperimentScore, heliconetest.Delay(20*time.Millisecond))
		expectGolden("200-score-found", get(srv, keyA, "/v2/experiment/x/"+reqA2+"/accuracy"))
	})

	It("truncates the body", func() {
		srv, _ := newServer()
		srv.Inject(heliconetest.RouteQueryClickhouse, heliconetest.Truncate())
		a := queryRequests(srv, keyA, `{"filter":"all"}`)
		Expect(a.Status).To(Equal(201))
		Expect(json.Valid(a.Body)).To(BeFalse())
		full := queryRequests(srv, keyA, `{"filter":"all"}`)
		Expect(string(full.Body)).To(HavePrefix(string(a.Body)))
		Expect(len(a.Body)).To(Equal(len(full.Body) / 2))
	})

	It("answers a non-JSON body", func() {
		srv, _ := newServer()
		srv.Inject(heliconetest.RouteQueryExperiment, heliconetest.NotJSON())
		a := queryExperiments(srv, keyA, `{"filter":"all"}`)
		expectGolden("fault-not-json", a)
		Expect(json.Valid(a.Body)).To(BeFalse())
	})

	It("faults a reproducible fraction of answers", func() {
		pattern := func() []int {
			srv, _ := newServer()
			srv.Inject(heliconetest.RouteAddScores, heliconetest.Fail(503).Sometimes(0.5, 42))
			var out []int
			for range 40 {
				out = append(out, score(srv, keyA, reqA1, `{"scores":{"a":1}}`).Status)
			}
			return out
		}
		first := pattern()
		Expect(first).To(ContainElement(503))
		Expect(first).To(ContainElement(201))
		Expect(pattern()).To(Equal(first))
	})

	It("ClearFaults and Reset remove faults", func() {
		srv, _ := newServer()
		srv.Inject(heliconetest.AnyRoute, heliconetest.Fail(500).Times(5))
		srv.ClearFaults()
		Expect(score(srv, keyA, reqA1, `{"scores":{"a":1}}`).Status).To(Equal(201))
		srv.Inject(heliconetest.AnyRoute, heliconetest.Fail(500).Times(5))
		Expect(srv.Reset()).To(Succeed())
		Expect(score(srv, keyA, reqA1, `{"scores":{"a":1}}`).Status).To(Equal(201))
		Expect(srv.Log()).To(HaveLen(1))
	})
})
