package console_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/heval-dev/heval/internal/testutil"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/reporters"
	"github.com/heval-dev/heval/reporters/console"
	"github.com/heval-dev/heval/reporters/internal/fixture"
	"github.com/heval-dev/heval/stats"
)

func golden(name, got string) {
	testutil.ExpectGolden(filepath.Join("testdata", name), []byte(got))
}

var _ = Describe("the console summary", func() {
	It("matches its golden file, with a baseline comparison", func() {
		bInfo, bRecs, bSum := fixture.Run(fixture.Options{Seed: 1})
		base := reporters.AggregateRecords(bInfo, bRecs, bSum)
		info, recs, sum := fixture.Run(fixture.Options{Seed: 2, Shift: -12, Hostile: true, Errors: true})
		var buf bytes.Buffer
		agg, cmps, err := fixture.Aggregate(info, recs, sum, reporters.ComparisonSpec{Baseline: base, Options: stats.CompareOptions{Seed: 1}})
		Expect(err).NotTo(HaveOccurred())
		Expect(console.Write(&buf, agg, cmps)).To(Succeed())
		out := buf.String()
		Expect(out).NotTo(ContainSubstring("\x1b["), "no colours on a non-terminal")
		Expect(out).To(ContainSubstring("regression"))
		Expect(out).To(ContainSubstring("FAIL"))
		Expect(out).To(ContainSubstring("not submitted"))
		golden("summary.golden", out)
	})

	It("matches its golden file for a dry run without comparison", func() {
		info, recs, sum := fixture.Run(fixture.Options{Seed: 3, Rows: 10})
		info.DryRun = true
		sum.Checks = nil
		var buf bytes.Buffer
		Expect(console.Write(&buf, reporters.AggregateRecords(info, recs, sum), nil)).To(Succeed())
		Expect(buf.String()).To(ContainSubstring("dry run"))
		golden("dryrun.golden", buf.String())
	})

	It("compares two hypotheses of the run and colours on request", func() {
		info, recs, sum := fixture.Run(fixture.Options{Seed: 2, Shift: -12})
		var buf bytes.Buffer
		agg, cmps, err := fixture.Aggregate(info, recs, sum, reporters.ComparisonSpec{BaselineGroup: "baseline", CandidateGroup: "candidate"})
		Expect(err).NotTo(HaveOccurred())
		Expect(console.Write(&buf, agg, cmps, console.Color(true))).To(Succeed())
		Expect(buf.String()).To(ContainSubstring("\x1b[31mregression\x1b[0m"))
		Expect(buf.String()).To(ContainSubstring("\x1b[31mFAIL\x1b[0m"))
		Expect(agg.Records).To(Equal(len(recs)))
	})

	It("keeps hostile text on one line, without control characters", func() {
		info, recs, sum := fixture.Run(fixture.Options{Seed: 2, Errors: true, Hostile: true})
		recs[0].Evaluator = "evil\n\x1b[2Jname"
		var buf bytes.Buffer
		Expect(console.Write(&buf, reporters.AggregateRecords(info, recs, sum), nil, console.MaxErrors(100))).To(Succeed())
		Expect(buf.String()).NotTo(ContainSubstring("\x1b"))
		Expect(buf.String()).To(ContainSubstring("evil [2Jname"))
	})
})

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

var _ = Describe("Progress", func() {
	It("writes plain lines with counts, rate and ETA when not on a terminal", func() {
		clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
		tick := make(chan time.Time)
		var out testutil.SyncBuffer
		p := console.NewProgress(&out, 4800, console.Clock(clock.Now, tick))
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 150 {
					p.Evaluated(1)
				}
			}()
		}
		wg.Wait()
		clock.Advance(4 * time.Second)
		tick <- clock.Now()
		Expect(p.Line()).To(Equal("heval: evaluated 1200/4800, 300 samples/s, eta 12s"))
		p.Done()
		p.Done()
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		Expect(lines).To(HaveLen(2))
		Expect(lines[0]).To(Equal("heval: evaluated 1200/4800, 300 samples/s, eta 12s"))
		Expect(lines[1]).To(Equal("heval: evaluated 1200/4800, 300 samples/s, eta 12s, done in 4s"))
	})

	It("omits the total and the ETA when the total is unknown", func() {
		clock := &fakeClock{now: time.Unix(0, 0)}
		p := console.NewProgress(&testutil.SyncBuffer{}, 0, console.Clock(clock.Now, make(chan time.Time)))
		defer p.Done()
		p.Evaluated(10)
		clock.Advance(2 * time.Second)
		Expect(p.Line()).To(Equal("heval: evaluated 10, 5 samples/s"))
	})

	It("shows each phase, and the ETA of the slowest once the source is read", func() {
		clock := &fakeClock{now: time.Unix(0, 0)}
		p := console.NewProgress(&testutil.SyncBuffer{}, 0, console.Phases(true, true), console.Clock(clock.Now, make(chan time.Time)))
		defer p.Done()
		p.Fetched(300)
		p.Evaluated(200)
		clock.Advance(2 * time.Second)
		Expect(p.Line()).To(Equal("heval: reading: 300 samples so far · evaluated 200 · 100 samples/s"), "no ETA before the total is known")
		p.Fetched(100)
		p.FetchDone()
		p.Evaluated(200)
		p.Delivered(100)
		p.Submitted(90)
		clock.Advance(2 * time.Second)
		// evaluation is over; delivery runs at 25/s with 300 to go: 12s; verification has not
		// started and is assumed as fast as delivery: 16s.
		Expect(p.Line()).To(Equal("heval: read 400 samples · evaluated 400/400 · delivered 100/400 (90 acknowledged) · 100 samples/s · eta 16s"))
		p.Verified(50)
		Expect(p.Line()).To(ContainSubstring("verified 50/400"))
	})

	It("draws a bar on a terminal, of the slowest phase, with every phase named", func() {
		clock := &fakeClock{now: time.Unix(0, 0)}
		tick := make(chan time.Time)
		var out testutil.SyncBuffer
		p := console.NewProgress(&out, 0, console.Terminal(true), console.Phases(true, false), console.Clock(clock.Now, tick))
		p.Fetched(100)
		p.FetchDone()
		p.Evaluated(50)
		p.Delivered(40)
		p.Submitted(40)
		tick <- clock.Now()
		p.Done()
		Expect(out.String()).To(ContainSubstring("evaluated 50 · delivered 40 · 40 acknowledged"))
		Expect(out.String()).To(ContainSubstring("40/100"))
		Expect(out.String()).To(ContainSubstring("\r"))
	})
})
