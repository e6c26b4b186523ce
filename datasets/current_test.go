package datasets_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval"

	"github.com/heval-dev/heval/datasets"
	"github.com/heval-dev/heval/helicone"
	"github.com/heval-dev/heval/helicone/heliconetest"
)

// These specs run the sources of current Helicone (Helicone Datasets, tagged runs) against
// the emulator: the current profile, and the legacy one where the path exists there too
// or where a user of a legacy server needs to be told what to use instead.

const worldKey = "sk-helicone-dsw0000-world00-0000000-0000000"

// world is the seed of one organization, built up by a spec before the emulator starts.
type world struct {
	org heliconetest.SeedOrganization
	// serve are more options of the emulator.
	serve []heliconetest.Option
}

func newWorld() *world {
	return &world{org: heliconetest.SeedOrganization{ID: "0d000000-0000-4000-8000-0000000000d5", Keys: []string{worldKey}}}
}

func ago(d time.Duration) heliconetest.Duration { return heliconetest.Duration(d) }

// request logs a request.
func (w *world) request(r heliconetest.SeedRequest) { w.org.Requests = append(w.org.Requests, r) }

// dataset makes a Helicone dataset of the requests, created createdAgo, its rows added in
// one call (they share their creation time), and returns its id and the row ids in order.
func (w *world) dataset(name string, createdAgo time.Duration, requestIDs ...string) (string, []string) {
	n := len(w.org.HeliconeDatasets)
	d := heliconetest.SeedHeliconeDataset{ID: fmt.Sprintf("da7a%04d-0000-4000-8000-000000000000", n), Name: name, CreatedAgo: ago(createdAgo)}
	rows := make([]string, len(requestIDs))
	for i, id := range requestIDs {
		rows[i] = fmt.Sprintf("da7a%04d-0000-4000-8000-%012d", n, i+1)
		d.Rows = append(d.Rows, heliconetest.SeedHeliconeDatasetRow{ID: rows[i], RequestID: id})
	}
	w.org.HeliconeDatasets = append(w.org.HeliconeDatasets, d)
	return d.ID, rows
}

// start serves the world in profile p (writes applied at once) and returns a client's
// environment.
func (w *world) start(p heliconetest.Profile, opts ...helicone.Option) (*heliconetest.Server, datasets.Env) {
	srv := heliconetest.NewServer(append([]heliconetest.Option{heliconetest.WithProfile(p), heliconetest.WithWriteDelay(0),
		heliconetest.WithSeed(heliconetest.Seed{Organizations: []heliconetest.SeedOrganization{w.org}})}, w.serve...)...)
	DeferCleanup(srv.Close)
	base := []helicone.Option{helicone.WithBaseURL(srv.URL), helicone.WithAPIKey(worldKey),
		helicone.WithRetry(helicone.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond})}
	c, err := helicone.NewClient(append(base, opts...)...)
	Expect(err).NotTo(HaveOccurred())
	return srv, datasets.Env{Client: c}
}

func reqID(kind, i int) string { return fmt.Sprintf("%08d-0000-4000-8000-%012d", kind, i) }

func chatRequest(question string) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(`{"model":"gpt-4o-mini","messages":[{"role":"system","content":"You are the support bot."},{"role":"user","content":%q}]}`, question))
}

func chatAnswer(text string) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(`{"id":"chatcmpl-1","object":"chat.completion","model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"message":{"role":"assistant","content":%q}}]}`, text))
}

// tagged are the headers an application sets on a hypothesis run.
func tagged(hypothesis, row string) map[string]string {
	return map[string]string{datasets.HypothesisHeader: hypothesis, datasets.RowHeader: row}
}

