package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval"

	"github.com/heval-dev/heval/datasets"
	"github.com/heval-dev/heval/helicone"
	"github.com/heval-dev/heval/helicone/heliconetest"
	"github.com/heval-dev/heval/helicone/heliconetest/demo"
	"github.com/heval-dev/heval/reporters/parquet"
)

// These specs run the CLI against the emulator: the current profile for Helicone datasets
// and tagged runs, both profiles for what both serve, and the other profile for the error a
// user of the wrong source gets.

const (
	cliKey     = "sk-helicone-cli0000-current-0000000-rw00000"
	cliOrg     = "0c000000-0000-4000-8000-00000000c011"
	foreignKey = "sk-helicone-cli0000-foreign-0000000-rw00000"
	foreignOrg = "0c000000-0000-4000-8000-00000000f0f0"
)

// cliWorld is the seed of a spec: the run's organization and another one.
type cliWorld struct {
	org, foreign heliconetest.SeedOrganization
}

func newCLIWorld() *cliWorld {
	return &cliWorld{
		org:     heliconetest.SeedOrganization{ID: cliOrg, Keys: []string{cliKey}},
		foreign: heliconetest.SeedOrganization{ID: foreignOrg, Keys: []string{foreignKey}},
	}
}

func (w *cliWorld) request(r heliconetest.SeedRequest) { w.org.Requests = append(w.org.Requests, r) }

// start serves the world in profile p and points HELICONE_BASE_URL and HELICONE_API_KEY at it.
func (w *cliWorld) start(p heliconetest.Profile, opts ...heliconetest.Option) *heliconetest.Server {
	srv := heliconetest.NewServer(append([]heliconetest.Option{heliconetest.WithProfile(p),
		heliconetest.WithSeed(heliconetest.Seed{Organizations: []heliconetest.SeedOrganization{w.org, w.foreign}})}, opts...)...)
	DeferCleanup(srv.Close)
	GinkgoT().Setenv("HELICONE_BASE_URL", srv.URL)
	GinkgoT().Setenv("HELICONE_API_KEY", cliKey)
	return srv
}

func uuid(kind, i int) string { return fmt.Sprintf("%08d-0000-4000-8000-%012d", kind, i) }

func answer(text string) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(`{"object":"chat.completion","choices":[{"message":{"role":"assistant","content":%q}}]}`, text))
}

func ago(d time.Duration) heliconetest.Duration { return heliconetest.Duration(d) }

const supportDataset = "da7a0000-0000-4000-8000-00000000c011"

// seedSupport logs 4 requests, puts them in dataset "support-golden", and logs a baseline
// and a candidate run of every row, tagged as the README says. The first origin request is
// made originAgo ago.
func seedSupport(w *cliWorld, originAgo time.Duration) (rows []string) {
	d := heliconetest.SeedHeliconeDataset{ID: supportDataset, Name: "support-golden", CreatedAgo: ago(time.Hour)}
	for i := range 4 {
		id := uuid(1, i)
		created := 2 * time.Hour
		if i == 0 {
			created = originAgo
		}
		w.request(heliconetest.SeedRequest{ID: id, CreatedAgo: ago(created), Model: "gpt-4o-mini", RequestBody: json.RawMessage(`{"messages":[{"role":"user","content":"How do I reset my password?"}]}`),
			ResponseBody: answer("Open Settings, then Security [1]. Source: https://docs.example.com/reset")})
		rows = append(rows, fmt.Sprintf("da7a0000-0000-4000-8000-%012d", i+1))
		d.Rows = append(d.Rows, heliconetest.SeedHeliconeDatasetRow{ID: rows[i], RequestID: id})
	}
	w.org.HeliconeDatasets = append(w.org.HeliconeDatasets, d)
	for i, row := range rows {
		w.request(heliconetest.SeedRequest{ID: uuid(2, i), CreatedAgo: ago(30 * time.Minute), Model: "gpt-4o-mini",
			Headers: map[string]string{datasets.HypothesisHeader: "baseline", datasets.RowHeader: row}, ResponseBody: answer("Go to Settings.")})
		w.request(heliconetest.SeedRequest{ID: uuid(3, i), CreatedAgo: ago(30 * time.Minute), Model: "gpt-4o",
			Headers:      map[string]string{datasets.HypothesisHeader: "candidate", datasets.RowHeader: row},
			ResponseBody: answer("Hello! Open Settings, then Security, and choose Reset [1].\n\nSource: https://docs.example.com/reset")})
	}
	return rows
}

