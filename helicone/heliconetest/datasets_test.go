package heliconetest_test

import (
	"encoding/json"
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/helicone/heliconetest"
)

func dsPost(srv *heliconetest.Server, key, path, body string) answer {
	if body == "" {
		return send(http.MethodPost, srv.URL+"/v1/helicone-dataset"+path, key, "")
	}
	return post(srv, key, "/v1/helicone-dataset"+path, body)
}

// envelope decodes {"data": ..., "error": ...}.
func envelope(a answer) (json.RawMessage, any) {
	var env struct {
		Data  json.RawMessage `json:"data"`
		Error any             `json:"error"`
	}
	ExpectWithOffset(1, json.Unmarshal(a.Body, &env)).To(Succeed(), "body: %s", a.Body)
	return env.Data, env.Error
}

type dsRow struct {
	ID              string `json:"id"`
	OriginRequestID string `json:"origin_request_id"`
	DatasetID       string `json:"dataset_id"`
	CreatedAt       string `json:"created_at"`
	SignedURL       struct {
		Data  *string `json:"data"`
		Error *string `json:"error"`
	} `json:"signed_url"`
}

func dsRows(srv *heliconetest.Server, key, id, body string) []dsRow {
	a := dsPost(srv, key, "/"+id+"/query", body)
	ExpectWithOffset(1, a.Status).To(Equal(200), "body: %s", a.Body)
	data, _ := envelope(a)
	var rows []dsRow
	ExpectWithOffset(1, json.Unmarshal(data, &rows)).To(Succeed())
	return rows
}

func dsCount(srv *heliconetest.Server, key, id string) string {
	a := dsPost(srv, key, "/"+id+"/count", "")
	ExpectWithOffset(1, a.Status).To(Equal(200), "body: %s", a.Body)
	data, _ := envelope(a)
	var n string
	ExpectWithOffset(1, json.Unmarshal(data, &n)).To(Succeed(), "the count is a string: %s", data)
	return n
}

func dsList(srv *heliconetest.Server, key, body string) []map[string]any {
	a := dsPost(srv, key, "/query", body)
	ExpectWithOffset(1, a.Status).To(Equal(200), "body: %s", a.Body)
	data, _ := envelope(a)
	var out []map[string]any
	ExpectWithOffset(1, json.Unmarshal(data, &out)).To(Succeed())
	return out
}

func dsCreate(srv *heliconetest.Server, key string, ids ...string) string {
	b, _ := json.Marshal(map[string]any{"datasetName": "made", "requestIds": append([]string{}, ids...)})
	a := dsPost(srv, key, "", string(b))
	ExpectWithOffset(1, a.Status).To(Equal(200), "body: %s", a.Body)
	data, _ := envelope(a)
	var out struct {
		DatasetID string `json:"datasetId"`
	}
	ExpectWithOffset(1, json.Unmarshal(data, &out)).To(Succeed())
	return out.DatasetID
}

func repeatID(id string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = id
	}
	return out
}

func listIDs(list []map[string]any) []string {
	out := []string{}
	for _, d := range list {
		out = append(out, d["id"].(string))
	}
	return out
}

