package harness_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/heval-dev/heval"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/datasets"
	"github.com/heval-dev/heval/harness"
	"github.com/heval-dev/heval/helicone"
)

const resumeSamples = 300

// resumeConfig is the run that the helper process starts and the test resumes.
func resumeConfig(client *helicone.Client, journal string, slow bool) harness.Config {
	return harness.Config{
		Source: datasets.Slice(makeSamples(resumeSamples)...),
		Env:    datasets.Env{Client: client},
		Evaluators: []*harness.EvaluatorSpec{
			harness.Evaluator("index", func(_ context.Context, s heval.Sample) (heval.Score, error) {
				if slow {
					time.Sleep(2 * time.Millisecond)
				}
				return heval.Int(int64(index(s))), nil
			}),
			harness.Evaluator("third", func(_ context.Context, s heval.Sample) (heval.Score, error) {
				return heval.Bool(index(s)%3 == 0), nil
			}),
		},
		Concurrency: 2,
		JournalPath: journal,
	}
}

// TestHelperProcess is the run that TestHarness's resume spec kills with SIGKILL. It does
// nothing unless started by that spec.
func TestHelperProcess(t *testing.T) {
	if os.Getenv("HEVAL_HELPER_PROCESS") != "1" {
		return
	}
	c, err := helicone.NewClient(helicone.WithAPIKey(os.Getenv("HEVAL_HELPER_KEY")), helicone.WithBaseURL(os.Getenv("HEVAL_HELPER_URL")))
	if err != nil {
		t.Fatal(err)
	}
	harness.Run(context.Background(), resumeConfig(c, os.Getenv("HEVAL_HELPER_JOURNAL"), true))
	t.Fatal("the helper process was expected to be killed before it finished")
}

func journalIDs(path string) map[string]bool {
	ids := map[string]bool{}
	b, err := os.ReadFile(path)
	if err != nil {
		return ids
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var e struct {
			RID string `json:"rid"`
		}
		if json.Unmarshal(sc.Bytes(), &e) == nil && e.RID != "" {
			ids[e.RID] = true
		}
	}
	return ids
}

var _ = Describe("journal and resume", func() {
	It("delivers every score exactly as computed after a SIGKILL and a resume", func() {
		fake := newFakeHelicone()
		DeferCleanup(fake.Close)
		journal := filepath.Join(GinkgoT().TempDir(), "out", "journal.jsonl")

		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
		cmd.Env = append(os.Environ(), "HEVAL_HELPER_PROCESS=1", "HEVAL_HELPER_URL="+fake.URL,
			"HEVAL_HELPER_KEY="+fake.key, "HEVAL_HELPER_JOURNAL="+journal)
		Expect(cmd.Start()).To(Succeed())
		Eventually(func() int { return len(journalIDs(journal)) }, 20*time.Second, 5*time.Millisecond).Should(BeNumerically(">=", 40))
		Expect(cmd.Process.Kill()).To(Succeed())
		cmd.Wait()

		// A torn last line, as a crash in the middle of a write leaves it.
		f, err := os.OpenFile(journal, os.O_APPEND|os.O_WRONLY, 0)
		Expect(err).NotTo(HaveOccurred())
		f.WriteString(`{"run":"x","rid":"` + uuidFor(resumeSamples-1) + `","sent":{"ind`)
		f.Close()

		before := journalIDs(journal)
		Expect(len(before)).To(BeNumerically("<", resumeSamples), "the run was killed before it finished")
		postsBefore, _, _ := fake.counts()

		rec := &recorder{}
		cfg := resumeConfig(fake.client(), journal, false)
		cfg.Resume, cfg.Handler = true, rec
		res, err := harness.Run(context.Background(), cfg)
		Expect(err).NotTo(HaveOccurred())
		Expect(rec.records).To(HaveLen(2 * resumeSamples))
		for _, r := range rec.records {
			Expect(r.Submitted).To(BeTrue())
			Expect(r.DeliveryErr).To(BeEmpty())
		}
		for i := range resumeSamples {
			third := int64(0)
			if i%3 == 0 {
				third = 1
			}
			Expect(fake.stored(uuidFor(i))).To(Equal(map[string]int64{"index": int64(i), "third-hcone-bool": third}), uuidFor(i))
		}
		// Samples journaled before the kill are not sent again.
		postsAfter, _, _ := fake.counts()
		Expect(postsAfter - postsBefore).To(Equal(resumeSamples - len(before)))
		Expect(res.Summary.Delivery.Posts).To(Equal(resumeSamples - len(before)))
		for id := range before {
			Expect(fake.posts[id]).To(Equal(1), id)
		}
		// The journal now covers every sample: a second resume sends nothing.
		Expect(journalIDs(journal)).To(HaveLen(resumeSamples))
		cfg.Handler = &recorder{}
		_, err = harness.Run(context.Background(), cfg)
		Expect(err).NotTo(HaveOccurred())
		postsFinal, _, _ := fake.counts()
		Expect(postsFinal).To(Equal(postsAfter))
	})

	It("re-evaluates journaled samples when an evaluator was added since", func() {
		fake := newFakeHelicone()
		DeferCleanup(fake.Close)
		journal := filepath.Join(GinkgoT().TempDir(), "journal.jsonl")
		cfg := resumeConfig(fake.client(), journal, false)
		_, err := harness.Run(context.Background(), cfg)
		Expect(err).NotTo(HaveOccurred())
		cfg.Resume = true
		cfg.Evaluators = append(cfg.Evaluators, harness.Evaluator("extra", constant(5)))
		res, err := harness.Run(context.Background(), cfg)
		Expect(err).NotTo(HaveOccurred())
		Expect(res.Summary.Delivery.Posts).To(Equal(resumeSamples))
		Expect(fake.stored(uuidFor(7))).To(HaveKeyWithValue("extra", int64(5)))
	})
})
