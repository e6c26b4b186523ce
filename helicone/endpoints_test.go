package helicone_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/helicone"
)

var ctx = context.Background()

var _ = Describe("AddScores", func() {
	It("posts all keys in one body with the key in the Authorization header and accepts 201", func() {
		s := newScript(reply(201, `{"data":null,"error":null}`))
		c := newClient(s)
		_, err := c.AddScores(ctx, reqID, helicone.Scores{"accuracy": helicone.Int(92), "is_factual": helicone.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		r := s.requests()
		Expect(r).To(HaveLen(1))
		Expect(r[0].Method).To(Equal("POST"))
		Expect(r[0].Path).To(Equal("/v1/request/" + reqID + "/score"))
		Expect(r[0].Auth).To(Equal("Bearer " + testKey))
		Expect(r[0].ContentType).To(Equal("application/json"))
		Expect(string(r[0].Body)).To(Equal(`{"scores":{"accuracy":92,"is_factual":true}}`), "as encoding/json writes it: keys sorted, compact")
	})

	DescribeTable("accepts any 2xx envelope",
		func(status int, body string) {
			s := newScript(reply(status, body))
			_, err := newClient(s).AddScores(ctx, reqID, helicone.Scores{"a": helicone.Int(1)})
			Expect(err).NotTo(HaveOccurred())
		},
		Entry("201 envelope", 201, `{"data":null,"error":null}`),
		Entry("200 as documented", 200, `{"data":null,"error":null}`),
		Entry("204 no body", 204, ``),
	)

	It("does not take a 2xx answer that is not JSON for an acknowledgement, and retries it", func() {
		s := newScript(reply(200, `OK`), reply(201, `{"data":null,"error":null}`))
		_, err := newClient(s).AddScores(ctx, reqID, helicone.Scores{"a": helicone.Int(1)})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.requests()).To(HaveLen(2))
	})

	It("sends an empty score map as {}", func() {
		s := newScript(reply(201, `{"data":null,"error":null}`))
		_, err := newClient(s).AddScores(ctx, reqID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(s.requests()[0].Body)).To(Equal(`{"scores":{}}`))
	})

	It("reports an error carried in a 2xx envelope", func() {
		s := newScript(reply(200, `{"data":null,"error":"request not found"}`))
		_, err := newClient(s).AddScores(ctx, reqID, helicone.Scores{"a": helicone.Int(1)})
		var apiErr *helicone.APIError
		Expect(errors.As(err, &apiErr)).To(BeTrue())
		Expect(apiErr.Message).To(Equal("request not found"))
	})

	DescribeTable("refuses bad writes before sending, naming key and value",
		func(id string, scores helicone.Scores, wantKey, wantValue, reason string) {
			s := newScript(reply(201, `{"data":null,"error":null}`))
			_, err := newClient(s).AddScores(ctx, id, scores)
			var ise *helicone.InvalidScoreError
			Expect(errors.As(err, &ise)).To(BeTrue())
			Expect(err).To(MatchError(helicone.ErrInvalidScore))
			Expect(ise.RequestID).To(Equal(id))
			Expect(ise.Key).To(Equal(wantKey))
			Expect(ise.Value).To(Equal(wantValue))
			Expect(err.Error()).To(ContainSubstring(reason))
			Expect(s.requests()).To(BeEmpty())
		},
		Entry("request id not a UUID", "req-17", helicone.Scores{"a": helicone.Int(1)}, "", "", "not a UUID"),
		Entry("empty key", reqID, helicone.Scores{"": helicone.Int(7)}, "", "7", "key is empty"),
		Entry("key with surrounding space", reqID, helicone.Scores{"acc ": helicone.Bool(true)}, "acc ", "true", "space"),
		Entry("key with a control character", reqID, helicone.Scores{"a\nb": helicone.Int(1)}, "a\nb", "1", "control character"),
		Entry("bool colliding with an int of the stored name", reqID,
			helicone.Scores{"ok": helicone.Bool(true), "ok-hcone-bool": helicone.Int(5)}, "ok", "true", "ok-hcone-bool"),
	)

	It("names each field of a 422", func() {
		s := newScript(reply(422, `{"message":"Validation Failed","details":{"requestBody.scores":{"message":"'scores' is required"}}}`))
		_, err := newClient(s).AddScores(ctx, reqID, helicone.Scores{"a": helicone.Int(1)})
		var apiErr *helicone.APIError
		Expect(errors.As(err, &apiErr)).To(BeTrue())
		Expect(apiErr.Status).To(Equal(422))
		Expect(apiErr.Message).To(Equal("Validation Failed"))
		Expect(apiErr.Details).To(HaveKeyWithValue("requestBody.scores", "'scores' is required"))
		Expect(err).To(MatchError(helicone.ErrValidation))
		Expect(err.Error()).To(ContainSubstring("requestBody.scores: 'scores' is required"))
		Expect(s.requests()).To(HaveLen(1), "422 is not retried")
	})

	DescribeTable("401 bodies",
		func(body, msg string) {
			s := newScript(reply(401, body))
			_, err := newClient(s).AddScores(ctx, reqID, helicone.Scores{"a": helicone.Int(1)})
			Expect(err).To(MatchError(helicone.ErrUnauthorized))
			Expect(err.Error()).To(ContainSubstring(msg))
			Expect(err.Error()).To(ContainSubstring("HELICONE_API_KEY"))
			Expect(s.requests()).To(HaveLen(1), "401 is not retried")
		},
		Entry("no header", `{"error":"No authorization header","trace":"isAuthenticated.error"}`, "No authorization header"),
		Entry("unknown key", `{"error":"No API key found","trace":"isAuthenticated.error"}`, "No API key found"),
	)

	It("reports the generic 500 after retrying it", func() {
		s := newScript(reply(500, `{"message":"Internal Server Error","details":"Internal Server Error"}`))
		_, err := newClient(s).AddScores(ctx, reqID, helicone.Scores{"a": helicone.Int(1)})
		Expect(err).To(MatchError(helicone.ErrServer))
		Expect(err.Error()).To(ContainSubstring("Internal Server Error"))
		Expect(err.Error()).To(ContainSubstring("gave up after 4 attempts"))
		var re *helicone.RetryError
		Expect(errors.As(err, &re)).To(BeTrue())
		Expect(re.Attempts).To(Equal(4))
		Expect(s.requests()).To(HaveLen(4))
	})

	It("says what a 413 means", func() {
		s := newScript(reply(413, `{"error":"request body too large"}`))
		_, err := newClient(s).AddScores(ctx, reqID, helicone.Scores{"a": helicone.Int(1)})
		Expect(err.Error()).To(ContainSubstring("too large"))
		Expect(s.requests()).To(HaveLen(1))
	})
})

var _ = Describe("GetExperimentScore", func() {
	It("reads a number score", func() {
		s := newScript(reply(200, `{"data":{"value":92,"valueType":"number"},"error":null}`))
		sc, err := newClient(s).GetExperimentScore(ctx, expID, reqID, "accuracy")
		Expect(err).NotTo(HaveOccurred())
		Expect(s.requests()[0].Path).To(Equal("/v2/experiment/" + expID + "/" + reqID + "/accuracy"))
		Expect(s.requests()[0].Method).To(Equal("GET"))
		n, ok := sc.Value.Int64()
		Expect(ok).To(BeTrue())
		Expect(n).To(Equal(int64(92)))
		Expect(sc.ValueType).To(Equal("number"))
		Expect(sc.Max).To(BeNil())
		Expect(sc.Min).To(BeNil())
	})

	It("returns nil for {data:null}", func() {
		s := newScript(reply(200, `{"data":null,"error":null}`))
		sc, err := newClient(s).GetExperimentScore(ctx, expID, reqID, "missing")
		Expect(err).NotTo(HaveOccurred())
		Expect(sc).To(BeNil())
	})

	It("reads booleans, string values and string max/min", func() {
		s := newScript(reply(200, `{"data":{"value":"1","valueType":"boolean","max":"1","min":0},"error":null}`))
		sc, err := newClient(s).GetExperimentScore(ctx, expID, reqID, "ok"+helicone.BoolSuffix)
		Expect(err).NotTo(HaveOccurred())
		n, ok := sc.Value.Int64()
		Expect(ok).To(BeTrue())
		Expect(n).To(Equal(int64(1)))
		Expect(*sc.Max).To(Equal(1.0))
		Expect(*sc.Min).To(Equal(0.0))
	})

	It("keeps a date-time value as text", func() {
		s := newScript(reply(200, `{"data":{"value":"2026-11-01T10:00:00Z","valueType":"string"},"error":null}`))
		sc, err := newClient(s).GetExperimentScore(ctx, expID, reqID, "when")
		Expect(err).NotTo(HaveOccurred())
		Expect(sc.Value.IsNumber).To(BeFalse())
		Expect(sc.Value.Raw).To(Equal("2026-11-01T10:00:00Z"))
	})

	It("escapes a key with a slash into one path segment", func() {
		s := newScript(reply(200, `{"data":null,"error":null}`))
		_, err := newClient(s).GetExperimentScore(ctx, expID, reqID, "a/b")
		Expect(err).NotTo(HaveOccurred())
		Expect(s.requests()[0].RawPath).To(HaveSuffix("/" + reqID + "/a%2Fb"))
	})

	DescribeTable("refuses arguments the route cannot serve",
		func(exp, id, key, arg string) {
			s := newScript(reply(200, `{"data":null,"error":null}`))
			_, err := newClient(s).GetExperimentScore(ctx, exp, id, key)
			var ia *helicone.InvalidArgumentError
			Expect(errors.As(err, &ia)).To(BeTrue())
			Expect(ia.Arg).To(Equal(arg))
			Expect(err).To(MatchError(helicone.ErrInvalidArgument))
			Expect(s.requests()).To(BeEmpty())
		},
		Entry("non-UUID request", expID, "abc", "k", "requestID"),
		Entry("empty key", expID, reqID, "", "scoreKey"),
		Entry("key named scores", expID, reqID, "scores", "scoreKey"),
		Entry("empty experiment", "", reqID, "k", "experimentID"),
		Entry("dot-dot experiment", "..", reqID, "k", "experimentID"),
	)
})

var _ = Describe("QueryExperiments", func() {
	const body = `{"data":[{"id":"` + expID + `","organization":"org","createdAt":"2026-11-01T00:00:00Z",
	  "dataset":{"id":"d1","name":"ds","rows":[
	    {"rowId":"r1","rowIndex":"0","columnId":null,"scores":null,
	     "inputRecord":{"id":"i1","requestId":"` + reqID + `","requestPath":"/v1/chat/completions","inputs":{"q":"hi"},"autoInputs":[],
	       "response":{"body":{"choices":[]},"createdAt":"x","completionTokens":"12","promptTokens":3,"delayMs":null,"model":"gpt-4o"}}},
	    {"rowId":null,"inputRecord":null,"rowIndex":null,"columnId":null,"scores":null}]},
	  "hypotheses":[
	    {"id":"h1","runs":null,"model":"gpt-4o","status":"COMPLETED","promptVersionId":"p1"},
	    {"id":"h2","model":"gpt-4o-mini","runs":[{"resultRequestId":"` + reqID2 + `","datasetRowId":"r1",
	       "scores":{"accuracy":{"value":"92","valueType":"number"},"ok-hcone-bool":{"value":1,"valueType":"boolean","max":1,"min":0}}}]}],
	  "scores":{"dataset":{"scores":{}},"hypothesis":{"scores":null}}}],"error":null}`

	It("sends the filter and only true include flags, and decodes the server's quirks", func() {
		s := newScript(reply(200, body))
		exps, err := newClient(s).QueryExperiments(ctx, helicone.ExperimentQuery{
			Filter:  helicone.ExperimentID(helicone.Equals, expID),
			Include: &helicone.ExperimentInclude{Inputs: true, ResponseBodies: true},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.requests()[0].Path).To(Equal("/v1/experiment/query"))
		Expect(s.requests()[0].Body).To(MatchJSON(`{"filter":{"experiment":{"id":{"equals":"` + expID + `"}}},"include":{"inputs":true,"responseBodies":true}}`))
		Expect(exps).To(HaveLen(1))
		e := exps[0]
		Expect(e.Dataset.Rows).To(HaveLen(2))
		Expect(e.Dataset.Rows[0].InputRecord.Response.CompletionTokens).To(Equal(helicone.FlexInt(12)))
		Expect(e.Dataset.Rows[1].RowID).To(BeEmpty())
		Expect(e.Dataset.Rows[0].Scores).To(BeNil())
		Expect(e.Hypotheses[0].Runs).To(BeNil())
		run := e.Hypotheses[1].Runs[0]
		n, ok := run.Scores["accuracy"].Value.Int64()
		Expect(ok).To(BeTrue())
		Expect(n).To(Equal(int64(92)))
		Expect(*run.Scores["ok-hcone-bool"].Max).To(Equal(1.0))
	})

	It("sends \"all\" for the zero filter", func() {
		s := newScript(reply(200, `{"data":[],"error":null}`))
		_, err := newClient(s).QueryExperiments(ctx, helicone.ExperimentQuery{})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.requests()[0].Body).To(MatchJSON(`{"filter":"all"}`))
	})

	It("combines filters with and/or", func() {
		f := helicone.Or(helicone.ExperimentID(helicone.Equals, "a"), helicone.ExperimentPrompt(helicone.Contains, "v7"))
		Expect(json.Marshal(f)).To(MatchJSON(`{"left":{"experiment":{"id":{"equals":"a"}}},"operator":"or","right":{"experiment":{"prompt_v2":{"contains":"v7"}}}}`))
	})

	It("writes a deep filter exactly as json.Marshal writes its tree of objects", func() {
		leaves := make([]helicone.Filter, 100)
		want := make([]any, 100)
		for i := range leaves {
			v := fmt.Sprintf("<id & %d>", i)
			leaves[i] = helicone.RequestText("request_id", helicone.Equals, v)
			want[i] = map[string]any{"request_response_rmt": map[string]any{"request_id": map[string]any{"equals": v}}}
		}
		// The reference: the balanced tree Or builds, as nested maps.
		var tree func(xs []any) any
		tree = func(xs []any) any {
			if len(xs) == 1 {
				return xs[0]
			}
			m := len(xs) / 2
			return map[string]any{"left": tree(xs[:m]), "operator": "or", "right": tree(xs[m:])}
		}
		ref, err := json.Marshal(tree(want))
		Expect(err).NotTo(HaveOccurred())
		got, err := json.Marshal(helicone.Or(leaves...))
		Expect(err).NotTo(HaveOccurred())
		Expect(string(got)).To(Equal(string(ref)))
		Expect(string(got)).To(ContainSubstring(`\u003cid \u0026 7\u003e`))
	})

	It("refuses number operators on experiment columns", func() {
		s := newScript(reply(200, `{"data":[],"error":null}`))
		_, err := newClient(s).QueryExperiments(ctx, helicone.ExperimentQuery{Filter: helicone.ExperimentID(helicone.Gte, "a")})
		Expect(err).To(MatchError(helicone.ErrInvalidFilter))
		Expect(s.requests()).To(BeEmpty())
	})

	It("explains the deprecation 500 and points to Helicone datasets and request filters, retrying it only once", func() {
		s := newScript(reply(500, `{"data":null,"error":"Not implemented"}`))
		_, err := newClient(s).QueryExperiments(ctx, helicone.ExperimentQuery{})
		Expect(err).To(MatchError(helicone.ErrExperimentsUnavailable))
		var ue *helicone.ExperimentsUnavailableError
		Expect(errors.As(err, &ue)).To(BeTrue())
		var apiErr *helicone.APIError
		Expect(errors.As(err, &apiErr)).To(BeTrue())
		Expect(apiErr.Status).To(Equal(500))
		Expect(err.Error()).To(ContainSubstring("this Helicone no longer serves experiments (current hosted Helicone); use --dataset ID|NAME"))
		Expect(err.Error()).To(ContainSubstring("or --filter … --group-by …"))
		Expect(s.requests()).To(HaveLen(2))
	})

	It("recovers when the 500 was transient", func() {
		s := newScript(reply(500, `{"data":null,"error":"Not implemented"}`), reply(200, `{"data":[],"error":null}`))
		exps, err := newClient(s).QueryExperiments(ctx, helicone.ExperimentQuery{})
		Expect(err).NotTo(HaveOccurred())
		Expect(exps).To(BeEmpty())
	})

	It("accepts {data:null} as no experiments", func() {
		s := newScript(reply(200, `{"data":null,"error":null}`))
		exps, err := newClient(s).QueryExperiments(ctx, helicone.ExperimentQuery{})
		Expect(err).NotTo(HaveOccurred())
		Expect(exps).To(BeEmpty())
	})

	It("reports a body of the wrong shape without retrying", func() {
		s := newScript(reply(200, `{"data":{"id":5},"error":null}`))
		_, err := newClient(s).QueryExperiments(ctx, helicone.ExperimentQuery{})
		var de *helicone.DecodeError
		Expect(errors.As(err, &de)).To(BeTrue())
		Expect(s.requests()).To(HaveLen(1))
	})

	It("retries a truncated or non-JSON 2xx body", func() {
		s := newScript(reply(200, `<html>bad gateway</html>`), truncated(200, `{"data":[{"id":`), reply(200, `{"data":[{"id":"x"}],"error":null}`))
		exps, err := newClient(s).QueryExperiments(ctx, helicone.ExperimentQuery{})
		Expect(err).NotTo(HaveOccurred())
		Expect(exps).To(HaveLen(1))
		Expect(s.requests()).To(HaveLen(3))
	})
})
