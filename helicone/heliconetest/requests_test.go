package heliconetest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

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

func and(l, r string) string { return `{"left":` + l + `,"operator":"and","right":` + r + `}` }
func or(l, r string) string  { return `{"left":` + l + `,"operator":"or","right":` + r + `}` }

var allA = []string{reqA1, runA21, runA22, runA11, runA12, reqA2, reqAOld}

// manyRequests seeds one organization with n requests, one minute apart, newest first.
func manyRequests(n int) *heliconetest.Server {
	var reqs []heliconetest.SeedRequest
	for i := range n {
		reqs = append(reqs, heliconetest.SeedRequest{ID: fmt.Sprintf("f0000000-0000-4000-8000-%012d", i), CreatedAgo: heliconetest.Duration(time.Duration(i+1) * time.Minute), Model: "m"})
	}
	srv := heliconetest.NewServer(heliconetest.WithClock(newClock().Now), heliconetest.WithWriteDelay(0),
		heliconetest.WithSeed(heliconetest.Seed{Organizations: []heliconetest.SeedOrganization{{ID: "org-m", Keys: []string{"sk-helicone-m"}, Requests: reqs}}}))
	DeferCleanup(srv.Close)
	return srv
}

// rowKeys returns the keys of the first row of an answer, in the order sent.
func rowKeys(body []byte) []string {
	var env struct {
		Data []json.RawMessage `json:"data"`
	}
	ExpectWithOffset(1, json.Unmarshal(body, &env)).To(Succeed())
	ExpectWithOffset(1, env.Data).NotTo(BeEmpty())
	dec := json.NewDecoder(bytes.NewReader(env.Data[0]))
	_, err := dec.Token()
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	var keys []string
	for dec.More() {
		t, err := dec.Token()
		ExpectWithOffset(1, err).NotTo(HaveOccurred())
		keys = append(keys, t.(string))
		var skip json.RawMessage
		ExpectWithOffset(1, dec.Decode(&skip)).To(Succeed())
	}
	return keys
}

