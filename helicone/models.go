package helicone

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// Experiment is one experiment as POST /v1/experiment/query returns it: a dataset of rows
// (each the original request that the row was made from) and hypotheses (a model and prompt
// version) with one run per dataset row.
type Experiment struct {
	ID           string            `json:"id"`
	Organization string            `json:"organization"`
	Dataset      ExperimentDataset `json:"dataset"`
	Meta         json.RawMessage   `json:"meta,omitempty"`
	CreatedAt    string            `json:"createdAt"`
	Hypotheses   []Hypothesis      `json:"hypotheses"`
	// Scores is sent only when the query includes response bodies.
	Scores *ExperimentScores `json:"scores,omitempty"`
}

// ExperimentDataset is the dataset of an experiment.
type ExperimentDataset struct {
	ID   string       `json:"id"`
	Name string       `json:"name"`
	Rows []DatasetRow `json:"rows"`
}

// DatasetRow is one row of an experiment's dataset. A dataset without rows may come back as
// a single row whose fields are all null; such a row has an empty RowID.
type DatasetRow struct {
	RowID       string       `json:"rowId"`
	InputRecord *InputRecord `json:"inputRecord"`
	RowIndex    FlexInt      `json:"rowIndex"`
	ColumnID    string       `json:"columnId"`
	Scores      ScoreMap     `json:"scores"`
}

// InputRecord is the original request of a dataset row. Inputs are present only when the
// query includes inputs; Request and Response only when it includes response bodies.
type InputRecord struct {
	ID          string            `json:"id"`
	RequestID   string            `json:"requestId"`
	RequestPath string            `json:"requestPath"`
	Inputs      map[string]any    `json:"inputs"`
	AutoInputs  []json.RawMessage `json:"autoInputs"`
	Request     *RequestRef       `json:"request,omitempty"`
	Response    *ResponseInfo     `json:"response,omitempty"`
}

// RequestRef names a logged request and its provider.
type RequestRef struct {
	ID       string `json:"id"`
	Provider string `json:"provider"`
}

// ResponseInfo is a logged response: the provider's raw body (OpenAI chat completion,
// Anthropic message, ...) and what Helicone measured.
type ResponseInfo struct {
	Body                   json.RawMessage `json:"body"`
	CreatedAt              string          `json:"createdAt"`
	CompletionTokens       FlexInt         `json:"completionTokens"`
	PromptTokens           FlexInt         `json:"promptTokens"`
	PromptCacheWriteTokens FlexInt         `json:"promptCacheWriteTokens"`
	PromptCacheReadTokens  FlexInt         `json:"promptCacheReadTokens"`
	DelayMs                FlexInt         `json:"delayMs"`
	Model                  string          `json:"model"`
}

// Hypothesis is one arm of an experiment: a model and prompt version, with its runs.
type Hypothesis struct {
	ID                  string         `json:"id"`
	Runs                []Run          `json:"runs"`
	ProviderKey         string         `json:"providerKey"`
	CreatedAt           string         `json:"createdAt"`
	Status              string         `json:"status"`
	Model               string         `json:"model"`
	PromptVersionID     string         `json:"promptVersionId"`
	PromptVersion       *PromptVersion `json:"promptVersion,omitempty"`
	ParentPromptVersion *PromptVersion `json:"parentPromptVersion,omitempty"`
}

// PromptVersion is a prompt template as stored by Helicone.
type PromptVersion struct {
	Template json.RawMessage `json:"template"`
}

// Run is one hypothesis run on one dataset row: the request it made (ResultRequestID, where
// its scores go) joined to its row by DatasetRowID.
type Run struct {
	Request         *RequestRef   `json:"request,omitempty"`
	Scores          ScoreMap      `json:"scores"`
	Response        *ResponseInfo `json:"response,omitempty"`
	ResultRequestID string        `json:"resultRequestId"`
	DatasetRowID    string        `json:"datasetRowId"`
}

// ExperimentScores is the aggregate score block of an experiment.
type ExperimentScores struct {
	Dataset    ExperimentScoreBlock `json:"dataset"`
	Hypothesis ExperimentScoreBlock `json:"hypothesis"`
}

// ExperimentScoreBlock holds aggregate scores.
type ExperimentScoreBlock struct {
	Scores    ScoreMap `json:"scores"`
	RunsCount *FlexInt `json:"runsCount,omitempty"`
}

// Request is one logged request as POST /v1/request/query-clickhouse returns it.
type Request struct {
	RequestID        string               `json:"request_id"`
	RequestCreatedAt string               `json:"request_created_at"`
	RequestPath      string               `json:"request_path,omitempty"`
	Model            string               `json:"model"`
	Provider         string               `json:"provider"`
	Status           FlexInt              `json:"status"`
	UserID           string               `json:"user_id,omitempty"`
	RequestBody      json.RawMessage      `json:"request_body"`
	ResponseBody     json.RawMessage      `json:"response_body"`
	DelayMs          FlexInt              `json:"delay_ms"`
	PromptTokens     FlexInt              `json:"prompt_tokens"`
	CompletionTokens FlexInt              `json:"completion_tokens"`
	Cost             FlexValue            `json:"cost"`
	Properties       Properties           `json:"properties"`
	Scores           map[string]FlexValue `json:"scores"`
	// UpdatedAt is when this version of the row was written. Every score write re-inserts
	// the whole row as a new version; the newest version holds every score.
	UpdatedAt string `json:"updated_at"`
	// StorageLocation says where the bodies live: "clickhouse" (RequestBody and
	// ResponseBody are the provider's JSON), "s3" (they are text or a placeholder, and the
	// bodies are at SignedBodyURL) or "not_stored_exceeded_free". Older servers send none.
	StorageLocation string `json:"storage_location,omitempty"`
	// SignedBodyURL is a presigned URL (valid 24 h) of the gzip JSON {request, response} of
	// a row stored in S3; [Client.RequestBodies] reads the bodies from wherever they are.
	SignedBodyURL string `json:"signed_body_url,omitempty"`
}

