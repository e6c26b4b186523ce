package suitetest_test

import (
	"context"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/heval-dev/heval"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/datasets"
	"github.com/heval-dev/heval/evals"
	"github.com/heval-dev/heval/harness"
	"github.com/heval-dev/heval/harness/suite"
	"github.com/heval-dev/heval/helicone/heliconetest"
	"github.com/heval-dev/heval/helicone/heliconetest/demo"
)

func TestSuite(t *testing.T) {
	RegisterFailHandler(Fail)
	sc, rc := GinkgoConfiguration()
	if sc.LabelFilter == "" {
		// Exclude the evaluators labelled "slow", as `ginkgo --label-filter='!slow'` would.
		sc.LabelFilter = "!slow"
	}
	RunSpecs(t, "harness.Suite", sc, rc)
	// Process 1 returns last (under `ginkgo -p` it writes junit.xml once the others are done),
	// so the shared output directory goes with it rather than staying in the temporary
	// directory after every run.
	if GinkgoParallelProcess() == 1 {
		if err := os.RemoveAll(outDir); err != nil {
			t.Errorf("removing the suite's output directory: %v", err)
		}
	}
}

// Every process starts an emulator; only the one that evaluates talks to it.
var srv = heliconetest.NewServer(heliconetest.WithProfile(heliconetest.Legacy), heliconetest.WithWriteDelay(0), heliconetest.WithSeed(demo.Seed()))

// outDir is shared by the processes of one `ginkgo -p` run (they share a parent).
var outDir = filepath.Join(os.TempDir(), "heval-suitetest-"+itoa(os.Getppid()))

var slowCalls, judgeCalls atomic.Int64

var run = suite.Evaluate(
	datasets.Experiment(demo.SupportExperimentID),
	suite.WithHelicone(srv.URL, demo.APIKey),
	suite.WithOutDir(outDir),
	harness.Evaluator("has_citations", evals.HasCitations),
	harness.Evaluator("word_count", evals.WordCount),
	harness.Evaluator("is_concise", func(ctx context.Context, s heval.Sample) (heval.Score, error) {
		// A judge that disagrees with itself on some rows across its repeats.
		n := judgeCalls.Add(1)
		return heval.Bool(len(s.Text()) < 600 || (s.RowIndex%10 == 0 && n%2 == 0)), nil
	}, harness.Repeat(3), Label("judge")),
	harness.Evaluator("slow_judge", func(ctx context.Context, s heval.Sample) (heval.Score, error) {
		slowCalls.Add(1)
		return heval.Int(1), nil
	}, Label("slow")),
	suite.Require("has_citations:pass_rate>=0.5@candidate", "word_count:count>=100"),
	suite.WithCleanup(srv.Close),
)

func itoa(n int) string {
	var b []byte
	for {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
		if n == 0 {
			return string(b)
		}
	}
}
