package helicone

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Sentinel errors; test with errors.Is.
var (
	// ErrNoAPIKey: no API key was configured.
	ErrNoAPIKey = errors.New("no Helicone API key")
	// ErrInvalidAPIKey: the configured API key cannot be sent in a header.
	ErrInvalidAPIKey = errors.New("invalid Helicone API key")
	// ErrInsecureURL: the base URL is plain HTTP to a host that is not loopback.
	ErrInsecureURL = errors.New("insecure base URL")
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
	// ErrInvalidArgument: a call was refused by the client before anything was sent.
	ErrInvalidArgument = errors.New("invalid argument")
	// ErrInvalidFilter: a request or experiment filter the server would reject.
	ErrInvalidFilter = errors.New("invalid filter")
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
		slices.Sort(keys)
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
		return fmt.Sprintf("the server asked to retry after %s", e.RateLimit.RetryAfter)
	case e.Status == 429:
		return "the organization's request budget for this window is spent; retry later or lower the request rate"
	case e.Status == 413:
		return "the request body is too large for the server"
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

// newAPIError reads the server's message from raw, which must already be scrubbed of the key.
func newAPIError(method, path string, status int, raw []byte, rl RateLimit) *APIError {
	e := &APIError{Method: method, Path: path, Status: status, RateLimit: rl}
	var body struct {
		Error   json.RawMessage `json:"error"`
		Message json.RawMessage `json:"message"`
		Details json.RawMessage `json:"details"`
	}
	if json.Unmarshal(raw, &body) != nil {
		e.Message = snippet(raw)
		return e
	}
	var s string
	switch {
	case json.Unmarshal(body.Error, &s) == nil && s != "":
		e.Message = truncate(s, 500)
	case json.Unmarshal(body.Message, &s) == nil && s != "":
		e.Message = truncate(s, 500)
	case !IsJSONNull(body.Error):
		e.Message = snippet(body.Error)
	case !IsJSONNull(body.Message):
		e.Message = snippet(body.Message)
	}
	var details map[string]json.RawMessage
	if json.Unmarshal(body.Details, &details) == nil && len(details) > 0 {
		e.Details = make(map[string]string, len(details))
		for k, raw := range details {
			var d struct {
				Message string `json:"message"`
			}
			if json.Unmarshal(raw, &d) == nil && d.Message != "" {
				e.Details[k] = truncate(d.Message, 500)
			} else {
				e.Details[k] = snippet(raw)
			}
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
	// Body is the start of the answer, with the API key removed.
	Body string
	Err  error
	// damaged is true when the body is not valid JSON (truncated, HTML from a proxy...),
	// which may be transient; a well-formed body of the wrong shape is not.
	damaged bool
}

func (e *DecodeError) Error() string {
	if strings.HasPrefix(strings.TrimSpace(e.Body), "<") {
		return fmt.Sprintf("helicone: %s %s: the %d answer is an HTML page, not Helicone's JSON (a proxy, a captive portal or a wrong HELICONE_BASE_URL?), so it is not taken as an acknowledgement (body starts %q)", e.Method, e.Path, e.Status, e.Body)
	}
	return fmt.Sprintf("helicone: %s %s: %d answer could not be decoded: %v (body starts %q)", e.Method, e.Path, e.Status, e.Err, e.Body)
}

// Unwrap returns the underlying error.
func (e *DecodeError) Unwrap() error { return e.Err }

func (e *DecodeError) truncated() bool { return e.damaged }

// InvalidArgumentError is a call refused by the client before anything was sent: it names
// the argument and the offending value.
type InvalidArgumentError struct {
	// Arg names the argument ("requestID", "scoreKey", "limit", ...).
	Arg string
	// Value is the offending value as text.
	Value string
	// Reason says what is wrong and what is accepted.
	Reason string
}

func (e *InvalidArgumentError) Error() string {
	return fmt.Sprintf("helicone: %s %q: %s", e.Arg, e.Value, e.Reason)
}

// Is matches ErrInvalidArgument.
func (e *InvalidArgumentError) Is(target error) bool { return target == ErrInvalidArgument }

func snippet(b []byte) string { return truncate(strings.TrimSpace(string(b)), 200) }

// redact removes the API key from an error's text, should a transport ever echo it. The
// result does not unwrap to the original error, whose text still holds the key.
func redact(err error, r *Redactor) error {
	if err == nil || !r.Contains(err.Error()) {
		return err
	}
	return errors.New(r.String(err.Error()))
}

// scrub removes the API key (and any long part of it) from a server's body before any part
// of it is kept in an error.
func (c *Client) scrub(raw []byte) []byte { return c.redactor.Bytes(raw) }

// scrubErr is the last line of defence: an error whose text contains the key, or a long
// part of it, is replaced by a copy without it. Typed errors are rebuilt so that callers can
// still inspect them.
func (c *Client) scrubErr(err error) error {
	if err == nil || !c.redactor.Contains(err.Error()) {
		return err
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		cp := *apiErr
		cp.Message = c.redactor.String(cp.Message)
		if cp.Details != nil {
			cp.Details = make(map[string]string, len(apiErr.Details))
			for k, v := range apiErr.Details {
				cp.Details[c.redactor.String(k)] = c.redactor.String(v)
			}
		}
		if !c.redactor.Contains(cp.Error()) {
			return &cp
		}
		// The request path can hold a coincidental run of the key's characters: keep the
		// typed error inspectable, with the text redacted.
		return &redactedError{msg: c.redactor.String(err.Error()), cause: &cp}
	}
	return redact(err, c.redactor)
}

// redactedError is an error whose text was redacted; it unwraps to the typed error it was
// made from, itself with its messages redacted.
type redactedError struct {
	msg   string
	cause error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.cause }
