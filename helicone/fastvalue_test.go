package helicone

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// A run and a dataset row as the emulator writes them, and forms of them the scan of
// fastvalue.go must leave to the general decoder or read exactly as it does.
const (
	seedRun = `{"request":{"id":"74cf3c57-f96e-4cac-9df5-7274e009451a","provider":"OPENAI"},"scores":null,"response":{"body":{"id":"chatcmpl-pg","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Guten Tag! Go to Settings \u2192 Wireless \u2192 36.\n\n[1] https://help.acme.example/a","refusal":null},"finish_reason":"stop"}],"usage":{"prompt_tokens":48}},"createdAt":"2026-11-30T05:45:53.380Z","completionTokens":117,"promptTokens":48,"promptCacheWriteTokens":0,"promptCacheReadTokens":0,"delayMs":1622,"model":"gpt-4o-mini-2024-07-18"},"resultRequestId":"74cf3c57-f96e-4cac-9df5-7274e009451a","datasetRowId":"c15e7cb2-cdca-403e-af0b-cdddd3f46d3c"}`
	seedRow = `{"rowId":"c15e7cb2-cdca-403e-af0b-cdddd3f46d3c","inputRecord":{"request":{"id":"376af53c","provider":"OPENAI"},"response":{"body":{"choices":[{"message":{"content":"Blinking orange \u00e9 [1]"}}]},"createdAt":"2026-11-27T02:42:45.538Z","completionTokens":40,"promptTokens":36,"delayMs":807,"model":"gpt-4o-mini"},"autoInputs":[],"inputs":{"customer_tier":"pro","question":"Can I?"},"requestPath":"/v1/chat/completions","requestId":"376af53c","id":"411512de"},"rowIndex":0,"columnId":"3147a95a","scores":{"word_count":{"value":16,"valueType":"number"},"has_citations-hcone-bool":{"value":"1","valueType":"boolean"}}}`
)

var fastSeeds = []string{
	seedRun, seedRow,
	`{"request":null,"response":null,"scores":{}}`, `{}`, ` { } `, `null`, `[]`, `"x"`, `5`,
	`{"resultRequestId":"a","resultRequestId":"b"}`, `{"ResultRequestId":"a"}`, `{"resultrequestid":"a"}`,
	`{"datasetRowId":"caf\u00e9"}`, `{"datasetRowId":"a\"b"}`, `{"datasetRowId":"\u00ff"}`, "{\"datasetRowId\":\"a\xffb\"}",
	`{"datasetRowId":5}`, `{"datasetRowId":null}`, `{"request":{"id":null,"provider":7}}`, `{"request":[]}`,
	`{"response":{"delayMs":"12","promptTokens":1.9,"completionTokens":-3e2,"promptCacheReadTokens":"x","promptCacheWriteTokens":true}}`,
	`{"response":{"delayMs":12,"delayMs":13}}`, `{"response":{"body":null}}`, `{"response":{"body":  [1, {"a":"}"}] , "x":1}}`,
	`{"response":{"delayMs":99999999999999999999}}`, `{"response":{"delayMs":-9223372036854775808}}`, `{"response":{"delayMs":123456789012345678}}`,
	`{"unknown":{"deep":[{"a":"\\\"}"}]},"r\u00e9quest":1,"Request":{"id":"x"}}`, `{"k\u212aey":1}`,
	`{"scores":{"a":{"value":1},"a":{"value":2}}}`, `{"scores":{"a":{"value":[1]}}}`, `{"scores":[]}`,
	`{"scores":{ "a" : { "value" : 3 , "valueType" : "number" } , "b-hcone-bool":{"value":"0","valueType":"boolean","max":1,"min":"0"}}}`,
	`{"scores":{"caf\u00e9":{"value":1}}}`, `{"scores":{"a":{"value":"x\"y"}}}`, `{"scores":{"a":null}}`, `{"scores":{"a":{}}}`,
	`{"scores":{"a":{"value":1,"extra":2}}}`, `{"scores":{"":{"value":-0}}}`, `{"scores":{"a":{"value":1e400}}}`,
	`{"rowIndex":"7","inputRecord":{"inputs":null,"autoInputs":null}}`, `{"rowIndex":1.5}`, `{"rowIndex":{}}`,
	`{"inputRecord":{"inputs":{"a":1,"b":[true]},"autoInputs":[{"x":1},null]}}`, `{"inputRecord":{"inputs":[]}}`,
	`{"inputRecord":{"requestPath":"/v1","requestPath":"/v2"}}`, `{"inputRecord":null,"columnId":"c"}`,
}

