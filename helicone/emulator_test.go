package helicone_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/helicone"
	"github.com/heval-dev/heval/helicone/heliconetest"
)

// The client against the emulator, in both server profiles: what both serve is run on
// both, what one serves on it, with the error a user gets on the other.

const (
	emuKey      = "sk-helicone-emu0000-client0-0000000-rw00000"
	emuReadOnly = "sk-helicone-emu0000-client0-0000000-ro00000"
	emuDataset  = "da7a0000-0000-4000-8000-0000000000e1"
	emuExpID    = "e0000000-0000-4000-8000-0000000000e1"
)

func emuID(i int) string  { return fmt.Sprintf("00000000-0000-4000-8000-%012d", i) }
func emuRow(i int) string { return fmt.Sprintf("d0000000-0000-4000-8000-%012d", i) }

// emuSeed is one organization with six requests logged i minutes ago (the first with chat
// bodies), a Helicone Dataset of the first and an experiment over it.
func emuSeed() heliconetest.Seed {
	org := heliconetest.SeedOrganization{
		ID: "0e000000-0000-4000-8000-00000000000e", Keys: []string{emuKey},
		ScopedKeys: []heliconetest.SeedKey{{Key: emuReadOnly, Permissions: "r"}},
	}
	for i := range 6 {
		org.Requests = append(org.Requests, heliconetest.SeedRequest{ID: emuID(i), CreatedAgo: heliconetest.Duration(time.Duration(i+1) * time.Minute), Model: "gpt-4o-mini",
			RequestBody:  json.RawMessage(`{"messages":[{"role":"user","content":"hi"}]}`),
			ResponseBody: json.RawMessage(`{"choices":[{"message":{"role":"assistant","content":"hello"}}]}`)})
	}
	org.HeliconeDatasets = []heliconetest.SeedHeliconeDataset{{ID: emuDataset, Name: "golden", CreatedAgo: heliconetest.Duration(time.Minute),
		Rows: []heliconetest.SeedHeliconeDatasetRow{{ID: emuRow(0), RequestID: emuID(0)}}}}
	org.Experiments = []heliconetest.SeedExperiment{{ID: emuExpID, CreatedAgo: heliconetest.Duration(time.Minute),
		Dataset: heliconetest.SeedDataset{ID: emuRow(9), Name: "golden", Rows: []heliconetest.SeedRow{{RowID: emuRow(0), RequestID: emuID(0)}}}}}
	return heliconetest.Seed{Organizations: []heliconetest.SeedOrganization{org}}
}

// startEmulator starts the emulator of profile p with emuSeed and returns it with a client.
func startEmulator(p heliconetest.Profile, opts ...heliconetest.Option) (*heliconetest.Server, *helicone.Client) {
	srv := heliconetest.NewServer(append([]heliconetest.Option{heliconetest.WithProfile(p), heliconetest.WithSeed(emuSeed())}, opts...)...)
	DeferCleanup(srv.Close)
	c, err := helicone.NewClient(helicone.WithBaseURL(srv.URL), helicone.WithAPIKey(emuKey), helicone.WithRetry(fastRetry()))
	Expect(err).NotTo(HaveOccurred())
	return srv, c
}

