package heliconetest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/helicone/heliconetest"
)

func queryExperiments(srv *heliconetest.Server, key, body string) answer {
	return post(srv, key, "/v1/experiment/query", body)
}

// experimentIDs returns the ids of an experiment query's answer, in order.
func experimentIDs(a answer) []string {
	ExpectWithOffset(1, a.Status).To(Equal(200), "body: %s", a.Body)
	var env struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	ExpectWithOffset(1, json.Unmarshal(a.Body, &env)).To(Succeed())
	ids := []string{}
	for _, e := range env.Data {
		ids = append(ids, e.ID)
	}
	return ids
}

func leaf(col, op, val string) string {
	return fmt.Sprintf(`{"experiment":{%q:{%q:%q}}}`, col, op, val)
}

var _ = Describe("POST /v1/experiment/query", func() {
	It("answers every experiment of the organization, newest first, with \"all\" and {}", func() {
		srv, _ := newServer(legacy)
		Expect(experimentIDs(queryExperiments(srv, keyA, `{"filter":"all"}`))).To(Equal([]string{expEmpty, expAlpha}))
		Expect(experimentIDs(queryExperiments(srv, keyA, `{"filter":{}}`))).To(Equal([]string{expEmpty, expAlpha}))
	})

	It("keeps organizations apart", func() {
		srv, _ := newServer(legacy)
		Expect(experimentIDs(queryExperiments(srv, keyB, `{"filter":"all"}`))).To(Equal([]string{expBeta}))
		Expect(experimentIDs(queryExperiments(srv, keyB, `{"filter":`+leaf("id", "equals", expAlpha)+`}`))).To(BeEmpty())
	})

	It("answers the documented shape without include flags", func() {
		srv, _ := newServer(legacy)
		expectGolden("200-experiments-no-include", queryExperiments(srv, keyA, `{"filter":`+leaf("id", "equals", expAlpha)+`}`))
	})

	It("answers the documented shape with every include flag", func() {
		srv, _ := newServer(legacy)
		expectGolden("200-experiments-include-all", queryExperiments(srv, keyA,
			`{"filter":"all","include":{"inputs":true,"promptVersion":true,"responseBodies":true,"score":true}}`))
	})

	DescribeTable("filters on id and prompt_v2 with the six text operators",
		func(col, op, val string, want []string) {
			srv, _ := newServer(legacy)
			Expect(experimentIDs(queryExperiments(srv, keyA, `{"filter":`+leaf(col, op, val)+`}`))).To(Equal(want))
		},
		Entry("id equals", "id", "equals", expAlpha, []string{expAlpha}),
		Entry("id not-equals", "id", "not-equals", expAlpha, []string{expEmpty}),
		Entry("id like", "id", "like", "%a1", []string{expAlpha}),
		Entry("id ilike", "id", "ilike", "E0000000-%-0000000000A2", []string{expEmpty}),
		Entry("id contains", "id", "contains", "0000A", []string{expEmpty, expAlpha}),
		Entry("id not-contains", "id", "not-contains", "a2", []string{expAlpha}),
		Entry("prompt_v2 equals", "prompt_v2", "equals", "prompt-alpha", []string{expAlpha}),
		Entry("prompt_v2 equals is case-sensitive", "prompt_v2", "equals", "prompt-empty", []string{}),
		Entry("prompt_v2 like is case-sensitive", "prompt_v2", "like", "prompt%", []string{expAlpha}),
		Entry("prompt_v2 like with _", "prompt_v2", "like", "prompt-alph_", []string{expAlpha}),
		Entry("prompt_v2 ilike", "prompt_v2", "ilike", "PROMPT%", []string{expEmpty, expAlpha}),
		Entry("prompt_v2 contains", "prompt_v2", "contains", "EMPTY", []string{expEmpty}),
		Entry("prompt_v2 not-contains", "prompt_v2", "not-contains", "alpha", []string{expEmpty}),
		Entry("prompt_v2 not-equals", "prompt_v2", "not-equals", "prompt-alpha", []string{expEmpty}),
	)

	DescribeTable("combines leaves with and/or branches",
		func(filter string, want []string) {
			srv, _ := newServer(legacy)
			Expect(experimentIDs(queryExperiments(srv, keyA, `{"filter":`+filter+`}`))).To(Equal(want))
		},
		Entry("and", `{"left":`+leaf("prompt_v2", "ilike", "prompt%")+`,"operator":"and","right":`+leaf("id", "equals", expAlpha)+`}`, []string{expAlpha}),
		Entry("or", `{"left":`+leaf("id", "equals", expEmpty)+`,"operator":"or","right":`+leaf("id", "equals", expAlpha)+`}`, []string{expEmpty, expAlpha}),
		Entry("nested", `{"left":"all","operator":"and","right":{"left":`+leaf("id", "equals", "nope")+`,"operator":"or","right":`+leaf("prompt_v2", "equals", "Prompt-Empty")+`}}`, []string{expEmpty}),
	)

	It("uses only the first column and the first operator of a leaf", func() {
		srv, _ := newServer(legacy)
		f := fmt.Sprintf(`{"experiment":{"id":{"equals":%q,"not-equals":%q},"prompt_v2":{"equals":"nothing"}}}`, expAlpha, expAlpha)
		Expect(experimentIDs(queryExperiments(srv, keyA, `{"filter":`+f+`}`))).To(Equal([]string{expAlpha}))
	})

	DescribeTable("answers 422 for a body that fails validation",
		func(golden, body string) {
			srv, _ := newServer(legacy)
			expectGolden(golden, queryExperiments(srv, keyA, body))
		},
		Entry("filter missing", "422-experiments-filter-missing", `{}`),
		Entry("an unknown top-level key", "422-experiments-excess-property", `{"filter":"all","limit":5}`),
		Entry("an unknown column", "422-experiments-unknown-column", `{"filter":{"experiment":{"name":{"equals":"x"}}}}`),
		Entry("an unknown table", "422-experiments-unknown-table", `{"filter":{"request":{"id":{"equals":"x"}}}}`),
		Entry("an unknown operator", "422-experiments-unknown-operator", `{"filter":{"experiment":{"id":{"gte":"x"}}}}`),
		Entry("a filter string other than all", "422-experiments-filter-string", `{"filter":"everything"}`),
		Entry("a bad branch operator", "422-experiments-branch-operator", `{"filter":{"left":"all","operator":"xor","right":"all"}}`),
		Entry("an include flag set to false", "422-experiments-include-false", `{"filter":"all","include":{"inputs":false}}`),
		Entry("an unknown include flag", "422-experiments-include-unknown", `{"filter":"all","include":{"everything":true}}`),
	)

	It("answers the generic 500 for malformed JSON", func() {
		srv, _ := newServer(legacy)
		expectGolden("500-internal", queryExperiments(srv, keyA, `{"filter":`))
	})

	Describe("include flags", func() {
		type shape struct {
			Data []map[string]json.RawMessage `json:"data"`
		}
		decode := func(a answer) map[string]json.RawMessage {
			var s shape
			ExpectWithOffset(1, json.Unmarshal(a.Body, &s)).To(Succeed())
			ExpectWithOffset(1, s.Data).To(HaveLen(1))
			return s.Data[0]
		}
		firstRow := func(e map[string]json.RawMessage) map[string]json.RawMessage {
			var ds struct {
				Rows []map[string]json.RawMessage `json:"rows"`
			}
			Expect(json.Unmarshal(e["dataset"], &ds)).To(Succeed())
			return ds.Rows[0]
		}
		query := func(srv *heliconetest.Server, include string) map[string]json.RawMessage {
			return decode(queryExperiments(srv, keyA, `{"filter":`+leaf("id", "equals", expAlpha)+`,"include":`+include+`}`))
		}

		It("sends inputRecord only with inputs, and its request/response only with responseBodies", func() {
			srv, _ := newServer(legacy)
			Expect(firstRow(query(srv, `{}`))).NotTo(HaveKey("inputRecord"))
			Expect(firstRow(query(srv, `{"responseBodies":true}`))).NotTo(HaveKey("inputRecord"))
			var rec map[string]json.RawMessage
			Expect(json.Unmarshal(firstRow(query(srv, `{"inputs":true}`))["inputRecord"], &rec)).To(Succeed())
			Expect(rec).To(HaveKey("inputs"))
			Expect(rec).NotTo(HaveKey("request"))
			Expect(rec).NotTo(HaveKey("response"))
			Expect(json.Unmarshal(firstRow(query(srv, `{"inputs":true,"responseBodies":true}`))["inputRecord"], &rec)).To(Succeed())
			Expect(rec).To(HaveKey("request"))
			Expect(rec).To(HaveKey("response"))
		})

		It("sends prompt versions only with promptVersion", func() {
			srv, _ := newServer(legacy)
			Expect(string(query(srv, `{}`)["hypotheses"])).NotTo(ContainSubstring("promptVersion\""))
			Expect(string(query(srv, `{"promptVersion":true}`)["hypotheses"])).To(And(ContainSubstring(`"promptVersion":{`), ContainSubstring(`"parentPromptVersion":{`)))
		})

		It("sends top-level scores only with responseBodies, and never tableId or runsCount", func() {
			srv, _ := newServer(legacy)
			Expect(query(srv, `{"score":true}`)).NotTo(HaveKey("scores"))
			e := query(srv, `{"responseBodies":true,"score":true,"inputs":true,"promptVersion":true}`)
			Expect(e).To(HaveKey("scores"))
			Expect(e).NotTo(HaveKey("tableId"))
			Expect(string(e["scores"])).NotTo(ContainSubstring("runsCount"))
		})

		It("changes nothing with score", func() {
			srv, _ := newServer(legacy)
			Expect(query(srv, `{"score":true}`)).To(Equal(query(srv, `{}`)))
		})
	})

	It("sends runs and scores as null when empty, and an empty dataset as one all-null row", func() {
		srv, _ := newServer(legacy)
		expectGolden("200-experiments-empty-dataset", queryExperiments(srv, keyA, `{"filter":`+leaf("id", "equals", expEmpty)+`}`))
	})

	It("shows scores written since on rows and runs", func() {
		srv, _ := newServer(legacy)
		score(srv, keyA, runA11, `{"scores":{"quality":7,"cites":true}}`)
		a := queryExperiments(srv, keyA, `{"filter":`+leaf("id", "equals", expAlpha)+`}`)
		Expect(string(a.Body)).To(ContainSubstring(`"scores":{"cites-hcone-bool":{"value":1,"valueType":"boolean"},"quality":{"value":7,"valueType":"number"}},"resultRequestId":"` + runA11 + `"`))
	})

	It("answers at most 30 experiments, the newest", func() {
		clock := newClock()
		var exps []heliconetest.SeedExperiment
		for i := range 35 {
			exps = append(exps, heliconetest.SeedExperiment{ID: fmt.Sprintf("e0000000-0000-4000-8000-%012d", i), CreatedAgo: heliconetest.Duration(time.Duration(i) * time.Minute)})
		}
		srv := heliconetest.NewServer(legacy, heliconetest.WithClock(clock.Now), heliconetest.WithSeed(heliconetest.Seed{Organizations: []heliconetest.SeedOrganization{{ID: "org-c", Keys: []string{"sk-helicone-c"}, Experiments: exps}}}))
		DeferCleanup(srv.Close)
		ids := experimentIDs(queryExperiments(srv, "sk-helicone-c", `{"filter":"all"}`))
		Expect(ids).To(HaveLen(heliconetest.MaxExperiments))
		Expect(ids[0]).To(Equal(exps[0].ID))
		Expect(ids[29]).To(Equal(exps[29].ID))
	})

	It("answers the literal 500 Not implemented for every valid body in the current profile", func() {
		srv, _ := newServer()
		expectGolden("500-experiments-not-implemented", queryExperiments(srv, keyA, `{"filter":"all"}`))
		expectGolden("500-experiments-not-implemented", queryExperiments(srv, keyA, `{"filter":`+leaf("id", "equals", expAlpha)+`,"include":{"inputs":true}}`))
		expectGolden("401-unknown-key", queryExperiments(srv, "sk-helicone-x", `{"filter":"all"}`))
	})

	It("validates the body first in the current profile too: 422 before the 500", func() {
		srv, _ := newServer()
		expectGolden("422-experiments-filter-missing", queryExperiments(srv, keyA, `{}`))
		expectGolden("422-experiments-include-false", queryExperiments(srv, keyA, `{"filter":"all","include":{"inputs":false}}`))
	})

	It("keeps WithExperimentsDeprecated as the current profile", func() {
		srv, _ := newServer(legacy, heliconetest.WithExperimentsDeprecated())
		Expect(srv.Profile()).To(Equal(heliconetest.Current))
		expectGolden("500-experiments-not-implemented", queryExperiments(srv, keyA, `{"filter":"all"}`))
	})
})

