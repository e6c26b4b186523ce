package datasets_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval"
	"github.com/heval-dev/heval/datasets"
	"github.com/heval-dev/heval/helicone"
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

// joinWaiting reports whether an experiment's join is waiting to hand its next task on.
func joinWaiting() bool {
	buf := make([]byte, 1<<20)
	for _, g := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
		if strings.HasPrefix(g, "goroutine ") && strings.Contains(g, " [select") && strings.Contains(g, "experimentJoin).emit") {
			return true
		}
	}
	return false
}

// readSignal closes read once the bodies of its answers have been read up to at bytes.
type readSignal struct {
	rt   http.RoundTripper
	at   int
	read chan struct{}
}

func (e readSignal) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := e.rt.RoundTrip(req)
	if err == nil {
		resp.Body = &countedBody{ReadCloser: resp.Body, sig: e}
	}
	return resp, err
}

type countedBody struct {
	io.ReadCloser
	sig  readSignal
	n    int
	once sync.Once
}

func (b *countedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if b.n += n; b.n >= b.sig.at {
		b.once.Do(func() { close(b.sig.read) })
	}
	return n, err
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

	It("says where the parts it holds back go when it cannot keep them", func() {
		Expect(os.Setenv("TMPDIR", filepath.Join(GinkgoT().TempDir(), "missing"))).To(Succeed())
		srv := answerServer(nil, nil, `{"data":[{"hypotheses":[{"runs":[{"resultRequestId":"run-1","datasetRowId":"r1"}],"id":"h1"}],`+
			`"dataset":{"rows":[{"rowId":"r1","rowIndex":0,"inputRecord":{"requestId":"req-1"}}]},"meta":{"name":"n"},"id":"`+fixtureExperimentID+`"}],"error":null}`)
		_, err := collect(datasets.Experiment(fixtureExperimentID), fixtureEnv(srv.URL))
		Expect(err).To(MatchError(And(
			ContainSubstring("holding back parts of the answer: spool: making a temporary file"),
			ContainSubstring("point TMPDIR at a writable directory with room"))))
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

	It("reads on while a run it has yielded is being judged", func() {
		next := make(chan struct{})
		head := `{"data":[{"id":"` + fixtureExperimentID + `","dataset":{"name":"golden","rows":[{"rowId":"r1","inputRecord":{"requestId":"req-1"}}]},"meta":{},` +
			`"hypotheses":[{"runs":[{"resultRequestId":"run-1","datasetRowId":"r1"}],"id":"h1"},`
		rest := `{"runs":[` + strings.Repeat(`{"resultRequestId":"run-2","datasetRowId":"r1","response":{"body":{"text":"`+strings.Repeat("x", 500)+`"}}},`, 400) +
			`{"resultRequestId":"run-3","datasetRowId":"r1"}],"id":"h2"}]}],"error":null}`
		var released atomic.Int32
		srv := answerServer(next, &released, head, rest)
		read := make(chan struct{})
		c, err := helicone.NewClient(helicone.WithBaseURL(srv.URL), helicone.WithAPIKey(fixtureKey), helicone.WithRetry(helicone.NoRetry()),
			helicone.WithHTTPClient(&http.Client{Transport: readSignal{http.DefaultTransport, len(head) + len(rest) - 40, read}}))
		Expect(err).NotTo(HaveOccurred())
		var got []string
		readWhileJudged := false
		for s, err := range datasets.Experiment(fixtureExperimentID).Samples(context.Background(), datasets.Env{Client: c}) {
			Expect(err).NotTo(HaveOccurred())
			if s.RequestID == "run-1" {
				// The consumer is busy with run-1 until the whole answer has been read.
				close(next)
				select {
				case <-read:
					readWhileJudged = true
				case <-time.After(5 * time.Second):
				}
			}
			got = append(got, s.RequestID)
		}
		Expect(readWhileJudged).To(BeTrue(), "the rest of the answer was read while the consumer held run-1")
		Expect(got).To(HaveLen(403))
		Expect(got[:3]).To(Equal([]string{"req-1", "run-1", "run-2"}))
		Expect(got[402]).To(Equal("run-3"))
	})

	It("leaves nothing running when the consumer panics while the join waits for it", func() {
		var rows []string
		for i := range 1000 {
			rows = append(rows, fmt.Sprintf(`{"rowId":"r%d","inputRecord":{"requestId":"req-%d"}}`, i, i))
		}
		answer := `{"data":[{"id":"` + fixtureExperimentID + `","dataset":{"rows":[` + strings.Join(rows, ",") + `]}}],"error":null}`
		srv := answerServer(nil, nil, answer)
		n := 0
		func() {
			defer func() { Expect(recover()).To(Equal("the consumer failed")) }()
			// Named by the option, every row is built as soon as it is read: once the answer
			// is read, the join waits for the consumer to take more rows than it may hand on.
			for _, err := range datasets.Experiment(fixtureExperimentID, datasets.WithExperimentName("golden")).Samples(context.Background(), fixtureEnv(srv.URL)) {
				Expect(err).NotTo(HaveOccurred())
				if n++; n == 3 {
					Eventually(joinWaiting).WithTimeout(5 * time.Second).Should(BeTrue())
					panic("the consumer failed")
				}
			}
		}()
		Expect(n).To(Equal(3))
		Eventually(func() string {
			buf := make([]byte, 1<<20)
			return string(buf[:runtime.Stack(buf, true)])
		}).WithTimeout(5*time.Second).ShouldNot(ContainSubstring("experimentSource).Samples"), "the join's goroutine ended")
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