// seedGolden logs n original requests, makes dataset "support-golden" of them, and logs
// two tagged runs per row (baseline, candidate), a run of another dataset's row and an
// untagged request.
func seedGolden(w *world, n int) (datasetID string, rowIDs []string) {
	var origins []string
	for i := range n {
		id := reqID(1, i)
		w.request(heliconetest.SeedRequest{ID: id, CreatedAgo: ago(3*time.Hour - time.Duration(i)*time.Second), Model: "gpt-4o-mini", Provider: "OPENAI",
			Properties: map[string]string{"feature": "support"}, RequestBody: chatRequest(fmt.Sprintf("question %d?", i)),
			ResponseBody: chatAnswer(fmt.Sprintf("original answer %d", i)), LatencyMs: 700, PromptTokens: 30, CompletionTokens: 12})
		origins = append(origins, id)
	}
	datasetID, rowIDs = w.dataset("support-golden", 2*time.Hour, origins...)
	_, other := w.dataset("elsewhere", 110*time.Minute, origins[0])
	for i, row := range rowIDs {
		for h, hyp := range []string{"baseline", "candidate"} {
			w.request(heliconetest.SeedRequest{ID: reqID(2+h, i), CreatedAgo: ago(time.Hour - time.Duration(i)*time.Second), Model: "gpt-4o", Provider: "OPENAI",
				Headers:      tagged(hyp, row),
				RequestBody:  chatRequest(fmt.Sprintf("question %d? (asked by %s)", i, hyp)),
				ResponseBody: chatAnswer(fmt.Sprintf("%s answer %d", hyp, i))})
		}
	}
	w.request(heliconetest.SeedRequest{ID: reqID(8, 0), Headers: tagged("candidate", other[0]), ResponseBody: chatAnswer("elsewhere")})
	w.request(heliconetest.SeedRequest{ID: reqID(9, 0), ResponseBody: chatAnswer("untagged")})
	return datasetID, rowIDs
}

// expiring is a client that expires every signed URL *srv handed out before a GET of a
// signed URL for which when reports true.
func expiring(srv **heliconetest.Server, when func(*http.Request) bool) *http.Client {
	return &http.Client{Transport: roundTrip(func(r *http.Request) (*http.Response, error) {
		if signedURL(r) && when(r) {
			(*srv).ExpireSignedURLs()
		}
		return http.DefaultTransport.RoundTrip(r)
	})}
}

// signedURL reports whether r is a GET of a signed body URL.
func signedURL(r *http.Request) bool { return r.URL.Query().Get("X-Amz-Signature") != "" }