var _ = Describe("heval run against current Helicone", func() {
	It("evaluates a Helicone dataset and its tagged runs, and every score is read back", func() {
		w := newCLIWorld()
		seedSupport(w, 2*time.Hour)
		srv := w.start(heliconetest.Current) // the default write delay
		dir := GinkgoT().TempDir()
		code, out, errOut := runHeval("run", "--quiet", "--rate", "unlimited", "--dataset", "support-golden", "--verify",
			"--eval", "word_count", "--eval", "has_citations", "--out", dir)
		Expect(code).To(Equal(exitOK), out+errOut)
		_, records, err := parquet.ReadFile(filepath.Join(dir, "scores.parquet"))
		Expect(err).NotTo(HaveOccurred())
		groups := map[string]int{}
		for _, r := range records {
			Expect(r.Submitted).To(BeTrue(), r.DeliveryErr)
			groups[r.Sample.Hypothesis]++
		}
		Expect(groups).To(Equal(map[string]int{"dataset": 8, "baseline": 8, "candidate": 8}))
		Expect(srv.Scores(uuid(3, 0))).To(HaveKey("word_count"))
		Expect(srv.Scores(uuid(1, 0))).To(HaveKey("has_citations-hcone-bool"), "a row's scores go to its origin request")
		Expect(srv.Counts()[heliconetest.RouteExperimentScore]).To(BeZero())

		code, out, errOut = runHeval("report", filepath.Join(dir, "scores.parquet"), "--compare", "baseline:candidate")
		Expect(code).To(Equal(exitOK), out+errOut)
		Expect(out).To(ContainSubstring("paired (4)"), "the two hypotheses pair per dataset row")
	})

	It("evaluates the demo's dataset with --verify against the emulator's default profile and write delay: nothing missing", func() {
		srv := heliconetest.NewServer(heliconetest.WithSeed(demo.Seed()))
		DeferCleanup(srv.Close)
		Expect(srv.WriteDelay()).To(Equal(heliconetest.DefaultWriteDelay))
		GinkgoT().Setenv("HELICONE_BASE_URL", srv.URL)
		GinkgoT().Setenv("HELICONE_API_KEY", demo.APIKey)
		dir := GinkgoT().TempDir()
		// The emulator has no rate limit here; a pro budget would pace 480 writes and their
		// read-backs over half a minute.
		code, out, errOut := runHeval("run", "--quiet", "--rate", "unlimited", "--dataset", demo.SupportDatasetName, "--verify", "--eval", "word_count", "--eval", "has_citations", "--out", dir)
		Expect(code).To(Equal(exitOK), out+errOut)
		_, records, err := parquet.ReadFile(filepath.Join(dir, "scores.parquet"))
		Expect(err).NotTo(HaveOccurred())
		Expect(records).To(HaveLen(2 * 4 * demo.DefaultRows))
		ids := map[string]bool{}
		for _, r := range records {
			Expect(r.Submitted).To(BeTrue(), r.DeliveryErr)
			ids[r.Sample.RequestID] = true
		}
		Expect(ids).To(HaveLen(4 * demo.DefaultRows))
		Expect(srv.Dropped()).To(BeEmpty())
		for id := range ids {
			Expect(srv.Scores(id)).To(HaveKey("word_count"), id)
		}
	})

	It("names a score dropped for a row older than 30 days and one of another organization's request, and exits 1", func() {
		w := newCLIWorld()
		seedSupport(w, 40*24*time.Hour)
		foreign := uuid(7, 0)
		w.foreign.Requests = append(w.foreign.Requests, heliconetest.SeedRequest{ID: foreign, CreatedAgo: ago(time.Hour)})
		w.start(heliconetest.Current)
		// Samples of the other organization's requests, collected with its key.
		file := filepath.Join(GinkgoT().TempDir(), "other-org.jsonl")
		Expect(os.WriteFile(file, []byte(`{"request_id":"`+foreign+`","output":"someone else's answer"}`+"\n"), 0o600)).To(Succeed())
		dir := GinkgoT().TempDir()
		code, out, errOut := runHeval("run", "--quiet", "--dataset", "support-golden", "--jsonl", file, "--verify", "--eval", "word_count", "--out", dir)
		Expect(code).To(Equal(exitFailed), out+errOut)
		Expect(errOut).To(ContainSubstring("2 scores acknowledged by Helicone were not found when read back"))
		Expect(errOut).To(ContainSubstring("request " + uuid(1, 0) + ", key word_count: the request is 40 days old and Helicone drops scores of requests older than 30 days"))
		Expect(errOut).To(ContainSubstring("request " + foreign + ", key word_count: not visible after 5s of polling: Helicone returns no request " + foreign))
		Expect(errOut).To(ContainSubstring("a request of another organization or region"))
		_, records, err := parquet.ReadFile(filepath.Join(dir, "scores.parquet"))
		Expect(err).NotTo(HaveOccurred())
		for _, r := range records {
			dropped := r.Sample.RequestID == uuid(1, 0) || r.Sample.RequestID == foreign
			Expect(r.Submitted).To(Equal(!dropped), "%s: %s", r.Sample.RequestID, r.DeliveryErr)
		}
	})

	It("leaves the runs out with --runs exclude and evaluates only them with --runs only", func() {
		w := newCLIWorld()
		seedSupport(w, 2*time.Hour)
		w.start(heliconetest.Current)
		for mode, want := range map[string][]heval.Kind{"exclude": {heval.KindDatasetRow}, "only": {heval.KindHypothesisRun}} {
			dir := GinkgoT().TempDir()
			code, out, errOut := runHeval("run", "--quiet", "--dry-run", "--dataset", "support-golden", "--runs", mode, "--eval", "word_count", "--out", dir)
			Expect(code).To(Equal(exitOK), out+errOut)
			_, records, err := parquet.ReadFile(filepath.Join(dir, "scores.parquet"))
			Expect(err).NotTo(HaveOccurred())
			Expect(records).To(HaveLen(map[string]int{"exclude": 4, "only": 8}[mode]))
			for _, r := range records {
				Expect(want).To(ContainElement(r.Sample.Kind), "--runs %s", mode)
			}
		}
		code, _, errOut := runHeval("run", "--dry-run", "--dataset", "support-golden", "--runs", "some")
		Expect(code).To(Equal(exitUsage))
		Expect(errOut).To(ContainSubstring("include (rows and runs), exclude (rows only) or only (runs only)"))
		code, _, errOut = runHeval("run", "--dry-run", "--filter", "model=x", "--runs-filter", "created>=-24h")
		Expect(code).To(Equal(exitUsage))
		Expect(errOut).To(ContainSubstring("--runs-filter goes with --dataset"))
	})

	It("says what to use instead when asked for an experiment", func() {
		newCLIWorld().start(heliconetest.Current)
		code, _, errOut := runHeval("run", "--quiet", "--experiment", uuid(9, 9), "--out", GinkgoT().TempDir())
		Expect(code).To(Equal(exitUsage), errOut)
		Expect(errOut).To(ContainSubstring("this Helicone no longer serves experiments (current hosted Helicone); use --dataset ID|NAME, or --filter … --group-by …"))
		Expect(errOut).NotTo(ContainSubstring(cliKey))
	})

	It("names the datasets there are when the name is wrong", func() {
		w := newCLIWorld()
		seedSupport(w, 2*time.Hour)
		w.start(heliconetest.Current)
		code, _, errOut := runHeval("run", "--quiet", "--dataset", "support", "--out", GinkgoT().TempDir())
		Expect(code).To(Equal(exitError), errOut)
		Expect(errOut).To(ContainSubstring(`no Helicone dataset "support"`))
		Expect(errOut).To(ContainSubstring(`"support-golden"`))
	})
})

