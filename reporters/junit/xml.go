package junit

import (
	"encoding/xml"
	"math"
	"strconv"
)

type testSuites struct {
	XMLName  xml.Name    `xml:"testsuites"`
	Name     string      `xml:"name,attr,omitempty"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Time     string      `xml:"time,attr"`
	Suites   []testSuite `xml:"testsuite"`
}

type testSuite struct {
	Name       string        `xml:"name,attr"`
	Tests      int           `xml:"tests,attr"`
	Failures   int           `xml:"failures,attr"`
	Errors     int           `xml:"errors,attr"`
	Skipped    int           `xml:"skipped,attr,omitempty"`
	Time       string        `xml:"time,attr"`
	Timestamp  string        `xml:"timestamp,attr,omitempty"`
	File       string        `xml:"file,attr,omitempty"`
	Properties *propertyList `xml:"properties,omitempty"`
	Cases      []testCase    `xml:"testcase"`
}

type propertyList struct {
	Props []property `xml:"property"`
}

type property struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type testCase struct {
	Name      string    `xml:"name,attr"`
	Classname string    `xml:"classname,attr"`
	Time      string    `xml:"time,attr"`
	Skipped   *skipped  `xml:"skipped,omitempty"`
	Failures  []problem `xml:"failure"`
	Errors    []problem `xml:"error"`
	SystemOut *string   `xml:"system-out,omitempty"`
}

type skipped struct {
	Message string `xml:"message,attr,omitempty"`
}

type problem struct {
	Type    string `xml:"type,attr"`
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

// count fills the suite's counts and time from its cases. A case with both a failure and an
// error counts as an error, as JUnit consumers expect one outcome per case.
func (s *testSuite) count() {
	s.Tests, s.Failures, s.Errors, s.Skipped = len(s.Cases), 0, 0, 0
	var ms int64
	for _, c := range s.Cases {
		switch {
		case len(c.Errors) > 0:
			s.Errors++
		case len(c.Failures) > 0:
			s.Failures++
		case c.Skipped != nil:
			s.Skipped++
		}
		ms += parseMillis(c.Time)
	}
	s.Time = formatMillis(ms)
}

// total fills the counts and times of every suite and of the document.
func (d *testSuites) total() {
	d.Tests, d.Failures, d.Errors = 0, 0, 0
	var ms int64
	for i := range d.Suites {
		s := &d.Suites[i]
		s.count()
		d.Tests += s.Tests
		d.Failures += s.Failures
		d.Errors += s.Errors
		ms += parseMillis(s.Time)
	}
	d.Time = formatMillis(ms)
}

// parseMillis reads decimal seconds ("0.125") as milliseconds.
func parseMillis(t string) int64 {
	f, err := strconv.ParseFloat(t, 64)
	if err != nil {
		return 0
	}
	return int64(math.Round(f * 1000))
}
