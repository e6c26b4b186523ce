package helicone_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/helicone"
)

var _ = Describe("streaming decode of 2xx answers", func() {
	ctx := context.Background()

	DescribeTable("decodes the data whatever the order of the envelope's keys",
		func(body string) {
			s := newScript(reply(200, body))
			exps, err := newClient(s).QueryExperiments(ctx, helicone.ExperimentQuery{})
			Expect(err).NotTo(HaveOccurred())
			Expect(exps).To(HaveLen(2))
			Expect(exps[0].ID).To(Equal("a"))
			Expect(exps[1].Dataset.Rows).To(HaveLen(1))
			Expect(exps[1].Dataset.Rows[0].RowID).To(Equal("r1"))
		},
		Entry("data first", `{"data":[{"id":"a"},{"id":"b","dataset":{"rows":[{"rowId":"r1"}]}}],"error":null}`),
		Entry("error first", `{"error":null,"data":[{"id":"a"},{"id":"b","dataset":{"rows":[{"rowId":"r1"}]}}]}`),
		Entry("unknown keys around", `{"x":{"y":[1,{"z":2}]},"data":[{"id":"a","extra":[[]]},{"dataset":{"name":"n","rows":[{"rowId":"r1"}]},"id":"b"}],"trace":"t"}`),
		Entry("keys in another case", `{"Error":null,"DATA":[{"ID":"a"},{"id":"b","Dataset":{"Rows":[{"rowId":"r1"}]}}]}`),
		Entry("bare array", ` [{"id":"a"},{"id":"b","dataset":{"rows":[{"rowId":"r1"}]}}] `),
	)

	It("reports an error that comes after the data as an APIError", func() {
		s := newScript(reply(200, `{"data":[{"id":"a"}],"error":"Not implemented","details":{"f":{"message":"bad"}}}`))
		_, err := newClient(s).QueryExperiments(ctx, helicone.ExperimentQuery{})
		var apiErr *helicone.APIError
		Expect(errors.As(err, &apiErr)).To(BeTrue(), "%v", err)
		Expect(apiErr.Status).To(Equal(200))
		Expect(apiErr.Message).To(Equal("Not implemented"))
		Expect(apiErr.Details).To(HaveKeyWithValue("f", "bad"))
	})

	It("keeps the key out of an error that comes after the data", func() {
		s := newScript(reply(200, `{"data":[],"error":"bad key `+testKey+`"}`))
		_, err := newClient(s).QueryExperiments(ctx, helicone.ExperimentQuery{})
		var apiErr *helicone.APIError
		Expect(errors.As(err, &apiErr)).To(BeTrue())
		Expect(err.Error()).NotTo(ContainSubstring(testKey))
		Expect(err.Error()).To(ContainSubstring("[REDACTED]"))
	})

	It("decodes a large answer row by row", func() {
		const rows = 20000
		var b strings.Builder
		b.WriteString(`{"data":[{"id":"big","dataset":{"rows":[`)
		for i := range rows {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"rowId":"row-%d","rowIndex":"%d","inputRecord":{"requestId":"req-%d","inputs":{"q":"%s"}}}`, i, i, i, strings.Repeat("x", 64))
		}
		b.WriteString(`]},"hypotheses":[{"id":"h","runs":[{"resultRequestId":"run-0","datasetRowId":"row-0"}]}]}],"error":null}`)
		s := newScript(reply(200, b.String()))
		exps, err := newClient(s).QueryExperiments(ctx, helicone.ExperimentQuery{})
		Expect(err).NotTo(HaveOccurred())
		Expect(exps).To(HaveLen(1))
		got := exps[0].Dataset.Rows
		Expect(got).To(HaveLen(rows))
		Expect(got[rows-1].RowID).To(Equal(fmt.Sprintf("row-%d", rows-1)))
		Expect(int64(got[rows-1].RowIndex)).To(Equal(int64(rows - 1)))
		Expect(got[7].InputRecord.RequestID).To(Equal("req-7"))
		Expect(exps[0].Hypotheses[0].Runs[0].ResultRequestID).To(Equal("run-0"))
	})

	It("retries an answer cut in the middle of the data array", func() {
		s := newScript(truncated(200, `{"data":[{"id":"a"},{"id":"b","dataset":{"rows":[{"rowId":"r1"},`), reply(200, `{"data":[{"id":"x"}],"error":null}`))
		exps, err := newClient(s).QueryExperiments(ctx, helicone.ExperimentQuery{})
		Expect(err).NotTo(HaveOccurred())
		Expect(exps).To(HaveLen(1))
		Expect(s.requests()).To(HaveLen(2))
	})

	It("gives a retryable DecodeError for a complete body that ends mid-array", func() {
		s := newScript(reply(200, `{"data":[{"id":"a"},{"id":"b"`))
		_, err := newClient(s).QueryExperiments(ctx, helicone.ExperimentQuery{})
		var de *helicone.DecodeError
		Expect(errors.As(err, &de)).To(BeTrue(), "%v", err)
		Expect(de.Body).To(Equal(`{"data":[{"id":"a"},{"id":"b"`))
		Expect(len(s.requests())).To(BeNumerically(">", 1))
	})

	It("reports a wrong shape inside the data without retrying", func() {
		s := newScript(reply(200, `{"data":[{"id":"a","hypotheses":{"runs":[]}}],"error":null}`))
		_, err := newClient(s).QueryExperiments(ctx, helicone.ExperimentQuery{})
		var de *helicone.DecodeError
		Expect(errors.As(err, &de)).To(BeTrue(), "%v", err)
		Expect(err.Error()).To(ContainSubstring("object"))
		Expect(s.requests()).To(HaveLen(1))
	})

	It("rejects data after the envelope", func() {
		s := newScript(reply(200, `{"data":[]} {"data":[]}`), reply(200, `{"data":[]}`))
		_, err := newClient(s).QueryExperiments(ctx, helicone.ExperimentQuery{})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.requests()).To(HaveLen(2))
	})

	It("refuses a 2xx HTML page as a score acknowledgement, saying what it looks like", func() {
		s := newScript(reply(200, `<html>Please log in</html>`, "Content-Type", "text/html"))
		_, err := newClient(s, helicone.WithRetry(helicone.NoRetry())).AddScores(ctx, "3b2e4a9c-1f1a-4a43-9c3e-0f1d8f4b7a10", helicone.Scores{"a": helicone.Int(1)})
		var de *helicone.DecodeError
		Expect(errors.As(err, &de)).To(BeTrue())
		Expect(err.Error()).To(ContainSubstring("HTML page"))
		Expect(err.Error()).To(ContainSubstring("not taken as an acknowledgement"))
	})

	It("still reads a non-2xx body whole", func() {
		s := newScript(reply(http.StatusUnprocessableEntity, `{"message":"Validation Failed","details":{"x":{"message":"y"}}}`))
		_, err := newClient(s).QueryExperiments(ctx, helicone.ExperimentQuery{})
		Expect(err).To(MatchError(helicone.ErrValidation))
	})
})
