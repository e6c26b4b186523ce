package datasets

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"strings"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"

	"github.com/heval-dev/heval"

	"github.com/heval-dev/heval/helicone"
	"github.com/heval-dev/heval/internal/textdist"
)

// ErrBadFileSample is wrapped by the errors of file sources for a record they cannot read.
var ErrBadFileSample = errors.New("bad sample record")

// FileSampleError says which record of a file is bad and why.
type FileSampleError struct {
	// Path is the file.
	Path string
	// Line is the 1-based line (JSONL) or row (Parquet) of the record.
	Line int
	// Unit is "line" or "row".
	Unit string
	// Err says what is wrong.
	Err error
}

func (e *FileSampleError) Error() string {
	return fmt.Sprintf("datasets: %s %s %d: %v", e.Path, e.Unit, e.Line, e.Err)
}

// Unwrap returns the cause; errors.Is also matches [ErrBadFileSample].
func (e *FileSampleError) Unwrap() []error { return []error{ErrBadFileSample, e.Err} }

// FileSample is one sample in a local file. In JSONL each line is one JSON object with these
// field names; in Parquet each row has these columns (all optional except output).
//
//	request_id       the Helicone request id the scores go to (a UUID to submit scores)
//	kind             dataset_row, hypothesis_run, request or file (default file)
//	experiment_id, hypothesis_id, hypothesis, model, provider, prompt_version_id,
//	dataset_row_id   where the sample comes from
//	row_index        the row's position (default: the record's position in the file)
//	inputs           an object of prompt inputs (values that are not strings become JSON text)
//	output           the answer: a string, or a provider body object (OpenAI, Anthropic, ...)
//	reference        the expected answer, same forms as output ("expected" is a synonym)
//	properties       an object of Helicone properties (strings)
//	prompt_tokens, completion_tokens, latency_ms
//	created_at       RFC 3339
//
// In Parquet, inputs and properties are maps of strings, and output and reference are
// strings: text, or the JSON of a provider body object.
type FileSample struct {
	RequestID        string            `json:"request_id,omitempty" parquet:"request_id,optional"`
	Kind             string            `json:"kind,omitempty" parquet:"kind,optional"`
	ExperimentID     string            `json:"experiment_id,omitempty" parquet:"experiment_id,optional"`
	HypothesisID     string            `json:"hypothesis_id,omitempty" parquet:"hypothesis_id,optional"`
	Hypothesis       string            `json:"hypothesis,omitempty" parquet:"hypothesis,optional"`
	Model            string            `json:"model,omitempty" parquet:"model,optional"`
	Provider         string            `json:"provider,omitempty" parquet:"provider,optional"`
	PromptVersionID  string            `json:"prompt_version_id,omitempty" parquet:"prompt_version_id,optional"`
	DatasetRowID     string            `json:"dataset_row_id,omitempty" parquet:"dataset_row_id,optional"`
	RowIndex         *int64            `json:"row_index,omitempty" parquet:"row_index,optional"`
	Inputs           map[string]string `json:"inputs,omitempty" parquet:"inputs,optional"`
	Output           string            `json:"output" parquet:"output,optional"`
	Reference        string            `json:"reference,omitempty" parquet:"reference,optional"`
	Properties       map[string]string `json:"properties,omitempty" parquet:"properties,optional"`
	PromptTokens     int64             `json:"prompt_tokens,omitempty" parquet:"prompt_tokens,optional"`
	CompletionTokens int64             `json:"completion_tokens,omitempty" parquet:"completion_tokens,optional"`
	LatencyMs        int64             `json:"latency_ms,omitempty" parquet:"latency_ms,optional"`
	CreatedAt        string            `json:"created_at,omitempty" parquet:"created_at,optional"`
}

// jsonRecord is a JSONL line: like FileSample, but inputs may hold any JSON values and output
// and reference may be provider body objects.
type jsonRecord struct {
	RequestID        string            `json:"request_id"`
	Kind             string            `json:"kind"`
	ExperimentID     string            `json:"experiment_id"`
	HypothesisID     string            `json:"hypothesis_id"`
	Hypothesis       string            `json:"hypothesis"`
	Model            string            `json:"model"`
	Provider         string            `json:"provider"`
	PromptVersionID  string            `json:"prompt_version_id"`
	DatasetRowID     string            `json:"dataset_row_id"`
	RowIndex         *int64            `json:"row_index"`
	Inputs           map[string]any    `json:"inputs"`
	Output           json.RawMessage   `json:"output"`
	Reference        json.RawMessage   `json:"reference"`
	Expected         json.RawMessage   `json:"expected"`
	Properties       map[string]string `json:"properties"`
	PromptTokens     int64             `json:"prompt_tokens"`
	CompletionTokens int64             `json:"completion_tokens"`
	LatencyMs        int64             `json:"latency_ms"`
	CreatedAt        string            `json:"created_at"`
}

