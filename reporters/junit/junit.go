package junit

import (
	"bufio"
	"cmp"
	"encoding/gob"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heval-dev/heval"

	"github.com/heval-dev/heval/reporters"
)

// Option configures a Writer.
type Option func(*Writer)

// WithName sets the name of the root <testsuites> element (default "heval").
func WithName(name string) Option { return func(w *Writer) { w.name = name } }

// Writer is a heval.Handler that writes JUnit XML to its io.Writer when the run finishes.
// It keeps a compact form of each test case (names and messages), not the samples.
type Writer struct {
	w      io.Writer
	name   string
	info   heval.RunInfo
	suites map[suiteKey]*suiteAcc
}

type suiteKey struct{ group, evaluator string }

type suiteAcc struct {
	key   suiteKey
	cases []testCase
	// Cases beyond memCases are spooled to a temporary file, so memory does not grow
	// with the number of samples; Finish reads one suite back at a time.
	spool   *os.File
	buf     *bufio.Writer
	enc     *gob.Encoder
	spooled int

	tests, failures, errors int
	millis                  int64
}

// memCases is how many test cases of one suite are kept in memory before they are spooled.
const memCases = 2048

// NewWriter returns a Writer that writes to w.
func NewWriter(w io.Writer, opts ...Option) *Writer {
	jw := &Writer{w: w, name: "heval", suites: map[suiteKey]*suiteAcc{}}
	for _, o := range opts {
		o(jw)
	}
	return jw
}

// Start records the run's metadata.
func (w *Writer) Start(info heval.RunInfo) error {
	w.info = info
	return nil
}

// Record adds the test case of one record.
func (w *Writer) Record(r heval.Record) error {
	group := reporters.GroupKey(r.Sample)
	k := suiteKey{group, r.Evaluator}
	s := w.suites[k]
	if s == nil {
		s = &suiteAcc{key: k}
		w.suites[k] = s
	}
	// The name and classname carry the group key until Finish resolves it into a label.
	tc := testCase{
		Name:      caseName(r.Sample, r.Repeat),
		Classname: group,
		Time:      seconds(r.Duration),
	}
	s.millis += millis(r.Duration)
	at := w.at(r.Evaluator)
	if len(r.Failures) > 0 {
		tc.Failures = append(tc.Failures, problem{Type: "check", Message: firstLine(r.Failures[0]), Text: strings.Join(r.Failures, "\n") + at})
	}
	if r.Err != "" {
		kind := string(r.ErrKind)
		if kind == "" {
			kind = string(heval.ErrorKindEvaluator)
		}
		msg := firstLine(r.Err)
		if kind == string(heval.ErrorKindPanic) {
			// The type says it panicked; consumers show "type: message".
			msg = strings.TrimPrefix(msg, "panic: ")
		}
		tc.Errors = append(tc.Errors, problem{Type: kind, Message: msg, Text: r.Err + at})
	}
	if r.DeliveryErr != "" {
		tc.Errors = append(tc.Errors, problem{Type: "delivery", Message: firstLine(r.DeliveryErr), Text: r.DeliveryErr})
	}
	if out := systemOut(r); out != "" {
		tc.SystemOut = &out
	}
	s.count(tc)
	s.cases = append(s.cases, tc)
	if len(s.cases) >= memCases {
		return s.flush()
	}
	return nil
}

// at is the line that says where an evaluator was declared, "\nat FILE:LINE", or "".
func (w *Writer) at(evaluator string) string {
	e, ok := w.info.Evaluator(evaluator)
	if !ok || e.File == "" {
		return ""
	}
	return "\nat " + position(e.File, e.Line)
}

func position(file string, line int) string {
	if line > 0 {
		return file + ":" + strconv.Itoa(line)
	}
	return file
}

func (s *suiteAcc) count(tc testCase) {
	s.tests++
	switch {
	case len(tc.Errors) > 0:
		s.errors++
	case len(tc.Failures) > 0:
		s.failures++
	}
}

// flush moves the in-memory cases to the suite's spool file.
func (s *suiteAcc) flush() error {
	if s.spool == nil {
		f, err := os.CreateTemp("", "heval-junit-*")
		if err != nil {
			return fmt.Errorf("junit: spooling test cases: %w", err)
		}
		s.spool, s.buf = f, bufio.NewWriter(f)
		s.enc = gob.NewEncoder(s.buf)
	}
	for i := range s.cases {
		if err := s.enc.Encode(&s.cases[i]); err != nil {
			return fmt.Errorf("junit: spooling test cases: %w", err)
		}
	}
	s.spooled += len(s.cases)
	clear(s.cases)
	s.cases = s.cases[:0]
	return nil
}

