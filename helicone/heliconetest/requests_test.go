package heliconetest_test

import (
	"encoding/json"
	"fmt"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/helicone/heliconetest"
)

func queryRequests(srv *heliconetest.Server, key, body string) answer {
	return post(srv, key, "/v1/request/query-clickhouse", body)
}

// requestIDs returns the request ids of a query-clickhouse answer, in order.
func requestIDs(a answer) []string {
	ExpectWithOffset(1, a.Status).To(Equal(201), "body: %s", a.Body)
	var env struct {
		Data []struct {
			ID string `json:"request_id"`
		} `json:"data"`
	}
	ExpectWithOffset(1, json.Unmarshal(a.Body, &env)).To(Succeed())
	ids := []string{}
	for _, r := range env.Data {
		ids = append(ids, r.ID)
	}
	return ids
}

func rmt(col, op string, val any) string {
	b, _ := json.Marshal(map[string]any{"request_response_rmt": map[string]any{col: map[string]any{op: val}}})
	return string(b)
}

func named(col, name, op string, val any) string {
	b, _ := json.Marshal(map[string]any{"request_response_rmt": map[string]any{col: map[string]any{name: map[string]any{op: val}}}})
	return string(b)
}

var allA = []string{reqA1, runA21, runA22, runA11, runA12, reqA2, reqAOld}