var _ = Describe("HeliconeDataset", func() {
	It("yields one sample per row: scores go to the origin request, the body comes from the signed URL", func() {
		w := newWorld()
		dsID, rowIDs := seedGolden(w, 3)
		srv, env := w.start(heliconetest.Current)
		for _, query := range []string{"support-golden", dsID} {
			samples, err := collect(datasets.HeliconeDataset(query), env)
			Expect(err).NotTo(HaveOccurred())
			Expect(samples).To(HaveLen(3))
			// The rows of one mutate share their creation time: RowIndex numbers them oldest
			// first, ties broken by row id, the same on every read.
			byRow := map[string]heval.Sample{}
			for i, s := range samples {
				Expect(s.RowIndex).To(Equal(i))
				if i > 0 {
					Expect(s.DatasetRowID > samples[i-1].DatasetRowID).To(BeTrue(), "row ids ascending")
				}
				byRow[s.DatasetRowID] = s
			}
			Expect(byRow).To(HaveLen(3))
			for i := range rowIDs {
				s := byRow[rowIDs[i]]
				Expect(s.Kind).To(Equal(heval.KindDatasetRow))
				Expect(s.RequestID).To(Equal(reqID(1, i)))
				Expect(s.Hypothesis).To(Equal("dataset"))
				Expect(s.Unit()).To(Equal("row:" + rowIDs[i]))
				Expect(s.Text()).To(Equal(fmt.Sprintf("original answer %d", i)))
				Expect(s.Inputs).To(Equal(map[string]string{"system": "You are the support bot.", "prompt": fmt.Sprintf("question %d?", i)}))
				Expect(s.Model).To(Equal("gpt-4o-mini"))
				Expect(s.Provider).To(Equal("OPENAI"))
				Expect(s.Properties).To(HaveKeyWithValue("feature", "support"))
				Expect(s.PromptTokens).To(Equal(int64(30)))
				Expect(s.Latency).To(Equal(700 * time.Millisecond))
				Expect(s.CreatedAt).To(BeTemporally("~", time.Now().Add(-3*time.Hour), time.Minute))
			}
		}
		counts := srv.Counts()
		Expect(counts[heliconetest.RouteSignedBody]).To(Equal(6))
		Expect(counts[heliconetest.RouteQueryClickhouse]).To(Equal(4), "one query of the 3 origin requests and its empty page, per read")
		for _, c := range srv.Log() {
			if c.Route == heliconetest.RouteSignedBody {
				Expect(c.Status).To(Equal(200), "the emulator refuses a signed URL sent with an API key, as S3 does")
			}
		}
	})

	It("downloads the bodies of several chunks of rows side by side, at most 64 at once", func() {
		// A server 50 ms away: the downloads of a chunk of 100 rows overlap those of the
		// next chunks.
		var inFlight, peak atomic.Int64
		hc := &http.Client{Transport: roundTrip(func(r *http.Request) (*http.Response, error) {
			if !signedURL(r) {
				return http.DefaultTransport.RoundTrip(r)
			}
			n := inFlight.Add(1)
			defer inFlight.Add(-1)
			for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
			}
			return http.DefaultTransport.RoundTrip(r)
		})}
		w := newWorld()
		w.serve = []heliconetest.Option{heliconetest.WithLatency(50 * time.Millisecond)}
		seedGolden(w, 600)
		_, env := w.start(heliconetest.Current, helicone.WithHTTPClient(hc))
		samples, err := collect(datasets.HeliconeDataset("support-golden"), env)
		Expect(err).NotTo(HaveOccurred())
		Expect(samples).To(HaveLen(600))
		for _, s := range samples {
			Expect(s.Answer()).To(HavePrefix("original answer"))
		}
		Expect(peak.Load()).To(BeNumerically(">", 32), "the downloads of more than two chunks at once")
		Expect(peak.Load()).To(BeNumerically("<=", 64))
	})

	It("marks a row whose body cannot be signed as unavailable, and reads expired URLs again once", func() {
		var expire atomic.Bool
		var srv *heliconetest.Server
		hc := &http.Client{Transport: roundTrip(func(r *http.Request) (*http.Response, error) {
			if signedURL(r) && expire.CompareAndSwap(true, false) {
				srv.ExpireSignedURLs()
			}
			return http.DefaultTransport.RoundTrip(r)
		})}
		w := newWorld()
		_, rowIDs := seedGolden(w, 3)
		srv, env := w.start(heliconetest.Current, helicone.WithHTTPClient(hc))
		srv.FailSigning(rowIDs[1])
		expire.Store(true)
		samples, err := collect(datasets.HeliconeDataset("support-golden"), env)
		Expect(err).NotTo(HaveOccurred())
		Expect(samples).To(HaveLen(3))
		for _, s := range samples {
			switch s.DatasetRowID {
			case rowIDs[1]:
				_, err = s.Answer()
				Expect(err).To(MatchError(heval.ErrBodyNotAvailable))
			case rowIDs[0]:
				Expect(s.Text()).To(Equal("original answer 0"))
			default:
				Expect(s.Text()).To(Equal("original answer 2"))
			}
		}
		Expect(srv.Counts()[heliconetest.RouteDatasetRows]).To(Equal(2), "the rows were read again once for fresh URLs")
	})

	It("reads fresh URLs for every row still to be read when they expire mid-read, each time they do", func() {
		// A long read: the signed URLs expire when row 300's body is first asked for, with
		// chunks of rows in flight and chunks not read yet, and again at row 1500's.
		var srv *heliconetest.Server
		var rowIDs []string
		var at300, at1500 atomic.Bool
		hc := expiring(&srv, func(r *http.Request) bool {
			return strings.Contains(r.URL.Path, "/"+rowIDs[300]+"/") && at300.CompareAndSwap(false, true) ||
				strings.Contains(r.URL.Path, "/"+rowIDs[1500]+"/") && at1500.CompareAndSwap(false, true)
		})
		w := newWorld()
		_, rowIDs = seedGolden(w, 1700)
		srv, env := w.start(heliconetest.Current, helicone.WithHTTPClient(hc))
		samples, err := collect(datasets.HeliconeDataset("support-golden"), env)
		Expect(err).NotTo(HaveOccurred())
		Expect(samples).To(HaveLen(1700))
		for _, s := range samples {
			Expect(s.Answer()).To(HavePrefix("original answer"), "row %s", s.DatasetRowID)
		}
		Expect(at300.Load() && at1500.Load()).To(BeTrue())
		Expect(srv.Counts()[heliconetest.RouteDatasetRows]).To(Equal(3), "the rows (one page) were read again once per expiry")
	})

	It("marks the rows unavailable, and stops reading the rows again, when the fresh URLs are expired too", func() {
		var srv *heliconetest.Server
		hc := expiring(&srv, func(*http.Request) bool { return true })
		w := newWorld()
		seedGolden(w, 250)
		srv, env := w.start(heliconetest.Current, helicone.WithHTTPClient(hc))
		samples, err := collect(datasets.HeliconeDataset("support-golden"), env)
		Expect(err).NotTo(HaveOccurred())
		Expect(samples).To(HaveLen(250))
		for _, s := range samples {
			_, err := s.Answer()
			Expect(err).To(MatchError(heval.ErrBodyNotAvailable))
			Expect(err.Error()).To(ContainSubstring("expired, and so had a fresh one"))
		}
		Expect(srv.Counts()[heliconetest.RouteDatasetRows]).To(Equal(2), "the rows (one page) were read again once, not once per chunk")
	})

	It("says which datasets exist when the name is wrong", func() {
		w := newWorld()
		seedGolden(w, 1)
		_, env := w.start(heliconetest.Current)
		_, err := collect(datasets.HeliconeDataset("support-gold"), env)
		Expect(err).To(MatchError(helicone.ErrDatasetNotFound))
		Expect(err.Error()).To(ContainSubstring(`"support-golden"`))
		Expect(err.Error()).NotTo(ContainSubstring(worldKey))
	})

	It("tells a user of a legacy server to use experiments", func() {
		w := newWorld()
		seedGolden(w, 1)
		_, env := w.start(heliconetest.Legacy)
		for _, src := range []datasets.Source{datasets.HeliconeDataset("support-golden"), datasets.DatasetExperiment("support-golden")} {
			_, err := collect(src, env)
			Expect(err).To(MatchError(helicone.ErrDatasetsUnavailable))
			Expect(err.Error()).To(ContainSubstring("--experiment"))
		}
	})
})

