package heliconetest_test

import (
	"encoding/json"
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/helicone/heliconetest"
)

var _ = Describe("other request routes", func() {
	Describe("GET /v1/request/{requestId}", func() {
		It("answers 200 with the row, cached for 24 hours with its scores and properties frozen", func() {
			srv, clock := newServer()
			a := get(srv, keyA, "/v1/request/"+reqA2)
			Expect(a.Status).To(Equal(200))
			var env struct {
				Data map[string]any `json:"data"`
			}
			Expect(json.Unmarshal(a.Body, &env)).To(Succeed())
			Expect(env.Data["request_id"]).To(Equal(reqA2))
			Expect(env.Data["scores"]).To(HaveKeyWithValue("accuracy", "80"))

			score(srv, keyA, reqA2, `{"scores":{"accuracy":10}}`)
			Expect(json.Unmarshal(get(srv, keyA, "/v1/request/"+reqA2).Body, &env)).To(Succeed())
			Expect(env.Data["scores"]).To(HaveKeyWithValue("accuracy", "80"), "frozen by the cache")
			clock.Advance(heliconetest.GetRequestCacheTTL)
			Expect(json.Unmarshal(get(srv, keyA, "/v1/request/"+reqA2).Body, &env)).To(Succeed())
			Expect(env.Data["scores"]).To(HaveKeyWithValue("accuracy", "10"))
		})

		It("answers 200 without data when not found, {\"data\":null} with includeBody=true", func() {
			srv, _ := newServer()
			expectGolden("200-request-not-found", get(srv, keyA, "/v1/request/c0c0c0c0-0000-4000-8000-000000000000"))
			expectGolden("200-score-missing", get(srv, keyA, "/v1/request/c0c0c0c0-0000-4000-8000-000000000000?includeBody=true"))
			expectGolden("200-request-not-found", get(srv, keyB, "/v1/request/"+reqA1))
		})

		It("finds the last 90 days only", func() {
			srv, clock := newServer()
			clock.Advance(90 * 24 * time.Hour)
			expectGolden("200-request-not-found", get(srv, keyA, "/v1/request/"+reqA1))
		})

		It("has a rate-limit budget of its own", func() {
			srv, _ := newServer(heliconetest.WithTierRateLimits())
			Expect(get(srv, keyA, "/v1/request/"+reqA1).Header.Get("RateLimit-Limit")).To(Equal("600"))
			Expect(score(srv, keyA, reqA1, `{"scores":{}}`).Header.Get("RateLimit-Remaining")).To(Equal("9999"))
		})
	})

	Describe("POST /v1/request/query-ids", func() {
		It("answers 200 with the cached lookup per id, null for an unknown one", func() {
			srv, _ := newServer()
			a := post(srv, keyA, "/v1/request/query-ids", `{"requestIds":["`+reqA1+`","c0c0c0c0-0000-4000-8000-000000000000","`+reqB1+`"]}`)
			Expect(a.Status).To(Equal(200))
			var env struct {
				Data []map[string]any `json:"data"`
			}
			Expect(json.Unmarshal(a.Body, &env)).To(Succeed())
			Expect(env.Data).To(HaveLen(3))
			Expect(env.Data[0]["request_id"]).To(Equal(reqA1))
			Expect(env.Data[1]).To(BeNil())
			Expect(env.Data[2]).To(BeNil(), "another organization's request")
		})

		It("answers 422 without requestIds", func() {
			srv, _ := newServer()
			expectGolden("422-query-ids-missing", post(srv, keyA, "/v1/request/query-ids", `{}`))
		})
	})

	Describe("PUT /v1/request/{requestId}/property", func() {
		It("merges synchronously, keeping the key's case", func() {
			srv, _ := newServer()
			expectGolden("201-score-write", send(http.MethodPut, srv.URL+"/v1/request/"+reqA1+"/property", keyA, `{"key":"Heval-Row","value":"r-1"}`))
			Expect(srv.Properties(reqA1)).To(Equal(map[string]string{"Variant": "A", "Heval-Row": "r-1"}))
			Expect(requestIDs(queryRequests(srv, keyA, `{"filter":`+named("properties", "Heval-Row", "equals", "r-1")+`}`))).To(Equal([]string{reqA1}))
		})

		It("is seen by the next property query, after earlier queries by property", func() {
			srv, _ := newServer()
			byRow := func(v string) []string {
				return requestIDs(queryRequests(srv, keyA, `{"filter":`+named("properties", "Heval-Row", "equals", v)+`}`))
			}
			either := `{"filter":{"left":` + named("properties", "Heval-Row", "equals", "r-2") + `,"operator":"or","right":{"left":` +
				named("properties", "Variant", "equals", "B") + `,"operator":"and","right":` + rmt("provider", "equals", "OPENAI") + `}}}`
			Expect(byRow("r-1")).To(BeEmpty())
			Expect(requestIDs(queryRequests(srv, keyA, either))).To(Equal([]string{reqA2}))
			Expect(send(http.MethodPut, srv.URL+"/v1/request/"+reqA1+"/property", keyA, `{"key":"Heval-Row","value":"r-1"}`).Status).To(Equal(http.StatusCreated))
			Expect(byRow("r-1")).To(Equal([]string{reqA1}))
			Expect(send(http.MethodPut, srv.URL+"/v1/request/"+reqA1+"/property", keyA, `{"key":"Heval-Row","value":"r-2"}`).Status).To(Equal(http.StatusCreated))
			Expect(byRow("r-2")).To(Equal([]string{reqA1}))
			Expect(requestIDs(queryRequests(srv, keyA, either))).To(ConsistOf(reqA1, reqA2))
		})

		It("answers 500 Request not found for an unknown or foreign request", func() {
			srv, _ := newServer()
			expectGolden("500-property-not-found", send(http.MethodPut, srv.URL+"/v1/request/"+reqA1+"/property", keyB, `{"key":"k","value":"v"}`))
			Expect(srv.Properties(reqA1)).To(Equal(map[string]string{"Variant": "A"}))
		})
	})

	Describe("POST /v1/request/{requestId}/feedback", func() {
		It("stores helicone-score-feedback 1/0, without the boolean suffix, and feedback_created_at", func() {
			srv, _ := newServer()
			expectGolden("201-score-write", post(srv, keyA, "/v1/request/"+reqA1+"/feedback", `{"rating":true}`))
			Expect(srv.Scores(reqA1)).To(Equal(map[string]int64{heliconetest.FeedbackKey: 1}))
			row := rowsOf(queryRequests(srv, keyA, `{"filter":`+rmt(heliconetest.FeedbackKey, "equals", true)+`}`))
			Expect(row).To(HaveLen(1))
			Expect(row[0]["feedback_created_at"]).To(Equal("2025-06-01T12:00:00.000Z"))
			Expect(srv.Scores(reqA2)).NotTo(HaveKey(heliconetest.FeedbackKey))
		})
	})

	Describe("POST /v1/evals/{requestId}", func() {
		It("is a 201 no-op", func() {
			srv, _ := newServer()
			expectGolden("201-score-write", post(srv, keyA, "/v1/evals/"+reqA1, `{"scores":[{"name":"x","score":1}]}`))
			Expect(srv.Scores(reqA1)).To(BeEmpty())
		})
	})
})
