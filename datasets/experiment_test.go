package datasets_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/heval-dev/heval"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/datasets"
	"github.com/heval-dev/heval/helicone"
)

const (
	fixtureExperimentID = "0b5f3a52-8d1e-4c3b-9a77-1e2f3a4b5c6d"
	fixtureCandidateID  = "a1f0c9e2-1111-4a2b-8c3d-4e5f6a7b8c9d"
	fixturePendingID    = "b2e1d0f3-2222-4b3c-9d4e-5f6a7b8c9d0e"
	fixtureKey          = "sk-helicone-fixture-aaaaaaa-bbbbbbb-ccccccc"
)

// fixtureServer answers POST /v1/experiment/query with testdata/experiment.json when the
// filter names the fixture experiment (or is a prompt filter), with no experiments
// otherwise, and with the deprecation 500 when deprecated is set.
type fixtureServer struct {
	*httptest.Server
	deprecated atomic.Bool
	lastQuery  atomic.Value // string
}

func newFixtureServer() *fixtureServer {
	answer, err := os.ReadFile("testdata/experiment.json")
	Expect(err).NotTo(HaveOccurred())
	fs := &fixtureServer{}
	fs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+fixtureKey {
			w.WriteHeader(401)
			io.WriteString(w, `{"error":"No API key found","trace":"isAuthenticated.error"}`)
			return
		}
		if r.Method != http.MethodPost || r.URL.Path != "/v1/experiment/query" {
			http.NotFound(w, r)
			return
		}
		body, _ := io.ReadAll(r.Body)
		fs.lastQuery.Store(string(body))
		w.Header().Set("Content-Type", "application/json")
		if fs.deprecated.Load() {
			w.WriteHeader(500)
			io.WriteString(w, `{"data":null,"error":"Not implemented"}`)
			return
		}
		if strings.Contains(string(body), fixtureExperimentID) || strings.Contains(string(body), `"prompt_v2":{"equals":"fixture-prompt"}`) {
			w.Write(answer)
			return
		}
		io.WriteString(w, `{"data":[],"error":null}`)
	}))
	DeferCleanup(fs.Close)
	return fs
}

func fixtureEnv(url string) datasets.Env {
	c, err := helicone.NewClient(helicone.WithBaseURL(url), helicone.WithAPIKey(fixtureKey), helicone.WithRetry(helicone.NoRetry()))
	Expect(err).NotTo(HaveOccurred())
	return datasets.Env{Client: c}
}

func collect(src datasets.Source, env datasets.Env) ([]heval.Sample, error) {
	return datasets.Collect(context.Background(), src, env)
}

