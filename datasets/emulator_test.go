package datasets_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval"

	"github.com/heval-dev/heval/datasets"
	"github.com/heval-dev/heval/helicone"
	"github.com/heval-dev/heval/helicone/heliconetest"
	"github.com/heval-dev/heval/helicone/heliconetest/demo"
)

var _ = Describe("the demo data through the emulator", Ordered, func() {
	var (
		srv  *heliconetest.Server
		env  datasets.Env
		seed heliconetest.Seed
	)
	BeforeAll(func() {
		seed = demo.Seed()
		srv = heliconetest.NewServer(heliconetest.WithProfile(heliconetest.Legacy), heliconetest.WithSeed(seed))
		DeferCleanup(srv.Close)
		c, err := helicone.NewClient(helicone.WithBaseURL(srv.URL), helicone.WithAPIKey(demo.APIKey))
		Expect(err).NotTo(HaveOccurred())
		env = datasets.Env{Client: c}
	})

	for _, id := range demo.ExperimentIDs() {
		It("turns experiment "+id+" into one sample per row and per run, every run joined", func() {
			var want *heliconetest.SeedExperiment
			for i, e := range seed.Organizations[0].Experiments {
				if e.ID == id {
					want = &seed.Organizations[0].Experiments[i]
				}
			}
			Expect(want).NotTo(BeNil())
			rows := map[string]int{}
			for i, r := range want.Dataset.Rows {
				rows[r.RowID] = i
			}
			wantRuns := 0
			for _, h := range want.Hypotheses {
				wantRuns += len(h.Runs)
			}

			samples, err := collect(datasets.Experiment(id), env)
			Expect(err).NotTo(HaveOccurred())
			Expect(samples).To(HaveLen(len(want.Dataset.Rows) + wantRuns))
			var nRows, nRuns int
			seen := map[string]bool{}
			for _, s := range samples {
				Expect(seen[s.RequestID]).To(BeFalse(), "request %s twice", s.RequestID)
				seen[s.RequestID] = true
				Expect(helicone.IsUUID(s.RequestID)).To(BeTrue())
				// A row's answer is read once for its sample and its runs' reference, before
				// either is yielded: a copy without its bodies still has both texts.
				bare := s
				bare.Body, bare.Reference = nil, nil
				wantText, _ := datasets.AnswerText(s.Body)
				wantRef, _ := heval.ReferenceText(s.Reference)
				switch s.Kind {
				case heval.KindDatasetRow:
					Expect(bare.Text()).To(Equal(wantText), "row %s", s.DatasetRowID)
				case heval.KindHypothesisRun:
					Expect(bare.ReferenceText()).To(Equal(wantRef), "run %s", s.RequestID)
				}
				text, err := s.Answer()
				Expect(err).NotTo(HaveOccurred(), "request %s", s.RequestID)
				Expect(text).NotTo(BeEmpty())
				Expect(s.Inputs).To(HaveKey("question"))
				Expect(s.CompletionTokens).To(BeNumerically(">", 0))
				Expect(s.Latency).To(BeNumerically(">", 0))
				switch s.Kind {
				case heval.KindDatasetRow:
					nRows++
					Expect(s.Hypothesis).To(Equal(datasets.DatasetHypothesis))
				case heval.KindHypothesisRun:
					nRuns++
					idx, ok := rows[s.DatasetRowID]
					Expect(ok).To(BeTrue(), "run %s joined to no row", s.RequestID)
					Expect(s.RowIndex).To(Equal(idx))
					Expect(s.Inputs).To(Equal(want.Dataset.Rows[idx].Inputs))
					Expect(s.ReferenceText()).NotTo(BeEmpty())
					Expect(s.Hypothesis).To(Equal(demo.Labels()[s.HypothesisID]))
				default:
					Fail("unexpected kind " + string(s.Kind))
				}
			}
			Expect(nRows).To(Equal(len(want.Dataset.Rows)))
			Expect(nRuns).To(Equal(wantRuns))
		})
	}

	It("selects the support experiment by prompt and one hypothesis by label", func() {
		samples, err := collect(datasets.ExperimentsByPrompt(helicone.Equals, demo.SupportPrompt, datasets.RunsOnly(), datasets.Hypotheses("candidate")), env)
		Expect(err).NotTo(HaveOccurred())
		Expect(samples).To(HaveLen(demo.DefaultRows))
		for _, s := range samples {
			Expect(s.HypothesisID).To(Equal(demo.SupportCandidateID))
		}
	})
})

