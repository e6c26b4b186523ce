package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval"
	"github.com/heval-dev/heval/reporters/parquet"
)

var _ = Describe("--eval judge=RUBRIC", func() {
	It("is a usage error before any sample when the judge is not configured", func() {
		for _, k := range []string{"HEVAL_JUDGE_BASE_URL", "HEVAL_JUDGE_API_KEY", "OPENAI_API_KEY", "OPENAI_BASE_URL"} {
			GinkgoT().Setenv(k, "")
		}
		// A timeout that has passed before any attempt starts: should the judge ever try its
		// default endpoint again, it sends nothing and the spec fails at once.
		GinkgoT().Setenv("HEVAL_JUDGE_TIMEOUT", "1ns")
		dir := GinkgoT().TempDir()
		code, out, errOut := runHeval("demo", "--quiet", "--dry-run", "--out", dir, "--eval", "judge=accuracy")
		Expect(code).To(Equal(exitUsage), "stdout:\n%s\nstderr:\n%s", out, errOut)
		Expect(errOut).To(ContainSubstring("--eval judge=accuracy"))
		Expect(errOut).To(ContainSubstring("HEVAL_JUDGE_BASE_URL"))
		Expect(errOut).To(ContainSubstring("HEVAL_JUDGE_API_KEY"))
	})
})

var _ = Describe("--eval-timeout", func() {
	It("ends a judge that never answers, recording timeouts, and delivers the other scores", func() {
		release := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select { // accepts and never answers
			case <-release:
			case <-r.Context().Done():
			}
		}))
		DeferCleanup(srv.Close)
		DeferCleanup(func() { close(release) })
		GinkgoT().Setenv("HEVAL_JUDGE_BASE_URL", srv.URL+"/v1")
		GinkgoT().Setenv("HEVAL_JUDGE_API_KEY", "sk-judge-test")
		GinkgoT().Setenv("HEVAL_JUDGE_TIMEOUT", "1h")
		dir := GinkgoT().TempDir()
		samples := filepath.Join(dir, "s.jsonl")
		Expect(os.WriteFile(samples, []byte(`{"output":"one answer"}`+"\n"+`{"output":"another answer"}`+"\n"), 0o644)).To(Succeed())
		code, out, errOut := runHeval("run", "--jsonl", samples, "--dry-run", "--quiet", "--out", filepath.Join(dir, "out"),
			"--eval", "judge=accuracy", "--eval", "word_count", "--eval-timeout", "300ms")
		Expect(code).To(Equal(exitOK), "stdout:\n%s\nstderr:\n%s", out, errOut)
		_, recs, err := parquet.ReadFile(filepath.Join(dir, "out", "scores.parquet"))
		Expect(err).NotTo(HaveOccurred())
		timeouts, words := 0, 0
		for _, r := range recs {
			switch r.Evaluator {
			case "judge":
				Expect(r.ErrKind).To(Equal(heval.ErrorKindTimeout))
				timeouts++
			case "word_count":
				Expect(r.Values).NotTo(BeEmpty())
				words++
			}
		}
		Expect(timeouts).To(Equal(2))
		Expect(words).To(Equal(2))
	})
})
