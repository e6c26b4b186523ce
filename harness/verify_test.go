package harness_test

import (
	"context"
	"encoding/json"
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
	"github.com/heval-dev/heval/helicone/heliconetest"
	"github.com/heval-dev/heval/helicone/heliconetest/demo"
)

// These specs run against the emulator, in both server profiles where the path exists on
// both: score writes and their read-back through request queries are common to both.

const (
	emuKey      = "sk-helicone-hrn0000-verify0-0000000-rw00000"
	emuReadOnly = "sk-helicone-hrn0000-verify0-0000000-ro00000"
	emuOrg      = "0e000000-0000-4000-8000-0000000000a1"
	// foreignKey and foreignOrg are another organization's.
	foreignKey = "sk-helicone-hrn0000-foreign-0000000-rw00000"
	foreignOrg = "0e000000-0000-4000-8000-0000000000f0"
)

// emuWorld is the seed of a spec: the run's organization and another one.
type emuWorld struct {
	org, foreign heliconetest.SeedOrganization
}

func newEmuWorld() *emuWorld {
	return &emuWorld{
		org: heliconetest.SeedOrganization{ID: emuOrg, Keys: []string{emuKey},
			ScopedKeys: []heliconetest.SeedKey{{Key: emuReadOnly, Permissions: "r"}}},
		foreign: heliconetest.SeedOrganization{ID: foreignOrg, Keys: []string{foreignKey}},
	}
}

// start serves the world in profile p and returns a client of the run's organization.
func (w *emuWorld) start(p heliconetest.Profile, opts ...heliconetest.Option) (*heliconetest.Server, *helicone.Client) {
	all := append([]heliconetest.Option{heliconetest.WithProfile(p),
		heliconetest.WithSeed(heliconetest.Seed{Organizations: []heliconetest.SeedOrganization{w.org, w.foreign}})}, opts...)
	srv := heliconetest.NewServer(all...)
	DeferCleanup(srv.Close)
	c, err := helicone.NewClient(helicone.WithBaseURL(srv.URL), helicone.WithAPIKey(emuKey),
		helicone.WithRetry(helicone.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond, MaxRetryAfter: time.Second}))
	Expect(err).NotTo(HaveOccurred())
	return srv, c
}

// logged adds n requests made an hour ago and returns their samples.
func (w *emuWorld) logged(n int) []heval.Sample {
	out := make([]heval.Sample, n)
	for i := range out {
		id := uuidFor(len(w.org.Requests))
		w.org.Requests = append(w.org.Requests, heliconetest.SeedRequest{ID: id, CreatedAgo: heliconetest.Duration(time.Hour)})
		out[i] = heval.Sample{Kind: heval.KindRequest, RequestID: id, CreatedAt: time.Now().Add(-time.Hour), Body: []byte(fmt.Sprintf(`"answer %d"`, i))}
	}
	return out
}

// old adds a request made 40 days ago and returns its sample.
func (w *emuWorld) old() heval.Sample {
	id := uuidFor(1<<16 + len(w.org.Requests))
	w.org.Requests = append(w.org.Requests, heliconetest.SeedRequest{ID: id, CreatedAgo: heliconetest.Duration(40 * 24 * time.Hour)})
	return heval.Sample{Kind: heval.KindRequest, RequestID: id, CreatedAt: time.Now().Add(-40 * 24 * time.Hour), Body: []byte(`"an old answer"`)}
}

// foreignRequest adds a request of the other organization and returns its sample, as a
// file of request ids collected with the other organization's key would hold it.
func (w *emuWorld) foreignRequest() heval.Sample {
	id := uuidFor(1<<20 + len(w.foreign.Requests))
	w.foreign.Requests = append(w.foreign.Requests, heliconetest.SeedRequest{ID: id, CreatedAgo: heliconetest.Duration(time.Hour)})
	return heval.Sample{Kind: heval.KindRequest, RequestID: id, Body: []byte(`"someone else's answer"`)}
}

var (
	intEval = harness.Evaluator("words", func(_ context.Context, s heval.Sample) (heval.Score, error) {
		return heval.Int(int64(len(s.Text()))), nil
	})
	boolEval = harness.Evaluator("even", func(_ context.Context, s heval.Sample) (heval.Score, error) {
		return heval.Bool(len(s.Text())%2 == 0), nil
	})
)

