package junit

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"
)

// The document is written by hand rather than with encoding/xml, so that a test case can
// be encoded once, when its record arrives, and its bytes kept until the suite is written.
// The bytes are those encoding/xml writes for the structs of xml.go with two-space
// indentation (the tests compare the two on every shape and on fuzzed text).

// asciiEscapes is what each ASCII character becomes in text and attribute values: the
// markup characters and the whitespace that attribute-value normalization would change
// become references, the control characters XML 1.0 cannot carry become U+FFFD, and the
// rest stay as they are ("").
var asciiEscapes = func() (t [utf8.RuneSelf]string) {
	for c := range 0x20 {
		t[c] = "\uFFFD"
	}
	t['"'], t['\''], t['&'], t['<'], t['>'] = "&#34;", "&#39;", "&amp;", "&lt;", "&gt;"
	t['\t'], t['\n'], t['\r'] = "&#x9;", "&#xA;", "&#xD;"
	return t
}()

// notPlain marks the bytes that appendEscaped must look at: those with an escape, and
// every byte of a multi-byte sequence.
var notPlain = func() (t [256]bool) {
	for c := range t {
		t[c] = c >= utf8.RuneSelf || asciiEscapes[c] != ""
	}
	return t
}()

// isPlain reports whether appendEscaped leaves s as it is.
func isPlain(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if !notPlain[c] {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			return false
		}
		r, width := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && width == 1 || r == 0xFFFE || r == 0xFFFF {
			return false
		}
		i += width
	}
	return true
}

// appendEscaped appends s as XML character data or an attribute value between double
// quotes. Besides the ASCII escapes, a byte that is not part of valid UTF-8 and a
// character outside XML 1.0's Char production (U+FFFE, U+FFFF) become U+FFFD, one for
// each such byte or character. "]]>" needs nothing more: ">" is always escaped.
//
// Escaping works character by character, so escaping a concatenation is concatenating
// the escapes whenever an ASCII byte sits on either side of the joint (an ASCII byte
// never belongs to a multi-byte sequence); the writer relies on that to escape parts
// of a text separately.
func appendEscaped[T string | []byte](dst []byte, s T) []byte {
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		if !notPlain[c] {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			dst = append(dst, s[last:i]...)
			dst = append(dst, asciiEscapes[c]...)
			i++
			last = i
			continue
		}
		r, width := utf8.DecodeRuneInString(string(s[i:min(i+utf8.UTFMax, len(s))]))
		if r == utf8.RuneError && width == 1 || r == 0xFFFE || r == 0xFFFF {
			dst = append(dst, s[last:i]...)
			dst = append(dst, "\uFFFD"...)
			last = i + width
		}
		i += width
	}
	return append(dst, s[last:]...)
}

// appendAttr appends ` name="value"`.
func appendAttr[T string | []byte](dst []byte, name string, value T) []byte {
	dst = append(dst, ' ')
	dst = append(dst, name...)
	dst = append(dst, `="`...)
	dst = appendEscaped(dst, value)
	return append(dst, '"')
}

// appendIntAttr appends ` name="n"`.
func appendIntAttr(dst []byte, name string, n int) []byte {
	dst = append(dst, ' ')
	dst = append(dst, name...)
	dst = append(dst, `="`...)
	dst = strconv.AppendInt(dst, int64(n), 10)
	return append(dst, '"')
}

// The indentation of each level: test suites, test cases, their children.
const (
	indentSuite = "\n  "
	indentCase  = "\n    "
	indentChild = "\n      "
)

// appendDocumentStart appends the XML declaration and the start tag of the root element.
func appendDocumentStart(dst []byte, root *testSuites) []byte {
	dst = append(dst, `<?xml version="1.0" encoding="UTF-8"?>`+"\n<testsuites"...)
	if root.Name != "" {
		dst = appendAttr(dst, "name", root.Name)
	}
	dst = appendIntAttr(dst, "tests", root.Tests)
	dst = appendIntAttr(dst, "failures", root.Failures)
	dst = appendIntAttr(dst, "errors", root.Errors)
	dst = appendAttr(dst, "time", root.Time)
	return append(dst, '>')
}

// appendDocumentEnd appends the end tag of the root element, which has suites or not.
func appendDocumentEnd(dst []byte, suites bool) []byte {
	if suites {
		dst = append(dst, '\n')
	}
	return append(dst, "</testsuites>\n"...)
}

// appendSuiteStart appends a suite's start tag and its properties. It reports whether the
// suite has any children so far (its properties).
func appendSuiteStart(dst []byte, s *testSuite) ([]byte, bool) {
	dst = append(dst, indentSuite+"<testsuite"...)
	dst = appendAttr(dst, "name", s.Name)
	dst = appendIntAttr(dst, "tests", s.Tests)
	dst = appendIntAttr(dst, "failures", s.Failures)
	dst = appendIntAttr(dst, "errors", s.Errors)
	if s.Skipped != 0 {
		dst = appendIntAttr(dst, "skipped", s.Skipped)
	}
	dst = appendAttr(dst, "time", s.Time)
	if s.Timestamp != "" {
		dst = appendAttr(dst, "timestamp", s.Timestamp)
	}
	if s.File != "" {
		dst = appendAttr(dst, "file", s.File)
	}
	dst = append(dst, '>')
	if s.Properties == nil {
		return dst, false
	}
	dst = append(dst, indentCase+"<properties>"...)
	for _, p := range s.Properties.Props {
		dst = append(dst, indentChild+"<property"...)
		dst = appendAttr(dst, "name", p.Name)
		dst = appendAttr(dst, "value", p.Value)
		dst = append(dst, "></property>"...)
	}
	if len(s.Properties.Props) > 0 {
		dst = append(dst, indentCase...)
	}
	return append(dst, "</properties>"...), true
}

