package helicone

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/heval-dev/heval/internal/idkey"
)

// IsUUID reports whether s is a UUID in its canonical 8-4-4-4-12 form. Helicone request ids
// are always UUIDs; the server silently ignores scores for anything else.
func IsUUID(s string) bool { return idkey.IsUUID(s) }

// InvalidScoreError is a score write refused by the client before anything was sent. It
// names the request, the key and the value.
type InvalidScoreError struct {
	RequestID string
	Key       string
	// Value is the value sent under Key as text, empty when the error concerns the request.
	Value  string
	Reason string
}

func (e *InvalidScoreError) Error() string {
	switch {
	case e.Value != "":
		return fmt.Sprintf("helicone: score %q = %s for request %q not sent: %s", e.Key, e.Value, e.RequestID, e.Reason)
	case e.Key != "":
		return fmt.Sprintf("helicone: score %q for request %q not sent: %s", e.Key, e.RequestID, e.Reason)
	}
	return fmt.Sprintf("helicone: scores for request %q not sent: %s", e.RequestID, e.Reason)
}

// ErrInvalidScore matches every *InvalidScoreError with errors.Is.
var ErrInvalidScore = errors.New("invalid score")

// Is matches ErrInvalidScore.
func (e *InvalidScoreError) Is(target error) bool { return target == ErrInvalidScore }

// ValidateScores checks a score write before it is sent: the request id must be a UUID,
// every key non-empty and free of surrounding spaces and control characters, and no
// boolean key may collide with an integer key named key+[BoolSuffix] (both would be stored
// under the same key). Values are int64 or bool by construction ([ScoreValue]).
func ValidateScores(requestID string, scores Scores) error {
	if !IsUUID(requestID) {
		return &InvalidScoreError{RequestID: requestID, Reason: "the request id is not a UUID (Helicone would accept the write and silently drop it); use the Helicone-Id of the logged request"}
	}
	// Most writes are valid: their keys are checked in map order, and only a write with a
	// fault is checked again in key order, so that its error names the same key every time.
	valid := true
	for k, v := range scores {
		if scoreFault(scores, k, v) != "" {
			valid = false
			break
		}
	}
	if valid {
		return nil
	}
	for _, k := range slices.Sorted(maps.Keys(scores)) {
		v := scores[k]
		if why := scoreFault(scores, k, v); why != "" {
			return &InvalidScoreError{RequestID: requestID, Key: k, Value: v.String(), Reason: why}
		}
	}
	return nil
}

// scoreFault is why ValidateScores refuses key k with value v of scores, or "" when it
// accepts it.
func scoreFault(scores Scores, k string, v ScoreValue) string {
	switch {
	case k == "":
		return "the score key is empty"
	case k[0] <= ' ' || k[len(k)-1] <= ' ' || k[0] >= utf8.RuneSelf || k[len(k)-1] >= utf8.RuneSelf:
		// An end that may be a space, ASCII or not: checked exactly.
		if strings.TrimSpace(k) != k {
			return "the score key starts or ends with a space"
		}
	}
	// A control character is a byte: no byte of a multi-byte UTF-8 sequence is below 0x80.
	for i := 0; i < len(k); i++ {
		if c := k[i]; c < ' ' || c == 0x7f {
			return "the score key contains a control character"
		}
	}
	if v.IsBool() {
		if other, ok := scores[k+BoolSuffix]; ok && !other.IsBool() {
			return fmt.Sprintf("Helicone stores a boolean under %q, which the integer score of that name in the same write would overwrite", k+BoolSuffix)
		}
	}
	return ""
}

// AddScores writes scores to one request (POST /v1/request/{requestId}/score). All keys go
// out in one call; the server merges per key, so a retried write is harmless. A nil error
// means the server acknowledged the write; it may still drop it later (see
// [Client.GetExperimentScore] to read it back).
func (c *Client) AddScores(ctx context.Context, requestID string, scores Scores) (RateLimit, error) {
	if err := ValidateScores(requestID, scores); err != nil {
		return RateLimit{}, err
	}
	// {"scores":{...}}, as encoding/json writes it, without reflection or a second pass.
	payload := append(make([]byte, 0, len(`{"scores":}`)+scores.jsonSize()), `{"scores":`...)
	if scores != nil {
		payload = scores.AppendJSON(payload)
	} else {
		payload = append(payload, "{}"...)
	}
	payload = append(payload, '}')
	// The answer must be Helicone's envelope: a 2xx HTML page from a proxy or captive portal
	// is not an acknowledgement.
	var ack json.RawMessage
	return c.doCall(ctx, call{method: "POST", path: "/v1/request/" + url.PathEscape(requestID) + "/score", out: &ack, payload: payload}, nil)
}

// GetExperimentScore reads one stored score (GET /v2/experiment/{experimentId}/{requestId}/{scoreKey}).
// It returns nil, nil when the score does not exist. Boolean scores are stored under
// key+[BoolSuffix]. The request id must be a UUID and the key non-empty; a key named
// "scores" cannot be read through this route (the server routes it elsewhere).
func (c *Client) GetExperimentScore(ctx context.Context, experimentID, requestID, scoreKey string) (*StoredScore, error) {
	if err := checkSegment("experimentID", experimentID); err != nil {
		return nil, err
	}
	if !IsUUID(requestID) {
		return nil, &InvalidArgumentError{Arg: "requestID", Value: requestID, Reason: "not a UUID; Helicone request ids are UUIDs"}
	}
	if err := checkSegment("scoreKey", scoreKey); err != nil {
		return nil, err
	}
	if scoreKey == "scores" {
		return nil, &InvalidArgumentError{Arg: "scoreKey", Value: scoreKey, Reason: `a score named "scores" cannot be read through this route (the server routes it elsewhere); read it with a request query instead`}
	}
	var out *StoredScore
	path := "/v2/experiment/" + url.PathEscape(experimentID) + "/" + url.PathEscape(requestID) + "/" + url.PathEscape(scoreKey)
	if _, err := c.do(ctx, "GET", path, nil, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// checkSegment refuses a path segment that would change the route.
func checkSegment(arg, v string) error {
	switch {
	case v == "":
		return &InvalidArgumentError{Arg: arg, Value: v, Reason: "must not be empty"}
	case v == "." || v == "..":
		return &InvalidArgumentError{Arg: arg, Value: v, Reason: "is a path segment that would change the route"}
	}
	return nil
}