// reasonsOf maps each request id to its records' delivery error.
func reasonsOf(rec *recorder) map[string]string {
	out := map[string]string{}
	for _, r := range rec.records {
		out[r.Sample.RequestID] = r.DeliveryErr
	}
	return out
}

// status429 counts the calls the emulator answered 429.
func status429(srv *heliconetest.Server) int {
	n := 0
	for _, c := range srv.Log() {
		if c.Status == 429 {
			n++
		}
	}
	return n
}

var _ = Describe("verification", func() {
	for _, p := range heliconetest.Profiles {
		Describe("in the "+p.String()+" profile", func() {
			It("reads back scores Helicone stores seconds after acknowledging them, never through the experiment score route", func() {
				w := newEmuWorld()
				samples := w.logged(30)
				srv, client := w.start(p) // the default write delay of about 2 s
				Expect(srv.WriteDelay()).To(Equal(heliconetest.DefaultWriteDelay))
				res, err := harness.Run(context.Background(), harness.Config{
					Source: datasets.Slice(samples...), Env: datasets.Env{Client: client},
					Evaluators: []*harness.EvaluatorSpec{intEval, boolEval}, Verify: true,
				})
				Expect(err).NotTo(HaveOccurred())
				Expect(res.Summary.Delivery.Acknowledged).To(Equal(30))
				Expect(res.Summary.Delivery.Verified).To(Equal(60))
				Expect(res.Summary.Delivery.Missing).To(BeZero())
				counts := srv.Counts()
				Expect(counts[heliconetest.RouteExperimentScore]).To(BeZero())
				Expect(counts[heliconetest.RouteAddScores]).To(Equal(30), "one POST per request, all keys in it")
				Expect(counts[heliconetest.RouteQueryClickhouse]).To(BeNumerically("<=", 20), "batched, not one query per key or sample")
			})

			It("accepts scores sent as JSON numbers as well as strings", func() {
				w := newEmuWorld()
				samples := w.logged(5)
				_, client := w.start(p, heliconetest.WithWriteDelay(0), heliconetest.WithNumericScores())
				res, err := harness.Run(context.Background(), harness.Config{
					Source: datasets.Slice(samples...), Env: datasets.Env{Client: client},
					Evaluators: []*harness.EvaluatorSpec{intEval, boolEval}, Verify: true,
				})
				Expect(err).NotTo(HaveOccurred())
				Expect(res.Summary.Delivery.Verified).To(Equal(10))
			})

			It("asks for at most 100 requests per query", func() {
				w := newEmuWorld()
				samples := w.logged(250)
				srv, client := w.start(p, heliconetest.WithWriteDelay(0))
				res, err := harness.Run(context.Background(), harness.Config{
					Source: datasets.Slice(samples...), Env: datasets.Env{Client: client},
					Evaluators: []*harness.EvaluatorSpec{intEval}, Verify: true,
				})
				Expect(err).NotTo(HaveOccurred())
				Expect(res.Summary.Delivery.Verified).To(Equal(250))
				queries := srv.Counts()[heliconetest.RouteQueryClickhouse]
				Expect(queries).To(BeNumerically(">=", 6), "three batches or more, each paged until an empty page")
				Expect(queries).To(BeNumerically("<", 50))
			})

			It("names every score that did not land, with the reason", func() {
				w := newEmuWorld()
				samples := w.logged(2)
				// 0-1 land; then one unknown to Helicone, one older than 30 days, one whose
				// writes are lost, one of another organization.
				unknown := heval.Sample{Kind: heval.KindRequest, RequestID: "0b0b0b0b-0000-4000-8000-000000000002", Body: []byte(`"never logged"`)}
				old := w.old()
				lost := w.logged(1)[0]
				foreign := w.foreignRequest()
				samples = append(samples, unknown, old, lost, foreign)
				srv, client := w.start(p, heliconetest.WithWriteDelay(0))
				srv.LoseWrites(lost.RequestID)
				rec := &recorder{}
				res, err := harness.Run(context.Background(), harness.Config{
					Source: datasets.Slice(samples...), Env: datasets.Env{Client: client}, Handler: rec,
					Evaluators: []*harness.EvaluatorSpec{intEval, boolEval}, Verify: true, VerifyTimeout: 400 * time.Millisecond,
				})
				Expect(err).To(MatchError(harness.ErrScoresMissing))
				Expect(res.Summary.Delivery.Missing).To(Equal(8))
				Expect(res.Summary.Delivery.Verified).To(Equal(4))
				reasons := reasonsOf(rec)
				Expect(reasons[samples[0].RequestID]).To(BeEmpty())
				Expect(reasons[unknown.RequestID]).To(And(HavePrefix("not found on read-back: "), ContainSubstring("not visible after 400ms of polling"), ContainSubstring("unknown to this organization")))
				Expect(reasons[old.RequestID]).To(ContainSubstring("the request is 40 days old and Helicone drops scores of requests older than 30 days"))
				Expect(reasons[lost.RequestID]).To(And(ContainSubstring("not visible after 400ms of polling; Helicone writes scores asynchronously"), ContainSubstring("--verify-timeout")))
				Expect(reasons[foreign.RequestID]).To(ContainSubstring("a request of another organization or region"))
				Expect(err.Error()).To(And(ContainSubstring(lost.RequestID), ContainSubstring(old.RequestID), ContainSubstring(foreign.RequestID)))
				for _, r := range rec.records {
					Expect(r.Submitted).To(Equal(reasons[r.Sample.RequestID] == ""))
				}
				Expect(rec.summary.Err).To(ContainSubstring("not found when read back"))
				why := map[string]heliconetest.DropReason{}
				for _, d := range srv.Dropped() {
					why[d.RequestID] = d.Reason
				}
				Expect(why).To(Equal(map[string]heliconetest.DropReason{
					unknown.RequestID: heliconetest.DropUnknownRequest, old.RequestID: heliconetest.DropTooOld,
					lost.RequestID: heliconetest.DropLost, foreign.RequestID: heliconetest.DropOtherOrganization,
				}), "the emulator dropped exactly the scores the run names")
			})

			It("says when Helicone holds another value than the one sent", func() {
				w := newEmuWorld()
				samples := w.logged(1)
				srv, client := w.start(p, heliconetest.WithWriteDelay(0))
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
				w := newEmuWorld()
				samples := w.logged(2)
				srv, _ := w.start(p, heliconetest.WithWriteDelay(0))
				// Writes go out with the read-write key; the read-backs carry a read-only one.
				var queries atomic.Int32
				hc := &http.Client{Transport: roundTrip(func(r *http.Request) (*http.Response, error) {
					if strings.HasSuffix(r.URL.Path, "/query-clickhouse") {
						queries.Add(1)
						r = r.Clone(r.Context())
						r.Header.Set("Authorization", "Bearer "+emuReadOnly)
					}
					return http.DefaultTransport.RoundTrip(r)
				})}
				client, err := helicone.NewClient(helicone.WithBaseURL(srv.URL), helicone.WithAPIKey(emuKey), helicone.WithHTTPClient(hc))
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
				Expect(rec.records[0].DeliveryErr).NotTo(ContainSubstring(emuKey))
				Expect(rec.records[0].DeliveryErr).NotTo(ContainSubstring(emuReadOnly))
				Expect(queries.Load()).To(Equal(int32(1)), "one batch, read once")
			})

			It("counts every read-back against the run's budget", func() {
				w := newEmuWorld()
				samples := w.logged(40)
				srv, client := w.start(p, heliconetest.WithRateLimit(time.Second, 25), heliconetest.WithWriteDelay(150*time.Millisecond))
				res, err := harness.Run(context.Background(), harness.Config{
					Source: datasets.Slice(samples...), Env: datasets.Env{Client: client},
					Evaluators: []*harness.EvaluatorSpec{intEval}, Verify: true,
					Rate: helicone.Rate{Requests: 25, Window: time.Second},
				})
				Expect(err).NotTo(HaveOccurred())
				Expect(res.Summary.Delivery.Verified).To(Equal(40))
				Expect(status429(srv)).To(BeZero(), "writes and read-backs together stay within the budget")
				Expect(res.Summary.Delivery.RateLimited).To(BeZero())
			})
		})
	}
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
		_, local := newEmuWorld().start(heliconetest.Current)
		first, timeout := harness.VerifyTiming(harness.Config{}, local)
		Expect(first).To(Equal(100 * time.Millisecond))
		Expect(timeout).To(Equal(5 * time.Second))
		first, timeout = harness.VerifyTiming(harness.Config{VerifyDelay: 3 * time.Second, VerifyTimeout: 20 * time.Minute}, remote)
		Expect(first).To(Equal(3 * time.Second))
		Expect(timeout).To(Equal(20 * time.Minute))
	})
})

