package junit

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
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

// Writer is a heval.Handler that writes JUnit XML to its io.Writer. Each record's test case
// is encoded as XML when the record arrives and kept, sorted, in a bounded chunk of memory
// and in temporary files; Finish writes the document, merging each suite's cases (see the
// package documentation). Its memory does not grow with the number of cases.
type Writer struct {
	w      io.Writer
	name   string
	info   heval.RunInfo
	suites map[suiteKey]*suiteAcc
	// bySample finds a record's suite without building its group key.
	bySample map[sampleKey]*suiteAcc
	list     []*suiteAcc
	store    *caseStore
	scratch  []byte
}

type suiteKey struct{ group, evaluator string }

type sampleKey struct{ experiment, group, evaluator string }

type suiteAcc struct {
	key suiteKey
	id  int
	// at is the escaped line that says where the evaluator was declared (see Writer.at).
	at []byte

	tests, failures, errors int
	millis                  int64
}

// NewWriter returns a Writer that writes to w.
func NewWriter(w io.Writer, opts ...Option) *Writer {
	jw := &Writer{w: w, name: "heval", suites: map[suiteKey]*suiteAcc{}, bySample: map[sampleKey]*suiteAcc{}, store: newCaseStore()}
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

// suite returns the suite of a record.
func (w *Writer) suite(r *heval.Record) *suiteAcc {
	var sk sampleKey
	if r.Sample != nil {
		sk.experiment = r.Sample.Experiment
	}
	sk.group, sk.evaluator = r.Sample.Group(), r.Evaluator
	if s := w.bySample[sk]; s != nil {
		return s
	}
	k := suiteKey{reporters.GroupKey(r.Sample), r.Evaluator}
	s := w.suites[k]
	if s == nil {
		s = &suiteAcc{key: k, id: len(w.list), at: appendEscaped(nil, w.at(r.Evaluator))}
		w.suites[k] = s
		w.list = append(w.list, s)
	}
	w.bySample[sk] = s
	return s
}

// Record encodes the test case of one record and keeps it for Finish. The case's name and
// classname get their evaluator and group when the document is written, when the labels
// of the groups are known.
func (w *Writer) Record(r heval.Record) error {
	s := w.suite(&r)
	s.tests++
	switch {
	case r.Err != "" || r.DeliveryErr != "":
		s.errors++
	case len(r.Failures) > 0:
		s.failures++
	}
	ms := millis(r.Duration)
	s.millis += ms

	st := w.store
	st.reserve()
	start := len(st.arena)
	st.arena = appendCaseName(st.arena, r.Sample, r.Repeat)
	mid := len(st.arena)
	// The text starts with a byte that says whether the name needs escaping (cases with the
	// same name have the same byte, so it changes no order).
	plain := byte(0)
	if r.Sample == nil || isPlain(r.Sample.RequestID) {
		plain = 1 // the rest of a name never needs escaping
	}
	b := append(st.arena, plain)
	b = append(b, `time="`...)
	b = appendMillis(b, ms)
	b = append(b, `">`...)
	children := false
	if len(r.Failures) > 0 {
		b = appendProblemStart(b, "failure", "check", firstLine(r.Failures[0]))
		for i, f := range r.Failures {
			if i > 0 {
				b = append(b, asciiEscapes['\n']...)
			}
			b = appendEscaped(b, f)
		}
		b = append(b, s.at...)
		b = appendProblemEnd(b, "failure")
		children = true
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
		b = appendProblemStart(b, "error", kind, msg)
		b = appendEscaped(b, r.Err)
		b = append(b, s.at...)
		b = appendProblemEnd(b, "error")
		children = true
	}
	if r.DeliveryErr != "" {
		b = appendProblemStart(b, "error", "delivery", firstLine(r.DeliveryErr))
		b = appendEscaped(b, r.DeliveryErr)
		b = appendProblemEnd(b, "error")
		children = true
	}
	if w.scratch = appendSystemOut(w.scratch[:0], &r); len(w.scratch) > 0 {
		b = append(b, indentChild+"<system-out>"...)
		b = appendEscaped(b, w.scratch)
		b = append(b, "</system-out>"...)
		children = true
	}
	st.arena = appendCaseEnd(b, children)
	return st.add(s.id, start, mid)
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

// Finish writes the document: the record suites, then the thresholds suite, and removes
// the temporary files.
func (w *Writer) Finish(sum heval.Summary) error {
	defer w.store.close()
	if w.store.err != nil {
		return fmt.Errorf("%w; so the JUnit document was not written", w.store.err)
	}
	props := properties(w.info)
	order := map[string]int{}
	for i, e := range w.info.Evaluators {
		order[e] = i
	}
	accs := slices.Clone(w.list)
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
	// The totals are known from the counters, so the document is written one suite at a
	// time, each merged from the sorted runs of its cases.
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
	d := newDocWriter(w.w)
	d.buf = appendDocumentStart(d.buf, &root)
	for _, s := range accs {
		group := label(s.key.group)
		suite := newSuite(fmt.Sprintf("heval/%s [%s]", s.key.evaluator, group), nil, props, w.info.Started)
		suite.Tests, suite.Failures, suite.Errors, suite.Time = s.tests, s.failures, s.errors, formatMillis(s.millis)
		if e, ok := w.info.Evaluator(s.key.evaluator); ok {
			suite.File = e.File
		}
		d.buf, _ = appendSuiteStart(d.buf, &suite)
		// Consumers that show only a case's name still see its evaluator and group. The start
		// of each case's start tag is the same up to the name and from the classname on.
		before := appendEscaped([]byte(indentCase+`<testcase name="`), s.key.evaluator+" ["+group+"] ")
		after := append(appendEscaped([]byte(`" classname="`), "heval."+s.key.evaluator+"."+group), `" `...)
		err := w.store.merge(s.id, w.store.levels, true, func(name, text []byte) error {
			d.buf = append(d.buf, before...)
			if text[0] == 1 {
				d.buf = append(d.buf, name...)
			} else {
				d.buf = appendEscaped(d.buf, name)
			}
			d.buf = append(d.buf, after...)
			d.putBytes(text[1:])
			return d.err
		})
		if d.err != nil {
			return d.flush()
		}
		if err != nil {
			return fmt.Errorf("junit: reading back the test cases of %s from the temporary file: %w", suite.Name, err)
		}
		d.buf = appendSuiteEnd(d.buf, true)
		d.put()
	}
	for i := range extra {
		d.buf = appendSuite(d.buf, &extra[i])
		d.put()
	}
	d.buf = appendDocumentEnd(d.buf, len(accs)+len(extra) > 0)
	return d.flush()
}

func newSuite(name string, cases []testCase, props []property, started time.Time) testSuite {
	sortCases(cases)
	s := testSuite{Name: name, Cases: cases}
	if len(props) > 0 {
		s.Properties = &propertyList{Props: props}
	}
	if !started.IsZero() {
		s.Timestamp = started.UTC().Format("2006-01-02T15:04:05")
	}
	return s
}

// sortCases orders test cases as [compareCase] orders encoded ones, then by classname.
func sortCases(cases []testCase) {
	var ta, tb []byte
	slices.SortFunc(cases, func(a, b testCase) int {
		if c := naturalCompare(a.Name, b.Name); c != 0 {
			return c
		}
		if c := compareBytes(a.Name, b.Name); c != 0 {
			return c
		}
		ta, tb = appendCaseRest(ta[:0], &a), appendCaseRest(tb[:0], &b)
		if c := compareBytes(ta, tb); c != 0 {
			return c
		}
		return compareBytes(a.Classname, b.Classname)
	})
}

// appendCaseName appends a case's name, which is stable across runs: the dataset row (when
// there is one) and the request id.
func appendCaseName(dst []byte, s *heval.Sample, repeat int) []byte {
	if s != nil {
		if s.DatasetRowID != "" && s.RowIndex >= 0 {
			dst = append(dst, "row "...)
			dst = strconv.AppendInt(dst, int64(s.RowIndex), 10)
			dst = append(dst, " · "...)
		}
		if s.RequestID != "" {
			dst = append(dst, "request "...)
			dst = append(dst, s.RequestID...)
		} else {
			dst = append(dst, "sample without request id"...)
		}
	}
	if repeat > 0 {
		dst = append(dst, " · repeat "...)
		dst = strconv.AppendInt(dst, int64(repeat+1), 10)
	}
	return dst
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

// appendSystemOut appends a case's standard output: its values ("key=value" with spaces
// between) and the evaluator's reason, without surrounding space.
func appendSystemOut(dst []byte, r *heval.Record) []byte {
	for i, v := range r.Values {
		if i > 0 {
			dst = append(dst, ' ')
		}
		dst = append(dst, v.Key...)
		dst = append(dst, '=')
		if v.Type == heval.Boolean {
			dst = strconv.AppendBool(dst, v.Value != 0)
		} else {
			dst = strconv.AppendInt(dst, v.Value, 10)
		}
	}
	if r.Reason != "" {
		dst = append(dst, "\nreason: "...)
		dst = append(dst, r.Reason...)
	}
	trimmed := bytes.TrimSpace(dst)
	return append(dst[:0], trimmed...)
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

// millis rounds a duration to whole milliseconds; a negative duration (which a clock
// cannot measure) counts as none.
func millis(d time.Duration) int64 { return max(int64((d+time.Millisecond/2)/time.Millisecond), 0) }

// formatMillis writes milliseconds as decimal seconds, never in exponent notation.
func formatMillis(ms int64) string { return string(appendMillis(nil, ms)) }

// appendMillis appends milliseconds as decimal seconds ("0.125"); the schema has no
// negative times, so a negative one is "0.000".
func appendMillis(dst []byte, ms int64) []byte {
	ms = max(ms, 0)
	dst = strconv.AppendInt(dst, ms/1000, 10)
	dst = append(dst, '.')
	f := ms % 1000
	return append(dst, byte('0'+f/100), byte('0'+f/10%10), byte('0'+f%10))
}

func formatFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// naturalCompare orders strings with embedded numbers by value ("row 2" before "row 10"):
// runs of digits compare by their value (leading zeros aside), other bytes by value, and a
// run of digits compares with another byte as its first digit does.
func naturalCompare[T string | []byte](a, b T) int {
	// Up to the first byte that differs both strings read the same; so the comparison
	// starts there, or at the start of the run of digits that byte is in.
	i := 0
	for n := min(len(a), len(b)); i < n && a[i] == b[i]; {
		i++
	}
	for i > 0 && isDigit(a[i-1]) {
		i--
	}
	j := i
	for i < len(a) && j < len(b) {
		ca, cb := a[i], b[j]
		if isDigit(ca) && isDigit(cb) {
			ea, eb := digitsEnd(a, i), digitsEnd(b, j)
			za, zb := zerosEnd(a, i, ea), zerosEnd(b, j, eb)
			if c := cmp.Compare(ea-za, eb-zb); c != 0 {
				return c
			}
			for k := range ea - za {
				if c := cmp.Compare(a[za+k], b[zb+k]); c != 0 {
					return c
				}
			}
			i, j = ea, eb
			continue
		}
		if ca != cb {
			return cmp.Compare(ca, cb)
		}
		i++
		j++
	}
	return cmp.Compare(len(a)-i, len(b)-j)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// digitsEnd is the end of the run of digits at s[i].
func digitsEnd[T string | []byte](s T, i int) int {
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

// zerosEnd is the end of the leading zeros of the digits s[i:end].
func zerosEnd[T string | []byte](s T, i, end int) int {
	for i < end && s[i] == '0' {
		i++
	}
	return i
}
