package heliconetest_test

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	. "github.com/onsi/gomega/gstruct"

	"github.com/heval-dev/heval/helicone/heliconetest"
	"github.com/heval-dev/heval/internal/testutil"
)

// routeCall is one call to each route, for specs that apply to all of them.
type routeCall struct {
	method, path, body string
}

var everyRoute = map[heliconetest.Route]routeCall{
	heliconetest.RouteAddScores:       {http.MethodPost, "/v1/request/" + reqA1 + "/score", `{"scores":{"a":1}}`},
	heliconetest.RouteQueryExperiment: {http.MethodPost, "/v1/experiment/query", `{"filter":"all"}`},
	heliconetest.RouteExperimentScore: {http.MethodGet, "/v2/experiment/" + expAlpha + "/" + reqA2 + "/accuracy", ""},
	heliconetest.RouteQueryClickhouse: {http.MethodPost, "/v1/request/query-clickhouse", `{"filter":"all"}`},
	heliconetest.RouteQueryRequests:   {http.MethodPost, "/v1/request/query", `{"filter":"all"}`},
}

func routeEntries() []TableEntry {
	var out []TableEntry
	for _, rt := range heliconetest.Routes {
		out = append(out, Entry(string(rt), rt))
	}
	return out
}

var _ = Describe("authentication", func() {
	DescribeTable("no Authorization header answers 401 on every route",
		func(rt heliconetest.Route) {
			srv, _ := newServer()
			c := everyRoute[rt]
			a := send(c.method, srv.URL+c.path, "", c.body)
			expectGolden("401-no-authorization-header", a)
			Expect(srv.Scores(reqA1)).To(BeEmpty())
		}, routeEntries())

	DescribeTable("an unknown key answers 401 on every route",
		func(rt heliconetest.Route) {
			srv, _ := newServer()
			c := everyRoute[rt]
			a := send(c.method, srv.URL+c.path, "sk-helicone-unknown", c.body)
			expectGolden("401-unknown-key", a)
			Expect(string(a.Body)).NotTo(ContainSubstring("sk-helicone-unknown"))
		}, routeEntries())

	It("accepts the key with and without the Bearer prefix", func() {
		srv, _ := newServer()
		a := send(http.MethodPost, srv.URL+"/v1/request/"+reqA1+"/score", "", `{"scores":{"x":1}}`, "Authorization", keyA)
		Expect(a.Status).To(Equal(http.StatusCreated))
		a = send(http.MethodPost, srv.URL+"/v1/request/"+reqA1+"/score", "", `{"scores":{"y":2}}`, "Authorization", "Bearer "+keyA)
		Expect(a.Status).To(Equal(http.StatusCreated))
		Expect(srv.Scores(reqA1)).To(Equal(map[string]int64{"x": 1, "y": 2}))
	})

	It("has a default organization with a key even without a seed", func() {
		srv := heliconetest.NewServer()
		DeferCleanup(srv.Close)
		Expect(srv.APIKey).To(HavePrefix("sk-helicone-"))
		Expect(srv.DefaultOrganizationID()).To(Equal(heliconetest.DefaultOrganizationID))
		a := post(srv, srv.APIKey, "/v1/experiment/query", `{"filter":"all"}`)
		Expect(a.Status).To(Equal(http.StatusOK))
		Expect(string(a.Body)).To(Equal(`{"data":[],"error":null}`))
	})

	It("never records or logs a key", func() {
		var logs testutil.SyncBuffer
		srv, _ := newServer(heliconetest.WithLogger(newTextLogger(&logs)))
		score(srv, keyA, reqA1, `{"scores":{"a":1}}`)
		score(srv, "sk-helicone-wrong", reqA1, `{"scores":{"a":1}}`)
		Expect(fmt.Sprintf("%+v", srv.Log())).NotTo(ContainSubstring("sk-helicone"))
		Expect(logs.String()).To(ContainSubstring("status=201"))
		Expect(logs.String()).NotTo(ContainSubstring("sk-helicone"))
		Expect(srv.Log()).To(HaveLen(2))
		Expect(srv.Log()[0]).To(MatchFields(IgnoreExtras, Fields{"Method": Equal("POST"), "Status": Equal(201), "OrgID": Equal(orgA), "Route": Equal(heliconetest.RouteAddScores)}))
		Expect(srv.Log()[1].OrgID).To(BeEmpty())
		Expect(srv.Counts()).To(HaveKeyWithValue(heliconetest.RouteAddScores, 2))
	})

	It("answers an unknown route 404", func() {
		srv, _ := newServer()
		a := post(srv, keyA, "/v1/nothing", `{}`)
		expectGolden("404-unknown-route", a)
	})
})