var _ = Describe("POST /v1/request/query-clickhouse", func() {
	It("answers 201 with the organization's requests, newest first", func() {
		srv, _ := newServer()
		Expect(requestIDs(queryRequests(srv, keyA, `{"filter":"all"}`))).To(Equal(allA))
		Expect(requestIDs(queryRequests(srv, keyB, `{"filter":"all"}`))).To(Equal([]string{reqB1}))
	})

	It("never shows another organization's requests or scores", func() {
		srv, _ := newServer()
		Expect(requestIDs(queryRequests(srv, keyB, `{"filter":`+rmt("request_id", "equals", reqA2)+`}`))).To(BeEmpty())
		Expect(requestIDs(queryRequests(srv, keyB, `{"filter":`+named("scores", "accuracy", "equals", "80")+`}`))).To(BeEmpty())
		Expect(requestIDs(queryRequests(srv, keyB, `{"filter":`+rmt("organization_id", "equals", orgA)+`}`))).To(BeEmpty())
	})

	// The page's table of body fields, row by row.
	Describe("body fields", func() {
		It("filter: required", func() {
			srv, _ := newServer()
			expectGolden("422-requests-filter-missing", queryRequests(srv, keyA, `{"limit":5}`))
		})

		DescribeTable("filter: \"all\", {}, a leaf or a branch",
			func(filter string, want []string) {
				srv, _ := newServer()
				Expect(requestIDs(queryRequests(srv, keyA, `{"filter":`+filter+`}`))).To(Equal(want))
			},
			Entry(`"all"`, `"all"`, allA),
			Entry("{}", `{}`, allA),
			Entry("a leaf", rmt("model", "equals", "gpt-4o-mini"), []string{reqA2}),
			Entry("an and branch", and(rmt("model", "equals", "gpt-4o"), rmt("latency", "lt", 2500)), []string{reqA1, runA11, runA12}),
			Entry("an or branch", or(rmt("request_id", "equals", reqA1), named("properties", "Variant", "equals", "B")), []string{reqA1, reqA2}),
			Entry("a nested branch with \"all\"", and(`"all"`, or(rmt("user_id", "equals", "bob"), rmt("user_id", "equals", "alice"))), []string{reqA1, reqA2}),
		)

		DescribeTable("filter: anything else is one 422 at requestBody.filter",
			func(golden, filter string) {
				srv, _ := newServer()
				expectGolden(golden, queryRequests(srv, keyA, `{"filter":`+filter+`}`))
			},
			Entry("a string other than all", "422-requests-filter-string", `"everything"`),
			Entry("an unknown column", "422-requests-unknown-column", rmt("colour", "equals", "red")),
			Entry("an unknown table", "422-requests-unknown-table", `{"requests":{"id":{"equals":"x"}}}`),
			Entry("a bad branch operator", "422-requests-branch-operator", `{"left":"all","operator":"xor","right":"all"}`),
			Entry("an error inside a branch", "422-requests-nested-error", and(`"all"`, rmt("latency", "contains", "1"))),
		)

		It("limit: 10 by default, up to 1000", func() {
			srv := manyRequests(1005)
			Expect(requestIDs(queryRequests(srv, "sk-helicone-m", `{"filter":"all"}`))).To(HaveLen(heliconetest.DefaultRequestLimit))
			Expect(requestIDs(queryRequests(srv, "sk-helicone-m", `{"filter":"all","limit":1000}`))).To(HaveLen(1000))
			Expect(requestIDs(queryRequests(srv, "sk-helicone-m", `{"filter":"all","limit":"3"}`))).To(HaveLen(3))
			Expect(requestIDs(queryRequests(srv, "sk-helicone-m", `{"filter":"all","limit":0}`))).To(BeEmpty())
		})

		DescribeTable("limit: below 0 or above 1000 is 500 invalid limit",
			func(limit string) {
				srv, _ := newServer()
				expectGolden("500-requests-invalid-limit", queryRequests(srv, keyA, `{"filter":"all","limit":`+limit+`}`))
			},
			Entry("1001", "1001"), Entry("-1", "-1"), Entry("1e9", "1e9"))

		It("offset: 0 by default; pages with limit", func() {
			srv, _ := newServer()
			Expect(requestIDs(queryRequests(srv, keyA, `{"filter":"all","limit":2}`))).To(Equal(allA[:2]))
			Expect(requestIDs(queryRequests(srv, keyA, `{"filter":"all","limit":2,"offset":2}`))).To(Equal(allA[2:4]))
			Expect(requestIDs(queryRequests(srv, keyA, `{"filter":"all","limit":1000,"offset":6}`))).To(Equal(allA[6:]))
			Expect(requestIDs(queryRequests(srv, keyA, `{"filter":"all","offset":60}`))).To(BeEmpty())
		})

		It("offset: unchecked, a negative one is accepted (and ClickHouse finds nothing)", func() {
			srv, _ := newServer()
			expectGolden("201-requests-empty", queryRequests(srv, keyA, `{"filter":"all","offset":-5}`))
		})

		DescribeTable("a NaN limit or offset is 500 Invalid offset or limit",
			func(body string) {
				srv, _ := newServer()
				expectGolden("500-requests-nan", queryRequests(srv, keyA, body))
			},
			Entry("limit", `{"filter":"all","limit":"-."}`),
			Entry("offset", `{"filter":"all","offset":"e5"}`),
		)

		It("limit and offset: not a number is 422", func() {
			srv, _ := newServer()
			expectGolden("422-requests-limit-text", queryRequests(srv, keyA, `{"filter":"all","limit":"ten"}`))
		})

		It("sort: created_at desc by default", func() {
			srv, _ := newServer()
			Expect(requestIDs(queryRequests(srv, keyA, `{"filter":"all"}`))).To(Equal(requestIDs(queryRequests(srv, keyA, `{"filter":"all","sort":{"created_at":"desc"}}`))))
			Expect(requestIDs(queryRequests(srv, keyA, `{"filter":"all","sort":{"created_at":"asc"},"limit":3}`))).To(Equal([]string{reqAOld, reqA2, runA11}))
		})

		It("isScored: the only flag read", func() {
			srv, _ := newServer()
			Expect(requestIDs(queryRequests(srv, keyA, `{"filter":"all","isScored":true}`))).To(Equal([]string{reqA2}))
			Expect(requestIDs(queryRequests(srv, keyA, `{"filter":"all","isScored":false}`))).To(Equal([]string{reqA1, runA21, runA22, runA11, runA12, reqAOld}))
		})

		DescribeTable("isCached, includeInputs, isPartOfExperiment: accepted and ignored",
			func(flag string) {
				srv, _ := newServer(legacy)
				for _, v := range []string{"true", "false"} {
					Expect(requestIDs(queryRequests(srv, keyA, `{"filter":"all",`+flag+`:`+v+`}`))).To(Equal(allA))
				}
				expectGolden("422-requests-flag-not-boolean-"+strings.Trim(flag, `"`), queryRequests(srv, keyA, `{"filter":"all",`+flag+`:"maybe"}`))
			},
			Entry("isCached", `"isCached"`), Entry("includeInputs", `"includeInputs"`), Entry("isPartOfExperiment", `"isPartOfExperiment"`))

		It("no other keys", func() {
			srv, _ := newServer()
			expectGolden("422-requests-excess-property", queryRequests(srv, keyA, `{"filter":"all","cursor":"x"}`))
		})
	})

	Describe("leaves", func() {
		DescribeTable("filters on each kind of column",
			func(filter string, want []string) {
				srv, _ := newServer()
				Expect(requestIDs(queryRequests(srv, keyA, `{"filter":`+filter+`}`))).To(Equal(want))
			},
			Entry("text equals", rmt("model", "equals", "gpt-4o-mini"), []string{reqA2}),
			Entry("text not-equals", rmt("model", "not-equals", "gpt-4o"), []string{runA21, runA22, reqA2}),
			Entry("text like", rmt("model", "like", "gpt-4o-%"), []string{reqA2}),
			Entry("text ilike", rmt("model", "ilike", "CLAUDE%"), []string{runA21, runA22}),
			Entry("text contains", rmt("model", "contains", "MINI"), []string{reqA2}),
			Entry("text not-contains", rmt("model", "not-contains", "gpt"), []string{runA21, runA22}),
			Entry("user id", rmt("user_id", "equals", "alice"), []string{reqA1}),
			Entry("request id in upper case", rmt("request_id", "equals", strings.ToUpper(reqA2)), []string{reqA2}),
			Entry("target url", rmt("target_url", "equals", "https://api.openai.com/v1/chat/completions"), allA),
			Entry("provider", rmt("provider", "equals", "OPENAI"), allA),
			Entry("response body", rmt("response_body", "contains", "42 [1]"), []string{reqA1}),
			Entry("number gte", rmt("latency", "gte", 4900), []string{reqA2, reqAOld}),
			Entry("number lt", rmt("latency", "lt", 300), []string{reqA1}),
			Entry("number equals as a string", rmt("status", "equals", "200"), allA),
			Entry("number cost gt", rmt("cost", "gt", 0.005), []string{reqA2}),
			Entry("total tokens", rmt("total_tokens", "equals", 38), []string{reqA1}),
			Entry("timestamp gte", rmt("request_created_at", "gte", "2025-05-31T00:00:00Z"), []string{reqA1, runA21, runA22, runA11, runA12}),
			Entry("timestamp lt", rmt("request_created_at", "lt", "2025-05-02T00:00:00.000Z"), []string{reqAOld}),
			Entry("response timestamp", rmt("response_created_at", "gt", "2025-06-01T11:00:00.100Z"), []string{reqA1}),
			Entry("boolean", rmt("cache_enabled", "equals", false), allA),
			Entry("boolean as text", rmt("threat", "equals", "true"), []string{}),
			Entry("property equals", named("properties", "Variant", "equals", "B"), []string{reqA2}),
			Entry("property not-equals counts a missing property as empty", named("properties", "Variant", "not-equals", "B"), []string{reqA1, runA21, runA22, runA11, runA12, reqAOld}),
			Entry("search_properties", named("search_properties", "Variant", "equals", "A"), []string{reqA1}),
			Entry("property_key", rmt("property_key", "equals", "Variant"), []string{reqA1, reqA2}),
			Entry("score equals", named("scores", "accuracy", "equals", "80"), []string{reqA2}),
			Entry("score boolean by stored name", named("scores", "is_factual-hcone-bool", "equals", "1"), []string{reqA2}),
			Entry("score not-equals never matches a request lacking the key", named("scores", "accuracy", "not-equals", "70"), []string{reqA2}),
			Entry("score like fails in ClickHouse: []", named("scores", "accuracy", "like", "8%"), []string{}),
			Entry("score contains fails in ClickHouse: []", named("scores", "accuracy", "contains", "8"), []string{}),
			Entry("a properties leaf outside request_response_rmt: []", `{"properties":{"Variant":{"equals":"B"}}}`, []string{}),
		)

		DescribeTable("decides on one column: the first present of property_key, properties, search_properties, scores, cached, cost, else the first",
			func(cols string, want []string) {
				srv, _ := newServer()
				Expect(requestIDs(queryRequests(srv, keyA, `{"filter":{"request_response_rmt":{`+cols+`}}}`))).To(Equal(want))
			},
			Entry("the first column and its first operator", `"model":{"equals":"gpt-4o-mini","not-equals":"gpt-4o-mini"},"user_id":{"equals":"nobody"}`, []string{reqA2}),
			Entry("scores before model", `"model":{"equals":"nothing"},"scores":{"accuracy":{"equals":"80"}}`, []string{reqA2}),
			Entry("properties before scores", `"scores":{"accuracy":{"equals":"80"}},"properties":{"Variant":{"equals":"A"}}`, []string{reqA1}),
			Entry("property_key first of all", `"properties":{"Variant":{"equals":"B"}},"property_key":{"equals":"Variant"}`, []string{reqA1, reqA2}),
			Entry("cost before latency", `"latency":{"gt":100000},"cost":{"gt":0.005}`, []string{reqA2}),
			Entry("cached before cost", `"cost":{"gt":1},"cached":{"equals":false}`, allA),
		)

		DescribeTable("answers the generic 500 for a leaf with no column or a column with no operator",
			func(filter string) {
				srv, _ := newServer()
				expectGolden("500-internal", queryRequests(srv, keyA, `{"filter":`+filter+`}`))
			},
			Entry("no column", `{"request_response_rmt":{}}`),
			Entry("no operator", `{"request_response_rmt":{"model":{}}}`),
			Entry("properties without a name", `{"request_response_rmt":{"properties":{}}}`),
			Entry("a property without an operator", `{"request_response_rmt":{"properties":{"Variant":{}}}}`),
			Entry("inside a branch", or(`"all"`, `{"request_response_rmt":{"latency":{}}}`)),
		)

		DescribeTable("answers 422 for operators and values a column does not take",
			func(golden, filter string) {
				srv, _ := newServer()
				expectGolden(golden, queryRequests(srv, keyA, `{"filter":`+filter+`}`))
			},
			Entry("gte on a score", "422-requests-score-gte", named("scores", "accuracy", "gte", "80")),
			Entry("a number on a score", "422-requests-score-number", named("scores", "accuracy", "equals", 80)),
			Entry("a text operator on a number column", "422-requests-number-text-op", rmt("latency", "contains", "1")),
			Entry("a number on a text column", "422-requests-text-number", rmt("model", "equals", 4)),
			Entry("equals on a timestamp", "422-requests-time-equals", rmt("request_created_at", "equals", "2025-05-31T00:00:00Z")),
			Entry("a bad timestamp", "422-requests-bad-timestamp", rmt("request_created_at", "gte", "yesterday")),
			Entry("gt on a boolean", "422-requests-bool-gt", rmt("cached", "gt", true)),
			Entry("a column that is not one, request_path", "422-requests-request-path", rmt("request_path", "equals", "/v1/chat/completions")),
		)

		It("answers [] for a chain too deep for ClickHouse", func() {
			srv, _ := newServer()
			f := rmt("request_id", "equals", reqA1)
			for range 250 {
				f = or(f, rmt("request_id", "equals", reqA2))
			}
			Expect(requestIDs(queryRequests(srv, keyA, `{"filter":`+f+`}`))).To(BeEmpty())
		})

		It("finds requests by a balanced or-tree of 100 request ids", func() {
			srv := manyRequests(150)
			var leaves []string
			for i := 0; i < 200; i += 2 {
				leaves = append(leaves, rmt("request_id", "equals", fmt.Sprintf("f0000000-0000-4000-8000-%012d", i)))
			}
			for len(leaves) > 1 {
				var next []string
				for i := 0; i < len(leaves); i += 2 {
					if i+1 < len(leaves) {
						next = append(next, or(leaves[i], leaves[i+1]))
					} else {
						next = append(next, leaves[i])
					}
				}
				leaves = next
			}
			Expect(requestIDs(queryRequests(srv, "sk-helicone-m", `{"filter":`+leaves[0]+`,"limit":1000}`))).To(HaveLen(75))
		})
	})

	Describe("sort", func() {
		DescribeTable("takes every listed key, with asc or desc",
			func(key string) {
				srv, _ := newServer()
				Expect(requestIDs(queryRequests(srv, keyA, `{"filter":"all","sort":{"`+key+`":"asc"}}`))).To(ConsistOf(allA))
			},
			Entry("created_at", "created_at"), Entry("cache_created_at", "cache_created_at"), Entry("latency", "latency"),
			Entry("last_active", "last_active"), Entry("total_tokens", "total_tokens"), Entry("completion_tokens", "completion_tokens"),
			Entry("prompt_tokens", "prompt_tokens"), Entry("user_id", "user_id"), Entry("body_model", "body_model"),
			Entry("is_cached", "is_cached"), Entry("request_prompt", "request_prompt"), Entry("response_text", "response_text"),
			Entry("values", "values"), Entry("cost", "cost"), Entry("time_to_first_token", "time_to_first_token"),
		)

		It("orders by the key", func() {
			srv, _ := newServer()
			Expect(requestIDs(queryRequests(srv, keyA, `{"filter":"all","sort":{"latency":"desc"},"limit":1}`))).To(Equal([]string{reqAOld}))
			Expect(requestIDs(queryRequests(srv, keyA, `{"filter":"all","sort":{"cost":"desc"},"limit":2}`))).To(Equal([]string{reqA2, reqA1}))
			Expect(requestIDs(queryRequests(srv, keyA, `{"filter":`+rmt("property_key", "equals", "Variant")+`,"sort":{"properties":{"Variant":"desc"}}}`))).To(Equal([]string{reqA2, reqA1}))
		})

		It("pages a query as it stands: a score written between two pages is seen", func() {
			srv, _ := newServer()
			page := func(offset int) []string {
				return requestIDs(queryRequests(srv, keyA, fmt.Sprintf(`{"filter":%s,"sort":{"latency":"desc"},"limit":1,"offset":%d}`,
					named("scores", "x", "equals", "1"), offset)))
			}
			Expect(page(0)).To(BeEmpty())
			Expect(send(http.MethodPost, srv.URL+"/v1/request/"+reqA1+"/score", keyA, `{"scores":{"x":1}}`).Status).To(Equal(http.StatusCreated))
			Expect(page(0)).To(Equal([]string{reqA1}))
			Expect(page(1)).To(BeEmpty())
		})

		It("uses the first listed key present, not the first written", func() {
			srv, _ := newServer()
			Expect(requestIDs(queryRequests(srv, keyA, `{"filter":"all","sort":{"latency":"desc","created_at":"desc"},"limit":1}`))).To(Equal([]string{reqA1}))
			Expect(requestIDs(queryRequests(srv, keyA, `{"filter":"all","sort":{"cost":"desc","created_at":"desc"},"limit":1}`))).To(Equal([]string{reqA1}))
		})

		It("takes random:true", func() {
			srv, _ := newServer()
			Expect(requestIDs(queryRequests(srv, keyA, `{"filter":"all","sort":{"random":true}}`))).To(ConsistOf(allA))
			expectGolden("422-requests-sort-random-false", queryRequests(srv, keyA, `{"filter":"all","sort":{"random":false}}`))
		})

		It("answers 422 for model, which is no key, and for a direction other than asc or desc", func() {
			srv, _ := newServer()
			expectGolden("422-requests-sort-model", queryRequests(srv, keyA, `{"filter":"all","sort":{"model":"asc"}}`))
			expectGolden("422-requests-sort-direction", queryRequests(srv, keyA, `{"filter":"all","sort":{"created_at":"up"}}`))
		})

		It("answers the generic 500 for a properties key outside ^[a-zA-Z0-9_]+$", func() {
			srv, _ := newServer()
			expectGolden("500-internal", queryRequests(srv, keyA, `{"filter":"all","sort":{"properties":{"heval-hypothesis":"asc"}}}`))
			Expect(requestIDs(queryRequests(srv, keyA, `{"filter":"all","sort":{"properties":{"Variant_2":"asc"}}}`))).To(ConsistOf(allA))
		})
	})

	Describe("rows", func() {
		It("has exactly the row keys of the page, in order, with ISO Z timestamps", func() {
			srv, _ := newServer()
			a := queryRequests(srv, keyA, `{"filter":`+rmt("request_id", "equals", reqA2)+`}`)
			Expect(rowKeys(a.Body)).To(Equal(heliconetest.RowKeys))
			row := rowsOf(a)[0]
			for _, k := range []string{"request_created_at", "response_created_at", "updated_at"} {
				Expect(row[k]).To(MatchRegexp(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`), k)
			}
			for _, k := range []string{"request_path", "status", "user_id", "response_model", "signed_body_url"} {
				Expect(row).NotTo(HaveKey(k))
			}
		})

		It("quotes Int64 columns by default: scores and token counts", func() {
			srv, _ := newServer()
			expectGolden("201-requests-row", queryRequests(srv, keyA, `{"filter":`+rmt("request_id", "equals", reqA2)+`}`))
		})

		It("sends Int64 columns as numbers with WithNumericScores", func() {
			srv, _ := newServer(heliconetest.WithNumericScores())
			a := queryRequests(srv, keyA, `{"filter":`+rmt("request_id", "equals", reqA2)+`}`)
			Expect(string(a.Body)).To(ContainSubstring(`"scores":{"accuracy":80,"is_factual-hcone-bool":1}`))
			Expect(string(a.Body)).To(ContainSubstring(`"prompt_tokens":10`))
			Expect(rowsOf(a)[0]["total_tokens"]).To(BeEquivalentTo(16))
		})

		It("keeps properties as request_properties too", func() {
			srv, _ := newServer()
			row := rowsOf(queryRequests(srv, keyA, `{"filter":`+rmt("request_id", "equals", reqA1)+`}`))[0]
			Expect(row["properties"]).To(Equal(map[string]any{"Variant": "A"}))
			Expect(row["request_properties"]).To(Equal(row["properties"]))
		})
	})

	Describe("short pages", func() {
		It("applies the limit to raw row versions before de-duplication: a page can be short while more rows exist", func() {
			srv, clock := newServer()
			score(srv, keyA, reqA1, `{"scores":{"a":1}}`)
			clock.Advance(time.Second)
			score(srv, keyA, reqA1, `{"scores":{"b":2}}`)
			Expect(srv.RowVersions(reqA1)).To(Equal(3))
			first := rowsOf(queryRequests(srv, keyA, `{"filter":"all","limit":2}`))
			Expect(first).To(HaveLen(1), "the page holds two versions of one request")
			Expect(first[0]["request_id"]).To(Equal(reqA1))
			Expect(first[0]["scores"]).To(Equal(map[string]any{"a": "1", "b": "2"}), "the newest version")

			By("paging until an empty page, advancing offset by limit, keeping the newest version per request")
			seen := map[string]map[string]any{}
			var order []string
			for offset := 0; ; offset += 2 {
				page := rowsOf(queryRequests(srv, keyA, fmt.Sprintf(`{"filter":"all","limit":2,"offset":%d}`, offset)))
				if len(page) == 0 {
					break
				}
				for _, r := range page {
					id := r["request_id"].(string)
					old, ok := seen[id]
					if !ok {
						order = append(order, id)
					}
					if !ok || r["updated_at"].(string) > old["updated_at"].(string) {
						seen[id] = r
					}
				}
			}
			Expect(order).To(Equal(allA))
			Expect(seen[reqA1]["scores"]).To(Equal(map[string]any{"a": "1", "b": "2"}))
		})

		It("filters raw versions: an old version can match a score filter its newer version no longer does", func() {
			srv, _ := newServer()
			score(srv, keyA, reqA2, `{"scores":{"accuracy":90}}`)
			rows := rowsOf(queryRequests(srv, keyA, `{"filter":`+named("scores", "accuracy", "equals", "80")+`}`))
			Expect(rows).To(HaveLen(1))
			Expect(rows[0]["scores"]).To(HaveKeyWithValue("accuracy", "80"))
			rows = rowsOf(queryRequests(srv, keyA, `{"filter":`+named("scores", "accuracy", "equals", "90")+`}`))
			Expect(rows[0]["scores"]).To(HaveKeyWithValue("accuracy", "90"))
		})

		It("merges versions away ten minutes after they were superseded", func() {
			srv, clock := newServer()
			score(srv, keyA, reqA1, `{"scores":{"a":1}}`)
			clock.Advance(11 * time.Minute)
			score(srv, keyA, reqA1, `{"scores":{"a":2}}`)
			Expect(srv.RowVersions(reqA1)).To(Equal(2))
		})
	})
})

var _ = Describe("POST /v1/request/query (legacy Postgres)", func() {
	It("answers 201 with an empty list for request_response_rmt filters, always", func() {
		srv, _ := newServer(legacy)
		expectGolden("201-legacy-request-query", post(srv, keyA, "/v1/request/query", `{"filter":"all"}`))
		expectGolden("201-legacy-request-query", post(srv, keyA, "/v1/request/query", `{"filter":`+rmt("request_id", "equals", reqA1)+`,"offset":10000}`))
	})

	It("answers 500 unsupport offset value above 10000", func() {
		srv, _ := newServer()
		expectGolden("500-legacy-request-query-offset", post(srv, keyA, "/v1/request/query", `{"filter":"all","offset":10001}`))
	})
})
