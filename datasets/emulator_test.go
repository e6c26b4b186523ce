package datasets_test

import (
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

	It("names every sample's experiment: its dataset's name, or the name given", func() {
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
