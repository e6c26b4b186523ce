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
	heliconetest.RouteFeedback:        {http.MethodPost, "/v1/request/" + reqA1 + "/feedback", `{"rating":true}`},
	heliconetest.RouteGetRequest:      {http.MethodGet, "/v1/request/" + reqA1, ""},
	heliconetest.RouteQueryIDs:        {http.MethodPost, "/v1/request/query-ids", `{"requestIds":["` + reqA1 + `"]}`},
	heliconetest.RouteSetProperty:     {http.MethodPut, "/v1/request/" + reqA1 + "/property", `{"key":"k","value":"v"}`},
	heliconetest.RouteEvals:           {http.MethodPost, "/v1/evals/" + reqA1, `{}`},
	heliconetest.RouteQueryExperiment: {http.MethodPost, "/v1/experiment/query", `{"filter":"all"}`},
	heliconetest.RouteExperimentScore: {http.MethodGet, "/v2/experiment/" + expAlpha + "/" + reqA2 + "/accuracy", ""},
	heliconetest.RouteQueryClickhouse: {http.MethodPost, "/v1/request/query-clickhouse", `{"filter":"all"}`},
	heliconetest.RouteQueryRequests:   {http.MethodPost, "/v1/request/query", `{"filter":"all"}`},
	heliconetest.RouteDatasetCreate:   {http.MethodPost, "/v1/helicone-dataset", `{"datasetName":"x","requestIds":[]}`},
	heliconetest.RouteDatasetMutate:   {http.MethodPost, "/v1/helicone-dataset/" + dsAlpha + "/mutate", `{"addRequests":[],"removeRequests":[]}`},
	heliconetest.RouteDatasetRows:     {http.MethodPost, "/v1/helicone-dataset/" + dsAlpha + "/query", `{"offset":0,"limit":10}`},
	heliconetest.RouteDatasetCount:    {http.MethodPost, "/v1/helicone-dataset/" + dsAlpha + "/count", ""},
	heliconetest.RouteDatasetList:     {http.MethodPost, "/v1/helicone-dataset/query", `{}`},
	heliconetest.RouteDatasetEditRow:  {http.MethodPost, "/v1/helicone-dataset/" + dsAlpha + "/request/" + dsRow1, `{"requestBody":{},"responseBody":{}}`},
	heliconetest.RouteDatasetDelete:   {http.MethodPost, "/v1/helicone-dataset/" + dsAlpha + "/delete", ""},
}

func routeEntries() []TableEntry {
	var out []TableEntry
	for _, rt := range append(append([]heliconetest.Route{}, heliconetest.Routes...), heliconetest.DatasetRoutes...) {
		out = append(out, Entry(string(rt), rt))
	}
	return out
}

