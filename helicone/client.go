package helicone

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
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

// userAgent identifies the client to the server.
const userAgent = "heval-helicone-go"

// Client talks to one Helicone API server with one API key. It is safe for concurrent use.
type Client struct {
	baseURL *url.URL
	// base is what a plain path is appended to (see [Client.url]); empty when every path
	// goes through URL.JoinPath.
	base     string
	apiKey   string
	redactor *Redactor
	timeouts Timeouts
	http     *http.Client
	insecure bool
	logger   *slog.Logger
	retry    RetryPolicy
	limits   *rateLimitState
	observer func(Attempt)
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

// WithHTTPClient makes the client send its requests through hc. The client's redirect
// policy is then hc's own: make sure it does not follow a redirect from HTTPS to HTTP.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) error {
		if hc == nil {
			return errors.New("helicone: WithHTTPClient(nil): pass an *http.Client or leave the option out")
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

// WithObserver makes the client call fn after every HTTP attempt, successful or not, with
// what happened and whether (and when) it will retry. Use it to count retries, 429s and
// latencies. fn is called synchronously from the goroutine that made the call, so it must
// be quick and safe for concurrent use.
func WithObserver(fn func(Attempt)) Option {
	return func(c *Client) error { c.observer = fn; return nil }
}

// NewClient returns a client configured by opts, with defaults from the environment.
//
// It refuses to start without an API key, with a key that contains spaces or control
// characters, and with a plain-HTTP base URL whose host is not loopback (unless
// [WithInsecure] is given), so that the key never travels in clear text by accident.
func NewClient(opts ...Option) (*Client, error) {
	c := &Client{
		apiKey: strings.TrimSpace(os.Getenv(EnvAPIKey)),
		logger: slog.New(slog.DiscardHandler),
		retry:  DefaultRetryPolicy(),
		limits: &rateLimitState{},
	}
	base := os.Getenv(EnvBaseURL)
	if strings.TrimSpace(base) == "" {
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
	c.redactor = NewRedactor(c.apiKey)
	if !validKey(c.apiKey) {
		return nil, fmt.Errorf("helicone: %w: the API key contains spaces or control characters; copy it again from the Helicone settings page", ErrInvalidAPIKey)
	}
	if c.baseURL.Scheme != "https" && !c.insecure && !isLoopback(c.baseURL.Hostname()) {
		return nil, fmt.Errorf("helicone: %w: refusing to send the API key over plain HTTP to %s: use https, a loopback address, or WithInsecure (heval: --insecure)", ErrInsecureURL, c.baseURL.Host)
	}
	c.base = plainBase(c.baseURL)
	c.timeouts = c.timeouts.withDefaults()
	if c.http == nil {
		c.http = c.defaultHTTPClient()
	}
	return c, nil
}

// checkRedirect refuses a redirect that would carry the key over plain HTTP.
func (c *Client) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 5 {
		return errors.New("stopped after 5 redirects")
	}
	if req.URL.Scheme != "https" && !c.insecure && !isLoopback(req.URL.Hostname()) {
		return fmt.Errorf("refusing a redirect to plain HTTP (%s)", req.URL.Host)
	}
	return nil
}

// BaseURL returns the API base URL the client talks to.
func (c *Client) BaseURL() string { return c.baseURL.String() }

// SendsKeyInClear reports whether the client sends its API key over plain HTTP to a host
// that is not loopback, which only [WithInsecure] allows.
func (c *Client) SendsKeyInClear() bool {
	return c.baseURL.Scheme != "https" && !isLoopback(c.baseURL.Hostname())
}

// KeyFingerprint identifies the client's API key without revealing it: the first 12 hex
// digits of its SHA-256. Journals record it to tell runs with different keys (and so,
// usually, different organizations) apart.
func (c *Client) KeyFingerprint() string {
	sum := sha256.Sum256([]byte(c.apiKey))
	return hex.EncodeToString(sum[:6])
}

// Loopback reports whether the client talks to a server on this machine (a loopback
// address, such as a local emulator), where answers are quick and writes land at once.
func (c *Client) Loopback() bool { return isLoopback(c.baseURL.Hostname()) }

func parseBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(strings.TrimSpace(raw), "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return nil, fmt.Errorf("helicone: base URL %q is not an http(s) URL without credentials, such as %s", redactURL(raw), USBaseURL)
	}
	u.RawQuery, u.Fragment = "", ""
	return u, nil
}

// plainBase is the string that [plainPath] paths are appended to for the address that
// u.JoinPath(path) makes, or "" when u has no such string.
func plainBase(u *url.URL) string {
	if base, ok := strings.CutSuffix(u.JoinPath("/x").String(), "/x"); ok {
		return base
	}
	return ""
}

// plainPath reports whether URL.JoinPath leaves p as it is: it starts with a slash, and
// its segments are non-empty, neither "." nor "..", and made of characters that need no
// escaping (the paths of the API's routes, with UUIDs and ids in them).
func plainPath(p string) bool {
	if len(p) < 2 || p[0] != '/' {
		return false
	}
	seg := 0 // length of the current segment
	dots := 0
	for i := 1; i <= len(p); i++ {
		if i == len(p) || p[i] == '/' {
			if seg == 0 || dots == seg && seg <= 2 {
				return false
			}
			seg, dots = 0, 0
			continue
		}
		switch c := p[i]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '~':
		case c == '.':
			dots++
		default:
			return false
		}
		seg++
	}
	return true
}

