package evals_test

import (
	"os/exec"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("the dependencies of package evals", func() {
	It("do not include openai-go, which only the LLM judge (package evals/judge) needs", func() {
		goCmd, err := exec.LookPath("go")
		if err != nil {
			Skip("the go command is not available: " + err.Error())
		}
		out, err := exec.Command(goCmd, "list", "-deps", "github.com/heval-dev/heval/evals").CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), "go list -deps failed:\n%s", out)
		deps := strings.Fields(string(out))
		Expect(deps).To(ContainElement("github.com/heval-dev/heval/evals"), "go list printed no package list:\n%s", out)
		Expect(deps).NotTo(ContainElement(HavePrefix("github.com/openai/")))
		Expect(deps).NotTo(ContainElement(HavePrefix("github.com/heval-dev/heval/evals/judge")))
	})
})