var _ = Describe("authentication", func() {
	It("has a test call for every route", func() {
		Expect(everyRoute).To(HaveLen(len(heliconetest.Routes) + len(heliconetest.DatasetRoutes)))
	})

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

	DescribeTable("reads Authorization first and strips a case-sensitive \"Bearer \" once",
		func(header string, status int, golden string) {
			srv, _ := newServer()
			a := send(http.MethodPost, srv.URL+"/v1/request/"+reqA1+"/score", "", `{"scores":{"x":1}}`, "Authorization", header)
			Expect(a.Status).To(Equal(status), "body: %s", a.Body)
			if golden != "" {
				expectGolden(golden, a)
			}
		},
		Entry("Bearer KEY", "Bearer "+keyA, 201, "201-score-write"),
		Entry("a bare KEY", keyA, 201, "201-score-write"),
		Entry("bearer KEY", "bearer "+keyA, 401, "401-unknown-key"),
		Entry("BEARER KEY", "BEARER "+keyA, 401, "401-unknown-key"),
		Entry("Bearer  KEY (two spaces)", "Bearer  "+keyA, 401, "401-unknown-key"),
		Entry("Bearer Bearer KEY (stripped once)", "Bearer Bearer "+keyA, 401, "401-unknown-key"),
	)

	DescribeTable("without Authorization, reads helicone-authorization as JSON",
		func(name, value string, status int, golden string) {
			srv, _ := newServer()
			a := send(http.MethodPost, srv.URL+"/v1/request/"+reqA1+"/score", "", `{"scores":{"x":1}}`, name, value)
			Expect(a.Status).To(Equal(status), "body: %s", a.Body)
			expectGolden(golden, a)
		},
		Entry("bearer", "helicone-authorization", `{"_type":"bearer","token":"`+keyA+`"}`, 201, "201-score-write"),
		Entry("bearer with the prefix", "helicone-authorization", `{"_type":"bearer","token":"Bearer `+keyA+`"}`, 201, "201-score-write"),
		Entry("bearerProxy", "helicone-authorization", `{"_type":"bearerProxy","token":"`+keyA+`"}`, 201, "201-score-write"),
		Entry("an unknown token", "helicone-authorization", `{"_type":"bearer","token":"sk-helicone-nope"}`, 401, "401-unknown-key"),
		Entry("not JSON", "helicone-authorization", "Bearer "+keyA, 401, "401-invalid-auth-header"),
		Entry("an unknown _type", "helicone-authorization", `{"_type":"basic","token":"`+keyA+`"}`, 401, "401-invalid-auth-header-format"),
		Entry("no token", "helicone-authorization", `{"_type":"bearer"}`, 401, "401-invalid-auth-header-format"),
		Entry("jwt without orgId", "helicone-authorization", `{"_type":"jwt","token":"eyJ"}`, 401, "401-invalid-auth-header-format"),
		Entry("jwt (the emulator has no users)", "helicone-authorization", `{"_type":"jwt","token":"eyJ","orgId":"`+orgA+`"}`, 401, "401-unknown-key"),
		Entry("Helicone-Auth, the proxy's header, is never read", "Helicone-Auth", "Bearer "+keyA, 401, "401-no-authorization-header"),
	)

	DescribeTable("checks the key's permissions: w for POST and PUT, r for GET",
		func(key, method, path, body string, status int) {
			srv, _ := newServer(legacy)
			a := send(method, srv.URL+path, key, body)
			Expect(a.Status).To(Equal(status), "body: %s", a.Body)
			if status == http.StatusUnauthorized {
				expectGolden("401-key-lacks-permission", a)
			}
		},
		Entry("a read-only key on a score write", keyAR, http.MethodPost, "/v1/request/"+reqA1+"/score", `{"scores":{"a":1}}`, 401),
		Entry("a read-only key on query-clickhouse", keyAR, http.MethodPost, "/v1/request/query-clickhouse", `{"filter":"all"}`, 401),
		Entry("a read-only key on the experiment query", keyAR, http.MethodPost, "/v1/experiment/query", `{"filter":"all"}`, 401),
		Entry("a read-only key on a property", keyAR, http.MethodPut, "/v1/request/"+reqA1+"/property", `{"key":"k","value":"v"}`, 401),
		Entry("a read-only key on the v2 score route", keyAR, http.MethodGet, "/v2/experiment/x/"+reqA2+"/accuracy", "", 200),
		Entry("a write-only key on the v2 score route", keyAW, http.MethodGet, "/v2/experiment/x/"+reqA2+"/accuracy", "", 401),
		Entry("a write-only key on a score write", keyAW, http.MethodPost, "/v1/request/"+reqA1+"/score", `{"scores":{"a":1}}`, 201),
		Entry("a write-only key on query-clickhouse", keyAW, http.MethodPost, "/v1/request/query-clickhouse", `{"filter":"all"}`, 201),
	)

	It("fails a read-only key on every dataset route, all POSTs", func() {
		srv, _ := newServer()
		for _, rt := range heliconetest.DatasetRoutes {
			c := everyRoute[rt]
			expectGolden("401-key-lacks-permission", send(c.method, srv.URL+c.path, keyAR, c.body))
		}
	})

	It("has a default organization with a key even without a seed", func() {
		srv := heliconetest.NewServer(legacy)
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

	It("answers an unknown path 401 without a key and Express's 404 page with one", func() {
		srv, _ := newServer()
		expectGolden("401-no-authorization-header", post(srv, "", "/v1/nothing", `{}`))
		expectGolden("401-unknown-key", post(srv, "sk-helicone-x", "/v1/nothing", `{}`))
		a := post(srv, keyA, "/v1/nothing", `{}`)
		expectGolden("404-unknown-route", a)
		Expect(a.Header.Get("Content-Type")).To(HavePrefix("text/html"))
		expectGolden("404-unknown-route-get", get(srv, keyA, "/v3/anything"))
	})
})

var _ = Describe("body parsing, before authentication", func() {
	DescribeTable("answers the generic 500 for a body the parser refuses, even without a key",
		func(key, body string) {
			srv, _ := newServer()
			expectGolden("500-internal", sendBody(http.MethodPost, srv.URL+"/v1/request/"+reqA1+"/score", key, "application/json", body))
			expectGolden("500-internal", sendBody(http.MethodPost, srv.URL+"/v1/nothing", key, "application/json", body))
			Expect(srv.Scores(reqA1)).To(BeEmpty())
		},
		Entry("malformed JSON without a key", "", `{"scores":`),
		Entry("malformed JSON with a key", keyA, `{"scores":`),
		Entry("a top-level number", "", `5`),
		Entry("a top-level string", keyA, `"scores"`),
	)

	It("answers the generic 500, never 413, for a body over 10 MB", func() {
		srv, _ := newServer()
		big := `{"scores":{"a":1},"pad":"` + strings.Repeat("x", heliconetest.DefaultMaxBodyBytes) + `"}`
		expectGolden("500-internal", sendBody(http.MethodPost, srv.URL+"/v1/request/"+reqA1+"/score", "", "application/json", big))
		expectGolden("500-internal", sendBody(http.MethodPost, srv.URL+"/v1/request/"+reqA1+"/score", keyA, "application/json", big))
	})

	It("answers the generic 500 for a body over WithMaxBodyBytes, chunked too", func() {
		srv, _ := newServer(heliconetest.WithMaxBodyBytes(64))
		body := `{"scores":{"` + strings.Repeat("k", 100) + `":1}}`
		expectGolden("500-internal", score(srv, keyA, reqA1, body))
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/v1/request/"+reqA1+"/score", strings.NewReader(body))
		Expect(err).NotTo(HaveOccurred())
		req.ContentLength = -1
		req.Header.Set("Authorization", keyA)
		req.Header.Set("Content-Type", "application/json")
		resp, err := httpClient.Do(req)
		Expect(err).NotTo(HaveOccurred())
		resp.Body.Close()
		Expect(resp.StatusCode).To(Equal(http.StatusInternalServerError))
		Expect(srv.Scores(reqA1)).To(BeEmpty())
	})

	DescribeTable("does not parse JSON sent with another Content-Type: 422 'scores' is required plus an excess property per key",
		func(contentType, golden string) {
			srv, _ := newServer()
			a := sendBody(http.MethodPost, srv.URL+"/v1/request/"+reqA1+"/score", keyA, contentType, `{"scores":{"a":1}}`)
			expectGolden(golden, a)
			Expect(srv.Scores(reqA1)).To(BeEmpty())
		},
		Entry("text/plain: the raw bytes, keyed by offset", "text/plain", "422-score-raw-body"),
		Entry("a form", "application/x-www-form-urlencoded", "422-score-form-body"),
		Entry("no Content-Type: not parsed at all", "", "422-score-scores-missing"),
	)

	It("answers 422 invalid object for a JSON array", func() {
		srv, _ := newServer()
		expectGolden("422-score-array-body", score(srv, keyA, reqA1, `[{"scores":{"a":1}}]`))
	})
})

var _ = Describe("POST /v1/request/{requestId}/score", func() {
	It("answers 201 with the null envelope", func() {
		srv, _ := newServer()
		a := score(srv, keyA, reqA1, `{"scores":{"accuracy":92}}`)
		expectGolden("201-score-write", a)
		Expect(srv.Scores(reqA1)).To(Equal(map[string]int64{"accuracy": 92}))
	})

	// The coercion table of the page, row by row: the value sent under key "k", the status
	// and what is stored.
	DescribeTable("coerces values as the server's number | boolean union does",
		func(value string, status int, stored map[string]int64) {
			srv, _ := newServer()
			a := score(srv, keyA, reqA1, `{"scores":{"k":`+value+`}}`)
			Expect(a.Status).To(Equal(status), "body: %s", a.Body)
			switch status {
			case 201:
				expectGolden("201-score-write", a)
			case 500:
				expectGolden("500-internal", a)
			}
			if stored == nil {
				stored = map[string]int64{}
			}
			Expect(srv.Scores(reqA1)).To(Equal(stored))
		},
		Entry("7", `7`, 201, map[string]int64{"k": 7}),
		Entry("-5", `-5`, 201, map[string]int64{"k": -5}),
		Entry("1.0", `1.0`, 201, map[string]int64{"k": 1}),
		Entry("true", `true`, 201, map[string]int64{"k-hcone-bool": 1}),
		Entry(`"true"`, `"true"`, 201, map[string]int64{"k-hcone-bool": 1}),
		Entry(`"True"`, `"True"`, 201, map[string]int64{"k-hcone-bool": 1}),
		Entry(`"TRUE"`, `"TRUE"`, 201, map[string]int64{"k-hcone-bool": 1}),
		Entry("false", `false`, 201, map[string]int64{"k-hcone-bool": 0}),
		Entry(`"false"`, `"false"`, 201, map[string]int64{"k-hcone-bool": 0}),
		Entry(`"False"`, `"False"`, 201, map[string]int64{"k-hcone-bool": 0}),
		Entry(`"FALSE"`, `"FALSE"`, 201, map[string]int64{"k-hcone-bool": 0}),
		Entry("null", `null`, 201, map[string]int64{"k-hcone-bool": 0}),
		Entry(`"85"`, `"85"`, 201, map[string]int64{"k": 85}),
		Entry(`"1e2"`, `"1e2"`, 201, map[string]int64{"k": 100}),
		Entry("[1]", `[1]`, 201, map[string]int64{"k": 1}),
		Entry(`" 85 "`, `" 85 "`, 422, nil),
		Entry(`"abc"`, `"abc"`, 422, nil),
		Entry(`""`, `""`, 422, nil),
		Entry("[]", `[]`, 422, nil),
		Entry("{}", `{}`, 422, nil),
		Entry("95.5: not rounded", `95.5`, 500, nil),
		Entry(`"95.5"`, `"95.5"`, 500, nil),
		Entry("2^53+1, stored as a double", `9007199254740993`, 201, map[string]int64{"k": 9007199254740992}),
		Entry("1e300: acknowledged, the Int64 insert fails", `1e300`, 201, nil),
		Entry("2^63: acknowledged, the Int64 insert fails", `9223372036854775808`, 201, nil),
		Entry("-2^63 fits", `-9223372036854775808`, 201, map[string]int64{"k": -9223372036854775808}),
	)

	DescribeTable("answers 422 with the union error, nothing appended",
		func(golden, value string) {
			srv, _ := newServer()
			expectGolden(golden, score(srv, keyA, reqA1, `{"scores":{"a":`+value+`}}`))
		},
		Entry("a text value", "422-score-value-text", `"abc"`),
		Entry("padded numeric text", "422-score-value-padded", `" 85 "`),
		Entry("empty text", "422-score-value-empty", `""`),
		Entry("an empty array", "422-score-value-array", `[]`),
		Entry("an object value", "422-score-value-object", `{}`),
	)

	It("records an Int64 overflow as a drop of the whole write", func() {
		srv, _ := newServer()
		Expect(score(srv, keyA, reqA1, `{"scores":{"big":1e300,"ok":1}}`).Status).To(Equal(201))
		Expect(srv.Scores(reqA1)).To(BeEmpty())
		Expect(srv.Dropped()).To(ConsistOf(MatchFields(IgnoreExtras, Fields{"RequestID": Equal(reqA1), "Reason": Equal(heliconetest.DropInt64Overflow)})))
	})

	It("acknowledges an empty key and an empty map and stores nothing for them", func() {
		srv, _ := newServer()
		expectGolden("201-score-write", score(srv, keyA, reqA1, `{"scores":{"":5}}`))
		Expect(srv.Scores(reqA1)).To(BeEmpty())
		expectGolden("201-score-write", score(srv, keyA, reqA2, `{"scores":{}}`))
		Expect(srv.Scores(reqA2)).To(Equal(map[string]int64{"accuracy": 80, "is_factual-hcone-bool": 1}))
		expectGolden("201-score-write", score(srv, keyA, reqA1, `{"scores":{"":5,"kept":1}}`))
		Expect(srv.Scores(reqA1)).To(Equal(map[string]int64{"kept": 1}))
	})

	It("stores booleans as 1/0 under <key>-hcone-bool, so a key sent as a boolean and as a number makes two", func() {
		srv, _ := newServer()
		Expect(score(srv, keyA, reqA1, `{"scores":{"is_factual":true,"is_rude":false}}`).Status).To(Equal(201))
		Expect(srv.Scores(reqA1)).To(Equal(map[string]int64{"is_factual-hcone-bool": 1, "is_rude-hcone-bool": 0}))
		Expect(score(srv, keyA, reqA1, `{"scores":{"is_factual":5}}`).Status).To(Equal(201))
		Expect(srv.Scores(reqA1)).To(Equal(map[string]int64{"is_factual-hcone-bool": 1, "is_rude-hcone-bool": 0, "is_factual": 5}))
	})

	It("merges per key: a key sent again overwrites, the others stay", func() {
		srv, _ := newServer()
		score(srv, keyA, reqA2, `{"scores":{"accuracy":70,"style":3}}`)
		Expect(srv.Scores(reqA2)).To(Equal(map[string]int64{"accuracy": 70, "style": 3, "is_factual-hcone-bool": 1}))
	})

	DescribeTable("answers 422 for a body that is not {\"scores\": {...}}",
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
	)

	DescribeTable("answers the generic 500 for a value that is not an integer, and stores nothing",
		func(body string) {
			srv, _ := newServer()
			expectGolden("500-internal", score(srv, keyA, reqA1, body))
			Expect(srv.Scores(reqA1)).To(BeEmpty())
			Expect(srv.Dropped()).To(BeEmpty())
		},
		Entry("a non-integer number among integers", `{"scores":{"accuracy":95.5,"other":1}}`),
		Entry("a non-integer numeric string", `{"scores":{"accuracy":"95.5"}}`),
		Entry("numeric text that is no number", `{"scores":{"accuracy":"-."}}`),
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
		Entry("the nil UUID, valid but unknown", keyA, "00000000-0000-0000-0000-000000000000", heliconetest.DropUnknownRequest),
		Entry("an id that is not a UUID", keyA, "not-a-uuid", heliconetest.DropNotUUID),
		Entry("the seeds' req_abc123def456", keyA, "req_abc123def456", heliconetest.DropNotUUID),
		Entry("a version-7 UUID, which uuid@9 rejects", keyA, "a1a1a1a1-0000-7000-8000-000000000001", heliconetest.DropNotUUID),
		Entry("a UUID of another variant", keyA, "a1a1a1a1-0000-4000-c000-000000000001", heliconetest.DropNotUUID),
		Entry("another organization's request", keyB, reqA1, heliconetest.DropOtherOrganization),
		Entry("a request older than 30 days", keyA, reqAOld, heliconetest.DropTooOld),
	)

	It("takes an upper-case request id for the request it names", func() {
		srv, _ := newServer()
		Expect(score(srv, keyA, strings.ToUpper(reqA1), `{"scores":{"a":1}}`).Status).To(Equal(201))
		Expect(srv.Scores(reqA1)).To(Equal(map[string]int64{"a": 1}))
	})

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

	It("blanks prompt_id and prompt_version of the re-inserted row and keeps the properties", func() {
		seed := fixture()
		seed.Organizations[0].Requests[0].PromptID = "support-prompt"
		seed.Organizations[0].Requests[0].PromptVersion = "7"
		srv := heliconetest.NewServer(heliconetest.WithSeed(seed), heliconetest.WithWriteDelay(0))
		DeferCleanup(srv.Close)
		before := rowsOf(queryRequests(srv, keyA, `{"filter":`+rmt("request_id", "equals", reqA1)+`}`))
		Expect(before[0]).To(And(HaveKeyWithValue("prompt_id", "support-prompt"), HaveKeyWithValue("prompt_version", "7")))
		score(srv, keyA, reqA1, `{"scores":{"a":1}}`)
		after := rowsOf(queryRequests(srv, keyA, `{"filter":`+rmt("request_id", "equals", reqA1)+`}`))
		Expect(after[0]).To(And(HaveKeyWithValue("prompt_id", ""), HaveKeyWithValue("prompt_version", "")))
		Expect(after[0]["properties"]).To(Equal(map[string]any{"Variant": "A"}))
	})
})
