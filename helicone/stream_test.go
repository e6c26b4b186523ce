package helicone_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/helicone"
)

// partNames renders streamed items as "row r1", "run h? x" (the hypothesis id as known when
// the run was read), "hypothesis h", "experiment e".
func partNames(c *helicone.Client) ([]string, error) {
	var out []string
	for it, err := range c.StreamExperiments(context.Background(), helicone.ExperimentQuery{}) {
		if err != nil {
			return out, err
		}
		switch it.Part {
		case helicone.PartRow:
			out = append(out, fmt.Sprintf("row %s of %s", it.Row.RowID, it.Experiment.ID))
		case helicone.PartRun:
			out = append(out, fmt.Sprintf("run %s of %q", it.Run.ResultRequestID, it.Hypothesis.ID))
		case helicone.PartHypothesis:
			out = append(out, fmt.Sprintf("hypothesis %s (%d runs so far)", it.Hypothesis.ID, len(it.Hypothesis.Runs)))
		case helicone.PartExperiment:
			out = append(out, fmt.Sprintf("experiment %s %q with %d hypotheses", it.Experiment.ID, it.Experiment.Dataset.Name, len(it.Experiment.Hypotheses)))
		}
	}
	return out, nil
}

var _ = Describe("StreamExperiments", func() {
	It("yields rows and runs in wire order, with the headers read so far", func() {
		s := newScript(reply(200, `{"data":[{"id":"e","hypotheses":[{"runs":[{"resultRequestId":"x","datasetRowId":"r1"}],"id":"h"}],`+
			`"dataset":{"rows":[{"rowId":"r1"},{"rowId":"r2"}],"name":"golden"},"meta":{"a":1}}],"error":null}`))
		got, err := partNames(newClient(s))
		Expect(err).NotTo(HaveOccurred())
		Expect(got).To(Equal([]string{
			`run x of ""`,
			"hypothesis h (0 runs so far)",
			"row r1 of e",
			"row r2 of e",
			`experiment e "golden" with 1 hypotheses`,
		}))
	})

	It("gives QueryExperiments the same experiments, whatever the order", func() {
		body := `{"data":[{"hypotheses":[{"runs":[{"resultRequestId":"x"}],"id":"h","model":"m"},{"runs":null,"id":"h2"}],"id":"e",` +
			`"dataset":{"rows":[{"rowId":"r1"}],"name":"golden","id":"d"}},{"id":"f","dataset":{"rows":[]},"hypotheses":[]}],"error":null}`
		exps, err := newClient(newScript(reply(200, body))).QueryExperiments(context.Background(), helicone.ExperimentQuery{})
		Expect(err).NotTo(HaveOccurred())
		Expect(exps).To(HaveLen(2))
		Expect(exps[0].ID).To(Equal("e"))
		Expect(exps[0].Dataset.ID).To(Equal("d"))
		Expect(exps[0].Dataset.Rows).To(HaveLen(1))
		Expect(exps[0].Hypotheses).To(HaveLen(2))
		Expect(exps[0].Hypotheses[0].Model).To(Equal("m"))
		Expect(exps[0].Hypotheses[0].Runs).To(HaveLen(1))
		Expect(exps[0].Hypotheses[1].ID).To(Equal("h2"))
		Expect(exps[0].Hypotheses[1].Runs).To(BeNil())
		Expect(exps[1].Dataset.Rows).To(BeEmpty())
		Expect(exps[1].Dataset.Rows).NotTo(BeNil())
		Expect(exps[1].Hypotheses).NotTo(BeNil())
	})

	It("stops reading when the consumer stops, without an error", func() {
		var b strings.Builder
		b.WriteString(`{"data":[{"id":"e","dataset":{"rows":[`)
		for i := range 1000 {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"rowId":"r%d"}`, i)
		}
		b.WriteString(`]}}],"error":null}`)
		s := newScript(reply(200, b.String()))
		n := 0
		for _, err := range newClient(s).StreamExperiments(context.Background(), helicone.ExperimentQuery{}) {
			Expect(err).NotTo(HaveOccurred())
			n++
			if n == 3 {
				break
			}
		}
		Expect(n).To(Equal(3))
		Expect(s.requests()).To(HaveLen(1))
	})

	It("retries an answer cut before anything was yielded", func() {
		s := newScript(truncated(200, `{"data":[{"id":"a","dataset":{"ro`), reply(200, `{"data":[{"id":"b","dataset":{"rows":[{"rowId":"r"}]}}],"error":null}`))
		got, err := partNames(newClient(s))
		Expect(err).NotTo(HaveOccurred())
		Expect(got).To(Equal([]string{"row r of b", `experiment b "" with 0 hypotheses`}))
		Expect(s.requests()).To(HaveLen(2))
	})

	// rowsAnswer is an experiment answer of rows r<from>..r<to-1>, cut inside the next
	// row when cut is set (the script's cut answer ends at most 4 KiB in; the client yields
	// only what it decoded before the break, some 120 rows of 200).
	rowsAnswer := func(from, to int, cut bool) string {
		var b strings.Builder
		b.WriteString(`{"data":[{"id":"a","dataset":{"rows":[`)
		for i := from; i < to; i++ {
			if i > from {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"rowId":"r%d"}`, i)
		}
		if cut {
			b.WriteString(`,{"rowId":"r`)
			return b.String()
		}
		b.WriteString(`]}}],"error":null}`)
		return b.String()
	}
	rowNames := func(from, to int) []string {
		var out []string
		for i := from; i < to; i++ {
			out = append(out, fmt.Sprintf("row r%d of a", i))
		}
		return out
	}

	It("reads an answer cut after rows were yielded again, yielding each part once", func() {
		var seen attempts
		s := newScript(truncated(200, rowsAnswer(0, 200, true)), truncated(200, rowsAnswer(0, 230, true)), reply(200, rowsAnswer(0, 400, false)))
		got, err := partNames(newClient(s, helicone.WithObserver(seen.observe)))
		Expect(err).NotTo(HaveOccurred())
		Expect(got).To(Equal(append(rowNames(0, 400), `experiment a "" with 0 hypotheses`)))
		Expect(s.requests()).To(HaveLen(3))
		Expect(seen.all()).To(HaveLen(3))
		Expect(seen.all()[0].Retry).To(BeTrue())
		Expect(seen.all()[2].Err).NotTo(HaveOccurred())
	})

	It("ends with ExperimentChangedError when the answer read again begins differently", func() {
		s := newScript(truncated(200, rowsAnswer(0, 200, true)), reply(200, rowsAnswer(1, 400, false)))
		got, err := partNames(newClient(s))
		var changed *helicone.ExperimentChangedError
		Expect(errors.As(err, &changed)).To(BeTrue(), "%v", err)
		Expect(changed.Yielded).To(BeNumerically(">", 10))
		var te *helicone.TransportError
		Expect(errors.As(err, &te)).To(BeTrue(), "the break is kept: %v", err)
		Expect(err.Error()).To(ContainSubstring("changed meanwhile"))
		Expect(got).To(Equal(rowNames(0, changed.Yielded)), "nothing yielded twice, nothing past the break")
	})

	It("ends with ExperimentChangedError when the answer read again is shorter than what was yielded", func() {
		s := newScript(truncated(200, rowsAnswer(0, 200, true)), reply(200, rowsAnswer(0, 10, false)))
		got, err := partNames(newClient(s))
		var changed *helicone.ExperimentChangedError
		Expect(errors.As(err, &changed)).To(BeTrue(), "%v", err)
		Expect(changed.Yielded).To(BeNumerically(">", 10))
		Expect(got).To(Equal(rowNames(0, changed.Yielded)))
	})

	It("gives up after the policy's attempts when every answer is cut, yielding each part once", func() {
		s := newScript(truncated(200, rowsAnswer(0, 200, true)), reply(200, rowsAnswer(0, 200, false)))
		s.handlers = s.handlers[:1] // every answer is cut
		got, err := partNames(newClient(s))
		var re *helicone.RetryError
		Expect(errors.As(err, &re)).To(BeTrue(), "%v", err)
		Expect(re.Attempts).To(Equal(4))
		Expect(got).NotTo(BeEmpty())
		Expect(got).To(Equal(rowNames(0, len(got))))
		Expect(s.requests()).To(HaveLen(4))
	})

	It("skips a row of the wrong shape and reports it once the answer is read", func() {
		s := newScript(reply(200, `{"data":[{"id":"a","dataset":{"rows":[{"rowId":"r1"},{"rowId":["bad"]},{"rowId":"r3"}]}}],"error":null}`))
		got, err := partNames(newClient(s))
		var de *helicone.DecodeError
		Expect(errors.As(err, &de)).To(BeTrue(), "%v", err)
		Expect(got).To(Equal([]string{"row r1 of a", "row r3 of a", `experiment a "" with 0 hypotheses`}))
		Expect(s.requests()).To(HaveLen(1))
	})

	It("yields an error of the envelope that follows the data", func() {
		s := newScript(reply(200, `{"data":[{"id":"a","dataset":{"rows":[{"rowId":"r1"}]}}],"error":"Not implemented"}`))
		got, err := partNames(newClient(s))
		var apiErr *helicone.APIError
		Expect(errors.As(err, &apiErr)).To(BeTrue(), "%v", err)
		Expect(apiErr.Message).To(Equal("Not implemented"))
		Expect(got).To(HaveLen(2))
		Expect(s.requests()).To(HaveLen(1))
	})
})
