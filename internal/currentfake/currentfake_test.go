package currentfake_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/helicone"
	"github.com/heval-dev/heval/internal/currentfake"
)

func TestCurrentFake(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "currentfake")
}

var ctx = context.Background()

func id(i int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", i) }

// The helicone client against a server of the current profile. These specs should run
// against heliconetest's current profile as well, once it exists.
var _ = Describe("the helicone client against current Helicone", func() {
	var srv *currentfake.Server
	var client *helicone.Client
	BeforeEach(func() {
		srv = currentfake.New()
		DeferCleanup(srv.Close)
		var err error
		client, err = helicone.NewClient(helicone.WithBaseURL(srv.URL), helicone.WithAPIKey(currentfake.APIKey), helicone.WithRetry(helicone.NoRetry()))
		Expect(err).NotTo(HaveOccurred())
	})

	It("reads every request although scored requests make pages short", func() {
		for i := range 6 {
			srv.AddRequest(currentfake.Request{ID: id(i), CreatedAt: time.Now().Add(-time.Duration(i) * time.Minute)})
		}
		for _, i := range []int{0, 1, 1, 3} {
			_, err := client.AddScores(ctx, id(i), helicone.Scores{"accuracy": helicone.Int(int64(10 * i))})
			Expect(err).NotTo(HaveOccurred())
		}
		Expect(srv.Versions(id(1))).To(Equal(3))
		var got []string
		for r, err := range client.Requests(ctx, helicone.RequestQuery{Limit: 3}) {
			Expect(err).NotTo(HaveOccurred())
			got = append(got, r.RequestID)
		}
		Expect(got).To(Equal([]string{id(0), id(1), id(2), id(3), id(4), id(5)}))
	})

	It("answers the experiment query with \"Not implemented\" and the v2 route with null", func() {
		_, err := client.QueryExperiments(ctx, helicone.ExperimentQuery{Filter: helicone.ExperimentID(helicone.Equals, id(1))})
		Expect(err).To(MatchError(helicone.ErrExperimentsUnavailable))
		srv.AddRequest(currentfake.Request{ID: id(1)})
		_, err = client.AddScores(ctx, id(1), helicone.Scores{"accuracy": helicone.Int(9)})
		Expect(err).NotTo(HaveOccurred())
		got, err := client.GetExperimentScore(ctx, id(9), id(1), "accuracy")
		Expect(err).NotTo(HaveOccurred())
		Expect(got).To(BeNil(), "the v2 route finds no score on current Helicone, even one that landed")
		Expect(srv.Scores(id(1))).To(HaveKeyWithValue("accuracy", int64(9)))
	})

	It("applies writes after the write delay, as new row versions", func() {
		slow := currentfake.New(currentfake.WithWriteDelay(100 * time.Millisecond))
		DeferCleanup(slow.Close)
		c, err := helicone.NewClient(helicone.WithBaseURL(slow.URL), helicone.WithAPIKey(currentfake.APIKey))
		Expect(err).NotTo(HaveOccurred())
		slow.AddRequest(currentfake.Request{ID: id(1)})
		_, err = c.AddScores(ctx, id(1), helicone.Scores{"ok": helicone.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		Expect(slow.Scores(id(1))).To(BeEmpty())
		Eventually(func() map[string]int64 { return slow.Scores(id(1)) }).Should(HaveKeyWithValue("ok-hcone-bool", int64(1)))
		rows, err := c.RequestsByID(ctx, helicone.RequestIDQuery{IDs: []string{id(1)}})
		Expect(err).NotTo(HaveOccurred())
		Expect(rows[id(1)].Scores["ok-hcone-bool"].Raw).To(Equal("1"))
	})

	It("refuses a read-only key on POST and names an unknown route", func() {
		ro, err := helicone.NewClient(helicone.WithBaseURL(srv.URL), helicone.WithAPIKey(currentfake.ReadOnlyKey))
		Expect(err).NotTo(HaveOccurred())
		_, err = ro.ListDatasets(ctx)
		Expect(err).To(MatchError(helicone.ErrKeyPermission))
		_, err = client.AddScores(ctx, id(1), helicone.Scores{})
		Expect(err).NotTo(HaveOccurred())
		_, err = ro.GetExperimentScore(ctx, id(1), id(1), "x")
		Expect(err).NotTo(HaveOccurred(), "GET needs only read permission")
	})

	It("serves a dataset's rows, count and signed bodies", func() {
		srv.AddRequest(currentfake.Request{ID: id(1), RequestBody: json.RawMessage(`{"messages":[{"role":"user","content":"hi"}]}`), ResponseBody: json.RawMessage(`{"choices":[{"message":{"content":"hello"}}]}`)})
		dsID, rowIDs := srv.AddDataset("golden", id(1))
		d, err := client.FindDataset(ctx, "golden")
		Expect(err).NotTo(HaveOccurred())
		Expect(d.ID).To(Equal(dsID))
		Expect(d.RequestsCount).To(Equal(helicone.FlexInt(1)))
		rows, err := client.AllDatasetRows(ctx, dsID)
		Expect(err).NotTo(HaveOccurred())
		Expect(rows).To(HaveLen(1))
		Expect(rows[0].ID).To(Equal(rowIDs[0]))
		Expect(rows[0].OriginRequestID).To(Equal(id(1)))
		b, err := client.FetchSignedBody(ctx, rows[0].SignedURL.URL)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(b.Response)).To(ContainSubstring("hello"))
		Expect(srv.SignedAuth()).To(BeEmpty())

		srv.ExpireSignedURLs()
		_, err = client.FetchSignedBody(ctx, rows[0].SignedURL.URL)
		var se *helicone.SignedURLError
		Expect(errors.As(err, &se)).To(BeTrue())
		Expect(se.Expired()).To(BeTrue())
	})
})
