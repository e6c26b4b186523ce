package heliconetest_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	. "github.com/onsi/gomega/gstruct"

	"github.com/heval-dev/heval/helicone/heliconetest"
)

var _ = Describe("asynchronous score writes", func() {
	It("applies writes a while after the 201 by default", func() {
		srv := heliconetest.NewServer(heliconetest.WithSeed(fixture()))
		DeferCleanup(srv.Close)
		Expect(heliconetest.DefaultWriteDelay).To(BeNumerically(">", 0))
		Expect(srv.WriteDelay()).To(Equal(heliconetest.DefaultWriteDelay))
		start := time.Now()
		Expect(score(srv, keyA, reqA1, `{"scores":{"a":1}}`).Status).To(Equal(201))
		Expect(srv.Scores(reqA1)).To(BeEmpty(), "the 201 comes before anything is stored")
		Eventually(func() map[string]int64 { return srv.Scores(reqA1) }, 10*time.Second, 50*time.Millisecond).Should(Equal(map[string]int64{"a": 1}))
		Expect(time.Since(start)).To(BeNumerically(">=", heliconetest.DefaultWriteDelay))
	})

	It("with a write delay, answers 201 first and stores afterwards", func() {
		srv, _ := newServer(heliconetest.WithWriteDelay(50 * time.Millisecond))
		Expect(score(srv, keyA, reqA1, `{"scores":{"a":1}}`).Status).To(Equal(201))
		Expect(srv.Scores(reqA1)).To(BeEmpty())
		srv.WaitWrites()
		Expect(srv.Scores(reqA1)).To(Equal(map[string]int64{"a": 1}))
	})

	It("applies only the newest of two quick writes for one request: one consumer batch, not merged", func() {
		srv, _ := newServer(heliconetest.WithWriteDelay(time.Hour))
		Expect(score(srv, keyA, reqA1, `{"scores":{"a":1}}`).Status).To(Equal(201))
		Expect(score(srv, keyA, reqA1, `{"scores":{"b":2}}`).Status).To(Equal(201))
		Expect(score(srv, keyA, reqA2, `{"scores":{"c":3}}`).Status).To(Equal(201))
		srv.FlushWrites()
		Expect(srv.Scores(reqA1)).To(Equal(map[string]int64{"b": 2}), "the first write's keys are lost")
		Expect(srv.Scores(reqA2)).To(Equal(map[string]int64{"accuracy": 80, "is_factual-hcone-bool": 1, "c": 3}))
		Expect(srv.Dropped()).To(ConsistOf(MatchFields(IgnoreExtras, Fields{
			"RequestID": Equal(reqA1), "Reason": Equal(heliconetest.DropSuperseded), "Scores": Equal(map[string]int64{"a": 1}),
		})))
	})

	It("merges writes for one request that fall into different batches", func() {
		srv, _ := newServer(heliconetest.WithWriteDelay(20 * time.Millisecond))
		score(srv, keyA, reqA1, `{"scores":{"a":1}}`)
		srv.WaitWrites()
		score(srv, keyA, reqA1, `{"scores":{"b":2}}`)
		srv.WaitWrites()
		Expect(srv.Scores(reqA1)).To(Equal(map[string]int64{"a": 1, "b": 2}))
		Expect(srv.Dropped()).To(BeEmpty())
	})

	It("applies every write at once and one by one with WithWriteDelay(0)", func() {
		srv, _ := newServer(heliconetest.WithWriteDelay(0))
		score(srv, keyA, reqA1, `{"scores":{"a":1}}`)
		score(srv, keyA, reqA1, `{"scores":{"b":2}}`)
		Expect(srv.Scores(reqA1)).To(Equal(map[string]int64{"a": 1, "b": 2}))
	})

	It("applies the waiting batch on Close", func() {
		dir := GinkgoT().TempDir()
		srv := heliconetest.NewServer(heliconetest.WithSeed(fixture()), heliconetest.WithWriteDelay(time.Hour), heliconetest.WithDataDir(dir))
		score(srv, keyA, reqA1, `{"scores":{"a":1}}`)
		done := make(chan struct{})
		go func() { srv.Close(); close(done) }()
		Eventually(done, 5*time.Second).Should(BeClosed())
		Expect(srv.Scores(reqA1)).To(Equal(map[string]int64{"a": 1}))
	})

	It("replays a superseded write as superseded from the durable store", func() {
		dir := GinkgoT().TempDir()
		srv := heliconetest.NewServer(heliconetest.WithSeed(fixture()), heliconetest.WithWriteDelay(time.Hour), heliconetest.WithDataDir(dir))
		score(srv, keyA, reqA1, `{"scores":{"a":1}}`)
		score(srv, keyA, reqA1, `{"scores":{"b":2}}`)
		srv.FlushWrites()
		srv.Close()
		Expect(reopen(dir).Scores(reqA1)).To(Equal(map[string]int64{"b": 2}))
	})

	Describe("the legacy profile's Postgres score_value", func() {
		It("is written synchronously, before the 201, and read by the v2 route at once", func() {
			srv, _ := newServer(legacy, heliconetest.WithWriteDelay(time.Hour))
			score(srv, keyA, reqA1, `{"scores":{"accuracy":92}}`)
			Expect(srv.Scores(reqA1)).To(BeEmpty())
			Expect(srv.PostgresScores(reqA1)).To(Equal(map[string]int64{"accuracy": 92}))
			expectGolden("200-score-written", get(srv, keyA, "/v2/experiment/x/"+reqA1+"/accuracy"))
		})

		It("keeps the first value per key, while ClickHouse takes the newest", func() {
			srv, _ := newServer(legacy)
			score(srv, keyA, reqA1, `{"scores":{"accuracy":92}}`)
			score(srv, keyA, reqA1, `{"scores":{"accuracy":50,"other":1}}`)
			Expect(srv.PostgresScores(reqA1)).To(Equal(map[string]int64{"accuracy": 92, "other": 1}))
			Expect(srv.Scores(reqA1)).To(Equal(map[string]int64{"accuracy": 50, "other": 1}))
			expectGolden("200-score-written", get(srv, keyA, "/v2/experiment/x/"+reqA1+"/accuracy"))
		})

		It("does not exist in the current profile", func() {
			srv, _ := newServer()
			score(srv, keyA, reqA1, `{"scores":{"accuracy":92}}`)
			Expect(srv.PostgresScores(reqA1)).To(BeNil())
		})
	})
})
