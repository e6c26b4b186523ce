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

	It("yields the failure of an answer cut after rows were yielded, without retrying", func() {
		var b strings.Builder
		b.WriteString(`{"data":[{"id":"a","dataset":{"rows":[`)
		for i := range 200 {
			fmt.Fprintf(&b, `{"rowId":"r%d"},`, i)
		}
		b.WriteString(`{"rowId":"r`)
		s := newScript(truncated(200, b.String()), reply(200, `{"data":[],"error":null}`))
		got, err := partNames(newClient(s))
		Expect(err).To(HaveOccurred())
		Expect(got).NotTo(BeEmpty())
		Expect(got[0]).To(Equal("row r0 of a"))
		Expect(s.requests()).To(HaveLen(1))
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
