package heliconetest

import (
	"bytes"
	"testing"

	"github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// reflected is what go-json-experiment writes for a row or run (valueWithBody, the
// reference the answer writer uses for the pieces it does not write by hand).
func reflected(t interface{ Fatal(...any) }, v any, body []byte) []byte {
	var buf bytes.Buffer
	aw := newAnswerWriter(&buf)
	aw.valueWithBody(v, body, nil)
	if err := aw.flush(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// FuzzAnswerPieces holds the hand-written rows and runs to go-json-experiment's bytes, for
// any strings, scores and index.
func FuzzAnswerPieces(f *testing.F) {
	f.Add("id", "OPENAI", "gpt-4o", "k", int64(3), 7, true, true)
	f.Add("a<b", "é\u2028", "\xff", "a&b", int64(-1), -2, false, true)
	f.Add("\"\\\n", "", "x > y", "", int64(0), 0, true, false)
	f.Fuzz(func(t *testing.T, id, provider, model, key string, value int64, index int, withBody, withScores bool) {
		body := []byte(`{"choices":[]}`)
		var scores scoreMapOut
		if withScores {
			scores = scoreMapOut{key: {Value: value, ValueType: valueType(key)}, key + "2": {Value: value / 2, ValueType: "number"}}
		}
		var ref *requestRefOut
		var resp *responseOut
		if withBody {
			ref = &requestRefOut{ID: id, Provider: provider}
			resp = &responseOut{CreatedAt: model, CompletionTokens: value, PromptTokens: -value, DelayMs: int64(index), Model: model}
		}
		run := runOut{Request: ref, Scores: scores, Response: resp, ResultRequestID: id, DatasetRowID: key}
		if !handWritten(run.Scores, nil) {
			t.Fatalf("run %+v is not hand-written", run)
		}
		if got, want := appendRun(nil, &run, body), reflected(t, run, body); !bytes.Equal(got, want) {
			t.Fatalf("run:\n got %s\nwant %s", got, want)
		}
		if !handWritten(scores, nil) {
			t.Fatalf("scores %+v are not hand-written", scores)
		}
		rec := &inputRecordOut{Request: ref, Response: resp, AutoInputs: []any{}, Inputs: map[string]string{key: model, id: provider}, RequestPath: provider, RequestID: id, ID: model}
		row := rowOut{RowID: &id, InputRecord: rec, RowIndex: &index, ColumnID: &provider, Scores: scores}
		if got, want := appendRow(nil, &row, body), reflected(t, row, body); !bytes.Equal(got, want) {
			t.Fatalf("row:\n got %s\nwant %s", got, want)
		}
		bare := rowOut{Scores: scores}
		if got, want := appendRow(nil, &bare, body), reflected(t, bare, body); !bytes.Equal(got, want) {
			t.Fatalf("bare row:\n got %s\nwant %s", got, want)
		}
	})
}

var _ = ginkgo.Describe("the answer writer's rows and runs", func() {
	written := func(write func(aw *answerWriter)) string {
		var buf bytes.Buffer
		aw := newAnswerWriter(&buf)
		write(aw)
		Expect(aw.flush()).To(Succeed())
		return buf.String()
	}
	ginkgo.It("hands a row or run of another form than the usual one to the reflected encoding", func() {
		id, idx := "r1", 2
		floats := scoreMapOut{"mean": {Value: 0.5, ValueType: "number"}}
		run := runOut{Scores: floats, ResultRequestID: "q", DatasetRowID: id}
		Expect(handWritten(run.Scores, nil)).To(BeFalse())
		Expect(written(func(aw *answerWriter) { aw.writeRun(&run, nil, nil) })).To(Equal(string(reflected(ginkgo.GinkgoT(), run, nil))))
		Expect(written(func(aw *answerWriter) { aw.writeRun(&run, nil, nil) })).To(ContainSubstring(`"value":0.5`))
		rec := &inputRecordOut{AutoInputs: []any{"auto"}, Inputs: map[string]any{"n": 1}, RequestID: "q"}
		row := rowOut{RowID: &id, InputRecord: rec, RowIndex: &idx, ColumnID: &id}
		Expect(handWritten(row.Scores, row.InputRecord)).To(BeFalse())
		Expect(written(func(aw *answerWriter) { aw.writeRow(&row, nil, nil) })).To(Equal(string(reflected(ginkgo.GinkgoT(), row, nil))))
	})
})
