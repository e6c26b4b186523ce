package outputs

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/heval-dev/heval"
	"github.com/heval-dev/heval/internal/dirlock"
	"github.com/heval-dev/heval/reporters"
	"github.com/heval-dev/heval/reporters/console"
	"github.com/heval-dev/heval/reporters/html"
	"github.com/heval-dev/heval/reporters/junit"
	"github.com/heval-dev/heval/reporters/markdown"
	"github.com/heval-dev/heval/reporters/parquet"
)

// The names of the files in the output directory.
const (
	ScoresFile  = "scores.parquet"
	SamplesFile = parquet.SamplesFile
	JUnitFile   = "junit.xml"
	HTMLFile    = "report.html"
)

// Options say what a run writes.
type Options struct {
	// Dir is the output directory; it is created when missing.
	Dir string
	// NoHTML leaves out report.html.
	NoHTML bool
	// Markdown, when set, is a file the Markdown summary is written to.
	Markdown string
	// StepSummary is a file the Markdown summary is appended to. Empty means
	// $GITHUB_STEP_SUMMARY (when set); NoStepSummary turns it off.
	StepSummary   string
	NoStepSummary bool
	// Console, when set, receives the console summary at the end of the run.
	Console io.Writer
	// Redact, when set, is applied to every message a record, a check or the summary
	// carries (evaluator errors, delivery errors, reasons, failures) before any output sees
	// it, for example helicone.NewRedactor(key).String to keep an API key out of them.
	Redact func(string) string
}

// Set is the open outputs of one run.
type Set struct {
	files   []*pending
	step    string
	stepBuf bytes.Buffer
	handler heval.Handler
	fan     *fanout
	closed  bool
	lock    *dirlock.Lock
}

// pending is a file written under a temporary name until Close.
type pending struct {
	f     *os.File
	final string
}

// Open creates the output directory and the files of a run, under temporary names.
func Open(opts Options) (*Set, error) {
	if opts.Dir == "" {
		return nil, errors.New("outputs: no output directory given")
	}
	lock, err := dirlock.Acquire(opts.Dir, "the output directory")
	if err != nil {
		return nil, err
	}
	s := &Set{lock: lock}
	pq, err := s.create(filepath.Join(opts.Dir, ScoresFile))
	if err != nil {
		return nil, s.fail(err)
	}
	sp, err := s.create(filepath.Join(opts.Dir, SamplesFile))
	if err != nil {
		return nil, s.fail(err)
	}
	ju, err := s.create(filepath.Join(opts.Dir, JUnitFile))
	if err != nil {
		return nil, s.fail(err)
	}
	// One aggregate feeds every summary (console, HTML, Markdown): the values are kept once.
	agg := reporters.NewAggregator()
	var renders []func(*reporters.Aggregate) error
	if !opts.NoHTML {
		hf, err := s.create(filepath.Join(opts.Dir, HTMLFile))
		if err != nil {
			return nil, s.fail(err)
		}
		renders = append(renders, func(a *reporters.Aggregate) error { return html.Render(hf, html.Report{Run: a}) })
	}
	if opts.Markdown != "" {
		mf, err := s.create(opts.Markdown)
		if err != nil {
			return nil, s.fail(err)
		}
		renders = append(renders, func(a *reporters.Aggregate) error { return markdown.Write(mf, a, nil) })
	}
	if !opts.NoStepSummary {
		s.step = opts.StepSummary
		if s.step == "" {
			s.step = markdown.StepSummaryPath()
		}
		if s.step != "" {
			renders = append(renders, func(a *reporters.Aggregate) error { return markdown.Write(&s.stepBuf, a, nil) })
		}
	}
	if opts.Console != nil {
		renders = append(renders, func(a *reporters.Aggregate) error { return console.Write(opts.Console, a, nil) })
	}
	// Each file is written by its own goroutine (see fanout); the aggregate and the
	// summaries rendered from it are one sink, so that they are rendered from every record.
	s.fan = newFanout(
		sink{ScoresFile, parquet.NewWriter(pq)},
		sink{SamplesFile, parquet.NewSamplesWriter(sp)},
		sink{JUnitFile, junit.NewWriter(ju)},
		sink{"the summaries", heval.Multi(agg, onFinish(func(heval.Summary) error {
			a := agg.Result()
			var errs []error
			for _, r := range renders {
				errs = append(errs, r(a))
			}
			return errors.Join(errs...)
		}))},
	)
	s.handler = s.fan
	if opts.Redact != nil {
		s.handler = redacting{h: s.handler, f: opts.Redact}
	}
	return s, nil
}