// appendSuiteEnd appends a suite's end tag.
func appendSuiteEnd(dst []byte, children bool) []byte {
	if children {
		dst = append(dst, indentSuite...)
	}
	return append(dst, "</testsuite>"...)
}

// appendSuite appends a whole suite.
func appendSuite(dst []byte, s *testSuite) []byte {
	dst, children := appendSuiteStart(dst, s)
	for i := range s.Cases {
		dst = appendCaseStart(dst, s.Cases[i].Name, s.Cases[i].Classname)
		dst = appendCaseRest(dst, &s.Cases[i])
	}
	return appendSuiteEnd(dst, children || len(s.Cases) > 0)
}

// appendCaseStart appends the start of a test case's start tag up to its time attribute:
// its name and classname.
func appendCaseStart(dst []byte, name, classname string) []byte {
	dst = append(dst, indentCase+`<testcase name="`...)
	dst = appendEscaped(dst, name)
	dst = append(dst, `" classname="`...)
	dst = appendEscaped(dst, classname)
	return append(dst, `" `...)
}

// appendCaseRest appends the rest of a test case from its time attribute: its children
// and its end tag.
func appendCaseRest(dst []byte, tc *testCase) []byte {
	dst = append(dst, `time="`...)
	dst = appendEscaped(dst, tc.Time)
	dst = append(dst, `">`...)
	children := false
	if tc.Skipped != nil {
		dst = append(dst, indentChild+"<skipped"...)
		if tc.Skipped.Message != "" {
			dst = appendAttr(dst, "message", tc.Skipped.Message)
		}
		dst = append(dst, "></skipped>"...)
		children = true
	}
	for i := range tc.Failures {
		dst = appendProblem(dst, "failure", &tc.Failures[i])
		children = true
	}
	for i := range tc.Errors {
		dst = appendProblem(dst, "error", &tc.Errors[i])
		children = true
	}
	if tc.SystemOut != nil {
		dst = append(dst, indentChild+"<system-out>"...)
		dst = appendEscaped(dst, *tc.SystemOut)
		dst = append(dst, "</system-out>"...)
		children = true
	}
	return appendCaseEnd(dst, children)
}

// appendCaseEnd appends a test case's end tag.
func appendCaseEnd(dst []byte, children bool) []byte {
	if children {
		dst = append(dst, indentCase...)
	}
	return append(dst, "</testcase>"...)
}

func appendProblem(dst []byte, elem string, p *problem) []byte {
	dst = appendProblemStart(dst, elem, p.Type, p.Message)
	dst = appendEscaped(dst, p.Text)
	return appendProblemEnd(dst, elem)
}

// appendProblemStart appends the start tag of a failure or an error.
func appendProblemStart(dst []byte, elem, typ, message string) []byte {
	dst = append(dst, indentChild+"<"...)
	dst = append(dst, elem...)
	dst = appendAttr(dst, "type", typ)
	dst = appendAttr(dst, "message", message)
	return append(dst, '>')
}

func appendProblemEnd(dst []byte, elem string) []byte {
	dst = append(dst, "</"...)
	dst = append(dst, elem...)
	return append(dst, '>')
}

// docWriter writes a document through a buffer, keeping the first error.
type docWriter struct {
	w   *bufio.Writer
	buf []byte
	err error
}

func newDocWriter(w io.Writer) *docWriter {
	return &docWriter{w: bufio.NewWriterSize(w, 64<<10), buf: make([]byte, 0, 4<<10)}
}

// put writes out what is in buf and empties it.
func (d *docWriter) put() {
	if d.err == nil {
		_, d.err = d.w.Write(d.buf)
	}
	d.buf = d.buf[:0]
}

// putBytes writes b after what is in buf.
func (d *docWriter) putBytes(b []byte) {
	d.put()
	if d.err == nil {
		_, d.err = d.w.Write(b)
	}
}

func (d *docWriter) flush() error {
	d.put()
	if d.err == nil {
		d.err = d.w.Flush()
	}
	if d.err != nil {
		return fmt.Errorf("junit: writing the document: %w", d.err)
	}
	return nil
}

// write writes a whole document, its totals computed from its cases.
func write(w io.Writer, doc *testSuites) error {
	doc.total()
	d := newDocWriter(w)
	d.buf = appendDocumentStart(d.buf, doc)
	for i := range doc.Suites {
		d.buf = appendSuite(d.buf, &doc.Suites[i])
		d.put()
	}
	d.buf = appendDocumentEnd(d.buf, len(doc.Suites) > 0)
	return d.flush()
}