var _ = Describe("POST /v1/request/{requestId}/score", func() {
	It("answers 201 with the null envelope and stores integers at once", func() {
		srv, _ := newServer()
		a := score(srv, keyA, reqA1, `{"scores":{"accuracy":92,"tokens":9007199254740993}}`)
		expectGolden("201-score-write", a)
		Expect(srv.Scores(reqA1)).To(Equal(map[string]int64{"accuracy": 92, "tokens": 9007199254740993}))
	})

	It("stores booleans as 1/0 under <key>-hcone-bool", func() {
		srv, _ := newServer()
		Expect(score(srv, keyA, reqA1, `{"scores":{"is_factual":true,"is_rude":false}}`).Status).To(Equal(201))
		Expect(srv.Scores(reqA1)).To(Equal(map[string]int64{"is_factual-hcone-bool": 1, "is_rude-hcone-bool": 0}))
	})

	It("merges per key: a key sent again overwrites, the others stay", func() {
		srv, _ := newServer()
		score(srv, keyA, reqA2, `{"scores":{"accuracy":70,"style":3}}`)
		Expect(srv.Scores(reqA2)).To(Equal(map[string]int64{"accuracy": 70, "style": 3, "is_factual-hcone-bool": 1}))
	})

	It("accepts an empty score map and changes nothing", func() {
		srv, _ := newServer()
		a := score(srv, keyA, reqA2, `{"scores":{}}`)
		expectGolden("201-score-write", a)
		Expect(srv.Scores(reqA2)).To(Equal(map[string]int64{"accuracy": 80, "is_factual-hcone-bool": 1}))
	})

	It("coerces numeric strings and \"true\"/\"false\" as the server does", func() {
		srv, _ := newServer()
		Expect(score(srv, keyA, reqA1, `{"scores":{"a":"85","b":"true","c":"false","d":1e2}}`).Status).To(Equal(201))
		Expect(srv.Scores(reqA1)).To(Equal(map[string]int64{"a": 85, "b-hcone-bool": 1, "c-hcone-bool": 0, "d": 100}))
	})

	DescribeTable("answers 422 with per-field details",
		func(golden, body string) {
			srv, _ := newServer()
			a := score(srv, keyA, reqA1, body)
			expectGolden(golden, a)
			Expect(srv.Scores(reqA1)).To(BeEmpty())
		},
		Entry("scores missing", "422-score-scores-missing", `{}`),
		Entry("empty body", "422-score-scores-missing", ``),
		Entry("scores not an object", "422-score-scores-not-object", `{"scores":[1,2]}`),
		Entry("an extra top-level field", "422-score-excess-property", `{"scores":{"a":1},"x":1}`),
		Entry("a text value", "422-score-value-text", `{"scores":{"a":"abc"}}`),
		Entry("an array value", "422-score-value-array", `{"scores":{"a":[]}}`),
		Entry("an object value", "422-score-value-object", `{"scores":{"a":{}}}`),
		Entry("a null value", "422-score-value-null", `{"scores":{"a":null}}`),
	)

	DescribeTable("answers the generic 500 and stores nothing",
		func(golden, body string) {
			srv, _ := newServer()
			a := score(srv, keyA, reqA1, body)
			expectGolden(golden, a)
			Expect(srv.Scores(reqA1)).To(BeEmpty())
		},
		Entry("a non-integer number", "500-internal", `{"scores":{"accuracy":95.5,"other":1}}`),
		Entry("a non-integer numeric string", "500-internal", `{"scores":{"accuracy":"95.5"}}`),
		Entry("an integer beyond int64", "500-internal", `{"scores":{"accuracy":1e30}}`),
		Entry("malformed JSON", "500-internal", `{"scores":`),
	)

	DescribeTable("answers 201 and then drops the write, recording why",
		func(key, id string, reason heliconetest.DropReason) {
			srv, _ := newServer()
			a := score(srv, key, id, `{"scores":{"accuracy":1,"ok":true}}`)
			expectGolden("201-score-write", a)
			Expect(srv.Dropped()).To(ConsistOf(MatchFields(IgnoreExtras, Fields{
				"RequestID": Equal(id), "Reason": Equal(reason),
				"Scores": Equal(map[string]int64{"accuracy": 1, "ok-hcone-bool": 1}), "At": Equal(epoch),
			})))
			Expect(srv.AllScores()).NotTo(HaveKey(id))
		},
		Entry("an unknown request id", keyA, "c0c0c0c0-0000-4000-8000-000000000000", heliconetest.DropUnknownRequest),
		Entry("an id that is not a UUID", keyA, "not-a-uuid", heliconetest.DropNotUUID),
		Entry("another organization's request", keyB, reqA1, heliconetest.DropOtherOrganization),
		Entry("a request older than 30 days", keyA, reqAOld, heliconetest.DropTooOld),
	)

	It("records the organization of the key with a drop", func() {
		srv, _ := newServer()
		score(srv, keyB, reqA1, `{"scores":{"a":1}}`)
		Expect(srv.Dropped()[0].OrgID).To(Equal(orgB))
		Expect(srv.Scores(reqA1)).To(BeEmpty())
	})

	It("drops a write once its request ages past 30 days", func() {
		srv, clock := newServer()
		clock.Advance(30*24*time.Hour - 2*time.Hour)
		score(srv, keyA, reqA1, `{"scores":{"a":1}}`)
		Expect(srv.Scores(reqA1)).To(Equal(map[string]int64{"a": 1}))
		clock.Advance(2 * time.Hour)
		score(srv, keyA, reqA1, `{"scores":{"a":2}}`)
		Expect(srv.Scores(reqA1)).To(Equal(map[string]int64{"a": 1}))
		Expect(srv.Dropped()).To(HaveLen(1))
	})

	It("with a write delay, answers 201 first and stores afterwards", func() {
		srv, _ := newServer(heliconetest.WithWriteDelay(50 * time.Millisecond))
		Expect(score(srv, keyA, reqA1, `{"scores":{"a":1}}`).Status).To(Equal(201))
		Expect(srv.Scores(reqA1)).To(BeEmpty())
		srv.WaitWrites()
		Expect(srv.Scores(reqA1)).To(Equal(map[string]int64{"a": 1}))
	})

	It("answers 413 with a clear body when the body is over the limit", func() {
		srv, _ := newServer(heliconetest.WithMaxBodyBytes(64))
		a := score(srv, keyA, reqA1, `{"scores":{"`+strings.Repeat("k", 100)+`":1}}`)
		expectGolden("413-body-too-large", a)
		Expect(srv.Scores(reqA1)).To(BeEmpty())
	})

	It("answers 413 for an over-long chunked body too", func() {
		srv, _ := newServer(heliconetest.WithMaxBodyBytes(64))
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/v1/request/"+reqA1+"/score", strings.NewReader(`{"scores":{"`+strings.Repeat("k", 100)+`":1}}`))
		Expect(err).NotTo(HaveOccurred())
		req.ContentLength = -1
		req.Header.Set("Authorization", keyA)
		resp, err := httpClient.Do(req)
		Expect(err).NotTo(HaveOccurred())
		resp.Body.Close()
		Expect(resp.StatusCode).To(Equal(http.StatusRequestEntityTooLarge))
	})
})