var _ = Describe("Helicone Datasets (current profile)", func() {
	Describe("create: POST /v1/helicone-dataset", func() {
		It("makes an empty dataset from requestIds: [] and answers 200 with its id", func() {
			srv, _ := newServer()
			a := dsPost(srv, keyA, "", `{"datasetName":"fresh","requestIds":[],"meta":{"promptVersionId":"pv-9","inputRecordsIds":[]}}`)
			Expect(a.Status).To(Equal(200))
			Expect(string(a.Body)).To(MatchRegexp(`^\{"data":\{"datasetId":"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"\},"error":null\}$`))
			data, _ := envelope(a)
			var id struct{ DatasetID string }
			Expect(json.Unmarshal(data, &id)).To(Succeed())
			Expect(dsCount(srv, keyA, id.DatasetID)).To(Equal("0"))
			Expect(listIDs(dsList(srv, keyA, `{}`))).To(ContainElement(id.DatasetID))
		})

		It("adds one row per request id, duplicates allowed", func() {
			srv, _ := newServer()
			id := dsCreate(srv, keyA, reqA1, reqA1, reqA2)
			Expect(dsCount(srv, keyA, id)).To(Equal("3"))
		})

		It("soft-deletes the new dataset when a copy fails, and answers the error", func() {
			srv, _ := newServer()
			a := dsPost(srv, keyA, "", `{"datasetName":"broken","requestIds":["`+reqB1+`"]}`)
			expectGolden("500-dataset-body-not-found", a)
			for _, d := range dsList(srv, keyA, `{}`) {
				Expect(d["name"]).NotTo(Equal("broken"))
			}
			deleted := 0
			for _, d := range srv.Datasets() {
				if d.Name == "broken" {
					Expect(d.Deleted).To(BeTrue())
					deleted++
				}
			}
			Expect(deleted).To(Equal(1))
		})

		DescribeTable("answers 422 for a body that does not fit",
			func(golden, body string) {
				srv, _ := newServer()
				expectGolden(golden, dsPost(srv, keyA, "", body))
			},
			Entry("no datasetName", "422-dataset-create-name-missing", `{"requestIds":[]}`),
			Entry("no requestIds", "422-dataset-create-ids-missing", `{"datasetName":"x"}`),
			Entry("an extra key", "422-dataset-create-excess", `{"datasetName":"x","requestIds":[],"rows":[]}`),
			Entry("an extra meta key", "422-dataset-create-meta-excess", `{"datasetName":"x","requestIds":[],"meta":{"owner":"qa"}}`),
		)
	})

	Describe("mutate: POST /v1/helicone-dataset/{id}/mutate", func() {
		It("adds requests, then removes rows by row id; unknown row ids are no error", func() {
			srv, _ := newServer()
			a := dsPost(srv, keyA, "/"+dsAlpha+"/mutate", `{"addRequests":["`+runA11+`"],"removeRequests":["`+dsRow1+`","d1000000-0000-4000-8000-0000000000ff"]}`)
			expectGolden("200-dataset-null", a)
			rows := dsRows(srv, keyA, dsAlpha, `{"offset":0,"limit":100}`)
			Expect(rows).To(HaveLen(2))
			Expect([]string{rows[0].OriginRequestID, rows[1].OriginRequestID}).To(Equal([]string{runA11, reqA2}))
		})

		It("answers 500 with the copy's error and keeps the rows it inserted", func() {
			srv, _ := newServer()
			a := dsPost(srv, keyA, "/"+dsAlpha+"/mutate", `{"addRequests":["`+runA12+`","c0c0c0c0-0000-4000-8000-000000000000"],"removeRequests":[]}`)
			Expect(a.Status).To(Equal(500))
			_, msg := envelope(a)
			Expect(msg).To(Equal("Request body not found in ClickHouse for request c0c0c0c0-0000-4000-8000-000000000000"))
			Expect(dsCount(srv, keyA, dsAlpha)).To(Equal("4"))
		})

		DescribeTable("answers 500 for ids Postgres refuses and datasets the organization lacks",
			func(golden, id, body string) {
				srv, _ := newServer()
				expectGolden(golden, dsPost(srv, keyA, "/"+id+"/mutate", body))
			},
			Entry("a request id that is no UUID", "500-dataset-request-id-not-uuid", dsAlpha, `{"addRequests":["req_abc123def456"],"removeRequests":[]}`),
			Entry("a dataset id that is no UUID", "500-dataset-id-not-uuid", "not-a-uuid", `{"addRequests":["`+reqA1+`"],"removeRequests":[]}`),
			Entry("an unknown dataset", "500-dataset-mutate-unknown", "da000000-0000-4000-8000-0000000000ff", `{"addRequests":["`+reqA1+`"],"removeRequests":[]}`),
			Entry("another organization's dataset", "500-dataset-mutate-unknown", dsBeta, `{"addRequests":["`+reqA1+`"],"removeRequests":[]}`),
		)

		It("answers 422 without both lists", func() {
			srv, _ := newServer()
			expectGolden("422-dataset-mutate-missing", dsPost(srv, keyA, "/"+dsAlpha+"/mutate", `{"addRequests":[]}`))
		})

		It("allows at most 1000 rows per organization per UTC day", func() {
			srv, clock := newServer()
			id := dsCreate(srv, keyA, repeatID(reqA1, 990)...)
			Expect(dsPost(srv, keyA, "/"+id+"/mutate", `{"addRequests":`+jsonList(repeatID(reqA2, 10))+`,"removeRequests":[]}`).Status).To(Equal(200))
			a := dsPost(srv, keyA, "/"+id+"/mutate", `{"addRequests":["`+reqA2+`","`+reqA2+`"],"removeRequests":[]}`)
			expectGolden("500-dataset-row-limit", a)
			Expect(dsCount(srv, keyA, id)).To(Equal("1000"))
			By("another organization has its own budget")
			Expect(dsPost(srv, keyB, "/"+dsBeta+"/mutate", `{"addRequests":["`+reqB1+`"],"removeRequests":[]}`).Status).To(Equal(200))
			By("the limit resets at midnight UTC")
			clock.Advance(12 * time.Hour)
			Expect(dsPost(srv, keyA, "/"+id+"/mutate", `{"addRequests":["`+reqA2+`"],"removeRequests":[]}`).Status).To(Equal(200))
		})
	})

	Describe("rows: POST /v1/helicone-dataset/{id}/query", func() {
		It("answers the rows newest first with signed_url envelopes and nothing else", func() {
			srv, _ := newServer()
			a := dsPost(srv, keyA, "/"+dsAlpha+"/query", `{"offset":0,"limit":10}`)
			Expect(a.Status).To(Equal(200))
			rows := dsRows(srv, keyA, dsAlpha, `{"offset":0,"limit":10}`)
			Expect(rows).To(HaveLen(2))
			Expect(rows[0].ID).To(Equal(dsRow2), "added an hour after the first")
			Expect(rows[0].OriginRequestID).To(Equal(reqA2))
			Expect(rows[0].DatasetID).To(Equal(dsAlpha))
			Expect(rows[0].CreatedAt).To(Equal("2025-05-31T07:00:00.000Z"))
			Expect(rows[0].SignedURL.Error).To(BeNil())
			Expect(*rows[0].SignedURL.Data).To(HavePrefix(srv.URL + "/"))
			data, _ := envelope(a)
			var raw []map[string]any
			Expect(json.Unmarshal(data, &raw)).To(Succeed())
			Expect(raw[0]).To(HaveLen(5), "id, origin_request_id, dataset_id, created_at, signed_url: no scores, properties, model or inputs")
		})

		It("serves each row's body at its signed_url: gzip JSON {request, response}, no key, 24 hours", func() {
			srv, clock := newServer()
			rows := dsRows(srv, keyA, dsAlpha, `{"offset":0,"limit":10}`)
			status, hdr, obj := fetchBody(*rows[1].SignedURL.Data)
			Expect(status).To(Equal(200))
			Expect(hdr.Get("Content-Encoding")).To(Equal("gzip"))
			Expect(obj["request"]).To(HaveKeyWithValue("model", "gpt-4o"))
			Expect(obj["response"]).To(HaveKeyWithValue("object", "chat.completion"))
			Expect(obj).NotTo(HaveKey("scores"))
			clock.Advance(heliconetest.SignedURLTTL)
			status, _, _ = fetchBody(*rows[1].SignedURL.Data)
			Expect(status).To(Equal(http.StatusForbidden))
		})

		DescribeTable("clamps limit to 1..10000 (0: 50) and offset to at least 0, numeric text too",
			func(body string, n int) {
				srv, _ := newServer()
				id := dsCreate(srv, keyA, repeatID(reqA1, 60)...)
				Expect(dsRows(srv, keyA, id, body)).To(HaveLen(n))
			},
			Entry("limit 0 is 50", `{"offset":0,"limit":0}`, 50),
			Entry("a negative limit is 1", `{"offset":0,"limit":-4}`, 1),
			Entry("a huge limit is 10000", `{"offset":0,"limit":1e9}`, 60),
			Entry("a negative offset is 0", `{"offset":-3,"limit":100}`, 60),
			Entry("numeric text", `{"offset":"10","limit":"20"}`, 20),
			Entry("past the end", `{"offset":100,"limit":20}`, 0),
		)

		It("answers 200 [] for an unknown, foreign or deleted dataset and 500 for an id that is no UUID", func() {
			srv, _ := newServer()
			expectGolden("200-dataset-rows-empty", dsPost(srv, keyA, "/da000000-0000-4000-8000-0000000000ff/query", `{"offset":0,"limit":10}`))
			expectGolden("200-dataset-rows-empty", dsPost(srv, keyA, "/"+dsBeta+"/query", `{"offset":0,"limit":10}`))
			expectGolden("500-dataset-id-not-uuid", dsPost(srv, keyA, "/not-a-uuid/query", `{"offset":0,"limit":10}`))
		})

		It("answers 422 without offset and limit (both required)", func() {
			srv, _ := newServer()
			expectGolden("422-dataset-rows-missing", dsPost(srv, keyA, "/"+dsAlpha+"/query", `{}`))
		})

		It("returns every row of a one-call add in one page of 10000", func() {
			srv, _ := newServer()
			id := dsCreate(srv, keyA, repeatID(reqA1, 30)...)
			rows := dsRows(srv, keyA, id, `{"offset":0,"limit":10000}`)
			ids := map[string]bool{}
			for _, r := range rows {
				ids[r.ID] = true
			}
			Expect(ids).To(HaveLen(30))
		})
	})

	Describe("count: POST /v1/helicone-dataset/{id}/count", func() {
		It("answers the count as a string", func() {
			srv, _ := newServer()
			expectGolden("200-dataset-count", dsPost(srv, keyA, "/"+dsAlpha+"/count", ""))
			Expect(dsCount(srv, keyA, "da000000-0000-4000-8000-0000000000ff")).To(Equal("0"))
			Expect(dsCount(srv, keyB, dsAlpha)).To(Equal("0"))
			expectGolden("500-dataset-id-not-uuid", dsPost(srv, keyA, "/not-a-uuid/count", ""))
		})
	})

	Describe("list: POST /v1/helicone-dataset/query", func() {
		It("lists the organization's datasets newest first, requests_count a string, signed_url {}", func() {
			srv, _ := newServer()
			id := dsCreate(srv, keyA)
			list := dsList(srv, keyA, `{}`)
			Expect(listIDs(list)).To(Equal([]string{id, dsAlpha}))
			expectGolden("200-dataset-list", dsPost(srv, keyA, "/query", `{"datasetIds":["`+dsAlpha+`"]}`))
			Expect(listIDs(dsList(srv, keyB, `{}`))).To(Equal([]string{dsBeta}))
			Expect(listIDs(dsList(srv, keyB, `{"datasetIds":["`+dsAlpha+`"]}`))).To(BeEmpty())
		})

		It("answers 500 for a dataset id that is no UUID", func() {
			srv, _ := newServer()
			expectGolden("500-dataset-list-not-uuid", dsPost(srv, keyA, "/query", `{"datasetIds":["x"]}`))
		})
	})

	Describe("edit: POST /v1/helicone-dataset/{id}/request/{rowId}", func() {
		It("overwrites the row's body object", func() {
			srv, _ := newServer()
			expectGolden("200-dataset-null", dsPost(srv, keyA, "/"+dsAlpha+"/request/"+dsRow1, `{"requestBody":{"q":1},"responseBody":{"a":2}}`))
			for _, r := range dsRows(srv, keyA, dsAlpha, `{"offset":0,"limit":10}`) {
				if r.ID != dsRow1 {
					continue
				}
				_, _, obj := fetchBody(*r.SignedURL.Data)
				Expect(obj).To(Equal(map[string]any{"request": map[string]any{"q": 1.0}, "response": map[string]any{"a": 2.0}}))
			}
		})

		It("changes nothing for a row the organization lacks", func() {
			srv, _ := newServer()
			expectGolden("200-dataset-null", dsPost(srv, keyA, "/"+dsBeta+"/request/"+dsRowB, `{"requestBody":{},"responseBody":{}}`))
			rows := dsRows(srv, keyB, dsBeta, `{"offset":0,"limit":10}`)
			_, _, obj := fetchBody(*rows[0].SignedURL.Data)
			Expect(obj["response"]).To(HaveKey("choices"))
		})

		It("answers 422 without both bodies", func() {
			srv, _ := newServer()
			expectGolden("422-dataset-edit-missing", dsPost(srv, keyA, "/"+dsAlpha+"/request/"+dsRow1, `{"requestBody":{}}`))
		})
	})

	Describe("delete: POST /v1/helicone-dataset/{id}/delete", func() {
		It("soft-deletes: list, rows and count no longer show it", func() {
			srv, _ := newServer()
			expectGolden("200-dataset-null", dsPost(srv, keyA, "/"+dsAlpha+"/delete", ""))
			Expect(listIDs(dsList(srv, keyA, `{}`))).NotTo(ContainElement(dsAlpha))
			Expect(dsRows(srv, keyA, dsAlpha, `{"offset":0,"limit":10}`)).To(BeEmpty())
			Expect(dsCount(srv, keyA, dsAlpha)).To(Equal("0"))
		})

		It("answers 500 for a dataset the organization lacks", func() {
			srv, _ := newServer()
			expectGolden("500-dataset-delete-not-found", dsPost(srv, keyA, "/da000000-0000-4000-8000-0000000000ff/delete", ""))
			expectGolden("500-dataset-delete-not-found", dsPost(srv, keyA, "/"+dsBeta+"/delete", ""))
			Expect(listIDs(dsList(srv, keyB, `{}`))).To(Equal([]string{dsBeta}))
		})
	})

	Describe("bodies copied at add time", func() {
		It("copies a request past the body TTL as empty objects, and fails for a request without bodies", func() {
			srv, _ := storageServer()
			id := dsCreate(srv, keyS, reqCHOld, reqS3)
			rows := dsRows(srv, keyS, id, `{"offset":0,"limit":10}`)
			bodies := map[string]map[string]any{}
			for _, r := range rows {
				_, _, obj := fetchBody(*r.SignedURL.Data)
				bodies[r.OriginRequestID] = obj
			}
			Expect(bodies[reqCHOld]).To(Equal(map[string]any{"request": map[string]any{}, "response": map[string]any{}}))
			Expect(bodies[reqS3]["request"]).To(HaveKeyWithValue("model", "gpt-4o"))

			a := dsPost(srv, keyS, "/"+id+"/mutate", `{"addRequests":["`+reqNoStore+`"],"removeRequests":[]}`)
			Expect(a.Status).To(Equal(500))
			Expect(dsCount(srv, keyS, id)).To(Equal("3"))
			for _, r := range dsRows(srv, keyS, id, `{"offset":0,"limit":10}`) {
				if r.OriginRequestID == reqNoStore {
					status, _, _ := fetchBody(*r.SignedURL.Data)
					Expect(status).To(Equal(http.StatusNotFound), "the copy failed: no object")
				}
			}
		})
	})

	It("does not exist in the legacy profile: 401 without a key, Express's 404 with one", func() {
		srv, _ := newServer(legacy)
		for _, rt := range heliconetest.DatasetRoutes {
			c := everyRoute[rt]
			expectGolden("401-no-authorization-header", send(c.method, srv.URL+c.path, "", c.body))
			a := send(c.method, srv.URL+c.path, keyA, c.body)
			Expect(a.Status).To(Equal(http.StatusNotFound), string(rt))
			Expect(string(a.Body)).To(ContainSubstring("<pre>Cannot POST /v1/helicone-dataset"))
		}
		Expect(srv.Datasets()).NotTo(BeEmpty(), "the seeded datasets are there, unserved")
	})
})

func jsonList(ids []string) string {
	b, _ := json.Marshal(ids)
	return string(b)
}
