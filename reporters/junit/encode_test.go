package junit

import (
	"bytes"
	"cmp"
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/heval-dev/heval"

	"github.com/heval-dev/heval/reporters"
)

// The writer used to encode documents with encoding/xml; the oracles below are that code,
// and the tests check that the hand-written encoding gives the same bytes.

// xmlOracle encodes a document with encoding/xml, as the writer did.
func xmlOracle(t testing.TB, root *testSuites) []byte {
	t.Helper()
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	start := xml.StartElement{Name: xml.Name{Local: "testsuites"}}
	if root.Name != "" {
		start.Attr = append(start.Attr, xml.Attr{Name: xml.Name{Local: "name"}, Value: root.Name})
	}
	for _, a := range [][2]string{{"tests", strconv.Itoa(root.Tests)}, {"failures", strconv.Itoa(root.Failures)}, {"errors", strconv.Itoa(root.Errors)}, {"time", root.Time}} {
		start.Attr = append(start.Attr, xml.Attr{Name: xml.Name{Local: a[0]}, Value: a[1]})
	}
	if err := enc.EncodeToken(start); err != nil {
		t.Fatal(err)
	}
	for i := range root.Suites {
		if err := enc.EncodeElement(&root.Suites[i], xml.StartElement{Name: xml.Name{Local: "testsuite"}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := enc.EncodeToken(xml.EndElement{Name: xml.Name{Local: "testsuites"}}); err != nil {
		t.Fatal(err)
	}
	if err := enc.Flush(); err != nil {
		t.Fatal(err)
	}
	buf.WriteString("\n")
	return buf.Bytes()
}

// oracleNaturalCompare is the writer's earlier natural order.
func oracleNaturalCompare(a, b string) int {
	lead := func(s string) (string, string) {
		i := 0
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		return s[:i], s[i:]
	}
	for a != "" && b != "" {
		if isDigit(a[0]) && isDigit(b[0]) {
			na, ra := lead(a)
			nb, rb := lead(b)
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

// oracleRun is the document the earlier writer wrote for a run of one record: the record
// turned into a test case as it did, encoded with encoding/xml.
func oracleRun(t testing.TB, info heval.RunInfo, r heval.Record) []byte {
	t.Helper()
	at := ""
	if e, ok := info.Evaluator(r.Evaluator); ok && e.File != "" {
		at = "\nat " + position(e.File, e.Line)
	}
	var name strings.Builder
	if s := r.Sample; s != nil {
		if s.DatasetRowID != "" && s.RowIndex >= 0 {
			fmt.Fprintf(&name, "row %d · ", s.RowIndex)
		}
		if s.RequestID != "" {
			name.WriteString("request " + s.RequestID)
		} else {
			name.WriteString("sample without request id")
		}
	}
	if r.Repeat > 0 {
		fmt.Fprintf(&name, " · repeat %d", r.Repeat+1)
	}
	group := reporters.GroupKey(r.Sample)
	label := reporters.GroupLabels([]string{group})(group)
	ms := int64((r.Duration + time.Millisecond/2) / time.Millisecond)
	tc := testCase{Name: fmt.Sprintf("%s [%s] %s", r.Evaluator, label, name.String()), Classname: "heval." + r.Evaluator + "." + label,
		Time: fmt.Sprintf("%d.%03d", ms/1000, ms%1000)}
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
			msg = strings.TrimPrefix(msg, "panic: ")
		}
		tc.Errors = append(tc.Errors, problem{Type: kind, Message: msg, Text: r.Err + at})
	}
	if r.DeliveryErr != "" {
		tc.Errors = append(tc.Errors, problem{Type: "delivery", Message: firstLine(r.DeliveryErr), Text: r.DeliveryErr})
	}
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
	if out = strings.TrimSpace(out); out != "" {
		tc.SystemOut = &out
	}
	suite := testSuite{Name: fmt.Sprintf("heval/%s [%s]", r.Evaluator, label), Cases: []testCase{tc}, Timestamp: info.Started.UTC().Format("2006-01-02T15:04:05")}
	if ps := properties(info); len(ps) > 0 {
		suite.Properties = &propertyList{Props: ps}
	}
	if e, ok := info.Evaluator(r.Evaluator); ok {
		suite.File = e.File
	}
	doc := testSuites{Name: "heval", Suites: []testSuite{suite}}
	doc.total()
	return xmlOracle(t, &doc)
}

// hostileSeed is text that XML cannot carry as it is (see hostile in the package's specs).
const hostileSeed = "<b>&amp; \"q\" 'a' ]]> \x00\x01\x08\x0b\x1f\x7f \t\r\n \x80 \xe2\x82 \xed\xa0\x80 \xc0\xaf \uFFFE\uFFFF \uFFFD 𝄞 é"

func FuzzEscapeMatchesEncodingXML(f *testing.F) {
	for _, s := range []string{"", "plain", hostileSeed, "\xff", "a\xe2\x82", "\xef\xbf\xbd", "\xef\xbf\xbe", "]]>", strings.Repeat("é<", 100)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want bytes.Buffer
		if err := xml.EscapeText(&want, []byte(s)); err != nil {
			t.Fatal(err)
		}
		if got := appendEscaped(nil, s); !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("escaping %q as a string gives %q; encoding/xml gives %q", s, got, want.Bytes())
		}
		if got := appendEscaped(nil, []byte(s)); !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("escaping %q as bytes gives %q; encoding/xml gives %q", s, got, want.Bytes())
		}
		// The writer escapes the parts of a text separately where an ASCII byte meets them.
		for i := range len(s) + 1 {
			a, b := s[:i], s[i:]
			if i > 0 && i < len(s) && s[i-1] >= utf8.RuneSelf && s[i] >= utf8.RuneSelf {
				continue
			}
			if got := appendEscaped(appendEscaped(nil, a), b); !bytes.Equal(got, want.Bytes()) {
				t.Fatalf("escaping %q and %q one after the other gives %q; the whole gives %q", a, b, got, want.Bytes())
			}
		}
	})
}

func TestEscapeDoesNotAllocate(t *testing.T) {
	in := []byte(strings.Repeat(hostileSeed, 4))
	buf := make([]byte, 0, 4096)
	if n := testing.AllocsPerRun(100, func() { buf = appendEscaped(buf[:0], in) }); n != 0 {
		t.Fatalf("escaping bytes allocates %v times", n)
	}
}

func FuzzDocumentMatchesEncodingXML(f *testing.F) {
	f.Add("heval", "suite", "2026-11-20T22:00:00", "evals/a.go", "heval.run_id", "run-1", "case", "heval.a.b", "0.125", "check", "message", "text", "out", uint8(0xff))
	f.Add("", hostileSeed, "", "", hostileSeed, hostileSeed, hostileSeed, hostileSeed, hostileSeed, hostileSeed, hostileSeed, hostileSeed, hostileSeed, uint8(0x55))
	f.Add("n", "", "", "", "", "", "", "", "", "", "", "", "", uint8(0))
	f.Fuzz(func(t *testing.T, root, suite, stamp, file, pname, pvalue, name, class, tm, typ, msg, text, out string, shape uint8) {
		on := func(bit int) bool { return shape&(1<<bit) != 0 }
		tc := testCase{Name: name, Classname: class, Time: tm}
		if on(0) {
			tc.Failures = []problem{{Type: typ, Message: msg, Text: text}}
		}
		if on(1) {
			tc.Errors = []problem{{Type: typ, Message: msg, Text: text}, {Type: "delivery", Message: text}}
		}
		if on(2) {
			tc.SystemOut = &out
		}
		if on(3) {
			tc.Skipped = &skipped{Message: msg}
		}
		s := testSuite{Name: suite, Timestamp: stamp, File: file}
		if on(4) {
			s.Properties = &propertyList{}
			if on(5) {
				s.Properties.Props = []property{{Name: pname, Value: pvalue}, {Name: "b", Value: ""}}
			}
		}
		if on(6) {
			s.Cases = []testCase{tc, {Name: name + "2", Time: "0.000"}}
		}
		doc := testSuites{Name: root}
		if on(7) {
			doc.Suites = []testSuite{s, {Name: "empty"}}
		}
		var got bytes.Buffer
		if err := write(&got, &doc); err != nil {
			t.Fatal(err)
		}
		if want := xmlOracle(t, &doc); !bytes.Equal(got.Bytes(), want) {
			t.Fatalf("the document differs from encoding/xml's:\n got %q\nwant %q", got.Bytes(), want)
		}
	})
}

func FuzzRecordMatchesEarlierWriter(f *testing.F) {
	f.Add("1f0e0000-0000-4000-8000-000000000010", "candidate", "e1", "word_count", "too long", "", "", "", "", "n", int64(3), false, uint32(1500), uint8(0), int16(10))
	f.Add(hostileSeed, hostileSeed, hostileSeed, "judge", hostileSeed, hostileSeed+"\xe2", "panic", hostileSeed, " \n"+hostileSeed+"\n ", " k", int64(-1), true, uint32(999_999), uint8(2), int16(-1))
	f.Add("", "", "", "e", "", "\n\n", "", "", "\u0085", "", int64(0), true, uint32(0), uint8(1), int16(0))
	f.Fuzz(func(t *testing.T, req, hyp, exp, ev, failure, errText, errKind, delivery, reason, key string, value int64, boolean bool, micros uint32, repeat uint8, row int16) {
		info := heval.RunInfo{RunID: "run " + hyp, Started: time.Date(2026, 11, 20, 22, 0, 0, 0, time.UTC), Source: exp, Evaluators: []string{ev},
			Declared: []heval.EvaluatorInfo{{Name: ev, File: "evals/" + hyp + ".go", Line: int(row)}}}
		var s *heval.Sample
		if row != 0 {
			s = &heval.Sample{Kind: heval.KindHypothesisRun, RequestID: req, Hypothesis: hyp, Experiment: exp, DatasetRowID: hyp, RowIndex: int(row)}
		}
		r := heval.Record{Sample: s, Evaluator: ev, Repeat: int(repeat), Duration: time.Duration(micros) * time.Microsecond,
			Err: errText, ErrKind: heval.ErrorKind(errKind), DeliveryErr: delivery, Reason: reason}
		if failure != "" {
			r.Failures = []string{failure, failure + "\xe2", "\x82" + reason}
		}
		if key != "" {
			typ := heval.Number
			if boolean {
				typ = heval.Boolean
			}
			r.Values = []heval.Value{{Key: key, Value: value, Type: typ}, {Key: "n", Value: -value, Type: heval.Number}}
		}
		var got bytes.Buffer
		w := NewWriter(&got)
		SetLimits(w, int(micros%512), 2) // a chunk of 0 to 511 bytes: most cases wait on disk
		if err := w.Start(info); err != nil {
			t.Fatal(err)
		}
		if err := w.Record(r); err != nil {
			t.Fatal(err)
		}
		if err := w.Finish(heval.Summary{}); err != nil {
			t.Fatal(err)
		}
		if want := oracleRun(t, info, r); !bytes.Equal(got.Bytes(), want) {
			t.Fatalf("the document differs from the earlier writer's:\n got %q\nwant %q", got.Bytes(), want)
		}
	})
}

func FuzzNaturalOrder(f *testing.F) {
	f.Add("row 2 · request a", "row 10 · request a")
	f.Add("row 007", "row 7")
	f.Add("a1b", "a01c")
	f.Add("x"+strings.Repeat("9", 300), "x"+strings.Repeat("1", 256))
	f.Add("x"+strings.Repeat("1", 254), "x"+strings.Repeat("1", 255))
	f.Add("request 1f0e0000-0000-4000-8000-000000000010", "request 1f0e0000-0000-4000-8000-000000000009")
	f.Add("", "0")
	f.Add("a/", "a0")
	f.Add("a:", "a9")
	f.Fuzz(func(t *testing.T, a, b string) {
		want := oracleNaturalCompare(a, b)
		if got := naturalCompare(a, b); got != want {
			t.Fatalf("naturalCompare(%q, %q) = %d; the earlier order says %d", a, b, got, want)
		}
		if got := naturalCompare([]byte(a), []byte(b)); got != want {
			t.Fatalf("naturalCompare on bytes (%q, %q) = %d; the earlier order says %d", a, b, got, want)
		}
		// Keys that differ order their strings as naturalCompare does, also when made of
		// the rests after a shared prefix that does not end within digits.
		check := func(x, y string, prefix int) {
			kx, ky := naturalKey([]byte(x[prefix:])), naturalKey([]byte(y[prefix:]))
			if kx != ky && cmp.Compare(kx, ky) != want {
				t.Fatalf("the keys of %q and %q after %d bytes are %x and %x; naturalCompare says %d", a, b, prefix, kx, ky, want)
			}
		}
		check(a, b, 0)
		p := 0
		for p < len(a) && p < len(b) && a[p] == b[p] {
			p++
		}
		for p > 0 && isDigit(a[p-1]) {
			p--
		}
		check(a, b, p)
		for q := range p {
			if q == 0 || !isDigit(a[q-1]) {
				check(a, b, q)
			}
		}
	})
}
