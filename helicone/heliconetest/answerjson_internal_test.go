package heliconetest

import (
	"bytes"
	"testing"

	jsonv2 "github.com/go-json-experiment/json"
)

// reflected is what go-json-experiment writes for a row or run, its body in the mark's place.
func reflected(t *testing.T, v any, body []byte) []byte {
	b, err := jsonv2.Marshal(v, v1Options)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Replace(b, []byte(bodyMarkJSON), body, 1)
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
		if got, want := appendRun(nil, &run, body), reflected(t, run, body); !bytes.Equal(got, want) {
			t.Fatalf("run:\n got %s\nwant %s", got, want)
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