// load returns every case of the suite, reading the spooled ones back, and removes the spool.
func (s *suiteAcc) load() ([]testCase, error) {
	if s.spool == nil {
		return s.cases, nil
	}
	defer s.discard()
	if err := s.buf.Flush(); err != nil {
		return nil, err
	}
	if _, err := s.spool.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	out := make([]testCase, 0, s.spooled+len(s.cases))
	dec := gob.NewDecoder(bufio.NewReader(s.spool))
	for range s.spooled {
		var tc testCase
		if err := dec.Decode(&tc); err != nil {
			return nil, fmt.Errorf("junit: reading spooled test cases: %w", err)
		}
		out = append(out, tc)
	}
	return append(out, s.cases...), nil
}

func (s *suiteAcc) discard() {
	if s.spool != nil {
		s.spool.Close()
		os.Remove(s.spool.Name())
		s.spool = nil
	}
}

// Finish writes the document: the record suites, then the thresholds suite.
func (w *Writer) Finish(sum heval.Summary) error {
	props := properties(w.info)
	order := map[string]int{}
	for i, e := range w.info.Evaluators {
		order[e] = i
	}
	accs := make([]*suiteAcc, 0, len(w.suites))
	for _, s := range w.suites {
		accs = append(accs, s)
	}
	keys := make([]string, 0, len(accs))
	for _, s := range accs {
		keys = append(keys, s.key.group)
	}
	label := reporters.GroupLabels(keys)
	slices.SortFunc(accs, func(a, b *suiteAcc) int {
		if c := cmp.Compare(label(a.key.group), label(b.key.group)); c != 0 {
			return c
		}
		ia, oka := order[a.key.evaluator]
		ib, okb := order[b.key.evaluator]
		if oka && okb && ia != ib {
			return cmp.Compare(ia, ib)
		}
		return cmp.Compare(a.key.evaluator, b.key.evaluator)
	})
	var extra []testSuite
	if len(sum.Checks) > 0 {
		var cases []testCase
		for _, c := range sum.Checks {
			tc := testCase{Name: checkName(c), Classname: "heval.thresholds", Time: "0.000"}
			if !c.Passed {
				msg := c.Message
				if msg == "" {
					msg = fmt.Sprintf("%s %s is %s, not %s %s", c.Key, c.Stat, formatFloat(c.Observed), c.Op, formatFloat(c.Limit))
				}
				text := msg
				if w.info.File != "" {
					text += "\nat " + position(w.info.File, w.info.Line)
				}
				tc.Failures = append(tc.Failures, problem{Type: "threshold", Message: firstLine(msg), Text: text})
			}
			cases = append(cases, tc)
		}
		ts := newSuite("heval/thresholds", cases, props, w.info.Started)
		ts.File = w.info.File
		extra = append(extra, ts)
	}
	if sum.Err != "" || sum.Interrupted {
		msg := sum.Err
		if msg == "" {
			msg = "the run was interrupted before every sample was evaluated and delivered"
		}
		tc := testCase{Name: "run completed", Classname: "heval.run", Time: "0.000"}
		tc.Errors = append(tc.Errors, problem{Type: "run", Message: firstLine(msg), Text: msg})
		rs := newSuite("heval/run", []testCase{tc}, props, w.info.Started)
		rs.File = w.info.File
		extra = append(extra, rs)
	}
	defer func() {
		for _, s := range accs {
			s.discard()
		}
	}()
	// The totals are known from the counters, so the document is written one suite at a
	// time: only one suite's cases are in memory at once.
	root := testSuites{Name: w.name}
	var millisAll int64
	for _, s := range accs {
		root.Tests += s.tests
		root.Failures += s.failures
		root.Errors += s.errors
		millisAll += s.millis
	}
	for i := range extra {
		extra[i].count()
		root.Tests += extra[i].Tests
		root.Failures += extra[i].Failures
		root.Errors += extra[i].Errors
	}
	root.Time = formatMillis(millisAll)
	sw, err := startDocument(w.w, &root)
	if err != nil {
		return err
	}
	for _, s := range accs {
		cases, err := s.load()
		if err != nil {
			return err
		}
		group := label(s.key.group)
		for i := range cases {
			// Consumers that show only a case's name still see its evaluator and group.
			cases[i].Name = fmt.Sprintf("%s [%s] %s", s.key.evaluator, group, cases[i].Name)
			cases[i].Classname = "heval." + s.key.evaluator + "." + group
		}
		suite := newSuite(fmt.Sprintf("heval/%s [%s]", s.key.evaluator, group), cases, props, w.info.Started)
		suite.Tests, suite.Failures, suite.Errors, suite.Time = s.tests, s.failures, s.errors, formatMillis(s.millis)
		if e, ok := w.info.Evaluator(s.key.evaluator); ok {
			suite.File = e.File
		}
		if err := sw.suite(&suite); err != nil {
			return err
		}
	}
	for i := range extra {
		if err := sw.suite(&extra[i]); err != nil {
			return err
		}
	}
	return sw.end()
}