// The request sources exist on both profiles: the same specs run against each.
var _ = Describe("the demo's logged requests through the emulator", func() {
	for _, p := range heliconetest.Profiles {
		Describe("in the "+p.String()+" profile", Ordered, func() {
			var (
				env  datasets.Env
				seed heliconetest.Seed
			)
			BeforeAll(func() {
				seed = demo.Seed()
				srv := heliconetest.NewServer(heliconetest.WithProfile(p), heliconetest.WithSeed(seed))
				DeferCleanup(srv.Close)
				c, err := helicone.NewClient(helicone.WithBaseURL(srv.URL), helicone.WithAPIKey(demo.APIKey))
				Expect(err).NotTo(HaveOccurred())
				env = datasets.Env{Client: c}
			})

			It("reads logged requests by property, labelled by variant", func() {
				samples, err := collect(datasets.Requests(helicone.Property(demo.PropertyVariant, helicone.Equals, "B"),
					datasets.PageSize(50), datasets.HypothesisProperty(demo.PropertyVariant)), env)
				Expect(err).NotTo(HaveOccurred())
				want := 0
				for _, r := range seed.Organizations[0].Requests {
					if r.Properties[demo.PropertyVariant] == "B" {
						want++
					}
				}
				Expect(want).To(BeNumerically(">", 50))
				Expect(samples).To(HaveLen(want))
				for _, s := range samples {
					Expect(s.Kind).To(Equal(heval.KindRequest))
					Expect(s.Hypothesis).To(Equal("B"))
					Expect(s.Properties).To(HaveKeyWithValue(demo.PropertyVariant, "B"))
					Expect(s.Model).NotTo(BeEmpty())
					Expect(s.CreatedAt.IsZero()).To(BeFalse())
					Expect(s.Inputs).To(HaveKey("prompt"))
					_, err := s.Answer()
					Expect(err).NotTo(HaveOccurred(), "request %s: %s", s.RequestID, s.Body)
				}
			})

			It("reads every plain request, including the non-OpenAI bodies", func() {
				samples, err := collect(datasets.Requests(helicone.Or(
					helicone.Property(demo.PropertyFeature, helicone.Equals, demo.FeatureSupport),
					helicone.Property(demo.PropertyFeature, helicone.Equals, demo.FeatureCode))), env)
				Expect(err).NotTo(HaveOccurred())
				Expect(len(samples)).To(Equal(demo.DefaultRequests))
				providers := map[string]bool{}
				for _, s := range samples {
					providers[s.Provider] = true
					_, err := s.Answer()
					Expect(err).NotTo(HaveOccurred(), "request %s", s.RequestID)
				}
				Expect(providers).To(HaveKey("ANTHROPIC"))
				Expect(providers).To(HaveKey("GOOGLE"))
			})
		})
	}
})

