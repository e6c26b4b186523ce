package console

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// ProgressOption configures a [Progress].
type ProgressOption func(*progressConfig)

type progressConfig struct {
	deliver, verify bool
	terminal        *bool
	interval        time.Duration
	now             func() time.Time
	tick            <-chan time.Time
}

// Terminal forces the display mode: a redrawn bar (true) or plain periodic lines (false).
// By default the bar is used when the writer is a terminal.
func Terminal(on bool) ProgressOption { return func(c *progressConfig) { c.terminal = &on } }

// Interval sets how often a plain progress line is written (default 5s); the bar is
// redrawn every 200ms regardless.
func Interval(d time.Duration) ProgressOption {
	return func(c *progressConfig) {
		if d > 0 {
			c.interval = d
		}
	}
}

// Clock replaces the clock that rates and ETAs are computed with, and the ticker that
// paces the display, for example with a fake clock in tests: each value received from tick
// writes one line (or redraws the bar).
func Clock(now func() time.Time, tick <-chan time.Time) ProgressOption {
	return func(c *progressConfig) { c.now, c.tick = now, tick }
}

// Phases says which phases after evaluation the run has: delivery (false for a dry run) and
// verification; the progress then shows how far each one is. By default neither is shown.
func Phases(deliver, verify bool) ProgressOption {
	return func(c *progressConfig) { c.deliver, c.verify = deliver, verify }
}

// Progress shows a run's progress while it is under way, phase by phase: samples read from
// the source, evaluated, delivered (their scores written to Helicone) and verified (read
// back), the evaluation rate and the remaining time once the number of samples is known.
// On a terminal it draws a progress bar of the slowest phase; otherwise it writes a plain
// line periodically, for example
//
//	heval: read 4800 samples · evaluated 1200/4800 · delivered 1100/4800 (1100 acknowledged) · 300 samples/s · eta 13s
//
// Its counting methods are safe for concurrent use and cost one atomic addition.
type Progress struct {
	w         io.Writer
	total     int64
	fetched   atomic.Int64
	fetchDone atomic.Bool
	tracked   atomic.Bool // Fetched was called: the total is the samples read
	evaluated atomic.Int64
	delivered atomic.Int64
	submitted atomic.Int64
	verified  atomic.Int64
	deliver   bool
	verify    bool
	now       func() time.Time
	start     time.Time
	bar       *progressbar.ProgressBar
	barMax    int64

	stop     chan struct{}
	wg       sync.WaitGroup
	doneOnce sync.Once
	mu       sync.Mutex // serialises writes
}

// NewProgress starts a progress display for a run of total samples (0 or less when the
// total is not known until [Progress.FetchDone]) and writes it to w until [Progress.Done].
func NewProgress(w io.Writer, total int, opts ...ProgressOption) *Progress {
	cfg := progressConfig{interval: 5 * time.Second, now: time.Now}
	for _, o := range opts {
		o(&cfg)
	}
	isTerm := false
	if cfg.terminal != nil {
		isTerm = *cfg.terminal
	} else if f, ok := w.(*os.File); ok {
		isTerm = term.IsTerminal(int(f.Fd()))
	}
	p := &Progress{w: w, total: int64(max(0, total)), now: cfg.now, stop: make(chan struct{}), deliver: cfg.deliver, verify: cfg.verify}
	p.start = p.now()
	tick := cfg.tick
	var ticker *time.Ticker
	if tick == nil {
		d := cfg.interval
		if isTerm {
			d = 200 * time.Millisecond
		}
		ticker = time.NewTicker(d)
		tick = ticker.C
	}
	if isTerm {
		p.barMax = p.total
		if p.barMax == 0 {
			p.barMax = -1
		}
		p.bar = progressbar.NewOptions64(p.barMax,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription("evaluating"),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("samples"),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(0),
			progressbar.OptionSetWidth(30),
		)
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		if ticker != nil {
			defer ticker.Stop()
		}
		for {
			select {
			case <-p.stop:
				return
			case <-tick:
				p.show(false)
			}
		}
	}()
	return p
}

// Fetched counts n more samples read from the source.
func (p *Progress) Fetched(n int) {
	p.tracked.Store(true)
	p.fetched.Add(int64(n))
}

// FetchDone says the source has no more samples: their number is the total.
func (p *Progress) FetchDone() {
	p.tracked.Store(true)
	p.fetchDone.Store(true)
}

// Evaluated counts n more samples evaluated.
func (p *Progress) Evaluated(n int) { p.evaluated.Add(int64(n)) }

