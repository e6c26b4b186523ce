package datasets_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval"
	"github.com/heval-dev/heval/datasets"
)

// answerServer answers the experiment query with parts written one after the other; before
// each part but the first it waits until next is closed (or 5 seconds have passed), and
// counts in released the waits that next ended.
func answerServer(next <-chan struct{}, released *atomic.Int32, parts ...string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		for i, p := range parts {
			if i > 0 && next != nil {
				select {
				case <-next:
					released.Add(1)
				case <-time.After(5 * time.Second):
				}
			}
			_, _ = io.WriteString(w, p)
			w.(http.Flusher).Flush()
		}
	}))
	DeferCleanup(srv.Close)
	return srv
}

var _ = Describe("Experiment read as it streams", func() {
	BeforeEach(func() {
		dir := GinkgoT().TempDir()
		old, had := os.LookupEnv("TMPDIR")
		Expect(os.Setenv("TMPDIR", dir)).To(Succeed())
		DeferCleanup(func() {
			if had {
				os.Setenv("TMPDIR", old)
			} else {
				os.Unsetenv("TMPDIR")
			}
			left, err := os.ReadDir(dir)
			Expect(err).NotTo(HaveOccurred())
			Expect(left).To(BeEmpty(), "the spool file is removed")
		})
	})

	It("joins runs that come before their rows, with the labels and name of a meta that comes last", func() {
		srv := answerServer(nil, nil, `{"data":[{"hypotheses":[{"runs":[{"resultRequestId":"run-2","datasetRowId":"r2","response":{"body":{"text":"b"}}},`+
			`{"resultRequestId":"run-1","datasetRowId":"r1","response":{"body":{"text":"a"},"delayMs":"5"}}],"model":"m","id":"h1"},{"runs":[{"resultRequestId":"run-x","datasetRowId":"r1"}],"id":"h2"}],`+
			`"dataset":{"rows":[{"rowId":"r1","rowIndex":0,"inputRecord":{"requestId":"req-1","inputs":{"q":"one"},"response":{"body":{"text":"ref1"}}}},`+
			`{"rowId":"r2","rowIndex":"1","inputRecord":{"requestId":"req-2","inputs":{"q":"two"}}}]},`+
			`"meta":{"name":"meta-name","hypothesis_labels":{"h1":"candidate"}},"id":"`+fixtureExperimentID+`"}],"error":null}`)
		samples, err := collect(datasets.Experiment(fixtureExperimentID, datasets.Hypotheses("candidate")), fixtureEnv(srv.URL))
		Expect(err).NotTo(HaveOccurred())
		var got []string
		for _, s := range samples {
			got = append(got, s.RequestID)
			Expect(s.Experiment).To(Equal("meta-name"))
			Expect(s.ExperimentID).To(Equal(fixtureExperimentID))
		}
		Expect(got).To(Equal([]string{"req-1", "req-2", "run-2", "run-1"}))
		run2, run1 := samples[2], samples[3]
		Expect(run2.Kind).To(Equal(heval.KindHypothesisRun))
		Expect(run2.Hypothesis).To(Equal("candidate"))
		Expect(run2.Model).To(Equal("m"))
		Expect(run2.RowIndex).To(Equal(1))
		Expect(run2.Inputs).To(Equal(map[string]string{"q": "two"}))
		Expect(run2.Reference).To(BeEmpty())
		Expect(run1.RowIndex).To(Equal(0))
		Expect(run1.Inputs).To(Equal(map[string]string{"q": "one"}))
		Expect(string(run1.Reference)).To(Equal(`{"text":"ref1"}`))
		Expect(string(run1.Body)).To(Equal(`{"text":"a"}`))
		Expect(run1.Latency).To(Equal(5 * time.Millisecond))
	})

	It("yields the rows before the rest of the answer has been sent", func() {
		next := make(chan struct{})
		var released atomic.Int32
		srv := answerServer(next, &released,
			`{"data":[{"id":"`+fixtureExperimentID+`","dataset":{"rows":[{"rowId":"r1","inputRecord":{"requestId":"req-1"}},{"rowId":"r2","inputRecord":{"requestId":"req-2"}}],"name":"golden"},`+
				`"meta":null,"hypotheses":[{"runs":[{"resultRequestId":"run-1","datasetRowId":"r1"},`,
			`{"resultRequestId":"run-2","datasetRowId":"r2"}],"id":"h1"}]}],"error":null}`)
		var got []string
		for s, err := range datasets.Experiment(fixtureExperimentID).Samples(context.Background(), fixtureEnv(srv.URL)) {
			Expect(err).NotTo(HaveOccurred())
			got = append(got, s.RequestID+" "+s.Experiment)
			if len(got) == 2 {
				close(next)
			}
		}
		Expect(got).To(Equal([]string{"req-1 golden", "req-2 golden", "run-1 golden", "run-2 golden"}))
		Expect(released.Load()).To(Equal(int32(1)), "the rows were yielded while the server held back the rest of the answer")
	})

	It("leaves out the samples of another experiment whose id comes last", func() {
		srv := answerServer(nil, nil, `{"data":[{"dataset":{"rows":[{"rowId":"r1","inputRecord":{"requestId":"req-x"}}]},"id":"other"},`+
			`{"dataset":{"rows":[{"rowId":"r1","inputRecord":{"requestId":"req-1"}}]},"id":"`+fixtureExperimentID+`"}],"error":null}`)
		samples, err := collect(datasets.Experiment(fixtureExperimentID), fixtureEnv(srv.URL))
		Expect(err).NotTo(HaveOccurred())
		Expect(samples).To(HaveLen(1))
		Expect(samples[0].RequestID).To(Equal("req-1"))
	})
})
