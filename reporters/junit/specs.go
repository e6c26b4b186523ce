package junit

import (
	"cmp"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// The states of a [Spec].
const (
	SpecPassed  = "passed"
	SpecFailed  = "failed"
	SpecPanic   = "panicked"
	SpecSkipped = "skipped"
)

// Spec is the outcome of one test of a suite, for example a Ginkgo spec that asserts on a
// run's results with the matchers of harness/matchers, to add to heval's JUnit document
// with [AddSuite].
type Spec struct {
	// Name is the spec's full text ("the candidate prompt keeps answers short").
	Name string
	// File and Line are where the spec was declared.
	File string
	Line int
	// State is SpecPassed, SpecFailed, SpecPanic or SpecSkipped.
	State string
	// Message is the failure's (or the skip's) message; At where it happened, "FILE:LINE".
	Message, At string
	// Duration is how long the spec ran.
	Duration time.Duration
}

// AddSuite reads the JUnit document that heval wrote from src (none when src is nil),
// adds a <testsuite> named name, declared in file, with one <testcase> per spec, and
// writes the whole document, with its totals updated, to dst. A failed spec gets a
// <failure> of type "spec" and a panicked one an <error> of type "panic", whose text ends
// with "at FILE:LINE"; a skipped spec gets <skipped>. Specs are ordered by file, line and
// name, so the document is deterministic.
func AddSuite(dst io.Writer, src io.Reader, name, file string, specs []Spec) error {
	doc := testSuites{Name: "heval"}
	if src != nil {
		if err := xml.NewDecoder(src).Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("junit: reading the document to add the suite %s to: %w", name, err)
		}
	}
	specs = slices.Clone(specs)
	slices.SortStableFunc(specs, func(a, b Spec) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Name, b.Name))
	})
	s := testSuite{Name: name, File: file}
	if len(doc.Suites) > 0 {
		s.Properties, s.Timestamp = doc.Suites[0].Properties, doc.Suites[0].Timestamp
	}
	for _, sp := range specs {
		tc := testCase{Name: sp.Name, Classname: "heval.specs", Time: seconds(sp.Duration)}
		text := sp.Message
		if sp.At != "" {
			text = strings.TrimRight(text, "\n") + "\nat " + sp.At
		}
		switch sp.State {
		case SpecFailed:
			tc.Failures = append(tc.Failures, problem{Type: "spec", Message: firstLine(sp.Message), Text: text})
		case SpecPanic:
			tc.Errors = append(tc.Errors, problem{Type: "panic", Message: strings.TrimPrefix(firstLine(sp.Message), "panic: "), Text: text})
		case SpecSkipped:
			tc.Skipped = &skipped{Message: firstLine(sp.Message)}
		}
		s.Cases = append(s.Cases, tc)
	}
	doc.Suites = append(slices.DeleteFunc(doc.Suites, func(x testSuite) bool { return x.Name == name }), s)
	return write(dst, &doc)
}
