package main

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
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
