package datasets_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval"

	"github.com/heval-dev/heval/datasets"
	"github.com/heval-dev/heval/helicone"
	"github.com/heval-dev/heval/internal/currentfake"
)

// These specs run against a scripted current Helicone; they should run against
// heliconetest's current profile as well once it exists (startCurrent is the one place to
// change).

func startCurrent(opts ...helicone.Option) (*currentfake.Server, datasets.Env) {
	srv := currentfake.New()
	DeferCleanup(srv.Close)
	base := []helicone.Option{helicone.WithBaseURL(srv.URL), helicone.WithAPIKey(currentfake.APIKey),
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

// seedGolden logs n original requests, makes a dataset of them, and logs two tagged runs
// per row (baseline, candidate), a run of another dataset's row and an untagged request.
func seedGolden(srv *currentfake.Server, n int) (datasetID string, rowIDs []string) {
	start := time.Now().Add(-3 * time.Hour)
	var origins []string
	for i := range n {
		id := reqID(1, i)
		srv.AddRequest(currentfake.Request{ID: id, CreatedAt: start.Add(time.Duration(i) * time.Second), Model: "gpt-4o-mini", Provider: "OPENAI",
			Properties: map[string]string{"feature": "support"}, RequestBody: chatRequest(fmt.Sprintf("question %d?", i)),
			ResponseBody: chatAnswer(fmt.Sprintf("original answer %d", i)), LatencyMs: 700, PromptTokens: 30, CompletionTokens: 12})
		origins = append(origins, id)
	}
	datasetID, rowIDs = srv.AddDataset("support-golden", origins...)
	_, other := srv.AddDataset("elsewhere", origins[0])
	for i, row := range rowIDs {
		for h, hyp := range []string{"baseline", "candidate"} {
			srv.AddRequest(currentfake.Request{ID: reqID(2+h, i), CreatedAt: time.Now().Add(-time.Hour).Add(time.Duration(i) * time.Second), Model: "gpt-4o", Provider: "OPENAI",
				Properties:   map[string]string{"heval-hypothesis": hyp, "heval-row": row},
				RequestBody:  chatRequest(fmt.Sprintf("question %d? (asked by %s)", i, hyp)),
				ResponseBody: chatAnswer(fmt.Sprintf("%s answer %d", hyp, i))})
		}
	}
	srv.AddRequest(currentfake.Request{ID: reqID(8, 0), Properties: map[string]string{"heval-hypothesis": "candidate", "heval-row": other[0]}, ResponseBody: chatAnswer("elsewhere")})
	srv.AddRequest(currentfake.Request{ID: reqID(9, 0), ResponseBody: chatAnswer("untagged")})
	return datasetID, rowIDs
}

var _ = Describe("HeliconeDataset", func() {
	It("yields one sample per row: scores go to the origin request, the body comes from the signed URL", func() {
		srv, env := startCurrent()
		dsID, rowIDs := seedGolden(srv, 3)
		for _, query := range []string{"support-golden", dsID} {
			samples, err := collect(datasets.HeliconeDataset(query), env)
			Expect(err).NotTo(HaveOccurred())
			Expect(samples).To(HaveLen(3))
			// The rows of one mutate share their creation time: RowIndex numbers them oldest
			// first, ties broken by row id, the same on every read.
			byRow := map[string]heval.Sample{}
			for i, s := range samples {
				Expect(s.RowIndex).To(Equal(i))
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
		Expect(srv.SignedAuth()).To(BeEmpty(), "no API key goes to a signed URL")
		Expect(srv.Count(currentfake.RouteSigned)).To(Equal(6))
		Expect(srv.Count(currentfake.RouteQuery)).To(Equal(4), "one query of the 3 origin requests and its empty page, per read")
	})

	It("marks a row whose body cannot be signed as unavailable, and reads expired URLs again once", func() {
		var expire atomic.Bool
		var srv *currentfake.Server
		hc := &http.Client{Transport: roundTrip(func(r *http.Request) (*http.Response, error) {
			if strings.HasPrefix(r.URL.Path, "/_storage/") && expire.CompareAndSwap(true, false) {
				srv.ExpireSignedURLs()
			}
			return http.DefaultTransport.RoundTrip(r)
		})}
		srv, env := startCurrent(helicone.WithHTTPClient(hc))
		_, rowIDs := seedGolden(srv, 3)
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
		Expect(srv.Count(currentfake.RouteDatasetRows)).To(Equal(2), "the rows were read again once for fresh URLs")
	})

	It("says which datasets exist when the name is wrong", func() {
		srv, env := startCurrent()
		seedGolden(srv, 1)
		_, err := collect(datasets.HeliconeDataset("support-gold"), env)
		Expect(err).To(MatchError(helicone.ErrDatasetNotFound))
		Expect(err.Error()).To(ContainSubstring(`"support-golden"`))
		Expect(err.Error()).NotTo(ContainSubstring(currentfake.APIKey))
	})

	It("tells a user of a legacy server to use experiments", func() {
		legacy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(404)
			fmt.Fprintf(w, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Error</title>\n</head>\n<body>\n<pre>Cannot POST %s</pre>\n</body>\n</html>\n", r.URL.Path)
		}))
		DeferCleanup(legacy.Close)
		_, err := collect(datasets.HeliconeDataset("support-golden"), fixtureEnv(legacy.URL))
		Expect(err).To(MatchError(helicone.ErrDatasetsUnavailable))
		Expect(err.Error()).To(ContainSubstring("--experiment"))
	})
})

var _ = Describe("DatasetExperiment", func() {
	It("yields the rows, then the tagged runs joined to their rows", func() {
		srv, env := startCurrent()
		_, rowIDs := seedGolden(srv, 3)
		samples, err := collect(datasets.DatasetExperiment("support-golden"), env)
		Expect(err).NotTo(HaveOccurred())
		Expect(samples).To(HaveLen(3 + 6))
		rows := map[string]*heval.Sample{}
		for i := range samples[:3] {
			Expect(samples[i].Kind).To(Equal(heval.KindDatasetRow))
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
				Expect(s.ReferenceText()).To(Equal(fmt.Sprintf("original answer %d", i)))
				Expect(s.Inputs).To(HaveKeyWithValue("prompt", fmt.Sprintf("question %d?", i)), "the row's inputs")
				Expect(s.Model).To(Equal("gpt-4o"))
				Expect(s.Experiment).To(Equal("support-golden"), "the dataset's name")
			}
		}
		Expect(samples[0].Experiment).To(Equal("support-golden"))
	})

	It("asks for the runs by row, since the oldest row, oldest first", func() {
		srv, env := startCurrent()
		seedGolden(srv, 120)
		samples, err := collect(datasets.DatasetExperiment("support-golden", datasets.RunsOnly()), env)
		Expect(err).NotTo(HaveOccurred())
		Expect(samples).To(HaveLen(240))
		// Two queries of at most 100 rows each, each paged until an empty page; no query of
		// the origin requests when only runs are wanted.
		Expect(srv.Count(currentfake.RouteQuery)).To(Equal(4))
	})

	It("chooses and names hypotheses, and narrows the runs with a filter", func() {
		srv, env := startCurrent()
		seedGolden(srv, 3)
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
		srv, env := startCurrent()
		srv.AddRequest(currentfake.Request{ID: reqID(1, 0), RequestBody: chatRequest("q?"), ResponseBody: chatAnswer("a")})
		dsID, rowIDs := srv.AddDataset("variants", reqID(1, 0))
		// A header-set property is stored lower-cased; one set through the property route
		// keeps its case.
		srv.AddRequest(currentfake.Request{ID: reqID(2, 0), Properties: map[string]string{"variant": "A", "row": rowIDs[0]}, ResponseBody: chatAnswer("a1")})
		srv.AddRequest(currentfake.Request{ID: reqID(3, 0), Properties: map[string]string{"Variant": "B", "Row": rowIDs[0]}, ResponseBody: chatAnswer("b1")})
		samples, err := collect(datasets.DatasetExperiment(dsID, datasets.RunsOnly(), datasets.RunTags("Helicone-Property-Variant", "Row")), env)
		Expect(err).NotTo(HaveOccurred())
		Expect(samples).To(HaveLen(2))
		Expect([]string{samples[0].HypothesisID, samples[1].HypothesisID}).To(ConsistOf("A", "B"))
		for _, s := range samples {
			Expect(s.DatasetRowID).To(Equal(rowIDs[0]))
		}
	})

	It("is an empty source for an empty dataset", func() {
		srv, env := startCurrent()
		srv.AddDataset("empty")
		samples, err := collect(datasets.DatasetExperiment("empty"), env)
		Expect(err).NotTo(HaveOccurred())
		Expect(samples).To(BeEmpty())
	})
})

var _ = Describe("TaggedRuns", func() {
	It("yields the requests tagged with a hypothesis, as runs paired by their row property", func() {
		srv, env := startCurrent()
		_, rowIDs := seedGolden(srv, 2)
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
		Expect(samples[0].CreatedAt.Before(samples[len(samples)-1].CreatedAt)).To(BeTrue(), "oldest first")
	})

	It("needs a hypothesis property", func() {
		_, env := startCurrent()
		_, err := collect(datasets.TaggedRuns(helicone.All(), datasets.HypothesisProperty("")), env)
		Expect(err).To(MatchError(ContainSubstring("needs a hypothesis property")))
	})
})

var _ = Describe("Requests of rows stored in S3", func() {
	It("reads the bodies from the row's signed URL", func() {
		srv, env := startCurrent()
		srv.AddRequest(currentfake.Request{ID: reqID(1, 0), InS3: true, Properties: map[string]string{"variant": "B"},
			RequestBody: chatRequest("old question?"), ResponseBody: chatAnswer("old answer")})
		samples, err := collect(datasets.Requests(helicone.All(), datasets.HypothesisProperty("Variant")), env)
		Expect(err).NotTo(HaveOccurred())
		Expect(samples).To(HaveLen(1))
		Expect(samples[0].Text()).To(Equal("old answer"))
		Expect(samples[0].Inputs).To(HaveKeyWithValue("prompt", "old question?"))
		Expect(samples[0].Hypothesis).To(Equal("B"), "the property name matches ignoring case")
		Expect(samples[0].Kind).To(Equal(heval.KindRequest))
		Expect(srv.SignedAuth()).To(BeEmpty())
	})

	It("falls back to the row's own text when the signed URL no longer serves the body", func() {
		var srv *currentfake.Server
		hc := &http.Client{Transport: roundTrip(func(r *http.Request) (*http.Response, error) {
			if strings.HasPrefix(r.URL.Path, "/_storage/") {
				srv.ExpireSignedURLs()
			}
			return http.DefaultTransport.RoundTrip(r)
		})}
		srv, env := startCurrent(helicone.WithHTTPClient(hc))
		srv.AddRequest(currentfake.Request{ID: reqID(1, 0), InS3: true, ResponseBody: chatAnswer("old answer")})
		samples, err := collect(datasets.Requests(helicone.All()), env)
		Expect(err).NotTo(HaveOccurred())
		Expect(samples).To(HaveLen(1))
		Expect(samples[0].Text()).To(Equal("assistant: (the response as text)"))
		Expect(srv.Count(currentfake.RouteSigned)).To(Equal(1))
	})
})

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