// dataset adds a Helicone dataset of the requests to the world, its rows made together an
// hour ago, and returns the row ids.
func (w *emuWorld) dataset(id, name string, requestIDs ...string) []string {
	d := heliconetest.SeedHeliconeDataset{ID: id, Name: name, CreatedAgo: heliconetest.Duration(time.Hour)}
	rows := make([]string, len(requestIDs))
	for i, rid := range requestIDs {
		rows[i] = fmt.Sprintf("%s%012d", id[:24], i+1)
		d.Rows = append(d.Rows, heliconetest.SeedHeliconeDatasetRow{ID: rows[i], RequestID: rid})
	}
	w.org.HeliconeDatasets = append(w.org.HeliconeDatasets, d)
	return rows
}

func chat(text string) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(`{"choices":[{"message":{"role":"assistant","content":%q}}]}`, text))
}

var wordCount = harness.Evaluator("word_count", func(_ context.Context, s heval.Sample) (heval.Score, error) {
	return heval.Int(int64(len(strings.Fields(s.Text())))), nil
})

var _ = Describe("a Helicone dataset and its tagged runs, compared", func() {
	It("pairs the hypotheses per dataset row, as a legacy experiment's do", func() {
		w := newEmuWorld()
		var origins []string
		for i := range 40 {
			id := uuidFor(1000 + i)
			origins = append(origins, id)
			w.org.Requests = append(w.org.Requests, heliconetest.SeedRequest{ID: id, CreatedAgo: heliconetest.Duration(2 * time.Hour), ResponseBody: chat("original")})
		}
		rows := w.dataset("da7a0000-0000-4000-8000-000000000001", "golden", origins...)
		for i, row := range rows {
			for h, hyp := range []string{"baseline", "candidate"} {
				// The candidate answers every row one word longer than the baseline.
				words := "a b c d e f g h i j"[:2*(3+i%5+h)-1]
				w.org.Requests = append(w.org.Requests, heliconetest.SeedRequest{ID: uuidFor(2000 + 100*h + i), CreatedAgo: heliconetest.Duration(30 * time.Minute),
					Headers: map[string]string{datasets.HypothesisHeader: hyp, datasets.RowHeader: row}, ResponseBody: chat(words)})
			}
		}
		_, client := w.start(heliconetest.Current)
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

// The checks of issue 13's "Done when", on the emulator with its default asynchronous
// write delay.
var _ = Describe("a demo dataset and its tagged runs on current Helicone, verified", func() {
	It("submits every score, verifies every score and reports none missing", func() {
		srv := heliconetest.NewServer(heliconetest.WithSeed(demo.Seed()))
		DeferCleanup(srv.Close)
		Expect(srv.Profile()).To(Equal(heliconetest.Current))
		Expect(srv.WriteDelay()).To(Equal(heliconetest.DefaultWriteDelay))
		client, err := helicone.NewClient(helicone.WithBaseURL(srv.URL), helicone.WithAPIKey(demo.APIKey))
		Expect(err).NotTo(HaveOccurred())
		rec := &recorder{}
		res, err := harness.Run(context.Background(), harness.Config{
			Source: datasets.DatasetExperiment(demo.SupportDatasetName), Env: datasets.Env{Client: client}, Handler: rec,
			Evaluators: []*harness.EvaluatorSpec{wordCount, boolEval}, Verify: true, KeepResults: true,
		})
		Expect(err).NotTo(HaveOccurred())
		// 120 dataset rows and a run of each of three hypotheses per row.
		Expect(res.Summary.Samples).To(Equal(4 * demo.DefaultRows))
		d := res.Summary.Delivery
		Expect(d.Acknowledged).To(Equal(4 * demo.DefaultRows))
		Expect(d.Verified).To(Equal(2 * 4 * demo.DefaultRows))
		Expect(d.Missing).To(BeZero())
		Expect(d.Failed).To(BeZero())
		for _, r := range rec.records {
			Expect(r.Submitted).To(BeTrue(), r.DeliveryErr)
			stored := r.Evaluator
			if r.Evaluator == "even" {
				stored += heliconetest.BoolSuffix
			}
			Expect(srv.Scores(r.Sample.RequestID)).To(HaveKey(stored))
		}
		Expect(srv.Dropped()).To(BeEmpty())
		Expect(srv.Counts()[heliconetest.RouteExperimentScore]).To(BeZero())
		for _, h := range []string{"baseline", "candidate", "claude"} {
			Expect(res.Hypothesis(h).Len()).To(Equal(2*demo.DefaultRows), h)
		}
		Expect(res.Hypothesis("candidate")).To(NotBeWorseThan(res.Hypothesis("baseline"), "word_count", ByMoreThan(1000)))
	})

	It("names a score dropped for a row older than 30 days and one of another organization's request, each with its reason", func() {
		w := newEmuWorld()
		fresh := w.logged(3)
		old := w.old()
		var ids []string
		for _, s := range append(fresh, old) {
			ids = append(ids, s.RequestID)
		}
		rows := w.dataset("da7a0000-0000-4000-8000-000000000002", "golden", ids...)
		for i, row := range rows {
			w.org.Requests = append(w.org.Requests, heliconetest.SeedRequest{ID: uuidFor(3000 + i), CreatedAgo: heliconetest.Duration(10 * time.Minute),
				Headers: map[string]string{datasets.HypothesisHeader: "candidate", datasets.RowHeader: row}, ResponseBody: chat("a tagged run")})
		}
		foreign := w.foreignRequest()
		srv, client := w.start(heliconetest.Current)
		rec := &recorder{}
		res, err := harness.Run(context.Background(), harness.Config{
			Source: datasets.Concat(datasets.DatasetExperiment("golden"), datasets.Slice(foreign)), Env: datasets.Env{Client: client}, Handler: rec,
			Evaluators: []*harness.EvaluatorSpec{wordCount}, Verify: true,
		})
		Expect(err).To(MatchError(harness.ErrScoresMissing))
		Expect(res.Summary.Delivery.Verified).To(Equal(3 + 4))
		Expect(res.Summary.Delivery.Missing).To(Equal(2))
		reasons := reasonsOf(rec)
		Expect(reasons[old.RequestID]).To(ContainSubstring("the request is 40 days old and Helicone drops scores of requests older than 30 days"))
		Expect(reasons[foreign.RequestID]).To(And(ContainSubstring("Helicone returns no request "+foreign.RequestID), ContainSubstring("a request of another organization or region")))
		for id, why := range reasons {
			if id != old.RequestID && id != foreign.RequestID {
				Expect(why).To(BeEmpty(), id)
			}
		}
		Expect(err.Error()).To(And(ContainSubstring(old.RequestID), ContainSubstring(foreign.RequestID)))
		Expect(srv.Dropped()).To(ConsistOf(
			HaveField("Reason", heliconetest.DropTooOld), HaveField("Reason", heliconetest.DropOtherOrganization)))
	})
})

var _ = Describe("a source the server does not serve", func() {
	It("legacy: a Helicone dataset is an error that says to evaluate experiments", func() {
		_, client := newEmuWorld().start(heliconetest.Legacy)
		_, err := harness.Run(context.Background(), harness.Config{
			Source: datasets.DatasetExperiment("golden"), Env: datasets.Env{Client: client}, Evaluators: []*harness.EvaluatorSpec{intEval},
		})
		Expect(err).To(MatchError(helicone.ErrDatasetsUnavailable))
		Expect(err.Error()).To(ContainSubstring("--experiment"))
	})

	It("current: an experiment is an error that says to evaluate a dataset and its tagged runs", func() {
		_, client := newEmuWorld().start(heliconetest.Current)
		_, err := harness.Run(context.Background(), harness.Config{
			Source: datasets.Experiment("e0000000-0000-4000-8000-000000000001"), Env: datasets.Env{Client: client}, Evaluators: []*harness.EvaluatorSpec{intEval},
		})
		Expect(err).To(MatchError(helicone.ErrExperimentsUnavailable))
		Expect(err.Error()).To(ContainSubstring("--dataset"))
	})
})

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
