package heliconetest_test

import (
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/helicone/heliconetest"
)

var _ = Describe("faults of the write queue and the body storage", func() {
	Describe("LoseWrites", func() {
		It("acknowledges a write with 201 and never applies it, recording it as lost", func() {
			srv, _ := newServer()
			srv.LoseWrites(strings.ToUpper(reqA1))
			expectGolden("201-score-write", score(srv, keyA, reqA1, `{"scores":{"a":1}}`))
			Expect(score(srv, keyA, reqA2, `{"scores":{"a":2}}`).Status).To(Equal(201))
			Expect(srv.Scores(reqA1)).To(BeEmpty())
			Expect(srv.RowVersions(reqA1)).To(Equal(1), "no new row version")
			Expect(srv.Scores(reqA2)).To(HaveKeyWithValue("a", int64(2)))
			drops := srv.Dropped()
			Expect(drops).To(HaveLen(1))
			Expect(drops[0].RequestID).To(Equal(reqA1))
			Expect(drops[0].Reason).To(Equal(heliconetest.DropLost))
			Expect(drops[0].Scores).To(Equal(map[string]int64{"a": 1}))
		})

		It("loses a write already waiting in a consumer batch", func() {
			srv, _ := newServer(heliconetest.WithWriteDelay(time.Hour))
			Expect(score(srv, keyA, reqA1, `{"scores":{"a":1}}`).Status).To(Equal(201))
			srv.LoseWrites(reqA1)
			srv.FlushWrites()
			Expect(srv.Scores(reqA1)).To(BeEmpty())
			Expect(srv.Dropped()[0].Reason).To(Equal(heliconetest.DropLost))
		})

		It("keeps the legacy profile's synchronous Postgres write, which no queue carries", func() {
			srv, _ := newServer(legacy)
			srv.LoseWrites(reqA1)
			Expect(score(srv, keyA, reqA1, `{"scores":{"a":1}}`).Status).To(Equal(201))
			Expect(srv.Scores(reqA1)).To(BeEmpty())
			Expect(srv.PostgresScores(reqA1)).To(HaveKeyWithValue("a", int64(1)))
		})

		It("does not replay a lost write from the durable store", func() {
			dir := GinkgoT().TempDir()
			srv, _ := newServer(heliconetest.WithDataDir(dir))
			srv.LoseWrites(reqA1)
			Expect(score(srv, keyA, reqA1, `{"scores":{"a":1}}`).Status).To(Equal(201))
			Expect(score(srv, keyA, reqA2, `{"scores":{"a":2}}`).Status).To(Equal(201))
			srv.Close()
			again, _ := newServer(heliconetest.WithDataDir(dir))
			Expect(again.Scores(reqA1)).To(BeEmpty())
			Expect(again.Scores(reqA2)).To(HaveKeyWithValue("a", int64(2)))
		})

		It("is removed by ClearFaults", func() {
			srv, _ := newServer()
			srv.LoseWrites(reqA1)
			srv.ClearFaults()
			Expect(score(srv, keyA, reqA1, `{"scores":{"a":1}}`).Status).To(Equal(201))
			Expect(srv.Scores(reqA1)).To(HaveKeyWithValue("a", int64(1)))
		})
	})

	Describe("FailSigning", func() {
		It("answers a row's signed_url as an envelope whose signing failed, and the other rows as before", func() {
			srv, _ := newServer()
			srv.FailSigning(dsRow1)
			rows := dsRows(srv, keyA, dsAlpha, `{"offset":0,"limit":10}`)
			Expect(rows).To(HaveLen(2))
			for _, r := range rows {
				switch r.ID {
				case dsRow1:
					Expect(r.SignedURL.Data).To(BeNil())
					Expect(r.SignedURL.Error).To(HaveValue(Equal(heliconetest.SigningFailure)))
				default:
					Expect(r.SignedURL.Error).To(BeNil())
					Expect(r.SignedURL.Data).NotTo(BeNil())
				}
			}
			srv.ClearFaults()
			Expect(dsRows(srv, keyA, dsAlpha, `{"offset":0,"limit":10}`)[1].SignedURL.Data).NotTo(BeNil())
		})
	})

	Describe("ExpireSignedURLs", func() {
		It("makes every URL handed out so far answer 403 Request has expired, and later ones work", func() {
			srv, _ := newServer()
			old := *dsRows(srv, keyA, dsAlpha, `{"offset":0,"limit":10}`)[0].SignedURL.Data
			status, _, _ := fetchBody(old)
			Expect(status).To(Equal(200))
			srv.ExpireSignedURLs()
			status, _, body := fetchBody(old)
			Expect(status).To(Equal(http.StatusForbidden))
			Expect(body["raw"]).To(ContainSubstring("<Code>AccessDenied</Code><Message>Request has expired</Message>"))
			fresh := *dsRows(srv, keyA, dsAlpha, `{"offset":0,"limit":10}`)[0].SignedURL.Data
			Expect(fresh).NotTo(Equal(old))
			status, _, _ = fetchBody(fresh)
			Expect(status).To(Equal(200))
		})

		It("still refuses a URL that was never signed as a mismatch, not as expired", func() {
			srv, _ := newServer()
			u := *dsRows(srv, keyA, dsAlpha, `{"offset":0,"limit":10}`)[0].SignedURL.Data
			srv.ExpireSignedURLs()
			status, _, body := fetchBody(strings.Replace(u, "X-Amz-Signature=", "X-Amz-Signature=0", 1))
			Expect(status).To(Equal(http.StatusForbidden))
			Expect(body["raw"]).To(ContainSubstring("SignatureDoesNotMatch"))
		})
	})

	It("refuses a signed URL sent with an Authorization header, as S3 does: one auth mechanism only", func() {
		srv, _ := newServer()
		u := *dsRows(srv, keyA, dsAlpha, `{"offset":0,"limit":10}`)[0].SignedURL.Data
		a := send(http.MethodGet, u, keyA, "")
		Expect(a.Status).To(Equal(http.StatusBadRequest))
		Expect(string(a.Body)).To(ContainSubstring("<Code>InvalidArgument</Code><Message>Only one auth mechanism allowed"))
	})
})
