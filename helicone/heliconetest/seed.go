package heliconetest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heval-dev/heval/internal/textdist"
)

// Seed is the data an emulator starts with: organizations, each with its API keys, logged
// requests, experiments (served by the [Legacy] profile) and Helicone Datasets (served by
// the [Current] profile). It is also the format of `heval serve --seed FILE` (JSON; an
// unknown field is an error that names it). Times are relative to the moment of seeding
// ("created_ago": "2 days ago"), so seeded requests never age past Helicone's 30-day score
// window.
type Seed struct {
	Organizations []SeedOrganization `json:"organizations"`
}

// SeedOrganization is one tenant.
type SeedOrganization struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
	// Keys are API keys of the organization with both permissions, read ("r") and write ("w").
	Keys []string `json:"keys"`
	// ScopedKeys are API keys with a permission of their own, such as a read-only key.
	ScopedKeys []SeedKey `json:"scoped_keys,omitempty"`
	// Tier names the rate-limit budget when a rate limit is enabled: "free" (1,000 per
	// window), "pro" (10,000), "enterprise" (100,000) or "none" (500, an organization
	// without a tier). Empty means "pro".
	Tier        string           `json:"tier,omitempty"`
	Requests    []SeedRequest    `json:"requests,omitempty"`
	Experiments []SeedExperiment `json:"experiments,omitempty"`
	// HeliconeDatasets are the organization's Helicone Datasets, whose rows are copies of
	// its logged requests.
	HeliconeDatasets []SeedHeliconeDataset `json:"helicone_datasets,omitempty"`
}

// SeedKey is an API key with its permissions.
type SeedKey struct {
	Key string `json:"key"`
	// Permissions are "rw" (the default when empty), "r" (read only: GET routes; every
	// query route is a POST and fails) or "w" (write only).
	Permissions string `json:"permissions,omitempty"`
}

// SeedRequest is one logged request.
type SeedRequest struct {
	// ID is the request id (a UUID).
	ID string `json:"id"`
	// CreatedAgo is how long before seeding the request was made, for example "48h" or
	// "2 days ago".
	CreatedAgo Duration `json:"created_ago"`
	Model      string   `json:"model"`
	Provider   string   `json:"provider,omitempty"`
	// Path is the provider path called ("/v1/chat/completions") or the whole target URL.
	Path   string `json:"path,omitempty"`
	UserID string `json:"user_id,omitempty"`
	Status int    `json:"status,omitempty"`
	// RequestBody and ResponseBody are the provider's JSON bodies.
	RequestBody            json.RawMessage `json:"request_body,omitempty"`
	ResponseBody           json.RawMessage `json:"response_body,omitempty"`
	PromptTokens           int64           `json:"prompt_tokens,omitempty"`
	CompletionTokens       int64           `json:"completion_tokens,omitempty"`
	ReasoningTokens        int64           `json:"reasoning_tokens,omitempty"`
	PromptCacheReadTokens  int64           `json:"prompt_cache_read_tokens,omitempty"`
	PromptCacheWriteTokens int64           `json:"prompt_cache_write_tokens,omitempty"`
	LatencyMs              int64           `json:"latency_ms,omitempty"`
	// TimeToFirstTokenMs is null in rows when 0.
	TimeToFirstTokenMs int64   `json:"time_to_first_token_ms,omitempty"`
	Cost               float64 `json:"cost,omitempty"`
	CountryCode        string  `json:"country_code,omitempty"`
	// PromptID and PromptVersion are set by AI Gateway prompts; a score write blanks them.
	PromptID      string `json:"prompt_id,omitempty"`
	PromptVersion string `json:"prompt_version,omitempty"`
	CacheEnabled  bool   `json:"cache_enabled,omitempty"`
	// Properties are custom properties stored with the case given (as
	// PUT /v1/request/{id}/property stores them).
	Properties map[string]string `json:"properties,omitempty"`
	// Headers are the Helicone headers the request was logged with:
	// "Helicone-Property-<Name>" becomes the property "<name>" in lower case, as the proxy
	// stores header-set properties, and "Helicone-User-Id" the user id. Other headers are
	// an error.
	Headers map[string]string `json:"headers,omitempty"`
	// StorageLocation is where the bodies are kept: "clickhouse" (the default; inline in
	// rows), "s3" (rows carry a text body and a signed_body_url) or
	// "not_stored_exceeded_free" (no body at all).
	StorageLocation string `json:"storage_location,omitempty"`
	// Scores are scores already stored on the request, by stored key.
	Scores map[string]int64 `json:"scores,omitempty"`
}

// SeedExperiment is one experiment (served by the [Legacy] profile): a dataset whose rows
// point at logged requests, and hypotheses whose runs point at logged requests too.
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

// SeedHeliconeDataset is one Helicone Dataset (served by the [Current] profile). Its rows
// copy the bodies of logged requests of the same organization when the seed is loaded.
type SeedHeliconeDataset struct {
	// ID is the dataset's UUID; empty derives one from the organization and the name.
	ID         string          `json:"id,omitempty"`
	Name       string          `json:"name"`
	CreatedAgo Duration        `json:"created_ago"`
	Meta       json.RawMessage `json:"meta,omitempty"`
	// Rows are the dataset's rows.
	Rows []SeedHeliconeDatasetRow `json:"rows,omitempty"`
	// RequestIDs add one row per request id after Rows, with derived row ids.
	RequestIDs []string `json:"request_ids,omitempty"`
}