// FuzzFastValues checks that a run or dataset row the scan reads is exactly what the general
// decoder reads from the same bytes, without error.
func FuzzFastValues(f *testing.F) {
	for _, s := range fastSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		raw, ok := oneValue(s)
		if !ok {
			return
		}
		sameAsGeneral(t, raw, fastRun)
		sameAsGeneral(t, raw, fastDatasetRow)
	})
}

// oneValue returns the JSON value s holds, and false when s is not one well-formed value.
func oneValue(s string) ([]byte, bool) {
	dec := jsontext.NewDecoder(strings.NewReader(s), decodeOptions)
	v, err := dec.ReadValue()
	if err != nil {
		return nil, false
	}
	raw := bytes.Clone(v) // the decoder's next read reuses its buffer
	if _, err := dec.ReadToken(); err == nil {
		return nil, false // more than one value
	}
	return raw, true
}

// withoutScan runs f with every row, run and request row sent to the general decoder.
func withoutScan(f func() error) error {
	defer func(was bool) { fastValues = was }(fastValues)
	fastValues = false
	return f()
}

// sameAsGeneral fails when scan reads raw into a value the general decoder does not read
// from it, without error, as well.
func sameAsGeneral[T any](t *testing.T, raw []byte, scan func([]byte, *T) bool) {
	t.Helper()
	var got, want T
	if !scan(raw, &got) {
		return
	}
	if err := withoutScan(func() error { return json.Unmarshal(raw, &want, decodeOptions) }); err != nil {
		t.Fatalf("%s: the scan read a %T the general decoder refuses (%v)", raw, got, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s: the scan read\n%#v\nthe general decoder\n%#v", raw, got, want)
	}
}

// decodeAnswer reads an experiment answer as QueryExperiments does, with the scan of rows
// and runs or without.
func decodeAnswer(body string, fast bool) ([]Experiment, error) {
	defer func(was bool) { fastValues = was }(fastValues)
	fastValues = fast
	var exps []Experiment
	data := func(a *answer) error {
		return (&experimentReader{a: a, emit: func(it *ExperimentItem) error { exps = collectExperiment(exps, it); return nil }}).data()
	}
	err := fuzzClient().decodeBody("POST", "/v1/experiment/query", 200, &bodyReader{r: strings.NewReader(body)}, RateLimit{}, data, maxValueBytes)
	return exps, err
}

// sameFailure reports whether two decodings failed alike: with the same error, or both on
// JSON that is broken, cut short only if the general decoder says so too. (The decoder
// words and places the fault differently when it reads a value whole than when it reads it
// token by token, and a reader of tokens may reach the end of a body that is both cut
// short and broken before it sees the fault.)
func sameFailure(got, want error) bool {
	var gs, ws *jsontext.SyntacticError
	if errors.As(got, &gs) && errors.As(want, &ws) {
		return !errors.Is(got, io.ErrUnexpectedEOF) || errors.Is(want, io.ErrUnexpectedEOF)
	}
	return fmt.Sprint(got) == fmt.Sprint(want)
}

// answerOf wraps rows and runs in an experiment answer.
func answerOf(row, run string) string {
	return `{"data":[{"id":"e1","dataset":{"id":"d","rows":[` + row + `]},"hypotheses":[{"id":"h","runs":[` + run + `,` + seedRun + `]}]}],"error":null}`
}

// FuzzFastAnswers checks that an experiment answer reads the same, experiments and error
// alike (broken JSON: at the same place), whether its rows and runs are scanned or all go to the general decoder.
func FuzzFastAnswers(f *testing.F) {
	for _, s := range fastSeeds {
		f.Add(answerOf(seedRow, s))
		f.Add(answerOf(s, seedRun))
	}
	f.Add(answerOf(seedRow, `{"response":{"delayMs":{}}}`))
	f.Add(answerOf(`{"rowIndex":[1]}`, `{"datasetRowId":7}`))
	f.Add(answerOf(seedRow, `{"request":{"id":"x"`))
	f.Fuzz(func(t *testing.T, body string) {
		got, gotErr := decodeAnswer(body, true)
		want, wantErr := decodeAnswer(body, false)
		if !sameFailure(gotErr, wantErr) {
			t.Fatalf("%s\nscanned, the error is\n%s\nwithout the scan\n%s", body, gotErr, wantErr)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s\nscanned\n%#v\nwithout the scan\n%#v", body, got, want)
		}
	})
}
