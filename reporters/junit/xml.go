package junit

import (
	"encoding/xml"
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
	Time       string        `xml:"time,attr"`
	Timestamp  string        `xml:"timestamp,attr,omitempty"`
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
	Failures  []problem `xml:"failure"`
	Errors    []problem `xml:"error"`
	SystemOut *string   `xml:"system-out,omitempty"`
}

type problem struct {
	Type    string `xml:"type,attr"`
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

// total fills the counts and times of every suite and of the document. A case with both a
// failure and an error counts as an error, as JUnit consumers expect one outcome per case.
func (d *testSuites) total() {
	d.Tests, d.Failures, d.Errors = 0, 0, 0
	var all float64
	for i := range d.Suites {
		s := &d.Suites[i]
		s.Tests, s.Failures, s.Errors = len(s.Cases), 0, 0
		var t float64
		for _, c := range s.Cases {
			switch {
			case len(c.Errors) > 0:
				s.Errors++
			case len(c.Failures) > 0:
				s.Failures++
			}
			f, _ := strconv.ParseFloat(c.Time, 64)
			t += f
		}
		s.Time = strconv.FormatFloat(t, 'f', 3, 64)
		d.Tests += s.Tests
		d.Failures += s.Failures
		d.Errors += s.Errors
		all += t
	}
	d.Time = strconv.FormatFloat(all, 'f', 3, 64)
}
