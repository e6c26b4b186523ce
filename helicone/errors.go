package helicone

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors; test with errors.Is.
var (
	// ErrNoAPIKey: no API key was configured.
	ErrNoAPIKey = errors.New("no Helicone API key")
	// ErrUnauthorized: the server answered 401 (no key, or a key it does not know).
	ErrUnauthorized = errors.New("unauthorized")
	// ErrRateLimited: the server answered 429.
	ErrRateLimited = errors.New("rate limited")
	// ErrValidation: the server rejected the body (422).
	ErrValidation = errors.New("request rejected by validation")
	// ErrServer: the server answered 5xx.
	ErrServer = errors.New("server error")
	// ErrExperimentsUnavailable: the experiment query answered the generic 500
	// "Not implemented", as hosted Helicone does since Experiments were deprecated.
	ErrExperimentsUnavailable = errors.New("the Helicone experiments API is unavailable on this server")
)

// APIError is a non-2xx answer (or a 2xx whose envelope carries an error). It carries the
// status and the server's message, never the API key.
type APIError struct {
	Method, Path string
	Status       int
	// Message is the server's own error text ("No API key found", "Validation Failed", ...).
	Message string
	// Details holds the per-field messages of a 422.
	Details map[string]string
	// RateLimit is the rate-limit state announced with the answer.
	RateLimit RateLimit
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "helicone: %s %s: %d", e.Method, e.Path, e.Status)
	if e.Message != "" {
		fmt.Fprintf(&b, " %s", e.Message)
	}
	if len(e.Details) > 0 {
		keys := make([]string, 0, len(e.Details))
		for k := range e.Details {
			keys = append(keys, k)
		}
		sortStrings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, "; %s: %s", k, e.Details[k])
		}
	}
	if hint := e.hint(); hint != "" {
		fmt.Fprintf(&b, " (%s)", hint)
	}
	return b.String()
}

func (e *APIError) hint() string {
	switch {
	case e.Status == 401:
		return "check HELICONE_API_KEY and that it belongs to this region's server"
	case e.Status == 429 && e.RateLimit.RetryAfter > 0:
		return fmt.Sprintf("retry after %s", e.RateLimit.RetryAfter)
	}
	return ""
}

// Unwrap lets errors.Is match the sentinel for the status.
func (e *APIError) Unwrap() error {
	switch {
	case e.Status == 401 || e.Status == 403:
		return ErrUnauthorized
	case e.Status == 429:
		return ErrRateLimited
	case e.Status == 422:
		return ErrValidation
	case e.Status >= 500:
		return ErrServer
	}
	return nil
}

// Retryable reports whether the same request may succeed later: 408, 429 and 5xx except 501.
func (e *APIError) Retryable() bool {
	return e.Status == 408 || e.Status == 429 || (e.Status >= 500 && e.Status != 501)
}

func newAPIError(method, path string, status int, raw []byte, rl RateLimit) *APIError {
	e := &APIError{Method: method, Path: path, Status: status, RateLimit: rl}
	var body struct {
		Error   json.RawMessage `json:"error"`
		Message string          `json:"message"`
		Details json.RawMessage `json:"details"`
	}
	if json.Unmarshal(raw, &body) != nil {
		e.Message = snippet(raw)
		return e
	}
	var s string
	if json.Unmarshal(body.Error, &s) == nil && s != "" {
		e.Message = s
	} else if body.Message != "" {
		e.Message = body.Message
	} else if !IsJSONNull(body.Error) {
		e.Message = snippet(body.Error)
	}
	var details map[string]struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(body.Details, &details) == nil && len(details) > 0 {
		e.Details = make(map[string]string, len(details))
		for k, v := range details {
			e.Details[k] = v.Message
		}
	}
	return e
}

// TransportError is a failure to reach the server or read its answer.
type TransportError struct {
	Method, Path string
	Err          error
}

func (e *TransportError) Error() string {
	return fmt.Sprintf("helicone: %s %s: %v", e.Method, e.Path, e.Err)
}

// Unwrap returns the underlying error.
func (e *TransportError) Unwrap() error { return e.Err }

// DecodeError is a 2xx answer whose body could not be decoded.
type DecodeError struct {
	Method, Path string
	Status       int
	Body         string
	Err          error
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("helicone: %s %s: %d answer could not be decoded: %v (body starts %q)", e.Method, e.Path, e.Status, e.Err, e.Body)
}

// Unwrap returns the underlying error.
func (e *DecodeError) Unwrap() error { return e.Err }

func snippet(b []byte) string { return truncate(strings.TrimSpace(string(b)), 200) }

// redact removes the API key from an error's text, should a transport ever echo it.
func redact(err error, key string) error {
	if err == nil || key == "" || !strings.Contains(err.Error(), key) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), key, "[REDACTED]"))
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