// redacting passes every call on with the messages redacted.
type redacting struct {
	h heval.Handler
	f func(string) string
}

func (r redacting) Start(info heval.RunInfo) error {
	info.Source = r.f(info.Source)
	return r.h.Start(info)
}

func (r redacting) Record(rec heval.Record) error {
	rec.Err, rec.DeliveryErr, rec.Reason = r.f(rec.Err), r.f(rec.DeliveryErr), r.f(rec.Reason)
	if len(rec.Failures) > 0 {
		fs := make([]string, len(rec.Failures))
		for i, f := range rec.Failures {
			fs[i] = r.f(f)
		}
		rec.Failures = fs
	}
	return r.h.Record(rec)
}

func (r redacting) Finish(s heval.Summary) error {
	s.Err = r.f(s.Err)
	if len(s.Checks) > 0 {
		cs := make([]heval.Check, len(s.Checks))
		for i, c := range s.Checks {
			c.Message = r.f(c.Message)
			cs[i] = c
		}
		s.Checks = cs
	}
	return r.h.Finish(s)
}

func (s *Set) create(final string) (*os.File, error) {
	f, err := os.CreateTemp(filepath.Dir(final), "."+filepath.Base(final)+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("creating %s: %w", final, err)
	}
	s.files = append(s.files, &pending{f: f, final: final})
	return f, nil
}

func (s *Set) fail(err error) error { return errors.Join(err, s.Discard()) }

// Handler is the handler that writes every output; pass it to the run.
func (s *Set) Handler() heval.Handler { return s.handler }

// Paths are the final paths of the files the set writes, in a fixed order.
func (s *Set) Paths() []string {
	var out []string
	for _, p := range s.files {
		out = append(out, p.final)
	}
	if s.step != "" {
		out = append(out, s.step)
	}
	return out
}

// Close flushes every file to disk and renames it into place, replacing the files of an
// earlier run, and appends the Markdown summary to the step summary file.
func (s *Set) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	s.fan.stop()
	var errs []error
	for _, p := range s.files {
		if err := errors.Join(p.f.Sync(), p.f.Close()); err != nil {
			errs = append(errs, fmt.Errorf("writing %s: %w", p.final, err))
			os.Remove(p.f.Name())
			continue
		}
		if err := os.Rename(p.f.Name(), p.final); err != nil {
			errs = append(errs, fmt.Errorf("writing %s: %w", p.final, err))
			os.Remove(p.f.Name())
		}
	}
	if s.step != "" && s.stepBuf.Len() > 0 {
		if err := appendFile(s.step, s.stepBuf.Bytes()); err != nil {
			errs = append(errs, fmt.Errorf("appending the summary to %s: %w", s.step, err))
		}
	}
	errs = append(errs, s.lock.Release())
	return errors.Join(errs...)
}

// Discard removes the temporary files and leaves the earlier outputs as they were.
func (s *Set) Discard() error {
	if s.closed {
		return nil
	}
	s.closed = true
	if s.fan != nil {
		s.fan.stop()
	}
	var errs []error
	for _, p := range s.files {
		p.f.Close()
		if err := os.Remove(p.f.Name()); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	errs = append(errs, s.lock.Release())
	return errors.Join(errs...)
}

func appendFile(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	_, werr := f.Write(b)
	return errors.Join(werr, f.Close())
}

// onFinish is a handler that only acts when the run finishes.
type onFinish func(heval.Summary) error

func (onFinish) Start(heval.RunInfo) error      { return nil }
func (onFinish) Record(heval.Record) error      { return nil }
func (f onFinish) Finish(s heval.Summary) error { return f(s) }