// url is the address of path (a route of the API, escaped) under the base URL, as
// URL.JoinPath makes it.
func (c *Client) url(path string) string {
	if c.base != "" && plainPath(path) {
		return c.base + path
	}
	return c.baseURL.JoinPath(path).String()
}

// redactURL hides user information in a URL that is about to appear in an error.
func redactURL(raw string) string {
	if u, err := url.Parse(strings.TrimSpace(raw)); err == nil && u.User != nil {
		u.User = url.User("REDACTED")
		return u.String()
	}
	if i := strings.Index(raw, "@"); i >= 0 {
		return "…" + raw[i:]
	}
	return raw
}

func validKey(k string) bool {
	for _, r := range k {
		if r <= ' ' || r == 0x7f {
			return false
		}
	}
	return true
}

func isLoopback(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// call is one logical API call, possibly sent several times.
type call struct {
	method, path string
	payload      []byte
	out          any
	// data, when set, decodes the answer's data in place of out; streamed lifts the bound
	// on the whole answer (each value data marks is bounded instead), and restartable, when
	// set, says whether an attempt that failed with a retryable error may be made again
	// (a streamed answer already handed on in part must be resumable).
	data        dataFunc
	streamed    bool
	restartable func(error) bool
	// retryAPI overrides the default retry decision for an API error; attempt counts from 1.
	retryAPI func(e *APIError, attempt int) bool
	// send, when set, makes one attempt in place of a request to the API (for calls to
	// other hosts, such as signed body URLs); it reports as once does.
	send func(ctx context.Context) (rl RateLimit, status int, retryable bool, err error)
}

// do sends one request (with retries per the policy) and decodes the envelope's data into
// out (which may be nil). It returns the rate-limit state of the last answer.
func (c *Client) do(ctx context.Context, method, path string, body any, out any) (RateLimit, error) {
	return c.doCall(ctx, call{method: method, path: path, out: out}, body)
}

// doCall sends cl with retries; a non-nil body is encoded with encoding/json into cl.payload
// (a caller that encodes its own body sets cl.payload and passes a nil body).
func (c *Client) doCall(ctx context.Context, cl call, body any) (RateLimit, error) {
	if body != nil {
		payload, err := json.Marshal(body)
		if err != nil {
			return RateLimit{}, fmt.Errorf("helicone: encoding %s %s: %w", cl.method, cl.path, err)
		}
		cl.payload = payload
	}
	rl, err := c.withRetries(ctx, cl)
	return rl, c.scrubErr(err)
}

// once sends one attempt; retryable reports whether the failure may be retried. The body
// is re-read from payload on every attempt.
func (c *Client) once(ctx context.Context, cl call) (rl RateLimit, status int, retryable bool, err error) {
	method, path := cl.method, cl.path
	var rd io.Reader
	if cl.payload != nil {
		rd = bytes.NewReader(cl.payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.url(path), rd)
	if err != nil {
		return rl, 0, false, fmt.Errorf("helicone: %s %s: %w", method, path, err)
	}
	// The names are canonical already (Header.Set would canonicalize each on every call).
	req.Header["Authorization"] = []string{"Bearer " + c.apiKey}
	req.Header["Accept"] = []string{"application/json"}
	req.Header["User-Agent"] = []string{userAgent}
	if cl.payload != nil {
		req.Header["Content-Type"] = []string{"application/json"}
	}
	resp, err := c.send(req)
	if err != nil {
		if ctx.Err() != nil {
			return rl, 0, false, fmt.Errorf("helicone: %s %s: %w", method, path, context.Cause(ctx))
		}
		return rl, 0, true, &TransportError{Method: method, Path: path, Err: redact(err, c.redactor)}
	}
	defer resp.Body.Close()
	rl = parseRateLimit(resp.Header, time.Now())
	c.limits.update(rl)
	readFailure := func(err error) (RateLimit, int, bool, error) {
		if ctx.Err() != nil {
			return rl, resp.StatusCode, false, fmt.Errorf("helicone: %s %s: %w", method, path, context.Cause(ctx))
		}
		return rl, resp.StatusCode, true, &TransportError{Method: method, Path: path, Err: redact(fmt.Errorf("reading the %d answer: %w", resp.StatusCode, err), c.redactor)}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
		if err != nil {
			return readFailure(err)
		}
		apiErr := newAPIError(method, path, resp.StatusCode, c.scrub(raw), rl)
		c.classify(apiErr)
		return rl, resp.StatusCode, apiErr.Retryable(), apiErr
	}
	data, limit := cl.data, int64(0)
	if data == nil && cl.out != nil {
		data = intoValue(cl.out)
	}
	var r io.Reader = io.LimitReader(resp.Body, maxResponseBytes)
	if cl.streamed {
		r, limit = resp.Body, maxValueBytes
	}
	body := &bodyReader{r: r}
	err = c.decodeBody(method, path, resp.StatusCode, body, rl, data, limit)
	if body.err != nil {
		return readFailure(body.err)
	}
	if err != nil {
		var de *DecodeError
		return rl, resp.StatusCode, errors.As(err, &de) && de.truncated(), err
	}
	return rl, resp.StatusCode, false, nil
}

// maxResponseBytes bounds an answer that is decoded whole.
const maxResponseBytes = 1 << 30