var _ = Describe("the experiment answer's response bodies", func() {
	It("carries each body as encoding/json writes it inside a value: compacted, HTML characters and line separators escaped", func() {
		const (
			key   = "sk-helicone-bodies00-aaaaaaa-bbbbbbb-ccccccc"
			rowID = "d0000000-0000-4000-8000-000000000001"
			reqA  = "a0000000-0000-4000-8000-000000000001"
			reqB  = "b0000000-0000-4000-8000-000000000001"
		)
		bodyA := `{ "choices" : [ {"message": {"content": "a <b> & c` + "\u2028" + `d é"}} ] ,"n": 1.50 }`
		bodyB := `{"choices":[{"message":{"content":"plain"}}]}`
		seed := heliconetest.Seed{Organizations: []heliconetest.SeedOrganization{{
			ID: "0f000000-0000-4000-8000-000000000001", Keys: []string{key},
			Requests: []heliconetest.SeedRequest{
				{ID: reqA, Model: "m", ResponseBody: json.RawMessage(bodyA)},
				{ID: reqB, Model: "m", ResponseBody: json.RawMessage(bodyB)},
			},
			Experiments: []heliconetest.SeedExperiment{{
				ID:      "e0000000-0000-4000-8000-000000000001",
				Dataset: heliconetest.SeedDataset{ID: "da000000-0000-4000-8000-000000000001", Name: "d", Rows: []heliconetest.SeedRow{{RowID: rowID, RequestID: reqA}}},
				Hypotheses: []heliconetest.SeedHypothesis{{ID: "f0000000-0000-4000-8000-000000000001", Model: "m",
					Runs: []heliconetest.SeedRun{{DatasetRowID: rowID, RequestID: reqB}, {DatasetRowID: rowID, RequestID: reqA}}}},
			}},
		}}}
		srv := heliconetest.NewServer(heliconetest.WithProfile(heliconetest.Legacy), heliconetest.WithSeed(seed))
		DeferCleanup(srv.Close)
		for range 2 { // the second answer writes the bodies encoded for the first
			a := queryExperiments(srv, key, `{"filter":"all","include":{"inputs":true,"responseBodies":true}}`)
			Expect(a.Status).To(Equal(200), "%s", a.Body)
			Expect(json.Valid(a.Body)).To(BeTrue())
			wantA, err := json.Marshal(json.RawMessage(bodyA))
			Expect(err).NotTo(HaveOccurred())
			Expect(string(wantA)).To(ContainSubstring(`\u003cb\u003e \u0026 c\u2028d`))
			Expect(bytes.Count(a.Body, wantA)).To(Equal(2), "the row's and the second run's body: %s", a.Body)
			Expect(bytes.Count(a.Body, []byte(bodyB))).To(Equal(1))
			Expect(string(a.Body)).NotTo(ContainSubstring("heval-emulator"))
			var env struct {
				Data []struct {
					Dataset struct {
						Rows []struct {
							InputRecord struct {
								Response struct {
									Body json.RawMessage `json:"body"`
								} `json:"response"`
							} `json:"inputRecord"`
						} `json:"rows"`
					} `json:"dataset"`
					Hypotheses []struct {
						Runs []struct {
							Response struct {
								Body  json.RawMessage `json:"body"`
								Model string          `json:"model"`
							} `json:"response"`
						} `json:"runs"`
					} `json:"hypotheses"`
				} `json:"data"`
			}
			Expect(json.Unmarshal(a.Body, &env)).To(Succeed())
			runs := env.Data[0].Hypotheses[0].Runs
			Expect(runs).To(HaveLen(2))
			Expect(runs[0].Response.Model).To(Equal("m"), "the members after the body are kept")
			for _, got := range []json.RawMessage{env.Data[0].Dataset.Rows[0].InputRecord.Response.Body, runs[1].Response.Body} {
				var x, y any
				Expect(json.Unmarshal(got, &x)).To(Succeed())
				Expect(json.Unmarshal([]byte(bodyA), &y)).To(Succeed())
				Expect(x).To(Equal(y))
			}
		}
	})
})