var _ = Describe("heval run against legacy Helicone", func() {
	It("says to use --experiment when asked for a Helicone dataset", func() {
		w := newCLIWorld()
		seedSupport(w, 2*time.Hour)
		w.start(heliconetest.Legacy)
		code, _, errOut := runHeval("run", "--quiet", "--dataset", "support-golden", "--out", GinkgoT().TempDir())
		Expect(code).To(Equal(exitUsage), errOut)
		Expect(errOut).To(ContainSubstring("does not serve Helicone Datasets"))
		Expect(errOut).To(ContainSubstring("--experiment ID"))
		Expect(errOut).NotTo(ContainSubstring(cliKey))
	})
})

var _ = Describe("heval run --filter and export --filter", func() {
	for _, p := range heliconetest.Profiles {
		It(p.String()+": read every request of a filter although scored requests make pages short", func() {
			w := newCLIWorld()
			for i := range 6 {
				w.request(heliconetest.SeedRequest{ID: uuid(4, i), CreatedAgo: ago(time.Duration(i+1) * time.Minute), ResponseBody: answer("an answer"),
					Headers: map[string]string{"Helicone-Property-Variant": []string{"A", "B"}[i%2]}})
			}
			srv := w.start(p, heliconetest.WithWriteDelay(0))
			client, err := helicone.NewClient(helicone.WithBaseURL(srv.URL), helicone.WithAPIKey(cliKey))
			Expect(err).NotTo(HaveOccurred())
			for _, i := range []int{0, 1, 1, 2, 2, 2} {
				_, err := client.AddScores(context.Background(), uuid(4, i), helicone.Scores{"earlier": helicone.Int(int64(i))})
				Expect(err).NotTo(HaveOccurred())
			}
			Expect(srv.RowVersions(uuid(4, 2))).To(Equal(4))
			dir := GinkgoT().TempDir()
			code, out, errOut := runHeval("run", "--quiet", "--dry-run", "--filter", "created>=-24h", "--group-by", "Variant", "--eval", "word_count", "--out", dir)
			Expect(code).To(Equal(exitOK), out+errOut)
			_, records, err := parquet.ReadFile(filepath.Join(dir, "scores.parquet"))
			Expect(err).NotTo(HaveOccurred())
			Expect(records).To(HaveLen(6))
			for _, r := range records {
				Expect(r.Sample.Hypothesis).To(BeElementOf("A", "B"))
			}

			exported := filepath.Join(GinkgoT().TempDir(), "export.parquet")
			code, out, errOut = runHeval("export", "--filter", "created>=-24h", "--out", exported)
			Expect(code).To(Equal(exitOK), out+errOut)
			Expect(out).To(ContainSubstring("exported 3 scores of 6 samples"))
		})

		It(p.String()+": submit and verify the scores of tagged requests", func() {
			w := newCLIWorld()
			seedSupport(w, 2*time.Hour)
			srv := w.start(p)
			dir := GinkgoT().TempDir()
			code, out, errOut := runHeval("run", "--quiet", "--filter", "property:heval-hypothesis=candidate", "--group-by", "heval-hypothesis", "--verify", "--eval", "has_citations", "--out", dir)
			Expect(code).To(Equal(exitOK), out+errOut)
			_, records, err := parquet.ReadFile(filepath.Join(dir, "scores.parquet"))
			Expect(err).NotTo(HaveOccurred())
			Expect(records).To(HaveLen(4))
			for i, r := range records {
				Expect(r.Submitted).To(BeTrue(), r.DeliveryErr)
				Expect(r.Sample.Hypothesis).To(Equal("candidate"))
				Expect(srv.Scores(uuid(3, i))).To(HaveKeyWithValue("has_citations-hcone-bool", int64(1)))
			}
		})
	}
})

