package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval"

	"github.com/heval-dev/heval/helicone"
	"github.com/heval-dev/heval/internal/currentfake"
	"github.com/heval-dev/heval/reporters/parquet"
)

// These specs run against a scripted current Helicone; they should run against
// heliconetest's current profile (heval serve with it) as well once it exists:
// startCurrent is the one place to change.

func startCurrent(opts ...currentfake.Option) *currentfake.Server {
	srv := currentfake.New(opts...)
	DeferCleanup(srv.Close)
	GinkgoT().Setenv("HELICONE_BASE_URL", srv.URL)
	GinkgoT().Setenv("HELICONE_API_KEY", currentfake.APIKey)
	return srv
}

func uuid(kind, i int) string { return fmt.Sprintf("%08d-0000-4000-8000-%012d", kind, i) }

func answer(text string) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(`{"object":"chat.completion","choices":[{"message":{"role":"assistant","content":%q}}]}`, text))
}

// seedSupport logs 4 requests, puts them in dataset "support-golden", and logs a baseline
// and a candidate run of every row, tagged as the README says.
func seedSupport(srv *currentfake.Server) {
	var ids []string
	for i := range 4 {
		id := uuid(1, i)
		srv.AddRequest(currentfake.Request{ID: id, Model: "gpt-4o-mini", RequestBody: json.RawMessage(`{"messages":[{"role":"user","content":"How do I reset my password?"}]}`),
			ResponseBody: answer("Open Settings, then Security [1]. Source: https://docs.example.com/reset")})
		ids = append(ids, id)
	}
	_, rows := srv.AddDataset("support-golden", ids...)
	for i, row := range rows {
		srv.AddRequest(currentfake.Request{ID: uuid(2, i), Model: "gpt-4o-mini", Properties: map[string]string{"heval-hypothesis": "baseline", "heval-row": row},
			ResponseBody: answer("Go to Settings.")})
		srv.AddRequest(currentfake.Request{ID: uuid(3, i), Model: "gpt-4o", Properties: map[string]string{"heval-hypothesis": "candidate", "heval-row": row},
			ResponseBody: answer("Hello! Open Settings, then Security, and choose Reset [1].\n\nSource: https://docs.example.com/reset")})
	}
}

var _ = Describe("heval run against current Helicone", func() {
	It("evaluates a Helicone dataset and its tagged runs, and every score is read back", func() {
		srv := startCurrent(currentfake.WithWriteDelay(200 * time.Millisecond))
		seedSupport(srv)
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
		Expect(srv.Count(currentfake.RouteExperimentV2)).To(BeZero())

		code, out, errOut = runHeval("report", filepath.Join(dir, "scores.parquet"), "--compare", "baseline:candidate")
		Expect(code).To(Equal(exitOK), out+errOut)
		Expect(out).To(ContainSubstring("paired (4)"), "the two hypotheses pair per dataset row")
	})

	It("leaves the runs out with --runs exclude and evaluates only them with --runs only", func() {
		srv := startCurrent()
		seedSupport(srv)
		for mode, want := range map[string][]heval.Kind{"exclude": {heval.KindDatasetRow}, "only": {heval.KindHypothesisRun}} {
			dir := GinkgoT().TempDir()
			code, out, errOut := runHeval("run", "--quiet", "--dry-run", "--dataset", "support-golden", "--runs", mode, "--eval", "word_count", "--out", dir)
			Expect(code).To(Equal(exitOK), out+errOut)
			_, records, err := parquet.ReadFile(filepath.Join(dir, "scores.parquet"))
			Expect(err).NotTo(HaveOccurred())
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
		startCurrent()
		code, _, errOut := runHeval("run", "--quiet", "--experiment", uuid(9, 9), "--out", GinkgoT().TempDir())
		Expect(code).To(Equal(exitUsage), errOut)
		Expect(errOut).To(ContainSubstring("this Helicone no longer serves experiments (current hosted Helicone); use --dataset ID|NAME, or --filter … --group-by …"))
		Expect(errOut).NotTo(ContainSubstring(currentfake.APIKey))
	})

	It("names the datasets there are when the name is wrong", func() {
		srv := startCurrent()
		seedSupport(srv)
		code, _, errOut := runHeval("run", "--quiet", "--dataset", "support", "--out", GinkgoT().TempDir())
		Expect(code).To(Equal(exitError), errOut)
		Expect(errOut).To(ContainSubstring(`no Helicone dataset "support"`))
		Expect(errOut).To(ContainSubstring(`"support-golden"`))
	})

	It("reads every request of a filter although scored requests make pages short", func() {
		srv := startCurrent()
		client, err := helicone.NewClient(helicone.WithBaseURL(srv.URL), helicone.WithAPIKey(currentfake.APIKey))
		Expect(err).NotTo(HaveOccurred())
		for i := range 6 {
			srv.AddRequest(currentfake.Request{ID: uuid(4, i), CreatedAt: time.Now().Add(-time.Duration(i) * time.Minute), ResponseBody: answer("an answer"),
				Properties: map[string]string{"variant": []string{"A", "B"}[i%2]}})
		}
		for _, i := range []int{0, 1, 1, 2, 2, 2} {
			_, err := client.AddScores(context.Background(), uuid(4, i), helicone.Scores{"earlier": helicone.Int(int64(i))})
			Expect(err).NotTo(HaveOccurred())
		}
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
		Expect(out).To(ContainSubstring("of 6 samples"))
	})
})

var _ = Describe("heval export --dataset", func() {
	It("writes the scores stored for a dataset's rows and runs", func() {
		srv := startCurrent()
		seedSupport(srv)
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

	It("says what to use instead of --experiment", func() {
		startCurrent()
		code, _, errOut := runHeval("export", "--experiment", uuid(9, 9), "--out", filepath.Join(GinkgoT().TempDir(), "x.parquet"))
		Expect(code).To(Equal(exitUsage))
		Expect(errOut).To(ContainSubstring("use --dataset ID|NAME"))
	})
})