func write(w io.Writer, doc *testSuites) error {
	doc.total()
	sw, err := startDocument(w, doc)
	if err != nil {
		return err
	}
	for i := range doc.Suites {
		if err := sw.suite(&doc.Suites[i]); err != nil {
			return err
		}
	}
	return sw.end()
}

func newSuite(name string, cases []testCase, props []property, started time.Time) testSuite {
	slices.SortStableFunc(cases, func(a, b testCase) int { return naturalCompare(a.Name, b.Name) })
	s := testSuite{Name: name, Cases: cases}
	if len(props) > 0 {
		s.Properties = &propertyList{Props: props}
	}
	if !started.IsZero() {
		s.Timestamp = started.UTC().Format("2006-01-02T15:04:05")
	}
	return s
}

// caseName is stable across runs: the dataset row (when there is one) and the request id.
func caseName(s *heval.Sample, repeat int) string {
	var b strings.Builder
	if s != nil {
		if s.DatasetRowID != "" && s.RowIndex >= 0 {
			fmt.Fprintf(&b, "row %d · ", s.RowIndex)
		}
		if s.RequestID != "" {
			b.WriteString("request " + s.RequestID)
		} else {
			b.WriteString("sample without request id")
		}
	}
	if repeat > 0 {
		fmt.Fprintf(&b, " · repeat %d", repeat+1)
	}
	return b.String()
}

func checkName(c heval.Check) string {
	if c.Name != "" {
		return c.Name
	}
	n := fmt.Sprintf("%s:%s%s%s", c.Key, c.Stat, c.Op, formatFloat(c.Limit))
	if c.Group != "" {
		n += "@" + c.Group
	}
	return n
}

func systemOut(r heval.Record) string {
	var parts []string
	for _, v := range r.Values {
		if v.Type == heval.Boolean {
			parts = append(parts, fmt.Sprintf("%s=%t", v.Key, v.Value != 0))
		} else {
			parts = append(parts, fmt.Sprintf("%s=%d", v.Key, v.Value))
		}
	}
	out := strings.Join(parts, " ")
	if r.Reason != "" {
		out += "\nreason: " + r.Reason
	}
	return strings.TrimSpace(out)
}

func properties(info heval.RunInfo) []property {
	var ps []property
	add := func(name, value string) {
		if value != "" {
			ps = append(ps, property{Name: name, Value: value})
		}
	}
	add("heval.run_id", info.RunID)
	add("heval.source", info.Source)
	add("heval.version", info.Version)
	add("heval.git_commit", info.GitCommit)
	add("heval.git_branch", info.GitBranch)
	add("heval.ci_job_id", info.CIJobID)
	add("heval.shard", info.Shard)
	add("heval.dry_run", strconv.FormatBool(info.DryRun))
	return ps
}

// seconds formats a duration as plain decimal seconds with millisecond precision ("0.125").
func seconds(d time.Duration) string { return formatMillis(millis(d)) }

// millis rounds a duration to whole milliseconds.
func millis(d time.Duration) int64 { return int64((d + time.Millisecond/2) / time.Millisecond) }

// formatMillis writes milliseconds as decimal seconds, never in exponent notation.
func formatMillis(ms int64) string { return fmt.Sprintf("%d.%03d", ms/1000, ms%1000) }

func formatFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// naturalCompare orders strings with embedded numbers by value ("row 2" before "row 10").
func naturalCompare(a, b string) int {
	for a != "" && b != "" {
		da, db := isDigit(a[0]), isDigit(b[0])
		if da && db {
			na, ra := leadingDigits(a)
			nb, rb := leadingDigits(b)
			ta, tb := strings.TrimLeft(na, "0"), strings.TrimLeft(nb, "0")
			if c := cmp.Compare(len(ta), len(tb)); c != 0 {
				return c
			}
			if c := strings.Compare(ta, tb); c != 0 {
				return c
			}
			a, b = ra, rb
			continue
		}
		if a[0] != b[0] {
			return cmp.Compare(a[0], b[0])
		}
		a, b = a[1:], b[1:]
	}
	return cmp.Compare(len(a), len(b))
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func leadingDigits(s string) (string, string) {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return s[:i], s[i:]
}