// requestWire is a request row as sent: the fields of Request and the table names of some
// of them.
type requestWire struct {
	requestFields
	RequestUserID     *string    `json:"request_user_id"`
	ResponseStatus    *FlexInt   `json:"response_status"`
	RequestProperties Properties `json:"request_properties"`
	Latency           *FlexInt   `json:"latency"`
}

// requestFields is Request without its decoding methods.
type requestFields Request

func (w *requestWire) request() Request {
	r := Request(w.requestFields)
	if r.UserID == "" && w.RequestUserID != nil {
		r.UserID = *w.RequestUserID
	}
	if r.Status == 0 && w.ResponseStatus != nil {
		r.Status = *w.ResponseStatus
	}
	if r.Properties == nil && w.RequestProperties != nil {
		r.Properties = w.RequestProperties
	}
	if r.DelayMs == 0 && w.Latency != nil {
		r.DelayMs = *w.Latency
	}
	return r
}

// UnmarshalJSON decodes a request row. Columns the server may send under their table
// names (request_user_id, response_status, request_properties, latency) fill UserID,
// Status, Properties and DelayMs when the short names are absent.
func (r *Request) UnmarshalJSON(b []byte) error {
	var w requestWire
	if err := jsonv2.Unmarshal(b, &w, decodeOptions); err != nil {
		return err
	}
	*r = w.request()
	return nil
}

// UnmarshalJSONFrom decodes a request row as UnmarshalJSON does, straight from the
// answer's decoder (one pass over the row instead of two).
func (r *Request) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	var w requestWire
	if !fastValues || dec.PeekKind() != '{' {
		if err := jsonv2.UnmarshalDecode(dec, &w, decodeOptions); err != nil {
			return err
		}
		*r = w.request()
		return nil
	}
	raw, err := dec.ReadValue()
	if err != nil {
		return err
	}
	if fastRequest(raw, r) {
		return nil
	}
	if err := jsonv2.Unmarshal(raw, &w, decodeOptions); err != nil {
		return placed(err, dec, raw)
	}
	*r = w.request()
	return nil
}

// Properties are the custom properties of a request (Helicone-Property-* headers). Values
// the server sends as numbers or booleans are kept as their text; null values are left out.
type Properties map[string]string

// UnmarshalJSON accepts an object of scalars, or null.
func (p *Properties) UnmarshalJSON(b []byte) error {
	var raw map[string]FlexValue
	if err := jsonv2.Unmarshal(b, &raw, decodeOptions); err != nil {
		return err
	}
	if raw == nil {
		*p = nil
		return nil
	}
	out := make(Properties, len(raw))
	for k, v := range raw {
		if !v.Null {
			out[k] = v.Raw
		}
	}
	*p = out
	return nil
}

// FlexInt is an integer the server may send as a number, a numeric string or null (0).
type FlexInt int64

// UnmarshalJSON accepts numbers (whole or not, truncated), numeric strings and null.
func (n *FlexInt) UnmarshalJSON(b []byte) error {
	var f FlexValue
	if err := f.UnmarshalJSON(b); err != nil {
		return err
	}
	*n = 0
	if f.IsNumber {
		if i, ok := f.Int64(); ok {
			*n = FlexInt(i)
		} else {
			*n = FlexInt(clampInt64(f.Number))
		}
	}
	return nil
}

// clampInt64 truncates x toward zero, saturating at the int64 range.
func clampInt64(x float64) int64 {
	switch {
	case math.IsNaN(x):
		return 0
	case x >= math.MaxInt64:
		return math.MaxInt64
	case x <= math.MinInt64:
		return math.MinInt64
	}
	return int64(x)
}

// MarshalJSON writes a JSON integer.
func (n FlexInt) MarshalJSON() ([]byte, error) {
	return []byte(strconv.FormatInt(int64(n), 10)), nil
}

// IsJSONNull reports whether raw is absent or the JSON literal null.
func IsJSONNull(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || string(t) == "null"
}

// timeLayouts are the timestamp forms the server sends: ISO 8601 with a zone (the "Z" of
// ClickHouse rows) or without, and ClickHouse's own "2006-01-02 15:04:05".
var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00"}

// ParseTime reads a timestamp as the server sends it (RFC 3339, with or without a zone, or
// ClickHouse's "2006-01-02 15:04:05"; a time without a zone is UTC). An unreadable or empty
// time is the zero time.
func ParseTime(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	return time.Time{}
}
