package benchmarks_test

import (
	"bytes"
	"encoding/json"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/datasets"
	"github.com/heval-dev/heval/helicone"
)

// The benchmarks' setups at a tiny size, so that a broken setup fails under plain go test
// rather than in the middle of a long benchmark run.
var _ = Describe("Benchmark setups", func() {
	It("runs the in-process emulator setup as a dry run and submitting, next to the bare POST loop", func(ctx SpecContext) {
		env, err := newDemoEnv(40, nil)
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(env.Close)
		Expect(env.samples).To(Equal(40))
		evs, err := sixChecks()
		Expect(err).NotTo(HaveOccurred())
		Expect(evs).To(HaveLen(6))

		for _, dry := range []bool{true, false} {
			Expect(env.srv.Reset()).To(Succeed())
			r, err := measuredRun(ctx, runConfig{
				source: datasets.Experiment(env.expID), env: datasets.Env{Client: env.client},
				evaluators: evs, dryRun: dry, dir: GinkgoT().TempDir(),
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(r.res.Summary.Samples).To(Equal(env.samples))
			Expect(r.parquetRows).To(BeNumerically(">=", env.samples*len(evs)))
			Expect(r.junitBytes).To(BeNumerically(">", 0))
			Expect(r.mem.peak).To(BeNumerically(">=", r.mem.base))
			if dry {
				Expect(env.srv.AllScores()).To(BeEmpty())
				continue
			}
			Expect(r.res.Summary.Delivery.Posts).To(Equal(env.samples))
			Expect(env.srv.AllScores()).To(HaveLen(env.samples))
		}

		Expect(env.srv.Reset()).To(Succeed())
		hc := loopbackClient(bareWorkers)
		DeferCleanup(hc.CloseIdleConnections)
		_, err = barePOSTs(ctx, hc, env.srv.URL, env.srv.APIKey, env.ids, bareWorkers)
		Expect(err).NotTo(HaveOccurred())
		stored := env.srv.AllScores()
		Expect(stored).To(HaveLen(env.samples))
		Expect(stored[env.ids[0]]).To(HaveKeyWithValue("word_count", int64(142)))
	})

	It("decodes the pre-built experiment answer as the emulator sends it", func(ctx SpecContext) {
		body, expID, samples, err := experimentAnswer(40)
		Expect(err).NotTo(HaveOccurred())
		Expect(json.Valid(body)).To(BeTrue())
		srv := answerServer(body)
		DeferCleanup(srv.Close)
		client, err := helicone.NewClient(helicone.WithBaseURL(srv.URL), helicone.WithAPIKey("sk-helicone-bench"))
		Expect(err).NotTo(HaveOccurred())
		got, err := datasets.Collect(ctx, datasets.Experiment(expID), datasets.Env{Client: client})
		Expect(err).NotTo(HaveOccurred())
		Expect(got).To(HaveLen(samples))
		Expect(bytes.Contains(body, []byte(expID))).To(BeTrue())
	})

	It("streams generated samples with distinct request ids into a run that keeps nothing", func(ctx SpecContext) {
		templates, err := demoTemplates(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(templates).NotTo(BeEmpty())
		src := &streamSource{templates: templates, n: 2*len(templates) + 3}
		ids := map[string]bool{}
		for s, err := range src.Samples(ctx, datasets.Env{}) {
			Expect(err).NotTo(HaveOccurred())
			Expect(helicone.IsUUID(s.RequestID)).To(BeTrue(), s.RequestID)
			ids[s.RequestID] = true
		}
		Expect(ids).To(HaveLen(src.n))

		evs, err := sixChecks()
		Expect(err).NotTo(HaveOccurred())
		r, err := measuredRun(ctx, runConfig{source: src, evaluators: evs, dryRun: true, dir: GinkgoT().TempDir()})
		Expect(err).NotTo(HaveOccurred())
		Expect(r.res.Summary.Samples).To(Equal(src.n))
		Expect(r.res.Len()).To(BeZero())
	})

	It("reads the heap in use", func() {
		p := startPeak()
		// Large enough that what other goroutines of the test process free meanwhile (a few
		// MiB at most) cannot hide it.
		buf := make([]byte, 64<<20)
		buf[len(buf)-1] = 1
		m := p.stop()
		Expect(m.GrowthMB()).To(BeNumerically(">=", 56))
		Expect(buf[len(buf)-1]).To(Equal(byte(1)))
	})
})
