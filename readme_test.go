package heval_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/datasets"
	"github.com/heval-dev/heval/helicone"
	"github.com/heval-dev/heval/helicone/heliconetest"
)

// readmeBlock returns the first fenced block of the given language after the line that
// starts with marker (a heading, or the start of a sentence).
func readmeBlock(marker, lang string) string {
	b, err := os.ReadFile("README.md")
	Expect(err).NotTo(HaveOccurred())
	text := string(b)
	at := strings.Index(text, "\n"+marker)
	Expect(at).To(BeNumerically(">=", 0), "README.md has no line starting with %q", marker)
	heading := marker
	rest := text[at:]
	open := strings.Index(rest, "\n```"+lang+"\n")
	Expect(open).To(BeNumerically(">=", 0), "no ```%s block after %q", lang, heading)
	rest = rest[open+len("\n```"+lang+"\n"):]
	end := strings.Index(rest, "\n```")
	Expect(end).To(BeNumerically(">=", 0))
	return rest[:end+1]
}

// A new user's first hour, from the README alone: its complete suite, copied into a module
// of their own, goes green against the emulator serving the README's seed file, run the way
// the README says to run it.
var _ = Describe("the README's complete suite", Ordered, func() {
	var root, dir string

	BeforeAll(func() {
		if _, err := exec.LookPath("go"); err != nil {
			Fail("the go command is not on PATH")
		}
		var err error
		root, err = filepath.Abs(".")
		Expect(err).NotTo(HaveOccurred())
		dir = GinkgoT().TempDir()
		sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
		Expect(err).NotTo(HaveOccurred())
		Expect(os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644)).To(Succeed())
		// The user's go.mod is what `go get github.com/heval-dev/heval` writes: heval and its
		// requirements, so that the build needs nothing beyond the module cache (the test
		// makes no network call).
		mod, err := os.ReadFile(filepath.Join(root, "go.mod"))
		Expect(err).NotTo(HaveOccurred())
		reqs := string(mod)
		at := strings.Index(reqs, "\nrequire (")
		Expect(at).To(BeNumerically(">=", 0), "go.mod has no require block")
		reqs = reqs[at:]
		if i := strings.Index(reqs, "\ntool "); i >= 0 {
			reqs = reqs[:i]
		}
		Expect(os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/supportbot\n\ngo 1.26.0\n\nrequire github.com/heval-dev/heval v0.0.0\n"+reqs+"\nreplace github.com/heval-dev/heval => "+root+"\n"), 0o644)).To(Succeed())
		Expect(os.WriteFile(filepath.Join(dir, "supportbot_test.go"), []byte(readmeBlock("## A complete suite\n", "go")), 0o644)).To(Succeed())
		// The evaluator of "Writing evaluators" compiles next to it.
		evaluator := "package supportbot_test\n\nimport (\n\t\"context\"\n\t\"strings\"\n\n\t\"github.com/heval-dev/heval\"\n)\n\n" + readmeBlock("## Writing evaluators\n", "go")
		Expect(os.WriteFile(filepath.Join(dir, "overlap_test.go"), []byte(evaluator), 0o644)).To(Succeed())
	})

	// goTest runs the suite against a fresh emulator serving docs/seed-example.json, with
	// the flags after -args, and returns the emulator.
	goTest := func(args ...string) *heliconetest.Server {
		srv := heliconetest.NewServer(heliconetest.WithSeedFile(filepath.Join(root, "docs", "seed-example.json")), heliconetest.WithWriteDelay(0))
		DeferCleanup(srv.Close)
		cmd := exec.Command("go", append([]string{"test", ".", "-count=1", "-args"}, args...)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=readonly", "GOPROXY=off", "GOWORK=off",
			"HELICONE_BASE_URL="+srv.URL, "HELICONE_API_KEY="+srv.APIKey,
			"HEVAL_JUDGE_API_KEY=", "HEVAL_JUDGE_BASE_URL=", "OPENAI_API_KEY=", "OPENAI_BASE_URL=", "GITHUB_STEP_SUMMARY=", "HEVAL_DRY_RUN=", "HEVAL_OUT=")
		b, err := cmd.CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), "go test of the README's suite:\n%s", b)
		Expect(string(b)).To(ContainSubstring("ok  \texample.com/supportbot"))
		return srv
	}

	It("compiles in a module of a user's own and passes against the emulator with docs/seed-example.json", func() {
		out := filepath.Join(dir, "heval-out")
		srv := goTest("-ginkgo.label-filter=!judge", "-heval.out="+out)
		Expect(filepath.Join(out, "scores.parquet")).To(BeARegularFile())
		Expect(srv.AllScores()).NotTo(BeEmpty(), "the suite submitted its scores")
	})

	It("takes -heval.dry-run alone, before another flag, and then submits nothing", func() {
		out := filepath.Join(dir, "dry-out")
		srv := goTest("-heval.dry-run", "-heval.out="+out, "-ginkgo.label-filter=!judge")
		Expect(filepath.Join(out, "scores.parquet")).To(BeARegularFile(), "-heval.dry-run did not swallow -heval.out")
		srv.WaitWrites()
		Expect(srv.AllScores()).To(BeEmpty())
	})
})

var _ = Describe("the README's file formats", func() {
	It("documents a sample record that the JSONL source reads", func() {
		path := filepath.Join(GinkgoT().TempDir(), "samples.jsonl")
		Expect(os.WriteFile(path, []byte(readmeBlock("### Sample files\n", "json")), 0o644)).To(Succeed())
		samples, err := datasets.Collect(context.Background(), datasets.JSONL(path), datasets.Env{})
		Expect(err).NotTo(HaveOccurred())
		Expect(samples).To(HaveLen(1))
		Expect(samples[0].Text()).To(Equal("Open Settings > Security [1]."))
		Expect(samples[0].ReferenceText()).To(Equal("Settings > Security > Reset password."))
		Expect(samples[0].Hypothesis).To(Equal("candidate"))
		Expect(samples[0].Inputs).To(HaveKeyWithValue("question", "How do I reset my password?"))
	})

	It("documents a smallest seed that the emulator serves as a Helicone dataset", func() {
		seed, err := heliconetest.ParseSeed([]byte(readmeBlock("The smallest useful seed", "json")))
		Expect(err).NotTo(HaveOccurred())
		srv := heliconetest.NewServer(heliconetest.WithSeed(seed))
		DeferCleanup(srv.Close)
		client, err := helicone.NewClient(helicone.WithBaseURL(srv.URL), helicone.WithAPIKey("sk-helicone-mine000-0000000-0000000-0000000"))
		Expect(err).NotTo(HaveOccurred())
		samples, err := datasets.Collect(context.Background(), datasets.HeliconeDataset("mine"), datasets.Env{Client: client})
		Expect(err).NotTo(HaveOccurred())
		Expect(samples).To(HaveLen(1))
		Expect(samples[0].Text()).To(Equal("Hello! [1]"))
	})
})