var _ = Describe("heval export --dataset", func() {
	It("writes the scores stored for a dataset's rows and runs", func() {
		w := newCLIWorld()
		seedSupport(w, 2*time.Hour)
		w.start(heliconetest.Current, heliconetest.WithWriteDelay(0))
		dir := GinkgoT().TempDir()
		code, out, errOut := runHeval("run", "--quiet", "--rate", "unlimited", "--dataset", "support-golden", "--eval", "word_count", "--out", dir)
		Expect(code).To(Equal(exitOK), out+errOut)
		submitted := triples(filepath.Join(dir, "scores.parquet"))

		exported := filepath.Join(GinkgoT().TempDir(), "export.parquet")
		code, out, errOut = runHeval("export", "--dataset", "support-golden", "--out", exported)
		Expect(code).To(Equal(exitOK), out+errOut)
		Expect(out).To(ContainSubstring("exported 12 scores of 12 samples"))
		Expect(triples(exported)).To(Equal(submitted))
		_, recs, err := parquet.ReadFile(exported)
		Expect(err).NotTo(HaveOccurred())
		hyps := map[string]bool{}
		for _, r := range recs {
			hyps[r.Sample.Hypothesis] = true
		}
		Expect(hyps).To(Equal(map[string]bool{"dataset": true, "baseline": true, "candidate": true}))
	})

	It("current: says what to use instead of --experiment", func() {
		newCLIWorld().start(heliconetest.Current)
		code, _, errOut := runHeval("export", "--experiment", uuid(9, 9), "--out", filepath.Join(GinkgoT().TempDir(), "x.parquet"))
		Expect(code).To(Equal(exitUsage))
		Expect(errOut).To(ContainSubstring("use --dataset ID|NAME"))
	})

	It("legacy: says to export the experiment instead", func() {
		w := newCLIWorld()
		seedSupport(w, 2*time.Hour)
		w.start(heliconetest.Legacy)
		code, _, errOut := runHeval("export", "--dataset", "support-golden", "--out", filepath.Join(GinkgoT().TempDir(), "x.parquet"))
		Expect(code).To(Equal(exitUsage), errOut)
		Expect(errOut).To(ContainSubstring("--experiment ID"))
	})
})