// JSONL returns a source of the samples in a JSON Lines file, one [FileSample] per line. Blank
// lines are skipped; a line that is not a valid record stops the source with a
// [*FileSampleError] naming the file and line.
func JSONL(path string) Source { return &jsonlSource{path: path} }

type jsonlSource struct{ path string }

func (s *jsonlSource) String() string { return "JSONL file " + s.path }

func (s *jsonlSource) Samples(ctx context.Context, _ Env) iter.Seq2[heval.Sample, error] {
	return func(yield func(heval.Sample, error) bool) {
		f, err := os.Open(s.path)
		if err != nil {
			yield(heval.Sample{}, fmt.Errorf("datasets: opening sample file: %w", err))
			return
		}
		defer f.Close()
		rd := bufio.NewReaderSize(f, 64*1024)
		line, index := 0, 0
		var long []byte // a line longer than rd's buffer, put together
		for {
			if err := ctx.Err(); err != nil {
				yield(heval.Sample{}, err)
				return
			}
			// The line is valid until the next read: a record's decoder copies what it keeps.
			b, rerr := rd.ReadSlice('\n')
			if rerr == bufio.ErrBufferFull {
				long = append(long[:0], b...)
				for rerr == bufio.ErrBufferFull {
					b, rerr = rd.ReadSlice('\n')
					long = append(long, b...)
				}
				b = long
			}
			if len(b) > 0 {
				line++
				if line == 1 {
					b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
				}
				b = bytes.TrimSpace(b)
				if len(b) > 0 {
					smp, err := decodeJSONRecord(b, index)
					if err != nil {
						yield(heval.Sample{}, &FileSampleError{Path: s.path, Line: line, Unit: "line", Err: err})
						return
					}
					index++
					if !yield(smp, nil) {
						return
					}
				}
			}
			if rerr == io.EOF {
				return
			}
			if rerr != nil {
				yield(heval.Sample{}, fmt.Errorf("datasets: reading %s after line %d: %w", s.path, line, rerr))
				return
			}
		}
	}
}

// recordFields are the field names of a JSONL sample record.
var recordFields = []string{"request_id", "kind", "experiment_id", "hypothesis_id", "hypothesis", "model", "provider",
	"prompt_version_id", "dataset_row_id", "row_index", "inputs", "output", "reference", "expected", "properties",
	"prompt_tokens", "completion_tokens", "latency_ms", "created_at"}

// jsonRecordOptions decode a JSONL record as encoding/json does (names matched without
// regard to case, the last of a repeated name kept, the same messages), with unknown names
// refused, at about 2.3 times encoding/json's speed (go-json-experiment's v2 engine).
var jsonRecordOptions = jsonv2.JoinOptions(jsonV1, jsonv2.RejectUnknownMembers(true))

// jsonV1 decodes as encoding/json does, with go-json-experiment's faster engine.
var jsonV1 = jsonv1.DefaultOptionsV1()

