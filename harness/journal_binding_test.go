package harness_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval"
	"github.com/heval-dev/heval/datasets"
	"github.com/heval-dev/heval/harness"
	"github.com/heval-dev/heval/helicone"
)

var _ = Describe("a journal is bound to what it acknowledges", func() {
	var fake *fakeHelicone
	var journal string
	BeforeEach(func() {
		fake = newFakeHelicone()
		DeferCleanup(fake.Close)
		journal = filepath.Join(GinkgoT().TempDir(), "journal.jsonl")
	})

	minLength := func(n int, spec string) *harness.EvaluatorSpec {
		return harness.Evaluator("min_length", func(_ context.Context, s heval.Sample) (heval.Score, error) {
			return heval.Bool(len(s.Text()) >= n), nil
		}, harness.Spec(spec))
	}
	run := func(c *helicone.Client, resume bool, evs ...*harness.EvaluatorSpec) (*harness.Results, error) {
		return harness.Run(context.Background(), harness.Config{
			Source: datasets.Slice(makeSamples(20)...), Env: datasets.Env{Client: c},
			Evaluators: evs, JournalPath: journal, Resume: resume,
		})
	}

	It("resumes a run with the same server, key, source and evaluators without sending again", func() {
		_, err := run(fake.client(), false, minLength(10, "min_length=10"))
		Expect(err).NotTo(HaveOccurred())
		posts, _, _ := fake.counts()
		res, err := run(fake.client(), true, minLength(10, "min_length=10"))
		Expect(err).NotTo(HaveOccurred())
		again, _, _ := fake.counts()
		Expect(again).To(Equal(posts))
		Expect(res.Summary.Samples).To(Equal(20))
	})

	It("refuses to resume with an evaluator configured differently", func() {
		_, err := run(fake.client(), false, minLength(10, "min_length=10"))
		Expect(err).NotTo(HaveOccurred())
		_, err = run(fake.client(), true, minLength(1000, "min_length=1000"))
		var me *harness.JournalMismatchError
		Expect(errors.As(err, &me)).To(BeTrue())
		Expect(err).To(MatchError(harness.ErrJournalMismatch))
		Expect(err.Error()).To(ContainSubstring(`evaluator min_length was "min_length=10", now "min_length=1000"`))
		Expect(err.Error()).To(ContainSubstring("run without --resume"))
	})

	It("refuses to resume against another server, naming both and never the key", func() {
		_, err := run(fake.client(), false, minLength(10, "x"))
		Expect(err).NotTo(HaveOccurred())
		other := newFakeHelicone()
		DeferCleanup(other.Close)
		_, err = run(other.client(), true, minLength(10, "x"))
		Expect(err).To(MatchError(harness.ErrJournalMismatch))
		Expect(err.Error()).To(ContainSubstring(fake.URL))
		Expect(err.Error()).To(ContainSubstring(other.URL))
		Expect(err.Error()).NotTo(ContainSubstring(fake.key))
		posts, _, _ := other.counts()
		Expect(posts).To(BeZero())
	})

	It("ignores entry lines that no header introduces, and refuses a journal without any header", func() {
		_, err := run(fake.client(), false, minLength(10, "x"))
		Expect(err).NotTo(HaveOccurred())
		b, err := os.ReadFile(journal)
		Expect(err).NotTo(HaveOccurred())
		lines := strings.SplitAfter(strings.TrimSpace(string(b)), "\n")
		// A well-formed line of some other run, claiming sample 3 was delivered.
		forged := strings.Replace(lines[len(lines)-1], `"run":"`, `"run":"forged-`, 1)
		Expect(os.WriteFile(journal, []byte(lines[0]+forged+"\n"), 0o644)).To(Succeed())
		posts, _, _ := fake.counts()
		_, err = run(fake.client(), true, minLength(10, "x"))
		Expect(err).NotTo(HaveOccurred())
		again, _, _ := fake.counts()
		Expect(again-posts).To(Equal(20), "every sample is sent again")

		Expect(os.WriteFile(journal, []byte(forged+"\n"), 0o644)).To(Succeed())
		_, err = run(fake.client(), true, minLength(10, "x"))
		Expect(err).To(MatchError(ContainSubstring("no header")))
	})
})
