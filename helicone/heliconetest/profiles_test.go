package heliconetest_test

import (
	"encoding/json"
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/helicone/heliconetest"
)

var _ = Describe("server profiles", func() {
	It("plays the current profile by default and says so", func() {
		srv := heliconetest.NewServer()
		DeferCleanup(srv.Close)
		Expect(heliconetest.DefaultProfile).To(Equal(heliconetest.Current))
		Expect(srv.Profile()).To(Equal(heliconetest.Current))
		Expect(srv.Handler.Profile()).To(Equal(heliconetest.Current))
	})

	It("refuses an unknown profile", func() {
		_, err := heliconetest.NewHandler(heliconetest.WithProfile("hosted"))
		Expect(err).To(MatchError(ContainSubstring(`unknown profile "hosted"`)))
		p, err := heliconetest.ParseProfile(" Legacy ")
		Expect(err).NotTo(HaveOccurred())
		Expect(p).To(Equal(heliconetest.Legacy))
	})

	DescribeTable("names the profile in a header on every answer",
		func(p heliconetest.Profile) {
			srv, _ := newServer(heliconetest.WithProfile(p))
			srv.Inject(heliconetest.RouteQueryIDs, heliconetest.Fail(503))
			answers := []answer{
				score(srv, keyA, reqA1, `{"scores":{"a":1}}`),
				score(srv, "", reqA1, `{"scores":{"a":1}}`),
				post(srv, keyA, "/v1/nothing", `{}`),
				sendBody(http.MethodPost, srv.URL+"/v1/request/query-clickhouse", "", "application/json", `{`),
				post(srv, keyA, "/v1/request/query-ids", `{"requestIds":[]}`),
				get(srv, keyA, "/v2/experiment/x/"+reqA1+"/a"),
			}
			for i, a := range answers {
				Expect(a.Header.Get(heliconetest.ProfileHeader)).To(Equal(string(p)), "answer %d (%d)", i, a.Status)
			}
		},
		Entry("current", heliconetest.Current), Entry("legacy", heliconetest.Legacy))

	// The page's profiles table, row by row.
	Describe("POST /v1/experiment/query", func() {
		It("legacy: 200 with experiments, dataset rows and hypothesis runs", func() {
			srv, _ := newServer(legacy)
			a := queryExperiments(srv, keyA, `{"filter":"all"}`)
			Expect(a.Status).To(Equal(200))
			Expect(experimentIDs(a)).To(Equal([]string{expEmpty, expAlpha}))
		})
		It("current: 422 for an invalid body, else 500 Not implemented", func() {
			srv, _ := newServer()
			Expect(queryExperiments(srv, keyA, `{"filter":"none"}`).Status).To(Equal(422))
			expectGolden("500-experiments-not-implemented", queryExperiments(srv, keyA, `{"filter":"all"}`))
		})
	})

	Describe("GET /v2/experiment/{e}/{r}/{key}", func() {
		It("legacy: reads a written score back", func() {
			srv, _ := newServer(legacy)
			score(srv, keyA, reqA1, `{"scores":{"accuracy":92}}`)
			expectGolden("200-score-written", get(srv, keyA, "/v2/experiment/"+expAlpha+"/"+reqA1+"/accuracy"))
		})
		It("current: always 200 {\"data\":null,\"error\":null}", func() {
			srv, _ := newServer()
			score(srv, keyA, reqA1, `{"scores":{"accuracy":92}}`)
			Expect(srv.Scores(reqA1)).To(HaveKeyWithValue("accuracy", int64(92)))
			expectGolden("200-score-missing", get(srv, keyA, "/v2/experiment/"+expAlpha+"/"+reqA1+"/accuracy"))
			expectGolden("200-score-missing", get(srv, keyA, "/v2/experiment/"+expAlpha+"/"+reqA2+"/accuracy"))
		})
	})

	Describe("dataset rows", func() {
		It("legacy: dataset.rows[] of an experiment", func() {
			srv, _ := newServer(legacy)
			a := queryExperiments(srv, keyA, `{"filter":`+leaf("id", "equals", expAlpha)+`}`)
			Expect(string(a.Body)).To(ContainSubstring(`"rowId":"row-1"`))
			Expect(post(srv, keyA, "/v1/helicone-dataset/query", `{}`).Status).To(Equal(http.StatusNotFound))
		})
		It("current: Helicone Datasets", func() {
			srv, _ := newServer()
			Expect(listIDs(dsList(srv, keyA, `{}`))).To(Equal([]string{dsAlpha}))
			Expect(dsRows(srv, keyA, dsAlpha, `{"offset":0,"limit":10}`)).To(HaveLen(2))
		})
	})

	Describe("hypothesis runs", func() {
		It("legacy: hypotheses[].runs[]", func() {
			srv, _ := newServer(legacy)
			a := queryExperiments(srv, keyA, `{"filter":`+leaf("id", "equals", expAlpha)+`}`)
			Expect(string(a.Body)).To(ContainSubstring(`"resultRequestId":"` + runA11 + `","datasetRowId":"row-1"`))
		})
		It("current: logged requests tagged with custom properties, header-set keys in lower case", func() {
			seed := heliconetest.Seed{Organizations: []heliconetest.SeedOrganization{{
				ID: "org-h", Keys: []string{"sk-helicone-h"},
				Requests: []heliconetest.SeedRequest{
					{ID: "a0000000-0000-4000-8000-000000000001", CreatedAgo: hours(2), Model: "m", Headers: map[string]string{"Helicone-Property-Heval-Hypothesis": "candidate", "Helicone-Property-Heval-Row": dsRow1}},
					{ID: "a0000000-0000-4000-8000-000000000002", CreatedAgo: hours(1), Model: "m", Headers: map[string]string{"Helicone-Property-Heval-Hypothesis": "baseline", "Helicone-Property-Heval-Row": dsRow1, "Helicone-User-Id": "u-1"}},
				},
			}}}
			srv := heliconetest.NewServer(heliconetest.WithSeed(seed))
			DeferCleanup(srv.Close)
			rows := rowsOf(post(srv, "sk-helicone-h", "/v1/request/query-clickhouse", `{"filter":`+and(named("properties", "heval-hypothesis", "equals", "candidate"), rmt("request_created_at", "gte", "2000-01-01T00:00:00Z"))+`,"sort":{"created_at":"asc"},"limit":1000}`))
			Expect(rows).To(HaveLen(1))
			Expect(rows[0]["properties"]).To(Equal(map[string]any{"heval-hypothesis": "candidate", "heval-row": dsRow1}))
			Expect(srv.Properties("a0000000-0000-4000-8000-000000000002")).To(HaveKeyWithValue("heval-hypothesis", "baseline"))
			Expect(requestIDs(post(srv, "sk-helicone-h", "/v1/request/query-clickhouse", `{"filter":`+rmt("user_id", "equals", "u-1")+`}`))).To(Equal([]string{"a0000000-0000-4000-8000-000000000002"}))
			Expect(requestIDs(post(srv, "sk-helicone-h", "/v1/request/query-clickhouse", `{"filter":`+named("properties", "Heval-Hypothesis", "equals", "candidate")+`}`))).To(BeEmpty())
		})
		It("keeps the properties of a run through score writes", func() {
			seed := heliconetest.Seed{Organizations: []heliconetest.SeedOrganization{{
				ID: "org-h", Keys: []string{"sk-helicone-h"},
				Requests: []heliconetest.SeedRequest{{ID: "a0000000-0000-4000-8000-000000000001", CreatedAgo: hours(2), Model: "m", Headers: map[string]string{"Helicone-Property-Heval-Row": dsRow1}}},
			}}}
			srv := heliconetest.NewServer(heliconetest.WithSeed(seed), heliconetest.WithWriteDelay(0))
			DeferCleanup(srv.Close)
			Expect(post(srv, "sk-helicone-h", "/v1/request/a0000000-0000-4000-8000-000000000001/score", `{"scores":{"x":1}}`).Status).To(Equal(201))
			rows := rowsOf(post(srv, "sk-helicone-h", "/v1/request/query-clickhouse", `{"filter":`+named("properties", "heval-row", "equals", dsRow1)+`}`))
			Expect(rows[0]["scores"]).To(Equal(map[string]any{"x": "1"}))
		})
	})

	Describe("scores live in", func() {
		It("legacy: ClickHouse, plus Postgres score_value read by both experiment routes", func() {
			srv, _ := newServer(legacy)
			score(srv, keyA, runA11, `{"scores":{"quality":7}}`)
			Expect(srv.Scores(runA11)).To(Equal(map[string]int64{"quality": 7}))
			Expect(srv.PostgresScores(runA11)).To(Equal(map[string]int64{"quality": 7}))
			Expect(rowsOf(queryRequests(srv, keyA, `{"filter":`+rmt("request_id", "equals", runA11)+`}`))[0]["scores"]).To(Equal(map[string]any{"quality": "7"}))
		})
		It("current: ClickHouse request_response_rmt.scores only", func() {
			srv, _ := newServer()
			score(srv, keyA, runA11, `{"scores":{"quality":7}}`)
			Expect(srv.PostgresScores(runA11)).To(BeNil())
			var env struct {
				Data []map[string]json.RawMessage `json:"data"`
			}
			Expect(json.Unmarshal(queryRequests(srv, keyA, `{"filter":`+rmt("request_id", "equals", runA11)+`}`).Body, &env)).To(Succeed())
			Expect(string(env.Data[0]["scores"])).To(Equal(`{"quality":"7"}`))
		})
	})
})
