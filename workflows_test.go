package heval_test

import (
	"os"
	"os/exec"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"go.yaml.in/yaml/v3"
)

// workflow is what the specs read of a GitHub Actions workflow.
type workflow struct {
	Jobs map[string]struct {
		If    string `yaml:"if"`
		Steps []struct {
			Name string            `yaml:"name"`
			If   string            `yaml:"if"`
			Uses string            `yaml:"uses"`
			Run  string            `yaml:"run"`
			With map[string]string `yaml:"with"`
		} `yaml:"steps"`
	} `yaml:"jobs"`
}

func readWorkflow(path string) workflow {
	b, err := os.ReadFile(path)
	Expect(err).NotTo(HaveOccurred())
	var w workflow
	Expect(yaml.Unmarshal(b, &w)).To(Succeed())
	return w
}

var _ = Describe("the example workflows, as a team would copy them", func() {
	paths := []string{"examples/nightly/workflow.yml", "examples/sharding/workflow.yml"}

	It("take last night's baseline from a successful run only, and end with the verdict in the job summary", func() {
		w := readWorkflow("examples/nightly/workflow.yml")
		steps := w.Jobs["evals"].Steps
		Expect(steps).NotTo(BeEmpty())
		found := false
		for _, s := range steps {
			if strings.HasPrefix(s.Uses, "dawidd6/action-download-artifact@") {
				Expect(s.With["workflow_conclusion"]).To(Equal("success"), "a failed night is no baseline")
				found = true
			}
		}
		Expect(found).To(BeTrue())
		last := steps[len(steps)-1]
		Expect(last.If).To(Equal("always()"))
		Expect(last.Run).To(ContainSubstring("heval report heval-out/scores.parquet"))
		Expect(last.Run).To(ContainSubstring(`--markdown "$GITHUB_STEP_SUMMARY"`))
		Expect(last.Run).To(ContainSubstring("--baseline baseline/scores.parquet"))
	})

	It("merge the shards into the report set, and publish it also when a shard failed", func() {
		w := readWorkflow("examples/sharding/workflow.yml")
		merge := w.Jobs["merge"]
		Expect(merge.If).To(Equal("always()"))
		var ran []string
		for _, s := range merge.Steps {
			ran = append(ran, s.Run)
			if s.Uses != "" && !strings.HasPrefix(s.Uses, "actions/setup-go@") && !strings.HasPrefix(s.Uses, "actions/download-artifact@") {
				Expect(s.If).To(Equal("always()"), "step %q runs after a failed merge too", s.Name)
			}
		}
		Expect(strings.Join(ran, "\n")).To(ContainSubstring("heval merge --out merged heval-out-*"))
	})

	It("use actions that run on Node 24", func() {
		for _, p := range paths {
			for _, job := range readWorkflow(p).Jobs {
				for _, s := range job.Steps {
					switch {
					case strings.HasPrefix(s.Uses, "mikepenz/action-junit-report@"):
						Expect(s.Uses).To(Equal("mikepenz/action-junit-report@v6"), p)
					case strings.HasPrefix(s.Uses, "actions/upload-artifact@"):
						Expect(s.Uses).To(Equal("actions/upload-artifact@v6"), p)
					case strings.HasPrefix(s.Uses, "actions/checkout@"):
						Expect(s.Uses).To(Equal("actions/checkout@v5"), p)
					case strings.HasPrefix(s.Uses, "actions/setup-go@"):
						Expect(s.Uses).To(Equal("actions/setup-go@v6"), p)
					}
				}
			}
		}
	})

	It("are clean under actionlint and its shellcheck pass", func() {
		actionlint, err := exec.LookPath("actionlint")
		if err != nil {
			home, _ := os.UserHomeDir()
			actionlint = home + "/go/bin/actionlint"
		}
		if _, err := os.Stat(actionlint); err != nil {
			// Without actionlint, check the finding it made: an unquoted expansion in a run
			// script (shellcheck SC2086).
			for _, p := range paths {
				b, err := os.ReadFile(p)
				Expect(err).NotTo(HaveOccurred())
				Expect(string(b)).NotTo(MatchRegexp(`@\$\{HEVAL_VERSION\}\s*$`), "%s: quote ${HEVAL_VERSION}", p)
			}
			return
		}
		out, err := exec.Command(actionlint, paths...).CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), string(out))
	})
})
