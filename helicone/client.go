package helicone

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// Base URLs of hosted Helicone.
const (
	USBaseURL = "https://api.helicone.ai"
	EUBaseURL = "https://eu.api.helicone.ai"
)

// Environment variables read by [NewClient] when no option overrides them.
const (
	EnvAPIKey  = "HELICONE_API_KEY"
	EnvBaseURL = "HELICONE_BASE_URL"
)

// Client talks to one Helicone API server with one API key. It is safe for concurrent use.
type Client struct {
	baseURL  *url.URL
	apiKey   string
	http     *http.Client
	insecure bool
	logger   *slog.Logger
	retry    RetryPolicy
	limits   *rateLimitState
}

// Option configures a [Client].
type Option func(*Client) error

// WithAPIKey sets the API key (default: $HELICONE_API_KEY).
func WithAPIKey(key string) Option {
	return func(c *Client) error { c.apiKey = strings.TrimSpace(key); return nil }
}

// WithBaseURL sets the API base URL (default: $HELICONE_BASE_URL, else the US URL), for
// example a self-hosted "http://localhost:8585".
func WithBaseURL(raw string) Option {
	return func(c *Client) error {
		u, err := parseBaseURL(raw)
		if err != nil {
			return err
		}
		c.baseURL = u
		return nil
	}
}

// WithEU points the client at Helicone's EU region.
func WithEU() Option { return WithBaseURL(EUBaseURL) }

// WithHTTPClient makes the client send its requests through hc.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) error {
		if hc == nil {
			return errors.New("helicone: WithHTTPClient(nil)")
		}
		c.http = hc
		return nil
	}
}

// WithInsecure allows sending the API key over plain HTTP to a host that is not loopback.
func WithInsecure() Option { return func(c *Client) error { c.insecure = true; return nil } }

// WithLogger sets the logger for retries and rate-limit waits (default: discard).
func WithLogger(l *slog.Logger) Option {
	return func(c *Client) error {
		if l != nil {
			c.logger = l
		}
		return nil
	}
}

// WithRetry sets the retry policy (default: [DefaultRetryPolicy]).
func WithRetry(p RetryPolicy) Option { return func(c *Client) error { c.retry = p; return nil } }

// NewClient returns a client configured by opts, with defaults from the environment.
func NewClient(opts ...Option) (*Client, error) {
	c := &Client{
		apiKey: strings.TrimSpace(os.Getenv(EnvAPIKey)),
		http:   &http.Client{Timeout: 60 * time.Second},
		logger: slog.New(slog.DiscardHandler),
		retry:  DefaultRetryPolicy(),
		limits: &rateLimitState{},
	}
	base := os.Getenv(EnvBaseURL)
	if base == "" {
		base = USBaseURL
	}
	u, err := parseBaseURL(base)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", EnvBaseURL, err)
	}
	c.baseURL = u
	for _, o := range opts {
		if err := o(c); err != nil {
			return nil, err
		}
	}
	if c.apiKey == "" {
		return nil, fmt.Errorf("helicone: %w: set %s or pass WithAPIKey", ErrNoAPIKey, EnvAPIKey)
	}
	if c.baseURL.Scheme != "https" && !c.insecure && !isLoopback(c.baseURL.Hostname()) {
		return nil, fmt.Errorf("helicone: refusing to send the API key over plain HTTP to %s: use https, a loopback address, or WithInsecure", c.baseURL.Host)
	}
	return c, nil
}

// BaseURL returns the API base URL the client talks to.
func (c *Client) BaseURL() string { return c.baseURL.String() }

func parseBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(strings.TrimSpace(raw), "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("helicone: base URL %q is not an http(s) URL such as %s", raw, USBaseURL)
	}
	return u, nil
}

func isLoopback(host string) bool {
	switch host {
	case "localhost", "127.0.0.1", "::1":
		return true
	}
	return strings.HasPrefix(host, "127.")
}

// envelope is the {"data": ..., "error": ...} wrapper of every controller answer.
type envelope struct {
	Data  json.RawMessage `json:"data"`
	Error json.RawMessage `json:"error"`
}

// do sends one request (with retries per the policy) and decodes the envelope's data into
// out (which may be nil). It returns the rate-limit state of the last answer.
func (c *Client) do(ctx context.Context, method, path string, body any, out any) (RateLimit, error) {
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return RateLimit{}, fmt.Errorf("helicone: encoding %s %s: %w", method, path, err)
		}
	}
	return c.withRetries(ctx, method, path, func(ctx context.Context) (RateLimit, bool, error) {
		return c.once(ctx, method, path, payload, out)
	})
}

// once sends one attempt; retryable reports whether the failure may be retried.
func (c *Client) once(ctx context.Context, method, path string, payload []byte, out any) (rl RateLimit, retryable bool, err error) {
	u := c.baseURL.JoinPath(path)
	var rd io.Reader
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return rl, false, fmt.Errorf("helicone: %s %s: %w", method, path, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.apiKey)
	req.Header.Set("Accept", "application/json")
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return rl, false, ctx.Err()
		}
		return rl, true, &TransportError{Method: method, Path: path, Err: redact(err, c.apiKey)}
	}
	defer resp.Body.Close()
	rl = parseRateLimit(resp.Header, time.Now())
	c.limits.update(rl)
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return rl, true, &TransportError{Method: method, Path: path, Err: redact(err, c.apiKey)}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		apiErr := newAPIError(method, path, resp.StatusCode, raw, rl)
		return rl, apiErr.Retryable(), apiErr
	}
	if out == nil {
		return rl, false, nil
	}
	var env envelope
	if err := json.Unmarshal(raw, &env); err != nil {
		return rl, true, &DecodeError{Method: method, Path: path, Status: resp.StatusCode, Err: err, Body: snippet(raw)}
	}
	if !IsJSONNull(env.Error) {
		return rl, false, newAPIError(method, path, resp.StatusCode, raw, rl)
	}
	if IsJSONNull(env.Data) {
		return rl, false, nil
	}
	if err := json.Unmarshal(env.Data, out); err != nil {
		return rl, false, &DecodeError{Method: method, Path: path, Status: resp.StatusCode, Err: err, Body: snippet(raw)}
	}
	return rl, false, nil
}

const maxResponseBytes = 1 << 30
