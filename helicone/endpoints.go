package helicone

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
)

var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// IsUUID reports whether s is a UUID in its canonical 8-4-4-4-12 form. Helicone request ids
// are always UUIDs; the server silently ignores scores for anything else.
func IsUUID(s string) bool { return uuidRE.MatchString(s) }

// InvalidScoreError is a score write refused by the client before anything was sent.
type InvalidScoreError struct {
	RequestID string
	Key       string
	Reason    string
}

func (e *InvalidScoreError) Error() string {
	if e.Key == "" {
		return fmt.Sprintf("helicone: score for request %q not sent: %s", e.RequestID, e.Reason)
	}
	return fmt.Sprintf("helicone: score %q for request %q not sent: %s", e.Key, e.RequestID, e.Reason)
}

// ErrInvalidScore matches every *InvalidScoreError with errors.Is.
var ErrInvalidScore = errors.New("invalid score")

// Is matches ErrInvalidScore.
func (e *InvalidScoreError) Is(target error) bool { return target == ErrInvalidScore }

// ValidateScores checks a score write before it is sent: the request id must be a UUID,
// every key non-empty.
func ValidateScores(requestID string, scores Scores) error {
	if !IsUUID(requestID) {
		return &InvalidScoreError{RequestID: requestID, Reason: "the request id is not a UUID (Helicone would accept the write and silently drop it)"}
	}
	for k := range scores {
		if k == "" {
			return &InvalidScoreError{RequestID: requestID, Reason: "a score key is empty"}
		}
	}
	return nil
}

// AddScores writes scores to one request (POST /v1/request/{requestId}/score). All keys go
// out in one call; the server merges per key. A nil error means the server acknowledged the
// write; it may still drop it later (see [Client.GetExperimentScore] to read it back).
func (c *Client) AddScores(ctx context.Context, requestID string, scores Scores) (RateLimit, error) {
	if err := ValidateScores(requestID, scores); err != nil {
		return RateLimit{}, err
	}
	if scores == nil {
		scores = Scores{}
	}
	body := struct {
		Scores Scores `json:"scores"`
	}{scores}
	return c.do(ctx, "POST", "/v1/request/"+url.PathEscape(requestID)+"/score", body, nil)
}

// GetExperimentScore reads one stored score (GET /v2/experiment/{experimentId}/{requestId}/{scoreKey}).
// It returns nil, nil when the score does not exist. Boolean scores are stored under
// key+[BoolSuffix].
func (c *Client) GetExperimentScore(ctx context.Context, experimentID, requestID, scoreKey string) (*StoredScore, error) {
	var out *StoredScore
	path := "/v2/experiment/" + url.PathEscape(experimentID) + "/" + url.PathEscape(requestID) + "/" + url.PathEscape(scoreKey)
	if _, err := c.do(ctx, "GET", path, nil, &out); err != nil {
		return nil, err
	}
	return out, nil
}