// SeedHeliconeDatasetRow is one row of a Helicone Dataset.
type SeedHeliconeDatasetRow struct {
	// ID is the row's UUID; empty derives one.
	ID string `json:"id,omitempty"`
	// RequestID is the origin request (a SeedRequest of the same organization).
	RequestID string `json:"request_id"`
	// CreatedAgo is when the row was added; 0 means with the dataset.
	CreatedAgo Duration `json:"created_ago,omitempty"`
}

// Storage locations of request bodies (SeedRequest.StorageLocation).
const (
	StorageClickhouse    = "clickhouse"
	StorageS3            = "s3"
	StorageNotStoredFree = "not_stored_exceeded_free"
)

// LoadSeedFile reads a seed stored as JSON. A field the format does not know is an error
// that names it and says where it is.
func LoadSeedFile(path string) (Seed, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Seed{}, fmt.Errorf("heliconetest: reading seed file: %w", err)
	}
	s, err := ParseSeed(b)
	if err != nil {
		return Seed{}, fmt.Errorf("heliconetest: seed file %s: %w", path, err)
	}
	return s, nil
}

// ParseSeed reads a seed from JSON, rejecting fields the format does not know.
func ParseSeed(b []byte) (Seed, error) {
	var generic any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&generic); err != nil {
		return Seed{}, fmt.Errorf("not valid JSON (see the Seed type for the format): %w", err)
	}
	if err := checkFields(generic, reflect.TypeFor[Seed](), "seed"); err != nil {
		return Seed{}, err
	}
	var s Seed
	if err := json.Unmarshal(b, &s); err != nil {
		return Seed{}, fmt.Errorf("not a valid seed (see the Seed type for the format): %w", err)
	}
	return s, nil
}

var rawMessageType = reflect.TypeFor[json.RawMessage]()

// checkFields walks a decoded JSON value along the Go type it will be decoded into and
// reports the first object member that type has no field for.
func checkFields(v any, t reflect.Type, path string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == rawMessageType {
		return nil
	}
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			return nil // a type error, reported by the decoder
		}
		fields := map[string]reflect.StructField{}
		var names []string
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" || !f.IsExported() {
				continue
			}
			if name == "" {
				name = f.Name
			}
			fields[name] = f
			names = append(names, name)
		}
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			f, ok := fields[k]
			if !ok {
				hint := ""
				if near := textdist.Nearest(k, names); near != "" {
					hint = fmt.Sprintf(" (did you mean %s?)", near)
				}
				return fmt.Errorf("unknown field %q in %s%s; the fields there are %s", k, path, hint, strings.Join(names, ", "))
			}
			if err := checkFields(obj[k], f.Type, path+"."+k); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		arr, ok := v.([]any)
		if !ok {
			return nil
		}
		for i, e := range arr {
			if err := checkFields(e, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	case reflect.Map:
		obj, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		for k, e := range obj {
			if err := checkFields(e, t.Elem(), path+"."+k); err != nil {
				return err
			}
		}
	}
	return nil
}

// Duration is a time.Duration written as text in JSON: a Go duration ("36h", "1h30m"), a
// number of days or weeks ("2d", "1w"), a phrase ("2 days ago", "90 minutes ago") or a
// number of seconds.
type Duration time.Duration

// MarshalJSON writes the duration as text.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads the forms listed on [Duration].
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		var secs float64
		if err2 := json.Unmarshal(b, &secs); err2 != nil {
			return fmt.Errorf("heliconetest: duration %s is neither text like \"36h\" or \"2 days ago\" nor a number of seconds", b)
		}
		v, err := boundAgo(fmt.Sprintf("%v s", secs), secs*float64(time.Second))
		*d = Duration(v)
		return err
	}
	v, err := ParseAgo(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// MaxSeedDuration is the longest duration a seed may give: ten years.
const MaxSeedDuration = 10 * 365 * 24 * time.Hour

// boundAgo checks a seed duration of nanos nanoseconds: not negative, not beyond
// [MaxSeedDuration], and a number.
func boundAgo(text string, nanos float64) (time.Duration, error) {
	if math.IsNaN(nanos) || nanos < 0 || nanos > float64(MaxSeedDuration) {
		return 0, fmt.Errorf("heliconetest: duration %s is out of range: seed durations go from 0 to 10 years (\"2 days ago\", \"36h\")", text)
	}
	return time.Duration(nanos), nil
}

var agoPhrase = regexp.MustCompile(`^(\d+(?:\.\d+)?)\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hr|hrs|hours?|d|days?|w|weeks?)(?:\s+ago)?$`)

// ParseAgo reads a duration in one of the forms of [Duration].
func ParseAgo(s string) (time.Duration, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	if v, err := time.ParseDuration(t); err == nil {
		return boundAgo(strconv.Quote(s), float64(v))
	}
	m := agoPhrase.FindStringSubmatch(t)
	if m == nil {
		return 0, fmt.Errorf("heliconetest: duration %q: write a Go duration (\"36h\", \"1h30m\"), days or weeks (\"2d\", \"1w\") or a phrase (\"2 days ago\")", s)
	}
	n, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, fmt.Errorf("heliconetest: duration %q: %w", s, err)
	}
	unit := time.Second
	switch m[2][0] {
	case 'm':
		unit = time.Minute
	case 'h':
		unit = time.Hour
	case 'd':
		unit = 24 * time.Hour
	case 'w':
		unit = 7 * 24 * time.Hour
	}
	return boundAgo(strconv.Quote(s), n*float64(unit))
}