var _ = Describe("DatasetExperiment", func() {
	It("yields the rows, then the tagged runs joined to their rows", func() {
		w := newWorld()
		_, rowIDs := seedGolden(w, 3)
		_, env := w.start(heliconetest.Current)
		samples, err := collect(datasets.DatasetExperiment("support-golden"), env)
		Expect(err).NotTo(HaveOccurred())
		Expect(samples).To(HaveLen(3 + 6))
		rows := map[string]*heval.Sample{}
		for i := range samples[:3] {
			Expect(samples[i].Kind).To(Equal(heval.KindDatasetRow))
			bare := samples[i]
			bare.Body = nil
			Expect(bare.Text()).To(HavePrefix("original answer"), "read before the row's sample was yielded")
			rows[samples[i].DatasetRowID] = &samples[i]
		}
		runs := map[string]heval.Sample{}
		for _, s := range samples[3:] {
			Expect(s.Kind).To(Equal(heval.KindHypothesisRun))
			runs[s.HypothesisID+"/"+s.DatasetRowID] = s
		}
		for i, row := range rowIDs {
			for h, hyp := range []string{"baseline", "candidate"} {
				s, ok := runs[hyp+"/"+row]
				Expect(ok).To(BeTrue(), "run of %s on row %d", hyp, i)
				Expect(s.RequestID).To(Equal(reqID(2+h, i)), "scores go to the run's own request")
				Expect(s.Hypothesis).To(Equal(hyp))
				Expect(s.RowIndex).To(Equal(rows[row].RowIndex))
				Expect(s.Unit()).To(Equal(rows[row].Unit()), "a run pairs with its row")
				Expect(s.Text()).To(Equal(fmt.Sprintf("%s answer %d", hyp, i)))
				bare := s
				bare.Reference = nil
				Expect(bare.ReferenceText()).To(Equal(fmt.Sprintf("original answer %d", i)), "the row's answer, read once for it and its runs")
				Expect(s.ReferenceText()).To(Equal(fmt.Sprintf("original answer %d", i)))
				Expect(s.Inputs).To(HaveKeyWithValue("prompt", fmt.Sprintf("question %d?", i)), "the row's inputs")
				Expect(s.Model).To(Equal("gpt-4o"))
				Expect(s.Experiment).To(Equal("support-golden"), "the dataset's name")
			}
		}
		Expect(samples[0].Experiment).To(Equal("support-golden"))
	})

	It("asks for the runs by row, since the oldest row, oldest first", func() {
		w := newWorld()
		seedGolden(w, 120)
		srv, env := w.start(heliconetest.Current)
		samples, err := collect(datasets.DatasetExperiment("support-golden", datasets.RunsOnly()), env)
		Expect(err).NotTo(HaveOccurred())
		Expect(samples).To(HaveLen(240))
		for i := 1; i < len(samples); i++ {
			if i != 200 { // the second query starts over
				Expect(samples[i-1].CreatedAt.After(samples[i].CreatedAt)).To(BeFalse(), "oldest first, sample %d", i)
			}
		}
		// Two queries of at most 100 rows each, each paged until an empty page; no query of
		// the origin requests when only runs are wanted.
		Expect(srv.Counts()[heliconetest.RouteQueryClickhouse]).To(Equal(4))
	})

	It("chooses and names hypotheses, and narrows the runs with a filter", func() {
		w := newWorld()
		seedGolden(w, 3)
		_, env := w.start(heliconetest.Current)
		samples, err := collect(datasets.DatasetExperiment("support-golden", datasets.RunsOnly(), datasets.Hypotheses("cand"),
			datasets.WithLabels(map[string]string{"candidate": "cand"})), env)
		Expect(err).NotTo(HaveOccurred())
		Expect(samples).To(HaveLen(3))
		for _, s := range samples {
			Expect(s.HypothesisID).To(Equal("candidate"))
			Expect(s.Hypothesis).To(Equal("cand"))
		}

		samples, err = collect(datasets.DatasetExperiment("support-golden", datasets.RunsOnly(),
			datasets.RunFilter(helicone.RequestText("request_id", helicone.Equals, reqID(2, 1)))), env)
		Expect(err).NotTo(HaveOccurred())
		Expect(samples).To(HaveLen(1))
		Expect(samples[0].RequestID).To(Equal(reqID(2, 1)))

		samples, err = collect(datasets.DatasetExperiment("support-golden", datasets.RowsOnly()), env)
		Expect(err).NotTo(HaveOccurred())
		Expect(samples).To(HaveLen(3))
	})

	It("reads runs tagged under other property names, matching their case loosely", func() {
		w := newWorld()
		w.request(heliconetest.SeedRequest{ID: reqID(1, 0), CreatedAgo: ago(2 * time.Hour), RequestBody: chatRequest("q?"), ResponseBody: chatAnswer("a")})
		dsID, rowIDs := w.dataset("variants", time.Hour, reqID(1, 0))
		// A header-set property is stored lower-cased; one set through the property route
		// keeps its case.
		w.request(heliconetest.SeedRequest{ID: reqID(2, 0), Headers: map[string]string{"Helicone-Property-Variant": "A", "Helicone-Property-Row": rowIDs[0]}, ResponseBody: chatAnswer("a1")})
		w.request(heliconetest.SeedRequest{ID: reqID(3, 0), Properties: map[string]string{"Variant": "B", "Row": rowIDs[0]}, ResponseBody: chatAnswer("b1")})
		_, env := w.start(heliconetest.Current)
		samples, err := collect(datasets.DatasetExperiment(dsID, datasets.RunsOnly(), datasets.RunTags("Helicone-Property-Variant", "Row")), env)
		Expect(err).NotTo(HaveOccurred())
		Expect(samples).To(HaveLen(2))
		Expect([]string{samples[0].HypothesisID, samples[1].HypothesisID}).To(ConsistOf("A", "B"))
		for _, s := range samples {
			Expect(s.DatasetRowID).To(Equal(rowIDs[0]))
		}
	})

	It("is an empty source for an empty dataset", func() {
		w := newWorld()
		w.dataset("empty", time.Hour)
		_, env := w.start(heliconetest.Current)
		samples, err := collect(datasets.DatasetExperiment("empty"), env)
		Expect(err).NotTo(HaveOccurred())
		Expect(samples).To(BeEmpty())
	})
})

