package harness_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/heval-dev/heval/stats"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval"

	"github.com/heval-dev/heval/datasets"
	"github.com/heval-dev/heval/harness"
	. "github.com/heval-dev/heval/harness/matchers"
	"github.com/heval-dev/heval/helicone"
	"github.com/heval-dev/heval/internal/currentfake"
)

// These specs run against a scripted current Helicone; they should run against
// heliconetest's current profile as well once it exists (startCurrent is the one place to
// change).

func startCurrent(opts ...currentfake.Option) (*currentfake.Server, *helicone.Client) {
	srv := currentfake.New(opts...)
	DeferCleanup(srv.Close)
	c, err := helicone.NewClient(helicone.WithBaseURL(srv.URL), helicone.WithAPIKey(currentfake.APIKey),
		helicone.WithRetry(helicone.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond, MaxRetryAfter: time.Second}))
	Expect(err).NotTo(HaveOccurred())
	return srv, c
}

// logged adds n requests made an hour ago and returns their samples.
func logged(srv *currentfake.Server, n int) []heval.Sample {
	out := make([]heval.Sample, n)
	for i := range out {
		id := uuidFor(i)
		created := time.Now().Add(-time.Hour)
		srv.AddRequest(currentfake.Request{ID: id, CreatedAt: created})
		out[i] = heval.Sample{Kind: heval.KindRequest, RequestID: id, CreatedAt: created, Body: []byte(fmt.Sprintf(`"answer %d"`, i))}
	}
	return out
}

var (
	intEval = harness.Evaluator("words", func(_ context.Context, s heval.Sample) (heval.Score, error) {
		return heval.Int(int64(len(s.Text()))), nil
	})
	boolEval = harness.Evaluator("even", func(_ context.Context, s heval.Sample) (heval.Score, error) {
		return heval.Bool(len(s.Text())%2 == 0), nil
	})
)

