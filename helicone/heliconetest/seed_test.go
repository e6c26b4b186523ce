package heliconetest_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/helicone/heliconetest"
)

// The ids of docs/seed-example.json.
const (
	exampleKey     = "sk-helicone-example-0000000-0000000-0000000"
	exampleReadKey = "sk-helicone-example-readonly-0000000-0000000"
	exampleRowReq  = "1a000000-0000-4000-8000-000000000001"
	exampleRunReq  = "1a000000-0000-4000-8000-000000000002"
	exampleExp     = "2a000000-0000-4000-8000-000000000001"
	exampleDataset = "4a000000-0000-4000-8000-000000000001"
	exampleRow     = "5a000000-0000-4000-8000-000000000001"
)

var examplePath = filepath.Join("..", "..", "docs", "seed-example.json")

func exampleServer(p heliconetest.Profile) *heliconetest.Server {
	srv := heliconetest.NewServer(heliconetest.WithSeedFile(examplePath), heliconetest.WithProfile(p), heliconetest.WithClock(newClock().Now), heliconetest.WithWriteDelay(0))
	DeferCleanup(srv.Close)
	return srv
}

var _ = Describe("seeding", func() {
	Describe("docs/seed-example.json", func() {
		It("serves the legacy path: the experiment, its row and its run", func() {
			srv := exampleServer(heliconetest.Legacy)
			Expect(srv.APIKey).To(Equal(exampleKey))
			a := queryExperiments(srv, exampleKey, `{"filter":"all","include":{"inputs":true,"responseBodies":true}}`)
			Expect(experimentIDs(a)).To(Equal([]string{exampleExp}))
			Expect(string(a.Body)).To(And(ContainSubstring(`"rowId":"`+exampleRow+`"`), ContainSubstring(`"resultRequestId":"`+exampleRunReq+`"`)))
		})

		It("serves the current path: the Helicone Dataset, its row's body, and the run as a tagged request", func() {
			srv := exampleServer(heliconetest.Current)
			Expect(listIDs(dsList(srv, exampleKey, `{}`))).To(ConsistOf(exampleDataset, "4b000000-0000-4000-8000-000000000001"), "the password questions and support-golden")
			rows := dsRows(srv, exampleKey, exampleDataset, `{"offset":0,"limit":100}`)
			Expect(rows).To(HaveLen(1))
			Expect(rows[0].ID).To(Equal(exampleRow))
			Expect(rows[0].OriginRequestID).To(Equal(exampleRowReq))
			_, _, obj := fetchBody(*rows[0].SignedURL.Data)
			Expect(obj["response"]).To(HaveKey("choices"))

			runs := rowsOf(post(srv, exampleKey, "/v1/request/query-clickhouse", `{"filter":`+named("properties", "heval-row", "equals", exampleRow)+`,"sort":{"created_at":"asc"},"limit":1000}`))
			Expect(runs).To(HaveLen(1))
			Expect(runs[0]["request_id"]).To(Equal(exampleRunReq))
			Expect(runs[0]["properties"]).To(Equal(map[string]any{"Variant": "B", "heval-hypothesis": "candidate", "heval-row": exampleRow}))
		})

		It("takes times relative to seeding, so scores always land", func() {
			srv := exampleServer(heliconetest.Current)
			row := rowsOf(queryRequests(srv, exampleKey, `{"filter":`+rmt("request_id", "equals", exampleRowReq)+`}`))[0]
			Expect(row["request_created_at"]).To(Equal(timeText(epoch.Add(-48 * time.Hour))))
			Expect(post(srv, exampleKey, "/v1/request/"+exampleRowReq+"/score", `{"scores":{"a":1}}`).Status).To(Equal(201))
			Expect(srv.Scores(exampleRowReq)).To(Equal(map[string]int64{"a": 1}))
			Expect(srv.Dropped()).To(BeEmpty())
		})

		It("gives the read-only key its permission", func() {
			srv := exampleServer(heliconetest.Current)
			expectGolden("401-key-lacks-permission", post(srv, exampleReadKey, "/v1/request/query-clickhouse", `{"filter":"all"}`))
		})
	})

	It("rejects an unknown field, naming it and where it is", func() {
		b, err := os.ReadFile(examplePath)
		Expect(err).NotTo(HaveOccurred())
		var m map[string]any
		Expect(json.Unmarshal(b, &m)).To(Succeed())
		m["organizations"].([]any)[0].(map[string]any)["requests"].([]any)[1].(map[string]any)["creatd_ago"] = "1h"
		b, err = json.Marshal(m)
		Expect(err).NotTo(HaveOccurred())
		path := filepath.Join(GinkgoT().TempDir(), "seed.json")
		Expect(writeFile(path, b)).To(Succeed())
		_, err = heliconetest.NewHandler(heliconetest.WithSeedFile(path))
		Expect(err).To(MatchError(And(ContainSubstring(`unknown field "creatd_ago" in seed.organizations[0].requests[1] (did you mean created_ago?)`), ContainSubstring("seed.organizations[0].requests[1]"), ContainSubstring("created_ago"), ContainSubstring(path))))
	})

	It("rejects an unknown field of a dataset row and of a key", func() {
		_, err := heliconetest.ParseSeed([]byte(`{"organizations":[{"id":"o","keys":[],"helicone_datasets":[{"name":"d","rows":[{"request":"x"}]}]}]}`))
		Expect(err).To(MatchError(ContainSubstring(`unknown field "request" in seed.organizations[0].helicone_datasets[0].rows[0]`)))
		_, err = heliconetest.ParseSeed([]byte(`{"organizations":[{"id":"o","scoped_keys":[{"key":"k","perms":"r"}]}]}`))
		Expect(err).To(MatchError(ContainSubstring(`unknown field "perms"`)))
	})

	It("keeps free-form JSON free: bodies and meta take any member", func() {
		_, err := heliconetest.ParseSeed([]byte(`{"organizations":[{"id":"o","requests":[{"id":"x","created_ago":"1h","model":"m","request_body":{"anything":1},"response_body":{"at":{"all":true}}}]}]}`))
		Expect(err).NotTo(HaveOccurred())
	})

	DescribeTable("reads relative times",
		func(text string, want time.Duration) {
			var d heliconetest.Duration
			Expect(json.Unmarshal([]byte(text), &d)).To(Succeed())
			Expect(time.Duration(d)).To(Equal(want))
		},
		Entry("a Go duration", `"36h"`, 36*time.Hour),
		Entry("minutes and hours", `"1h30m"`, 90*time.Minute),
		Entry("days", `"2d"`, 48*time.Hour),
		Entry("a phrase", `"2 days ago"`, 48*time.Hour),
		Entry("one day", `"1 day ago"`, 24*time.Hour),
		Entry("weeks", `"1 week ago"`, 7*24*time.Hour),
		Entry("minutes", `"90 minutes ago"`, 90*time.Minute),
		Entry("seconds as a number", `30`, 30*time.Second),
	)

	It("says what to write for a time it cannot read", func() {
		var d heliconetest.Duration
		Expect(json.Unmarshal([]byte(`"last tuesday"`), &d)).To(MatchError(ContainSubstring(`"2 days ago"`)))
	})

	DescribeTable("refuses a seed that contradicts itself",
		func(seed heliconetest.Seed, msg string) {
			_, err := heliconetest.NewHandler(heliconetest.WithSeed(seed))
			Expect(err).To(MatchError(ContainSubstring(msg)))
		},
		Entry("a dataset row pointing at an unknown request", heliconetest.Seed{Organizations: []heliconetest.SeedOrganization{{
			ID: "o", HeliconeDatasets: []heliconetest.SeedHeliconeDataset{{Name: "d", Rows: []heliconetest.SeedHeliconeDatasetRow{{RequestID: reqA1}}}},
		}}}, `a row points at request "`+reqA1+`"`),
		Entry("request_ids naming an unknown request", heliconetest.Seed{Organizations: []heliconetest.SeedOrganization{{
			ID: "o", HeliconeDatasets: []heliconetest.SeedHeliconeDataset{{Name: "d", RequestIDs: []string{"x"}}},
		}}}, `request_ids names "x"`),
		Entry("a dataset id that is no UUID", heliconetest.Seed{Organizations: []heliconetest.SeedOrganization{{
			ID: "o", HeliconeDatasets: []heliconetest.SeedHeliconeDataset{{ID: "ds-1", Name: "d"}},
		}}}, `the id "ds-1" is not a UUID`),
		Entry("a header the emulator does not know", heliconetest.Seed{Organizations: []heliconetest.SeedOrganization{{
			ID: "o", Requests: []heliconetest.SeedRequest{{ID: reqA1, Headers: map[string]string{"X-Custom": "1"}}},
		}}}, `header "X-Custom"`),
		Entry("an unknown storage location", heliconetest.Seed{Organizations: []heliconetest.SeedOrganization{{
			ID: "o", Requests: []heliconetest.SeedRequest{{ID: reqA1, StorageLocation: "disk"}},
		}}}, `storage_location "disk"`),
		Entry("unknown key permissions", heliconetest.Seed{Organizations: []heliconetest.SeedOrganization{{
			ID: "o", ScopedKeys: []heliconetest.SeedKey{{Key: "k", Permissions: "admin"}},
		}}}, `permissions "admin"`),
		Entry("rows pointing at unknown requests", heliconetest.Seed{Organizations: []heliconetest.SeedOrganization{{
			ID: "o", Experiments: []heliconetest.SeedExperiment{{ID: "e", Dataset: heliconetest.SeedDataset{Rows: []heliconetest.SeedRow{{RowID: "r", RequestID: "missing"}}}}},
		}}}, `points at request "missing"`),
		Entry("a key shared by two organizations", heliconetest.Seed{Organizations: []heliconetest.SeedOrganization{
			{ID: "o1", Keys: []string{"k"}}, {ID: "o2", Keys: []string{"k"}},
		}}, "share an API key"),
	)

	It("derives ids the seed leaves out, stable across loads", func() {
		seed := heliconetest.Seed{Organizations: []heliconetest.SeedOrganization{{
			ID: "o", Keys: []string{"sk-helicone-o"}, Requests: []heliconetest.SeedRequest{{ID: reqA1, CreatedAgo: hours(1), Model: "m"}},
			HeliconeDatasets: []heliconetest.SeedHeliconeDataset{{Name: "d", RequestIDs: []string{reqA1, reqA1}}},
		}}}
		a := heliconetest.NewServer(heliconetest.WithSeed(seed))
		DeferCleanup(a.Close)
		b := heliconetest.NewServer(heliconetest.WithSeed(seed))
		DeferCleanup(b.Close)
		Expect(a.Datasets()).To(Equal(b.Datasets()))
		Expect(a.Datasets()[0].Rows).To(Equal(2))
		ra := dsRows(a, "sk-helicone-o", a.Datasets()[0].ID, `{"offset":0,"limit":10}`)
		rb := dsRows(b, "sk-helicone-o", b.Datasets()[0].ID, `{"offset":0,"limit":10}`)
		Expect([]string{ra[0].ID, ra[1].ID}).To(ConsistOf(rb[0].ID, rb[1].ID))
	})

	It("loads a seed file and serves it through NewHandler", func() {
		b, err := json.Marshal(fixture())
		Expect(err).NotTo(HaveOccurred())
		path := GinkgoT().TempDir() + "/seed.json"
		Expect(writeFile(path, b)).To(Succeed())
		h, err := heliconetest.NewHandler(heliconetest.WithSeedFile(path), heliconetest.WithAPIKey("sk-helicone-serve"))
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(h.Close)
		Expect(h.DefaultAPIKey()).To(Equal("sk-helicone-serve"))
		Expect(h.DefaultOrganizationID()).To(Equal(orgA))
		Expect(h.Organizations()).To(HaveLen(2))
		Expect(h.Scores(reqA2)).To(HaveKeyWithValue("accuracy", int64(80)))
		Expect(h.Datasets()).To(HaveLen(2))
	})
})

func timeText(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