var _ = Describe("TaggedRuns", func() {
	for _, p := range heliconetest.Profiles {
		It(p.String()+": yields the requests tagged with a hypothesis, as runs paired by their row property", func() {
			w := newWorld()
			_, rowIDs := seedGolden(w, 2)
			_, env := w.start(p)
			samples, err := collect(datasets.TaggedRuns(helicone.All()), env)
			Expect(err).NotTo(HaveOccurred())
			Expect(samples).To(HaveLen(5), "four runs of the dataset and one of another; not the untagged request")
			for _, s := range samples {
				Expect(s.Kind).To(Equal(heval.KindHypothesisRun))
				Expect(s.HypothesisID).To(BeElementOf("baseline", "candidate"))
				Expect(s.Hypothesis).To(Equal(s.HypothesisID))
				Expect(s.DatasetRowID).NotTo(BeEmpty())
			}
			Expect(samples[0].DatasetRowID).To(BeElementOf(rowIDs))
			for i := 1; i < len(samples); i++ {
				Expect(samples[i-1].CreatedAt.After(samples[i].CreatedAt)).To(BeFalse(), "oldest first")
			}
		})
	}

	It("needs a hypothesis property", func() {
		_, env := newWorld().start(heliconetest.Current)
		_, err := collect(datasets.TaggedRuns(helicone.All(), datasets.HypothesisProperty("")), env)
		Expect(err).To(MatchError(ContainSubstring("needs a hypothesis property")))
	})
})