// rawPage posts one request query as it is and returns the rows' request ids.
func rawPage(srv *heliconetest.Server, body string) []string {
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/v1/request/query-clickhouse", strings.NewReader(body))
	Expect(err).NotTo(HaveOccurred())
	req.Header.Set("Authorization", "Bearer "+emuKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	Expect(err).NotTo(HaveOccurred())
	var env struct {
		Data []struct {
			RequestID string `json:"request_id"`
		} `json:"data"`
	}
	Expect(json.Unmarshal(b, &env)).To(Succeed(), string(b))
	ids := []string{}
	for _, r := range env.Data {
		ids = append(ids, r.RequestID)
	}
	return ids
}

var _ = Describe("the client against the emulator", func() {
	for _, p := range heliconetest.Profiles {
		Describe("in the "+p.String()+" profile", func() {
			It("reads every request although score writes make the server's pages short", func() {
				srv, client := startEmulator(p, heliconetest.WithWriteDelay(0))
				for _, i := range []int{0, 1, 1, 3} {
					_, err := client.AddScores(ctx, emuID(i), helicone.Scores{"accuracy": helicone.Int(int64(10 * i))})
					Expect(err).NotTo(HaveOccurred())
				}
				Expect(srv.RowVersions(emuID(1))).To(Equal(3), "every applied write adds a row version")
				Expect(rawPage(srv, `{"filter":"all","limit":3,"offset":0}`)).To(Equal([]string{emuID(0), emuID(1)}),
					"the limit counts row versions: the first page is short while four more requests exist")
				var got []string
				scores := map[string]int64{}
				for r, err := range client.Requests(ctx, helicone.RequestQuery{Limit: 3}) {
					Expect(err).NotTo(HaveOccurred())
					got = append(got, r.RequestID)
					scores[r.RequestID], _ = r.Scores["accuracy"].Int64()
				}
				Expect(got).To(Equal([]string{emuID(0), emuID(1), emuID(2), emuID(3), emuID(4), emuID(5)}))
				Expect(scores[emuID(1)]).To(Equal(int64(10)), "the newest version of each request")
				Expect(srv.Counts()[heliconetest.RouteQueryClickhouse]).To(BeNumerically(">=", 4), "paged until an empty page")
			})

			It("writes scores that are applied after the write delay, as new row versions, and reads them back by id", func() {
				srv, client := startEmulator(p, heliconetest.WithWriteDelay(100*time.Millisecond))
				_, err := client.AddScores(ctx, emuID(1), helicone.Scores{"ok": helicone.Bool(true), "n": helicone.Int(7)})
				Expect(err).NotTo(HaveOccurred())
				Expect(srv.Scores(emuID(1))).To(BeEmpty(), "201 before anything is stored")
				Eventually(func() map[string]int64 { return srv.Scores(emuID(1)) }).Should(HaveKeyWithValue("ok-hcone-bool", int64(1)))
				rows, err := client.RequestsByID(ctx, helicone.RequestIDQuery{IDs: []string{emuID(1), emuID(2), "not-a-uuid"}})
				Expect(err).NotTo(HaveOccurred())
				Expect(rows).To(HaveLen(2))
				Expect(rows[emuID(1)].Scores["ok-hcone-bool"].Raw).To(Equal("1"))
				Expect(rows[emuID(1)].Scores["n"].Raw).To(Equal("7"))
				Expect(srv.RowVersions(emuID(1))).To(Equal(2))
			})

			It("reads scores sent as JSON numbers (ClickHouse 25.8) as well as strings", func() {
				_, client := startEmulator(p, heliconetest.WithWriteDelay(0), heliconetest.WithNumericScores())
				_, err := client.AddScores(ctx, emuID(2), helicone.Scores{"n": helicone.Int(42)})
				Expect(err).NotTo(HaveOccurred())
				rows, err := client.RequestsByID(ctx, helicone.RequestIDQuery{IDs: []string{emuID(2)}})
				Expect(err).NotTo(HaveOccurred())
				n, ok := rows[emuID(2)].Scores["n"].Int64()
				Expect(ok).To(BeTrue())
				Expect(n).To(Equal(int64(42)))
			})

			It("refuses a read-only key on every POST, queries included, and says so", func() {
				srv, _ := startEmulator(p)
				ro, err := helicone.NewClient(helicone.WithBaseURL(srv.URL), helicone.WithAPIKey(emuReadOnly))
				Expect(err).NotTo(HaveOccurred())
				_, err = ro.RequestsByID(ctx, helicone.RequestIDQuery{IDs: []string{emuID(0)}})
				Expect(err).To(MatchError(helicone.ErrKeyPermission))
				Expect(err.Error()).To(ContainSubstring("write permission ('w')"))
				Expect(err.Error()).NotTo(ContainSubstring(emuReadOnly))
				_, err = ro.AddScores(ctx, emuID(0), helicone.Scores{"a": helicone.Int(1)})
				Expect(err).To(MatchError(helicone.ErrKeyPermission))
				_, err = ro.GetExperimentScore(ctx, emuExpID, emuID(0), "a")
				Expect(err).NotTo(HaveOccurred(), "a GET needs only read permission")
			})

			It("says that an unknown key is unknown, without the key", func() {
				srv, _ := startEmulator(p)
				other, err := helicone.NewClient(helicone.WithBaseURL(srv.URL), helicone.WithAPIKey("sk-helicone-nobody0-0000000-0000000-0000000"))
				Expect(err).NotTo(HaveOccurred())
				_, err = other.RequestsByID(ctx, helicone.RequestIDQuery{IDs: []string{emuID(0)}})
				Expect(err).To(MatchError(helicone.ErrUnauthorized))
				Expect(err.Error()).To(And(ContainSubstring("No API key found"), ContainSubstring("region-bound")))
				Expect(err.Error()).NotTo(ContainSubstring("nobody0"))
			})
		})
	}

	Describe("experiments", func() {
		It("legacy: the experiment query answers the experiments and the v2 route a written score", func() {
			_, client := startEmulator(heliconetest.Legacy, heliconetest.WithWriteDelay(0))
			exps, err := client.QueryExperiments(ctx, helicone.ExperimentQuery{Filter: helicone.ExperimentID(helicone.Equals, emuExpID)})
			Expect(err).NotTo(HaveOccurred())
			Expect(exps).To(HaveLen(1))
			_, err = client.AddScores(ctx, emuID(0), helicone.Scores{"accuracy": helicone.Int(9)})
			Expect(err).NotTo(HaveOccurred())
			got, err := client.GetExperimentScore(ctx, emuExpID, emuID(0), "accuracy")
			Expect(err).NotTo(HaveOccurred())
			Expect(got).NotTo(BeNil())
			Expect(got.Value.Raw).To(Equal("9"))
		})

		It("current: the experiment query is \"Not implemented\", said with what to use instead, and the v2 route null even for a stored score", func() {
			srv, client := startEmulator(heliconetest.Current, heliconetest.WithWriteDelay(0))
			_, err := client.QueryExperiments(ctx, helicone.ExperimentQuery{Filter: helicone.ExperimentID(helicone.Equals, emuExpID)})
			Expect(err).To(MatchError(helicone.ErrExperimentsUnavailable))
			var eu *helicone.ExperimentsUnavailableError
			Expect(errors.As(err, &eu)).To(BeTrue())
			Expect(err.Error()).To(ContainSubstring("--dataset"))
			_, err = client.AddScores(ctx, emuID(0), helicone.Scores{"accuracy": helicone.Int(9)})
			Expect(err).NotTo(HaveOccurred())
			got, err := client.GetExperimentScore(ctx, emuExpID, emuID(0), "accuracy")
			Expect(err).NotTo(HaveOccurred())
			Expect(got).To(BeNil(), "the v2 route finds no score on current Helicone, even one that landed")
			Expect(srv.Scores(emuID(0))).To(HaveKeyWithValue("accuracy", int64(9)))
		})
	})

	Describe("Helicone Datasets", func() {
		It("current: lists, counts and reads a dataset's rows and their signed bodies, sending no key there", func() {
			srv, client := startEmulator(heliconetest.Current)
			d, err := client.FindDataset(ctx, "golden")
			Expect(err).NotTo(HaveOccurred())
			Expect(d.ID).To(Equal(emuDataset))
			Expect(d.RequestsCount).To(Equal(helicone.FlexInt(1)))
			n, err := client.CountDatasetRows(ctx, emuDataset)
			Expect(err).NotTo(HaveOccurred())
			Expect(n).To(Equal(1))
			rows, err := client.AllDatasetRows(ctx, emuDataset)
			Expect(err).NotTo(HaveOccurred())
			Expect(rows).To(HaveLen(1))
			Expect(rows[0].ID).To(Equal(emuRow(0)))
			Expect(rows[0].OriginRequestID).To(Equal(emuID(0)))
			b, err := client.FetchSignedBody(ctx, rows[0].SignedURL.URL)
			Expect(err).NotTo(HaveOccurred(), "the emulator refuses a signed URL sent with an Authorization header, as S3 does")
			Expect(string(b.Response)).To(ContainSubstring("hello"))
			Expect(string(b.Request)).To(ContainSubstring("hi"))

			srv.ExpireSignedURLs()
			_, err = client.FetchSignedBody(ctx, rows[0].SignedURL.URL)
			var se *helicone.SignedURLError
			Expect(errors.As(err, &se)).To(BeTrue())
			Expect(se.Expired()).To(BeTrue())
			Expect(err.Error()).To(ContainSubstring("query the rows again"))
			Expect(err.Error()).NotTo(ContainSubstring("X-Amz-Signature"))
		})

		It("current: keeps an expired signed URL's error inspectable when its path happens to hold a run of the key", func() {
			// The key shares "datasets" with the signed URLs' object keys, so the error's
			// text is redacted; it must still say that the URL expired.
			const key = "sk-helicone-datasets-0000000-0000000-0000000"
			srv, _ := startEmulator(heliconetest.Current, heliconetest.WithAPIKey(key))
			client, err := helicone.NewClient(helicone.WithBaseURL(srv.URL), helicone.WithAPIKey(key), helicone.WithRetry(fastRetry()))
			Expect(err).NotTo(HaveOccurred())
			rows, err := client.AllDatasetRows(ctx, emuDataset)
			Expect(err).NotTo(HaveOccurred())
			srv.ExpireSignedURLs()
			_, err = client.FetchSignedBody(ctx, rows[0].SignedURL.URL)
			Expect(err.Error()).NotTo(ContainSubstring("datasets"))
			var se *helicone.SignedURLError
			Expect(errors.As(err, &se)).To(BeTrue(), "error: %v", err)
			Expect(se.Expired()).To(BeTrue())
			Expect(se.URL).NotTo(ContainSubstring("datasets"))
		})

		It("current: reads a row whose signing failed as an envelope with the error", func() {
			srv, client := startEmulator(heliconetest.Current)
			srv.FailSigning(emuRow(0))
			rows, err := client.AllDatasetRows(ctx, emuDataset)
			Expect(err).NotTo(HaveOccurred())
			Expect(rows[0].SignedURL.URL).To(BeEmpty())
			Expect(rows[0].SignedURL.Error).To(Equal(heliconetest.SigningFailure))
		})

		It("current: names the datasets there are when the name is wrong", func() {
			_, client := startEmulator(heliconetest.Current)
			_, err := client.FindDataset(ctx, "gold")
			Expect(err).To(MatchError(helicone.ErrDatasetNotFound))
			Expect(err.Error()).To(ContainSubstring(`"golden"`))
		})

		It("legacy: has no such routes, and the error says to evaluate experiments instead", func() {
			_, client := startEmulator(heliconetest.Legacy)
			_, err := client.ListDatasets(ctx)
			Expect(err).To(MatchError(helicone.ErrDatasetsUnavailable))
			Expect(err).To(MatchError(helicone.ErrRouteNotFound))
			Expect(err.Error()).To(ContainSubstring("--experiment ID"))
		})
	})
})