func decodeJSONRecord(b []byte, index int) (heval.Sample, error) {
	if b[0] != '{' {
		return heval.Sample{}, fmt.Errorf("expected a JSON object, found %.120q", b)
	}
	var r jsonRecord
	if err := jsonv2.Unmarshal(b, &r, jsonRecordOptions); err != nil {
		if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			name = strings.Trim(name, `"`)
			msg := fmt.Sprintf("unknown field %q", name)
			if near := textdist.Nearest(name, recordFields); near != "" {
				msg += fmt.Sprintf(" (did you mean %s?)", near)
			} else if name == "text" || name == "answer" || name == "response" {
				msg += " (the answer is \"output\")"
			}
			return heval.Sample{}, fmt.Errorf("not a valid sample record: %s; the fields are %s", msg, strings.Join(recordFields, ", "))
		}
		if severalValues(b) {
			return heval.Sample{}, errors.New("more than one JSON value on the line")
		}
		return heval.Sample{}, fmt.Errorf("not a valid sample record: %w", err)
	}
	if helicone.IsJSONNull(r.Output) {
		return heval.Sample{}, errors.New(`the record has no "output": it needs the answer to judge (a string or a provider body object)`)
	}
	ref := r.Reference
	if helicone.IsJSONNull(ref) {
		ref = r.Expected
	} else if !helicone.IsJSONNull(r.Expected) {
		return heval.Sample{}, errors.New(`the record has both "reference" and "expected"; give one`)
	}
	rec := FileSample{
		RequestID: r.RequestID, Kind: r.Kind, ExperimentID: r.ExperimentID, HypothesisID: r.HypothesisID,
		Hypothesis: r.Hypothesis, Model: r.Model, Provider: r.Provider, PromptVersionID: r.PromptVersionID,
		DatasetRowID: r.DatasetRowID, RowIndex: r.RowIndex, Properties: r.Properties,
		PromptTokens: r.PromptTokens, CompletionTokens: r.CompletionTokens, LatencyMs: r.LatencyMs, CreatedAt: r.CreatedAt,
	}
	s, err := fileSample(rec, index)
	if err != nil {
		return heval.Sample{}, err
	}
	s.Inputs = textInputs(r.Inputs)
	s.Body = r.Output // a copy: json.RawMessage copies what it is given
	if !helicone.IsJSONNull(ref) {
		s.Reference = ref
	}
	return Prepare(s), nil
}

// severalValues reports whether b starts with a whole JSON value that something other than
// white space follows.
func severalValues(b []byte) bool {
	d := jsontext.NewDecoder(bytes.NewReader(b))
	if _, err := d.ReadValue(); err != nil {
		return false
	}
	return d.PeekKind() != 0
}

// fileSample fills a sample from the fields common to both file formats.
func fileSample(r FileSample, index int) (heval.Sample, error) {
	kind := heval.KindFile
	if r.Kind != "" {
		kind = heval.Kind(r.Kind)
		switch kind {
		case heval.KindDatasetRow, heval.KindHypothesisRun, heval.KindRequest, heval.KindFile:
		default:
			return heval.Sample{}, fmt.Errorf("kind %q is not one of dataset_row, hypothesis_run, request, file", r.Kind)
		}
	}
	for name, n := range map[string]int64{"prompt_tokens": r.PromptTokens, "completion_tokens": r.CompletionTokens, "latency_ms": r.LatencyMs} {
		if n < 0 {
			return heval.Sample{}, fmt.Errorf("%s is negative (%d)", name, n)
		}
	}
	s := heval.Sample{
		Kind: kind, RequestID: r.RequestID, ExperimentID: r.ExperimentID, HypothesisID: r.HypothesisID,
		Hypothesis: r.Hypothesis, Model: r.Model, Provider: r.Provider, PromptVersionID: r.PromptVersionID,
		DatasetRowID: r.DatasetRowID, RowIndex: index, Properties: r.Properties,
		PromptTokens: r.PromptTokens, CompletionTokens: r.CompletionTokens,
		Latency: time.Duration(r.LatencyMs) * time.Millisecond,
	}
	if s.Hypothesis == "" {
		s.Hypothesis = s.HypothesisID
	}
	if r.RowIndex != nil {
		s.RowIndex = int(*r.RowIndex)
	}
	if r.CreatedAt != "" {
		s.CreatedAt = helicone.ParseTime(r.CreatedAt)
		if s.CreatedAt.IsZero() {
			return heval.Sample{}, fmt.Errorf("created_at %q is not an RFC 3339 time such as 2026-01-15T12:00:00Z", r.CreatedAt)
		}
	}
	return s, nil
}

// Sample turns the file sample at position index (0-based) of its file into a sample. It
// needs Output; Output and Reference are text, or the JSON of a provider body object.
func (r FileSample) Sample(index int) (heval.Sample, error) {
	if r.Output == "" {
		return heval.Sample{}, errors.New(`the row has no "output": it needs the answer to judge`)
	}
	s, err := fileSample(r, index)
	if err != nil {
		return heval.Sample{}, err
	}
	s.Inputs = r.Inputs
	s.Body = textOrBody(r.Output)
	if r.Reference != "" {
		s.Reference = textOrBody(r.Reference)
	}
	return Prepare(s), nil
}

// textOrBody keeps a JSON object as a provider body and makes any other text a JSON string.
func textOrBody(v string) json.RawMessage {
	t := strings.TrimSpace(v)
	if strings.HasPrefix(t, "{") && json.Valid([]byte(t)) {
		return json.RawMessage(t)
	}
	b, _ := json.Marshal(v)
	return b
}