var _ = Describe("POST /v1/request/query-clickhouse", func() {
	It("answers 201 with the organization's requests, newest first, ten by default", func() {
		srv, _ := newServer()
		Expect(requestIDs(queryRequests(srv, keyA, `{"filter":"all"}`))).To(Equal(allA))
		Expect(requestIDs(queryRequests(srv, keyB, `{"filter":"all"}`))).To(Equal([]string{reqB1}))
	})

	It("answers the documented row fields with score values as strings", func() {
		srv, _ := newServer()
		expectGolden("201-requests-row", queryRequests(srv, keyA, `{"filter":`+rmt("request_id", "equals", reqA2)+`}`))
	})

	It("sends score values as numbers with WithNumericScores", func() {
		srv, _ := newServer(heliconetest.WithNumericScores())
		a := queryRequests(srv, keyA, `{"filter":`+rmt("request_id", "equals", reqA2)+`}`)
		Expect(string(a.Body)).To(ContainSubstring(`"scores":{"accuracy":80,"is_factual-hcone-bool":1}`))
	})

	It("pages with limit and offset", func() {
		srv, _ := newServer()
		Expect(requestIDs(queryRequests(srv, keyA, `{"filter":"all","limit":2}`))).To(Equal(allA[:2]))
		Expect(requestIDs(queryRequests(srv, keyA, `{"filter":"all","limit":2,"offset":2}`))).To(Equal(allA[2:4]))
		Expect(requestIDs(queryRequests(srv, keyA, `{"filter":"all","limit":1000,"offset":6}`))).To(Equal(allA[6:]))
		Expect(requestIDs(queryRequests(srv, keyA, `{"filter":"all","offset":60}`))).To(BeEmpty())
		Expect(requestIDs(queryRequests(srv, keyA, `{"filter":"all","limit":0}`))).To(BeEmpty())
	})

	It("sorts as asked", func() {
		srv, _ := newServer()
		Expect(requestIDs(queryRequests(srv, keyA, `{"filter":"all","sort":{"created_at":"asc"},"limit":3}`))).To(Equal([]string{reqAOld, reqA2, runA11}))
		Expect(requestIDs(queryRequests(srv, keyA, `{"filter":"all","sort":{"latency":"desc"},"limit":1}`))).To(Equal([]string{reqAOld}))
	})

	DescribeTable("answers 500 invalid limit outside 0..1000",
		func(limit int) {
			srv, _ := newServer()
			expectGolden("500-requests-invalid-limit", queryRequests(srv, keyA, fmt.Sprintf(`{"filter":"all","limit":%d}`, limit)))
		},
		Entry("1001", 1001), Entry("-1", -1))

	DescribeTable("filters on each kind of column",
		func(filter string, want []string) {
			srv, _ := newServer()
			Expect(requestIDs(queryRequests(srv, keyA, `{"filter":`+filter+`}`))).To(Equal(want))
		},
		Entry("text equals", rmt("model", "equals", "gpt-4o-mini"), []string{reqA2}),
		Entry("text ilike", rmt("model", "ilike", "CLAUDE%"), []string{runA21, runA22}),
		Entry("text not-contains", rmt("model", "not-contains", "gpt"), []string{runA21, runA22}),
		Entry("user id", rmt("user_id", "equals", "alice"), []string{reqA1}),
		Entry("number gte", rmt("latency", "gte", 4900), []string{reqA2, reqAOld}),
		Entry("number lt", rmt("latency", "lt", 300), []string{reqA1}),
		Entry("number equals as a string", rmt("status", "equals", "200"), allA),
		Entry("number cost gt", rmt("cost", "gt", 0.005), []string{reqA2}),
		Entry("timestamp gte", rmt("request_created_at", "gte", "2025-05-31T00:00:00Z"), []string{reqA1, runA21, runA22, runA11, runA12}),
		Entry("timestamp lt", rmt("request_created_at", "lt", "2025-05-02T00:00:00.000Z"), []string{reqAOld}),
		Entry("property equals", named("properties", "Variant", "equals", "B"), []string{reqA2}),
		Entry("property not-equals counts a missing property as empty", named("properties", "Variant", "not-equals", "B"), []string{reqA1, runA21, runA22, runA11, runA12, reqAOld}),
		Entry("score equals", named("scores", "accuracy", "equals", "80"), []string{reqA2}),
		Entry("score boolean equals", named("scores", "is_factual-hcone-bool", "equals", "1"), []string{reqA2}),
		Entry("and branch", `{"left":`+rmt("model", "equals", "gpt-4o")+`,"operator":"and","right":`+rmt("latency", "lt", 2500)+`}`, []string{reqA1, runA11, runA12}),
		Entry("or branch", `{"left":`+rmt("request_id", "equals", reqA1)+`,"operator":"or","right":`+named("properties", "Variant", "equals", "B")+`}`, []string{reqA1, reqA2}),
		Entry("first column and operator only", `{"request_response_rmt":{"model":{"equals":"gpt-4o-mini","not-equals":"gpt-4o-mini"},"user_id":{"equals":"nobody"}}}`, []string{reqA2}),
	)

	It("filters with isScored", func() {
		srv, _ := newServer()
		Expect(requestIDs(queryRequests(srv, keyA, `{"filter":"all","isScored":true}`))).To(Equal([]string{reqA2}))
	})

	DescribeTable("answers 422 for a body that fails validation",
		func(golden, body string) {
			srv, _ := newServer()
			expectGolden(golden, queryRequests(srv, keyA, body))
		},
		Entry("gte on a score", "422-requests-score-gte", `{"filter":`+named("scores", "accuracy", "gte", "80")+`}`),
		Entry("a number on a score", "422-requests-score-number", `{"filter":`+named("scores", "accuracy", "equals", 80)+`}`),
		Entry("an unknown column", "422-requests-unknown-column", `{"filter":`+rmt("colour", "equals", "red")+`}`),
		Entry("a text operator on a number column", "422-requests-number-text-op", `{"filter":`+rmt("latency", "contains", "1")+`}`),
		Entry("filter missing", "422-requests-filter-missing", `{"limit":5}`),
		Entry("an unknown top-level key", "422-requests-excess-property", `{"filter":"all","cursor":"x"}`),
		Entry("a bad timestamp", "422-requests-bad-timestamp", `{"filter":`+rmt("request_created_at", "gte", "yesterday")+`}`),
	)

	It("never shows another organization's requests or scores", func() {
		srv, _ := newServer()
		Expect(requestIDs(queryRequests(srv, keyB, `{"filter":`+rmt("request_id", "equals", reqA2)+`}`))).To(BeEmpty())
		Expect(requestIDs(queryRequests(srv, keyB, `{"filter":`+named("scores", "accuracy", "equals", "80")+`}`))).To(BeEmpty())
	})

	It("answers the generic 500 for malformed JSON", func() {
		srv, _ := newServer()
		expectGolden("500-internal", queryRequests(srv, keyA, `{"filter":}`))
	})
})

var _ = Describe("POST /v1/request/query (legacy)", func() {
	It("answers an empty list", func() {
		srv, _ := newServer()
		expectGolden("200-legacy-request-query", post(srv, keyA, "/v1/request/query", `{"filter":"all"}`))
	})
})