var _ = Describe("Requests of rows stored in S3", func() {
	for _, p := range heliconetest.Profiles {
		It(p.String()+": reads the bodies from the row's signed URL", func() {
			w := newWorld()
			w.request(heliconetest.SeedRequest{ID: reqID(1, 0), StorageLocation: heliconetest.StorageS3, Headers: map[string]string{"Helicone-Property-Variant": "B"},
				RequestBody: chatRequest("old question?"), ResponseBody: chatAnswer("old answer — café")})
			srv, env := w.start(p)
			samples, err := collect(datasets.Requests(helicone.All(), datasets.HypothesisProperty("Variant")), env)
			Expect(err).NotTo(HaveOccurred())
			Expect(samples).To(HaveLen(1))
			Expect(samples[0].Text()).To(Equal("old answer — café"), "the row itself holds the text in printable ASCII only")
			Expect(samples[0].Inputs).To(HaveKeyWithValue("prompt", "old question?"))
			Expect(samples[0].Hypothesis).To(Equal("B"), "the property name matches ignoring case")
			Expect(samples[0].Kind).To(Equal(heval.KindRequest))
			Expect(srv.Counts()[heliconetest.RouteSignedBody]).To(Equal(1))
		})

		It(p.String()+": falls back to the row's own text when the signed URL no longer serves the body", func() {
			var srv *heliconetest.Server
			hc := expiring(&srv, func(*http.Request) bool { return true })
			w := newWorld()
			w.request(heliconetest.SeedRequest{ID: reqID(1, 0), StorageLocation: heliconetest.StorageS3, ResponseBody: chatAnswer("old answer — café")})
			srv, env := w.start(p, helicone.WithHTTPClient(hc))
			samples, err := collect(datasets.Requests(helicone.All()), env)
			Expect(err).NotTo(HaveOccurred())
			Expect(samples).To(HaveLen(1))
			Expect(samples[0].Text()).To(Equal("old answer  caf"), "the row's printable-ASCII text")
			Expect(srv.Counts()[heliconetest.RouteSignedBody]).To(Equal(1))
		})
	}
})

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