var _ = Describe("the demo's two paths", func() {
	start := func(p heliconetest.Profile) datasets.Env {
		srv := heliconetest.NewServer(heliconetest.WithProfile(p), heliconetest.WithSeed(demo.Seed()))
		DeferCleanup(srv.Close)
		c, err := helicone.NewClient(helicone.WithBaseURL(srv.URL), helicone.WithAPIKey(demo.APIKey), helicone.WithRetry(helicone.NoRetry()))
		Expect(err).NotTo(HaveOccurred())
		return datasets.Env{Client: c}
	}

	// Row indexes differ: a Helicone dataset's rows share their creation time and are
	// numbered by row id, an experiment's in the dataset's order. Pairing is by row id.
	It("yields the same rows and runs, paired the same way, from a current Helicone dataset as from its legacy experiment", func() {
		type key struct {
			kind                       heval.Kind
			requestID, row, hypothesis string
		}
		keys := func(samples []heval.Sample) []key {
			out := make([]key, len(samples))
			for i, s := range samples {
				out[i] = key{s.Kind, s.RequestID, s.DatasetRowID, s.Hypothesis}
			}
			return out
		}
		legacy, err := collect(datasets.Experiment(demo.SupportExperimentID), start(heliconetest.Legacy))
		Expect(err).NotTo(HaveOccurred())
		current, err := collect(datasets.DatasetExperiment(demo.SupportDatasetName), start(heliconetest.Current))
		Expect(err).NotTo(HaveOccurred())
		Expect(current).To(HaveLen(len(legacy)))
		Expect(keys(current)).To(ConsistOf(keys(legacy)))
		texts := map[string]string{}
		for _, s := range legacy {
			texts[s.RequestID] = s.Text()
		}
		for _, s := range current {
			Expect(s.Text()).To(Equal(texts[s.RequestID]), "request %s", s.RequestID)
		}
	})

	It("legacy: an experiment answer cut halfway is read again past what was handed on: the same samples, each once", func() {
		srv := heliconetest.NewServer(heliconetest.WithProfile(heliconetest.Legacy), heliconetest.WithSeed(demo.Seed()))
		DeferCleanup(srv.Close)
		var attempts []helicone.Attempt
		c, err := helicone.NewClient(helicone.WithBaseURL(srv.URL), helicone.WithAPIKey(demo.APIKey),
			helicone.WithRetry(helicone.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}),
			helicone.WithObserver(func(a helicone.Attempt) { attempts = append(attempts, a) }))
		Expect(err).NotTo(HaveOccurred())
		env := datasets.Env{Client: c}
		whole, err := collect(datasets.Experiment(demo.SupportExperimentID), env)
		Expect(err).NotTo(HaveOccurred())
		Expect(attempts).To(HaveLen(1))
		srv.Inject(heliconetest.RouteQueryExperiment, heliconetest.Truncate())
		again, err := collect(datasets.Experiment(demo.SupportExperimentID), env)
		Expect(err).NotTo(HaveOccurred())
		Expect(attempts).To(HaveLen(3))
		Expect(attempts[1].Err).To(HaveOccurred())
		// Samples compare without their lazily extracted answer text, which is compared
		// as text.
		plain := func(samples []heval.Sample) ([]heval.Sample, []string) {
			texts := make([]string, len(samples))
			out := make([]heval.Sample, len(samples))
			for i, s := range samples {
				texts[i] = s.Text()
				out[i] = heval.Sample{Kind: s.Kind, RequestID: s.RequestID, DatasetRowID: s.DatasetRowID, HypothesisID: s.HypothesisID,
					RowIndex: s.RowIndex, Inputs: s.Inputs, Reference: s.Reference, Model: s.Model, Experiment: s.Experiment}
			}
			return out, texts
		}
		ws, wt := plain(whole)
		as, at := plain(again)
		Expect(as).To(Equal(ws))
		Expect(at).To(Equal(wt))
	})

	It("current: an experiment is an error that says what to use instead", func() {
		env := start(heliconetest.Current)
		for _, src := range []datasets.Source{datasets.Experiment(demo.SupportExperimentID), datasets.ExperimentsByPrompt(helicone.Equals, demo.SupportPrompt)} {
			_, err := collect(src, env)
			Expect(err).To(MatchError(helicone.ErrExperimentsUnavailable))
			Expect(err.Error()).To(ContainSubstring("--dataset"))
		}
	})

	It("legacy: names every sample's experiment: its dataset's name, or the name given", func() {
		env := start(heliconetest.Legacy)
		samples, err := collect(datasets.Experiment(demo.SupportExperimentID), env)
		Expect(err).NotTo(HaveOccurred())
		for _, s := range samples {
			Expect(s.Experiment).To(Equal(demo.SupportDatasetName), "request %s", s.RequestID)
		}
		samples, err = collect(datasets.Experiment(demo.CodeExperimentID, datasets.WithExperimentName("code")), env)
		Expect(err).NotTo(HaveOccurred())
		Expect(samples).NotTo(BeEmpty())
		for _, s := range samples {
			Expect(s.Experiment).To(Equal("code"))
			Expect(s.InGroup("code/" + s.Group())).To(BeTrue())
			Expect(s.QualifiedGroup()).To(Equal("code/" + s.Group()))
		}
	})
})
