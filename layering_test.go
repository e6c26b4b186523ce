package heval_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// The layering of the packages, checked with the go command on a module of a user's own.
var _ = Describe("what a user's program pays for", Ordered, func() {
	var dir string
	goCmd := func(args ...string) string {
		cmd := exec.Command("go", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
		out, err := cmd.CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), "go %s:\n%s", strings.Join(args, " "), out)
		return string(out)
	}

	BeforeAll(func() {
		if _, err := exec.LookPath("go"); err != nil {
			Skip("the go command is not on PATH")
		}
		root, err := filepath.Abs(".")
		Expect(err).NotTo(HaveOccurred())
		dir = GinkgoT().TempDir()
		sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
		Expect(err).NotTo(HaveOccurred())
		Expect(os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644)).To(Succeed())
		Expect(os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/user\n\ngo 1.26\n\nrequire github.com/heval-dev/heval v0.0.0\n\nreplace github.com/heval-dev/heval => "+root+"\n"), 0o644)).To(Succeed())
		// A program that embeds the engine, the model, the sources and the evaluators, and
		// prints the flags it has after flag.Parse.
		Expect(os.WriteFile(filepath.Join(dir, "main.go"), []byte(`package main

import (
	"flag"
	"fmt"

	_ "github.com/heval-dev/heval"
	_ "github.com/heval-dev/heval/datasets"
	_ "github.com/heval-dev/heval/evals"
	_ "github.com/heval-dev/heval/harness"
)

func main() {
	flag.Parse()
	flag.VisitAll(func(f *flag.Flag) { fmt.Println("flag", f.Name) })
	fmt.Println("done")
}
`), 0o644)).To(Succeed())
	})

	heavy := []string{"github.com/openai/", "github.com/parquet-go/", "github.com/onsi/ginkgo", "github.com/onsi/gomega"}

	It("compiles no judge, Parquet, Ginkgo or Gomega package for the engine, the model, datasets and evals", func() {
		deps := strings.Fields(goCmd("list", "-deps", "."))
		for _, d := range deps {
			for _, h := range heavy {
				Expect(d).NotTo(HavePrefix(h), "a program importing harness, heval, datasets and evals compiles %s", d)
			}
		}
		GinkgoWriter.Printf("%d packages\n", len(deps))
	})

	It("registers no Ginkgo flag in a program that embeds the engine", func() {
		goCmd("build", "-o", "user", ".")
		out, err := exec.Command(filepath.Join(dir, "user")).CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), string(out))
		Expect(string(out)).To(ContainSubstring("done"))
		Expect(string(out)).NotTo(ContainSubstring("flag "), "the engine registers flags on flag.CommandLine")
	})

	It("keeps the model on the standard library, and the summaries off Helicone", func() {
		for _, pkg := range []string{"github.com/heval-dev/heval"} {
			for _, d := range strings.Fields(goCmd("list", "-deps", pkg)) {
				Expect(d == pkg || !strings.Contains(strings.SplitN(d, "/", 2)[0], ".")).To(BeTrue(), "%s imports %s, which is not in the standard library", pkg, d)
			}
		}
		for _, pkg := range []string{"console", "markdown", "html"} {
			full := "github.com/heval-dev/heval/reporters/" + pkg
			for _, d := range strings.Fields(goCmd("list", "-deps", full)) {
				Expect(d).NotTo(Equal("github.com/heval-dev/heval/helicone"), "%s imports the Helicone client", full)
				Expect(d).NotTo(Equal("github.com/heval-dev/heval/datasets"), "%s imports the sources", full)
			}
		}
	})
})
