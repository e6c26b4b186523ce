package harness

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/heval-dev/heval"
	"github.com/heval-dev/heval/helicone"
)

// Provenance returns info with what it leaves empty filled in from where the program runs:
// Version ([heval.Version]), GitCommit and GitBranch (from the CI's variables — GitHub
// Actions, GitLab, Buildkite, Jenkins — else from git in the working directory) and
// CIJobID. `heval run` and suites both describe their runs with it, so their reports
// carry the same metadata.
func Provenance(info heval.RunInfo) heval.RunInfo {
	if info.Version == "" {
		info.Version = heval.Version()
	}
	if info.GitCommit == "" {
		info.GitCommit = firstEnv("GITHUB_SHA", "CI_COMMIT_SHA", "BUILDKITE_COMMIT", "GIT_COMMIT")
	}
	if info.GitBranch == "" {
		info.GitBranch = firstEnv("GITHUB_REF_NAME", "CI_COMMIT_REF_NAME", "BUILDKITE_BRANCH", "GIT_BRANCH")
	}
	fillFromGit(&info, "")
	if info.CIJobID == "" {
		info.CIJobID = firstEnv("GITHUB_RUN_ID", "CI_JOB_ID", "BUILDKITE_JOB_ID", "BUILD_ID")
	}
	return info
}

// requestsURL is the web page of the Helicone whose API is at baseURL that shows a request
// (hosted Helicone's US and EU regions); "" for any other server, whose web app heval
// cannot know (a self-hosted Helicone, an emulator).
func requestsURL(baseURL string) string {
	switch strings.TrimRight(baseURL, "/") {
	case helicone.USBaseURL:
		return "https://us.helicone.ai/requests"
	case helicone.EUBaseURL:
		return "https://eu.helicone.ai/requests"
	}
	return ""
}

func firstEnv(names ...string) string {
	for _, n := range names {
		if v := os.Getenv(n); v != "" {
			return v
		}
	}
	return ""
}

// fillFromGit fills in the commit and branch that info lacks from git in dir ("": the
// working directory), with one git command for both. Outside a repository, or before its
// first commit, they stay empty; on a detached HEAD the branch is "HEAD", as git names it.
func fillFromGit(info *heval.RunInfo, dir string) {
	args, want := []string{"rev-parse"}, 0
	if info.GitCommit == "" {
		args, want = append(args, "HEAD"), want+1
	}
	if info.GitBranch == "" {
		args, want = append(args, "--abbrev-ref", "HEAD"), want+1
	}
	if want == 0 {
		return
	}
	// One line for each HEAD asked for, in the order asked (ref names hold no white space).
	lines := git(dir, args...)
	if len(lines) != want {
		return
	}
	if info.GitCommit == "" {
		info.GitCommit, lines = lines[0], lines[1:]
	}
	if info.GitBranch == "" {
		info.GitBranch = lines[0]
	}
}

// git runs git with args in dir and returns the lines it printed, none when it failed.
func git(dir string, args ...string) []string {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return nil
	}
	return strings.Fields(string(out))
}
