package console

import (
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// ProgressOption configures a [Progress].
type ProgressOption func(*progressConfig)

type progressConfig struct {
	terminal *bool
	interval time.Duration
	now      func() time.Time
	tick     <-chan time.Time
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

// Progress shows a run's progress while it is under way: samples evaluated, scores
// submitted, the rate and the remaining time. On a terminal it draws a progress bar;
// otherwise it writes a plain line periodically, for example
//
//	heval: 1200/4800 samples, 7200 scores submitted, 310/s, eta 12s
//
// Its counting methods are safe for concurrent use and cost one atomic addition.
type Progress struct {
	w         io.Writer
	total     int64
	evaluated atomic.Int64
	submitted atomic.Int64
	now       func() time.Time
	start     time.Time
	bar       *progressbar.ProgressBar

	stop     chan struct{}
	wg       sync.WaitGroup
	doneOnce sync.Once
	mu       sync.Mutex // serialises writes
}

// NewProgress starts a progress display for a run of total samples (0 or less when the
// total is not known) and writes it to w until [Progress.Done].
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
	p := &Progress{w: w, total: int64(max(0, total)), now: cfg.now, stop: make(chan struct{})}
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
		max := p.total
		if max == 0 {
			max = -1
		}
		p.bar = progressbar.NewOptions64(max,
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

// Evaluated counts n more samples evaluated.
func (p *Progress) Evaluated(n int) { p.evaluated.Add(int64(n)) }

// Submitted counts n more scores submitted.
func (p *Progress) Submitted(n int) { p.submitted.Add(int64(n)) }

// Done stops the display and writes the final state. It is safe to call more than once.
func (p *Progress) Done() {
	p.doneOnce.Do(func() {
		close(p.stop)
		p.wg.Wait()
		p.show(true)
	})
}

// Line is the plain progress line for the current counts.
func (p *Progress) Line() string {
	ev, sub := p.evaluated.Load(), p.submitted.Load()
	elapsed := p.now().Sub(p.start)
	rate := 0.0
	if elapsed > 0 {
		rate = float64(ev) / elapsed.Seconds()
	}
	s := fmt.Sprintf("heval: %d", ev)
	if p.total > 0 {
		s += fmt.Sprintf("/%d", p.total)
	}
	s += fmt.Sprintf(" samples, %d scores submitted, %.0f/s", sub, rate)
	if p.total > 0 && rate > 0 && ev < p.total {
		eta := time.Duration(float64(p.total-ev) / rate * float64(time.Second)).Round(time.Second)
		s += ", eta " + eta.String()
	}
	return s
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
	p.bar.Describe(fmt.Sprintf("evaluating (%d scores submitted)", p.submitted.Load()))
	_ = p.bar.Set64(p.evaluated.Load())
	if final {
		_ = p.bar.Finish()
		fmt.Fprintln(p.w)
	}
}
