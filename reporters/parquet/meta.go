package parquet

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/heval-dev/heval"
)

// runMeta is the JSON form of a [heval.RunInfo] in the file's key/value metadata.
type runMeta struct {
	RunID      string    `json:"run_id"`
	Started    time.Time `json:"started"`
	Source     string    `json:"source,omitempty"`
	Evaluators []string  `json:"evaluators,omitempty"`
	DryRun     bool      `json:"dry_run,omitempty"`
	Version    string    `json:"version,omitempty"`
	GitCommit  string    `json:"git_commit,omitempty"`
	GitBranch  string    `json:"git_branch,omitempty"`
	CIJobID    string    `json:"ci_job_id,omitempty"`
	Shard      string    `json:"shard,omitempty"`
	// Declared describes the evaluators (schema version 2).
	Declared    []evaluatorMeta `json:"declared,omitempty"`
	File        string          `json:"file,omitempty"`
	Line        int             `json:"line,omitempty"`
	RequestsURL string          `json:"requests_url,omitempty"`
}

// evaluatorMeta is the JSON form of a [heval.EvaluatorInfo].
type evaluatorMeta struct {
	Name      string                     `json:"name"`
	Spec      string                     `json:"spec"`
	Direction heval.Direction            `json:"direction"`
	Keys      map[string]heval.Direction `json:"keys,omitempty"`
	File      string                     `json:"file,omitempty"`
	Line      int                        `json:"line,omitempty"`
}

func toRunMeta(info heval.RunInfo) runMeta {
	m := runMeta{
		RunID: info.RunID, Started: info.Started.UTC(), Source: info.Source,
		Evaluators: info.Evaluators, DryRun: info.DryRun, Version: info.Version,
		GitCommit: info.GitCommit, GitBranch: info.GitBranch, CIJobID: info.CIJobID, Shard: info.Shard,
		File: info.File, Line: info.Line, RequestsURL: info.RequestsURL,
	}
	for _, e := range info.Declared {
		em := evaluatorMeta{Name: e.Name, Spec: e.Spec, Direction: e.Direction, Keys: e.Keys, File: e.File, Line: e.Line}
		if em.Spec == "" {
			em.Spec = e.Name
		}
		if em.Direction == "" {
			em.Direction = heval.HigherIsBetter
		}
		m.Declared = append(m.Declared, em)
	}
	return m
}

func (m runMeta) info() heval.RunInfo {
	info := heval.RunInfo{
		RunID: m.RunID, Started: m.Started.UTC(), Source: m.Source, Evaluators: m.Evaluators,
		DryRun: m.DryRun, Version: m.Version, GitCommit: m.GitCommit, GitBranch: m.GitBranch,
		CIJobID: m.CIJobID, Shard: m.Shard, File: m.File, Line: m.Line, RequestsURL: m.RequestsURL,
	}
	for _, e := range m.Declared {
		info.Declared = append(info.Declared, heval.EvaluatorInfo{Name: e.Name, Spec: e.Spec, Direction: e.Direction, Keys: e.Keys, File: e.File, Line: e.Line})
	}
	return info
}

// summaryMeta is the JSON form of a [heval.Summary].
type summaryMeta struct {
	Finished    time.Time    `json:"finished"`
	Samples     int          `json:"samples"`
	Checks      []checkMeta  `json:"checks,omitempty"`
	Delivery    deliveryMeta `json:"delivery"`
	Interrupted bool         `json:"interrupted,omitempty"`
	Err         string       `json:"error,omitempty"`
	Rows        int64        `json:"rows"`
	Records     int64        `json:"records"`
}

type checkMeta struct {
	Name     string `json:"name"`
	Group    string `json:"group,omitempty"`
	Key      string `json:"key,omitempty"`
	Stat     string `json:"stat,omitempty"`
	Op       string `json:"op,omitempty"`
	Limit    jfloat `json:"limit"`
	Observed jfloat `json:"observed"`
	Passed   bool   `json:"passed"`
	Message  string `json:"message,omitempty"`
}

type deliveryMeta struct {
	Posts        int `json:"posts"`
	Acknowledged int `json:"acknowledged"`
	Failed       int `json:"failed"`
	NotSent      int `json:"not_sent,omitempty"`
	Retries      int `json:"retries"`
	RateLimited  int `json:"rate_limited"`
	Verified     int `json:"verified"`
	Missing      int `json:"missing"`
}

func toSummaryMeta(s heval.Summary) summaryMeta {
	m := summaryMeta{
		Finished: s.Finished.UTC(), Samples: s.Samples, Interrupted: s.Interrupted, Err: s.Err,
		Delivery: deliveryMeta(s.Delivery),
	}
	for _, c := range s.Checks {
		m.Checks = append(m.Checks, checkMeta{
			Name: c.Name, Group: c.Group, Key: c.Key, Stat: c.Stat, Op: c.Op,
			Limit: jfloat(c.Limit), Observed: jfloat(c.Observed), Passed: c.Passed, Message: c.Message,
		})
	}
	return m
}

func (m summaryMeta) summary() heval.Summary {
	s := heval.Summary{
		Finished: m.Finished.UTC(), Samples: m.Samples, Interrupted: m.Interrupted, Err: m.Err,
		Delivery: heval.DeliveryStats(m.Delivery),
	}
	for _, c := range m.Checks {
		s.Checks = append(s.Checks, heval.Check{
			Name: c.Name, Group: c.Group, Key: c.Key, Stat: c.Stat, Op: c.Op,
			Limit: float64(c.Limit), Observed: float64(c.Observed), Passed: c.Passed, Message: c.Message,
		})
	}
	return s
}

// flatRunMeta returns the flat key/value pairs that repeat the run's fields; empty values
// are left out.
func flatRunMeta(info heval.RunInfo) map[string]string {
	kv := map[string]string{
		MetaRunID:  info.RunID,
		MetaSource: info.Source, MetaVersion: info.Version,
		MetaGitCommit: info.GitCommit, MetaGitBranch: info.GitBranch, MetaCIJobID: info.CIJobID,
		MetaShard: info.Shard, MetaDryRun: strconv.FormatBool(info.DryRun),
	}
	if !info.Started.IsZero() {
		kv[MetaStarted] = info.Started.UTC().Format(time.RFC3339Nano)
	}
	for k, v := range kv {
		if v == "" {
			delete(kv, k)
		}
	}
	return kv
}

// jfloat is a float64 that survives JSON when it is NaN or infinite (written as the strings
// "NaN", "+Inf" and "-Inf").
type jfloat float64

// MarshalJSON implements json.Marshaler.
func (f jfloat) MarshalJSON() ([]byte, error) {
	v := float64(f)
	switch {
	case math.IsNaN(v):
		return []byte(`"NaN"`), nil
	case math.IsInf(v, 1):
		return []byte(`"+Inf"`), nil
	case math.IsInf(v, -1):
		return []byte(`"-Inf"`), nil
	}
	return strconv.AppendFloat(nil, v, 'g', -1, 64), nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (f *jfloat) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return err
		}
		*f = jfloat(v)
		return nil
	}
	var v float64
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*f = jfloat(v)
	return nil
}

// encodeJSON encodes one of the metadata types.
func encodeJSON(what string, v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("parquet: encoding the %s metadata: %w", what, err)
	}
	return string(b), nil
}