var _ = Describe("Experiment", func() {
	var (
		srv *fixtureServer
		env datasets.Env
	)
	BeforeEach(func() {
		srv = newFixtureServer()
		env = fixtureEnv(srv.URL)
	})

	It("asks for the experiment by id with every include flag", func() {
		_, err := collect(datasets.Experiment(fixtureExperimentID), env)
		Expect(err).NotTo(HaveOccurred())
		Expect(srv.lastQuery.Load()).To(MatchJSON(`{"filter":{"experiment":{"id":{"equals":"` + fixtureExperimentID + `"}}},
			"include":{"inputs":true,"promptVersion":true,"responseBodies":true,"score":true}}`))
	})

	It("yields one sample per real dataset row and one per run, skipping the all-null row", func() {
		samples, err := collect(datasets.Experiment(fixtureExperimentID), env)
		Expect(err).NotTo(HaveOccurred())
		Expect(samples).To(HaveLen(4))
		kinds := map[heval.Kind]int{}
		for _, s := range samples {
			kinds[s.Kind]++
			Expect(s.ExperimentID).To(Equal(fixtureExperimentID))
			Expect(helicone.IsUUID(s.RequestID)).To(BeTrue(), s.RequestID)
		}
		Expect(kinds).To(Equal(map[heval.Kind]int{heval.KindDatasetRow: 2, heval.KindHypothesisRun: 2}))
	})

	It("fills a dataset row sample from its input record", func() {
		samples, err := collect(datasets.Experiment(fixtureExperimentID, datasets.RowsOnly()), env)
		Expect(err).NotTo(HaveOccurred())
		Expect(samples).To(HaveLen(2))
		r := samples[0]
		Expect(r.Kind).To(Equal(heval.KindDatasetRow))
		Expect(r.RequestID).To(Equal("11111111-1111-4111-8111-111111111111"))
		Expect(r.Hypothesis).To(Equal(datasets.DatasetHypothesis))
		Expect(r.HypothesisID).To(BeEmpty())
		Expect(r.DatasetRowID).To(Equal("row-1"))
		Expect(r.RowIndex).To(Equal(0))
		Expect(r.Inputs).To(Equal(map[string]string{"question": "How do I reset the router?", "product": "Router", "attempts": "2"}))
		Expect(r.Model).To(Equal("gpt-4o-mini"))
		Expect(r.Provider).To(Equal("OPENAI"))
		Expect(r.PromptTokens).To(BeEquivalentTo(30))
		Expect(r.CompletionTokens).To(BeEquivalentTo(9)) // sent as the string "9"
		Expect(r.Latency).To(Equal(512 * time.Millisecond))
		Expect(r.CreatedAt).To(Equal(time.Date(2026, 1, 14, 9, 0, 0, 0, time.UTC)))
		Expect(r.Text()).To(Equal("Hold the reset button for 10 seconds."))
		Expect(r.Reference).To(BeEmpty())

		de := samples[1]
		Expect(de.RowIndex).To(Equal(1)) // sent as the string "1"
		Expect(de.Latency).To(Equal(777 * time.Millisecond))
		Expect(de.CreatedAt).To(Equal(time.Date(2026, 1, 14, 9, 30, 0, 0, time.UTC)))
		Expect(de.Inputs["question"]).To(Equal("Ist das Gerät kompatibel? 日本語"))
		Expect(de.Text()).To(Equal("Ja, es ist kompatibel [1]."))
	})

	It("joins a run to its row: inputs, reference, row index; labels it from the meta", func() {
		samples, err := collect(datasets.Experiment(fixtureExperimentID, datasets.RunsOnly()), env)
		Expect(err).NotTo(HaveOccurred())
		Expect(samples).To(HaveLen(2))
		run := samples[0]
		Expect(run.Kind).To(Equal(heval.KindHypothesisRun))
		Expect(run.RequestID).To(Equal("33333333-3333-4333-8333-333333333333"))
		Expect(run.HypothesisID).To(Equal(fixtureCandidateID))
		Expect(run.Hypothesis).To(Equal("candidate"))
		Expect(run.PromptVersionID).To(Equal("pv-7"))
		Expect(run.Model).To(Equal("gpt-4o-2024-08-06"))
		Expect(run.DatasetRowID).To(Equal("row-1"))
		Expect(run.RowIndex).To(Equal(0))
		Expect(run.Inputs).To(HaveKeyWithValue("question", "How do I reset the router?"))
		Expect(run.ReferenceText()).To(Equal("Hold the reset button for 10 seconds."))
		Expect(run.Text()).To(Equal("Hold the reset button for 10 seconds [1]."))
		Expect(run.Latency).To(Equal(901 * time.Millisecond))
	})

	It("keeps a run whose row is missing, with empty inputs, and reports its unavailable body", func() {
		samples, err := collect(datasets.Experiment(fixtureExperimentID, datasets.RunsOnly()), env)
		Expect(err).NotTo(HaveOccurred())
		orphan := samples[1]
		Expect(orphan.RequestID).To(Equal("44444444-4444-4444-8444-444444444444"))
		Expect(orphan.DatasetRowID).To(Equal("row-gone"))
		Expect(orphan.RowIndex).To(Equal(-1))
		Expect(orphan.Inputs).To(BeEmpty())
		Expect(orphan.Reference).To(BeEmpty())
		Expect(orphan.Model).To(Equal("gpt-4o")) // the response names none: the hypothesis's model
		_, err = orphan.Answer()
		Expect(err).To(MatchError(heval.ErrBodyNotAvailable))
	})

	It("selects hypotheses by label or id and takes labels from options", func() {
		samples, err := collect(datasets.Experiment(fixtureExperimentID, datasets.Hypotheses("candidate")), env)
		Expect(err).NotTo(HaveOccurred())
		Expect(samples).To(HaveLen(4))
		samples, err = collect(datasets.Experiment(fixtureExperimentID, datasets.RunsOnly(), datasets.Hypotheses(fixturePendingID)), env)
		Expect(err).NotTo(HaveOccurred())
		Expect(samples).To(BeEmpty()) // its runs are null
		samples, err = collect(datasets.Experiment(fixtureExperimentID, datasets.RunsOnly(),
			datasets.WithLabels(map[string]string{fixtureCandidateID: "v7"})), env)
		Expect(err).NotTo(HaveOccurred())
		Expect(samples[0].Hypothesis).To(Equal("v7"))
	})

	It("reads several experiments by prompt", func() {
		samples, err := collect(datasets.ExperimentsByPrompt(helicone.Equals, "fixture-prompt"), env)
		Expect(err).NotTo(HaveOccurred())
		Expect(samples).To(HaveLen(4))
		_, err = collect(datasets.ExperimentsByPrompt(helicone.Equals, "nothing"), env)
		Expect(err).To(MatchError(datasets.ErrExperimentNotFound))
		Expect(err.Error()).To(ContainSubstring(`"nothing"`))
	})

	It("says which experiment was not found and where, without the key", func() {
		missing := "99999999-9999-4999-8999-999999999999"
		_, err := collect(datasets.Experiment(missing), env)
		Expect(err).To(MatchError(datasets.ErrExperimentNotFound))
		var nf *datasets.ExperimentNotFoundError
		Expect(errors.As(err, &nf)).To(BeTrue())
		Expect(err.Error()).To(ContainSubstring(missing))
		Expect(err.Error()).To(ContainSubstring(srv.URL))
		Expect(err.Error()).NotTo(ContainSubstring(fixtureKey))
	})

	It("passes the deprecation error through with its advice", func() {
		srv.deprecated.Store(true)
		_, err := collect(datasets.Experiment(fixtureExperimentID), env)
		Expect(err).To(MatchError(helicone.ErrExperimentsUnavailable))
		Expect(err.Error()).To(ContainSubstring("datasets.Requests"))
		Expect(err.Error()).To(ContainSubstring(fixtureExperimentID))
		Expect(err.Error()).NotTo(ContainSubstring(fixtureKey))
	})

	It("reports an unauthorized key", func() {
		c, err := helicone.NewClient(helicone.WithBaseURL(srv.URL), helicone.WithAPIKey("sk-helicone-wrong00-0000000-0000000-0000000"), helicone.WithRetry(helicone.NoRetry()))
		Expect(err).NotTo(HaveOccurred())
		_, err = collect(datasets.Experiment(fixtureExperimentID), datasets.Env{Client: c})
		Expect(err).To(MatchError(helicone.ErrUnauthorized))
		Expect(err.Error()).NotTo(ContainSubstring("wrong00"))
	})

	It("needs a client and an id", func() {
		_, err := collect(datasets.Experiment(fixtureExperimentID), datasets.Env{})
		Expect(err).To(MatchError(datasets.ErrNoClient))
		_, err = collect(datasets.Experiment(" "), env)
		Expect(err).To(MatchError(ContainSubstring("needs an experiment id")))
	})

	It("stops when the consumer stops", func() {
		n := 0
		for _, err := range datasets.Experiment(fixtureExperimentID).Samples(context.Background(), env) {
			Expect(err).NotTo(HaveOccurred())
			n++
			if n == 3 {
				break
			}
		}
		Expect(n).To(Equal(3))
	})

	It("turns a decoded experiment into samples without a server", func() {
		raw, err := os.ReadFile("testdata/experiment.json")
		Expect(err).NotTo(HaveOccurred())
		var answer struct{ Data []helicone.Experiment }
		Expect(json.Unmarshal(raw, &answer)).To(Succeed())
		n := 0
		for s, err := range datasets.ExperimentSamples(&answer.Data[0]) {
			Expect(err).NotTo(HaveOccurred())
			Expect(s.Text()).NotTo(BeNil())
			n++
		}
		Expect(n).To(Equal(4))
	})
})

var _ = Describe("ExperimentSamples on an incomplete answer", func() {
	It("names a row without an input record instead of losing it", func() {
		e := &helicone.Experiment{ID: "e1", Dataset: helicone.ExperimentDataset{Rows: []helicone.DatasetRow{{RowID: "r1", RowIndex: 3}}}}
		var errs []error
		for _, err := range datasets.ExperimentSamples(e) {
			errs = append(errs, err)
		}
		Expect(errs).To(HaveLen(1))
		Expect(errs[0]).To(MatchError(ContainSubstring(`dataset row "r1" (index 3)`)))
	})

	It("names a run without a result request id", func() {
		e := &helicone.Experiment{ID: "e1", Hypotheses: []helicone.Hypothesis{{ID: "h1", Runs: []helicone.Run{{DatasetRowID: "r9"}}}}}
		var errs []error
		for _, err := range datasets.ExperimentSamples(e) {
			errs = append(errs, err)
		}
		Expect(errs).To(HaveLen(1))
		Expect(errs[0]).To(MatchError(ContainSubstring("hypothesis h1")))
	})
})