// Delivered counts n more samples whose delivery is over (acknowledged, failed or with
// nothing to send).
func (p *Progress) Delivered(n int) { p.delivered.Add(int64(n)) }

// Submitted counts n more acknowledged score writes.
func (p *Progress) Submitted(n int) { p.submitted.Add(int64(n)) }

// Verified counts n more samples whose scores were read back (found, or given up).
func (p *Progress) Verified(n int) { p.verified.Add(int64(n)) }

// Done stops the display and writes the final state. It is safe to call more than once.
func (p *Progress) Done() {
	p.doneOnce.Do(func() {
		close(p.stop)
		p.wg.Wait()
		p.show(true)
	})
}

// known returns the number of samples of the run, once it is known.
func (p *Progress) known() (int64, bool) {
	if p.tracked.Load() {
		return p.fetched.Load(), p.fetchDone.Load()
	}
	return p.total, p.total > 0
}

// phase is one phase's count and the rate it advances at.
type phase struct {
	name  string
	count int64
}

// phases are the phases after reading, in order.
func (p *Progress) phases() []phase {
	out := []phase{{"evaluated", p.evaluated.Load()}}
	if p.deliver {
		out = append(out, phase{"delivered", p.delivered.Load()})
	}
	if p.verify {
		out = append(out, phase{"verified", p.verified.Load()})
	}
	return out
}

// Line is the plain progress line for the current counts.
func (p *Progress) Line() string {
	total, known := p.known()
	elapsed := p.now().Sub(p.start)
	var parts []string
	if p.tracked.Load() {
		if known {
			parts = append(parts, fmt.Sprintf("read %d samples", total))
		} else {
			parts = append(parts, fmt.Sprintf("reading: %d samples so far", total))
		}
	}
	phases := p.phases()
	for i, ph := range phases {
		s := fmt.Sprintf("%s %d", ph.name, ph.count)
		if known {
			s += fmt.Sprintf("/%d", total)
		}
		if ph.name == "delivered" {
			s += fmt.Sprintf(" (%d acknowledged)", p.submitted.Load())
		}
		if i == 0 || ph.count > 0 {
			parts = append(parts, s)
		}
	}
	rate := 0.0
	if elapsed > 0 {
		rate = float64(phases[0].count) / elapsed.Seconds()
	}
	parts = append(parts, fmt.Sprintf("%.0f samples/s", rate))
	if eta, ok := p.eta(total, known, elapsed, phases); ok {
		parts = append(parts, "eta "+eta.String())
	}
	if !p.deliver && !p.tracked.Load() {
		// The compact form of a run that is only evaluated.
		return "heval: " + strings.Join(parts, ", ")
	}
	return "heval: " + strings.Join(parts, " · ")
}

// eta is the time left: that of the slowest phase still under way, each phase advancing at
// the rate it has had so far (a phase not started yet at the rate of the one before).
func (p *Progress) eta(total int64, known bool, elapsed time.Duration, phases []phase) (time.Duration, bool) {
	if !known || elapsed <= 0 || total == 0 {
		return 0, false
	}
	var left time.Duration
	prevRate := 0.0
	for _, ph := range phases {
		if ph.count >= total {
			continue
		}
		rate := float64(ph.count) / elapsed.Seconds()
		if rate == 0 {
			rate = prevRate
		}
		if rate == 0 {
			return 0, false
		}
		left = max(left, time.Duration(float64(total-ph.count)/rate*float64(time.Second)))
		prevRate = rate
	}
	if left == 0 {
		return 0, false
	}
	return left.Round(time.Second), true
}

func (p *Progress) show(final bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar == nil {
		line := p.Line()
		if final {
			line += ", done in " + p.now().Sub(p.start).Round(100*time.Millisecond).String()
		}
		fmt.Fprintln(p.w, line)
		return
	}
	total, known := p.known()
	if known && total != p.barMax {
		p.barMax = total
		p.bar.ChangeMax64(total)
	}
	phases := p.phases()
	slowest := phases[len(phases)-1]
	var desc []string
	for _, ph := range phases {
		desc = append(desc, fmt.Sprintf("%s %d", ph.name, ph.count))
	}
	if p.deliver {
		desc = append(desc, fmt.Sprintf("%d acknowledged", p.submitted.Load()))
	}
	if p.tracked.Load() && !known {
		desc = append([]string{fmt.Sprintf("reading (%d)", total)}, desc...)
	}
	p.bar.Describe(strings.Join(desc, " · "))
	_ = p.bar.Set64(slowest.count)
	if final {
		_ = p.bar.Finish()
		fmt.Fprintln(p.w)
	}
}