var _ = Describe("verification on current Helicone", func() {
	It("reads back scores Helicone stores seconds after acknowledging them, never trusting the v2 route's null", func() {
		srv, client := startCurrent(currentfake.WithWriteDelay(300 * time.Millisecond))
		res, err := harness.Run(context.Background(), harness.Config{
			Source: datasets.Slice(logged(srv, 30)...), Env: datasets.Env{Client: client},
			Evaluators: []*harness.EvaluatorSpec{intEval, boolEval}, Verify: true,
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(res.Summary.Delivery.Acknowledged).To(Equal(30))
		Expect(res.Summary.Delivery.Verified).To(Equal(60))
		Expect(res.Summary.Delivery.Missing).To(BeZero())
		Expect(srv.Count(currentfake.RouteExperimentV2)).To(BeZero())
		Expect(srv.Count(currentfake.RouteQuery)).To(BeNumerically("<=", 12), "batched, not one query per key or sample")
	})

	It("accepts scores sent as JSON numbers as well as strings", func() {
		srv, client := startCurrent(currentfake.WithNumericScores())
		res, err := harness.Run(context.Background(), harness.Config{
			Source: datasets.Slice(logged(srv, 5)...), Env: datasets.Env{Client: client},
			Evaluators: []*harness.EvaluatorSpec{intEval, boolEval}, Verify: true,
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(res.Summary.Delivery.Verified).To(Equal(10))
	})

	It("asks for at most 100 requests per query", func() {
		srv, client := startCurrent()
		var pages []int
		res, err := harness.Run(context.Background(), harness.Config{
			Source: datasets.Slice(logged(srv, 250)...), Env: datasets.Env{Client: client},
			Evaluators: []*harness.EvaluatorSpec{intEval}, Verify: true,
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(res.Summary.Delivery.Verified).To(Equal(250))
		pages = append(pages, srv.Count(currentfake.RouteQuery))
		Expect(pages[0]).To(BeNumerically(">=", 6), "three batches or more, each paged until an empty page")
		Expect(pages[0]).To(BeNumerically("<", 50))
	})

	It("names every score that did not land, with what was waited for", func() {
		srv, client := startCurrent()
		samples := logged(srv, 5)
		// 0-1 land; 2 is unknown to Helicone; 3 is older than 30 days; 4's writes are lost.
		samples[2].RequestID = "0b0b0b0b-0000-4000-8000-000000000002"
		old := time.Now().Add(-40 * 24 * time.Hour)
		srv.AddRequest(currentfake.Request{ID: samples[3].RequestID, CreatedAt: old})
		samples[3].CreatedAt = old
		srv.LoseWrites(samples[4].RequestID)
		rec := &recorder{}
		res, err := harness.Run(context.Background(), harness.Config{
			Source: datasets.Slice(samples...), Env: datasets.Env{Client: client}, Handler: rec,
			Evaluators: []*harness.EvaluatorSpec{intEval, boolEval}, Verify: true, VerifyTimeout: 400 * time.Millisecond,
		})
		Expect(err).To(MatchError(harness.ErrScoresMissing))
		Expect(res.Summary.Delivery.Missing).To(Equal(6))
		Expect(res.Summary.Delivery.Verified).To(Equal(4))
		reasons := map[string]string{}
		for _, r := range rec.records {
			reasons[r.Sample.RequestID] = r.DeliveryErr
		}
		Expect(reasons[samples[0].RequestID]).To(BeEmpty())
		Expect(reasons[samples[2].RequestID]).To(And(HavePrefix("not found on read-back: "), ContainSubstring("not visible after 400ms of polling"), ContainSubstring("unknown to this organization")))
		Expect(reasons[samples[3].RequestID]).To(ContainSubstring("40 days old"))
		Expect(reasons[samples[4].RequestID]).To(And(ContainSubstring("not visible after 400ms of polling; Helicone writes scores asynchronously"), ContainSubstring("--verify-timeout")))
		Expect(err.Error()).To(ContainSubstring(samples[4].RequestID))
		for _, r := range rec.records {
			Expect(r.Submitted).To(Equal(reasons[r.Sample.RequestID] == ""))
		}
		Expect(rec.summary.Err).To(ContainSubstring("not found when read back"))
		Expect(srv.Dropped()).To(ContainElements(samples[2].RequestID, samples[3].RequestID, samples[4].RequestID))
	})

	It("says when Helicone holds another value than the one sent", func() {
		srv, client := startCurrent()
		samples := logged(srv, 1)
		_, err := client.AddScores(context.Background(), samples[0].RequestID, helicone.Scores{"words": helicone.Int(99)})
		Expect(err).NotTo(HaveOccurred())
		srv.LoseWrites(samples[0].RequestID)
		rec := &recorder{}
		_, err = harness.Run(context.Background(), harness.Config{
			Source: datasets.Slice(samples...), Env: datasets.Env{Client: client}, Handler: rec,
			Evaluators: []*harness.EvaluatorSpec{intEval}, Verify: true, VerifyTimeout: 300 * time.Millisecond,
		})
		Expect(err).To(MatchError(harness.ErrScoresMissing))
		Expect(rec.records[0].DeliveryErr).To(ContainSubstring(`Helicone holds words = "99", not the 8 that was sent`))
	})

	It("stops polling at once when a read-back cannot succeed, and says why", func() {
		srv, _ := startCurrent()
		samples := logged(srv, 2)
		// Writes go out with the read-write key; the read-backs carry a read-only one.
		var queries atomic.Int32
		hc := &http.Client{Transport: roundTrip(func(r *http.Request) (*http.Response, error) {
			if strings.HasSuffix(r.URL.Path, "/query-clickhouse") {
				queries.Add(1)
				r = r.Clone(r.Context())
				r.Header.Set("Authorization", "Bearer "+currentfake.ReadOnlyKey)
			}
			return http.DefaultTransport.RoundTrip(r)
		})}
		client, err := helicone.NewClient(helicone.WithBaseURL(srv.URL), helicone.WithAPIKey(currentfake.APIKey), helicone.WithHTTPClient(hc))
		Expect(err).NotTo(HaveOccurred())
		start := time.Now()
		rec := &recorder{}
		_, err = harness.Run(context.Background(), harness.Config{
			Source: datasets.Slice(samples...), Env: datasets.Env{Client: client}, Handler: rec,
			Evaluators: []*harness.EvaluatorSpec{intEval}, Verify: true, VerifyTimeout: time.Minute,
		})
		Expect(err).To(MatchError(harness.ErrScoresMissing))
		Expect(time.Since(start)).To(BeNumerically("<", 10*time.Second), "a 401 is not polled for a minute")
		Expect(rec.records[0].DeliveryErr).To(ContainSubstring("could not be read back"))
		Expect(rec.records[0].DeliveryErr).To(ContainSubstring("write permission ('w')"))
		Expect(rec.records[0].DeliveryErr).NotTo(ContainSubstring(currentfake.APIKey))
		Expect(queries.Load()).To(Equal(int32(1)), "one batch, read once")
	})

	It("counts every read-back against the run's budget", func() {
		srv, client := startCurrent(currentfake.WithRateLimit(time.Second, 25), currentfake.WithWriteDelay(150*time.Millisecond))
		res, err := harness.Run(context.Background(), harness.Config{
			Source: datasets.Slice(logged(srv, 40)...), Env: datasets.Env{Client: client},
			Evaluators: []*harness.EvaluatorSpec{intEval}, Verify: true,
			Rate: helicone.Rate{Requests: 25, Window: time.Second},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(res.Summary.Delivery.Verified).To(Equal(40))
		Expect(srv.Count("429")).To(BeZero(), "writes and read-backs together stay within the budget")
		Expect(res.Summary.Delivery.RateLimited).To(BeZero())
	})
})

var _ = Describe("verification timing", func() {
	remote, err := helicone.NewClient(helicone.WithAPIKey("sk-helicone-timing0-0000000-0000000-0000000"))
	if err != nil {
		panic(err)
	}

	It("follows Helicone's schedule for a remote server: 2, 4, 8, 16, 30 s, then every 60 s, for 11 minutes", func() {
		Expect(harness.VerifyPolls(harness.Config{}, remote, 8)).To(Equal([]time.Duration{
			2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 30 * time.Second, time.Minute, time.Minute, time.Minute}))
		_, timeout := harness.VerifyTiming(harness.Config{}, remote)
		Expect(timeout).To(Equal(11 * time.Minute))
	})

	It("is quick against a loopback server, and configurable", func() {
		_, local := startCurrent()
		first, timeout := harness.VerifyTiming(harness.Config{}, local)
		Expect(first).To(Equal(100 * time.Millisecond))
		Expect(timeout).To(Equal(5 * time.Second))
		first, timeout = harness.VerifyTiming(harness.Config{VerifyDelay: 3 * time.Second, VerifyTimeout: 20 * time.Minute}, remote)
		Expect(first).To(Equal(3 * time.Second))
		Expect(timeout).To(Equal(20 * time.Minute))
	})
})

var _ = Describe("a Helicone dataset and its tagged runs, compared", func() {
	It("pairs the hypotheses per dataset row, as a legacy experiment's do", func() {
		srv, client := startCurrent()
		var origins []string
		for i := range 40 {
			id := uuidFor(1000 + i)
			origins = append(origins, id)
			srv.AddRequest(currentfake.Request{ID: id, ResponseBody: []byte(`{"choices":[{"message":{"content":"original"}}]}`)})
		}
		_, rows := srv.AddDataset("golden", origins...)
		for i, row := range rows {
			for h, hyp := range []string{"baseline", "candidate"} {
				// The candidate answers every row one word longer than the baseline.
				words := "a b c d e f g h i j"[:2*(3+i%5+h)-1]
				srv.AddRequest(currentfake.Request{ID: uuidFor(2000 + 100*h + i), Properties: map[string]string{"heval-hypothesis": hyp, "heval-row": row},
					ResponseBody: []byte(fmt.Sprintf(`{"choices":[{"message":{"content":%q}}]}`, words))})
			}
		}
		wordCount := harness.Evaluator("word_count", func(_ context.Context, s heval.Sample) (heval.Score, error) {
			n := 1
			for _, c := range s.Text() {
				if c == ' ' {
					n++
				}
			}
			return heval.Int(int64(n)), nil
		})
		res, err := harness.Run(context.Background(), harness.Config{
			Source: datasets.DatasetExperiment("golden", datasets.RunsOnly()), Env: datasets.Env{Client: client},
			Evaluators: []*harness.EvaluatorSpec{wordCount}, Verify: true, KeepResults: true,
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(res.Hypothesis("candidate").Len()).To(Equal(40))
		Expect(res.Summary.Delivery.Verified).To(Equal(80))
		Expect(res.Hypothesis("candidate")).To(NotBeWorseThan(res.Hypothesis("baseline"), "word_count", LowerIsBetter(), ByMoreThan(1.01)))
		Expect(res.Hypothesis("candidate")).NotTo(NotBeWorseThan(res.Hypothesis("baseline"), "word_count", LowerIsBetter(), ByMoreThan(0.5)))
		m := NotBeWorseThan(res.Hypothesis("baseline"), "word_count", LowerIsBetter())
		_, err = m.Match(res.Hypothesis("candidate"))
		Expect(err).NotTo(HaveOccurred())
		c := m.(interface{ Comparison() *stats.Comparison }).Comparison()
		Expect(c.Paired).To(BeTrue())
		Expect(c.Units).To(Equal(40), "paired over the 40 dataset rows")
		for _, r := range c.Rows {
			Expect(r.Diff).To(Equal(1.0))
		}
	})
})

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
