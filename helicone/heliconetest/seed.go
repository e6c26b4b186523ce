package heliconetest

import (
	"encoding/json"
	"fmt"
	"time"
)

// Seed is the data an emulator starts with: organizations, each with its API keys, logged
// requests and experiments. It is also the format of `heval serve --seed FILE` (JSON).
// Times are relative to the moment of seeding ("created_ago"), so seeded requests never
// age past Helicone's 30-day score window.
type Seed struct {
	Organizations []SeedOrganization `json:"organizations"`
}

// SeedOrganization is one tenant.
type SeedOrganization struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
	// Keys are the API keys of the organization.
	Keys []string `json:"keys"`
	// Tier names the rate-limit budget when a rate limit is enabled: "free" (1,000 per
	// window), "pro" (10,000) or "enterprise" (100,000). Empty means "pro".
	Tier        string           `json:"tier,omitempty"`
	Requests    []SeedRequest    `json:"requests,omitempty"`
	Experiments []SeedExperiment `json:"experiments,omitempty"`
}

// SeedRequest is one logged request.
type SeedRequest struct {
	// ID is the request id (a UUID).
	ID string `json:"id"`
	// CreatedAgo is how long before seeding the request was made, for example "48h".
	CreatedAgo Duration `json:"created_ago"`
	Model      string   `json:"model"`
	Provider   string   `json:"provider,omitempty"`
	Path       string   `json:"path,omitempty"`
	UserID     string   `json:"user_id,omitempty"`
	Status     int      `json:"status,omitempty"`
	// RequestBody and ResponseBody are the provider's JSON bodies.
	RequestBody      json.RawMessage   `json:"request_body,omitempty"`
	ResponseBody     json.RawMessage   `json:"response_body,omitempty"`
	PromptTokens     int64             `json:"prompt_tokens,omitempty"`
	CompletionTokens int64             `json:"completion_tokens,omitempty"`
	LatencyMs        int64             `json:"latency_ms,omitempty"`
	Cost             float64           `json:"cost,omitempty"`
	Properties       map[string]string `json:"properties,omitempty"`
	// Scores are scores already stored on the request, by stored key.
	Scores map[string]int64 `json:"scores,omitempty"`
}

// SeedExperiment is one experiment: a dataset whose rows point at logged requests, and
// hypotheses whose runs point at logged requests too.
type SeedExperiment struct {
	ID         string           `json:"id"`
	CreatedAgo Duration         `json:"created_ago"`
	Meta       json.RawMessage  `json:"meta,omitempty"`
	Prompt     string           `json:"prompt,omitempty"`
	Dataset    SeedDataset      `json:"dataset"`
	Hypotheses []SeedHypothesis `json:"hypotheses,omitempty"`
}

// SeedDataset is an experiment's dataset.
type SeedDataset struct {
	ID   string    `json:"id"`
	Name string    `json:"name"`
	Rows []SeedRow `json:"rows"`
}

// SeedRow is a dataset row made from a logged request (RequestID names a SeedRequest of the
// same organization).
type SeedRow struct {
	RowID     string            `json:"row_id"`
	RequestID string            `json:"request_id"`
	Inputs    map[string]string `json:"inputs,omitempty"`
}

// SeedHypothesis is one arm of an experiment.
type SeedHypothesis struct {
	ID              string          `json:"id"`
	Model           string          `json:"model"`
	Status          string          `json:"status,omitempty"`
	ProviderKey     string          `json:"provider_key,omitempty"`
	PromptVersionID string          `json:"prompt_version_id,omitempty"`
	PromptTemplate  json.RawMessage `json:"prompt_template,omitempty"`
	ParentTemplate  json.RawMessage `json:"parent_prompt_template,omitempty"`
	CreatedAgo      Duration        `json:"created_ago"`
	Runs            []SeedRun       `json:"runs,omitempty"`
}

// SeedRun is one hypothesis run: the row it answered and the request it made.
type SeedRun struct {
	DatasetRowID string `json:"dataset_row_id"`
	RequestID    string `json:"request_id"`
}

// Duration is a time.Duration written as text in JSON ("36h", "15m").
type Duration time.Duration

// MarshalJSON writes the duration as text.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads text such as "36h" or a number of seconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		var secs float64
		if err2 := json.Unmarshal(b, &secs); err2 != nil {
			return fmt.Errorf("heliconetest: duration %s is neither text like \"36h\" nor seconds", b)
		}
		*d = Duration(secs * float64(time.Second))
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("heliconetest: duration %q: %w", s, err)
	}
	*d = Duration(v)
	return nil
}
