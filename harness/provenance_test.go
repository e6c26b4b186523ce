package harness_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/heval-dev/heval"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/harness"
)

var _ = Describe("a run's provenance from git", func() {
	// repo makes a repository on branch trunk with one commit and returns its directory and
	// the commit's id.
	repo := func() (dir, commit string) {
		dir = GinkgoT().TempDir()
		gitIn(dir, "init", "-q", "-b", "trunk")
		Expect(os.WriteFile(filepath.Join(dir, "suite.txt"), []byte("judge\n"), 0o644)).To(Succeed())
		gitIn(dir, "add", "suite.txt")
		gitIn(dir, "-c", "user.name=heval", "-c", "user.email=heval@example.com", "commit", "-q", "-m", "suite")
		return dir, gitIn(dir, "rev-parse", "HEAD")
	}

	It("reads the commit and the branch", func() {
		dir, commit := repo()
		Expect(commit).To(MatchRegexp(`^[0-9a-f]{40}$`))
		info := harness.FillFromGit(heval.RunInfo{}, dir)
		Expect(info.GitCommit).To(Equal(commit))
		Expect(info.GitBranch).To(Equal("trunk"))
	})

	It("starts git once for both", func() {
		dir, commit := repo()
		real, err := exec.LookPath("git")
		Expect(err).NotTo(HaveOccurred())
		bin := GinkgoT().TempDir()
		log := filepath.Join(bin, "starts")
		wrapper := "#!/bin/sh\necho \"$*\" >> '" + log + "'\nexec '" + real + "' \"$@\"\n"
		Expect(os.WriteFile(filepath.Join(bin, "git"), []byte(wrapper), 0o755)).To(Succeed())
		GinkgoT().Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))

		info := harness.FillFromGit(heval.RunInfo{}, dir)
		Expect(info.GitCommit).To(Equal(commit))
		Expect(info.GitBranch).To(Equal("trunk"))
		starts, err := os.ReadFile(log)
		Expect(err).NotTo(HaveOccurred())
		Expect(strings.Split(strings.TrimSpace(string(starts)), "\n")).To(HaveLen(1), "git was started for each field: %s", starts)
	})

	It("keeps what the CI's variables gave and reads only the rest", func() {
		dir, commit := repo()
		info := harness.FillFromGit(heval.RunInfo{GitCommit: "0123abc"}, dir)
		Expect(info.GitCommit).To(Equal("0123abc"))
		Expect(info.GitBranch).To(Equal("trunk"))

		info = harness.FillFromGit(heval.RunInfo{GitBranch: "release/2"}, dir)
		Expect(info.GitCommit).To(Equal(commit))
		Expect(info.GitBranch).To(Equal("release/2"))
	})

	It("names a detached HEAD's branch HEAD, as git does", func() {
		dir, commit := repo()
		gitIn(dir, "checkout", "-q", "--detach")
		info := harness.FillFromGit(heval.RunInfo{}, dir)
		Expect(info.GitCommit).To(Equal(commit))
		Expect(info.GitBranch).To(Equal("HEAD"))
	})

	It("leaves both empty outside a repository and before its first commit", func() {
		info := harness.FillFromGit(heval.RunInfo{}, GinkgoT().TempDir())
		Expect(info.GitCommit).To(BeEmpty())
		Expect(info.GitBranch).To(BeEmpty())

		unborn := GinkgoT().TempDir()
		gitIn(unborn, "init", "-q", "-b", "trunk")
		info = harness.FillFromGit(heval.RunInfo{}, unborn)
		Expect(info.GitCommit).To(BeEmpty())
		Expect(info.GitBranch).To(BeEmpty())
	})
})

// gitIn runs git with args in dir, failing the spec when it fails, and returns what it
// printed, trimmed.
func gitIn(dir string, args ...string) string {
	GinkgoHelper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	// The temporary directory is outside every repository; no configuration of the
	// machine's user applies.
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1", "GIT_CEILING_DIRECTORIES="+filepath.Dir(dir))
	out, err := cmd.CombinedOutput()
	Expect(err).NotTo(HaveOccurred(), "git %s: %s", strings.Join(args, " "), out)
	return strings.TrimSpace(string(out))
}
