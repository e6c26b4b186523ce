package helicone_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/helicone"
)

// testKey is recognisable so that tests can search every output for it.
const testKey = "sk-helicone-test-SECRET-7f3a9c-keyvalue"

// seen is one request as the scripted server received it.
type seen struct {
	Method, Path, RawPath string
	Auth, ContentType     string
	Body                  string
}

// script is an httptest server on 127.0.0.1 that answers the i-th request with the i-th
// handler (the last one repeats) and records every request.
type script struct {
	srv      *httptest.Server
	mu       sync.Mutex
	handlers []http.HandlerFunc
	reqs     []seen
}

func newScript(handlers ...http.HandlerFunc) *script {
	s := &script{handlers: handlers}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		s.mu.Lock()
		i := len(s.reqs)
		s.reqs = append(s.reqs, seen{Method: r.Method, Path: r.URL.Path, RawPath: r.URL.EscapedPath(), Auth: r.Header.Get("Authorization"), ContentType: r.Header.Get("Content-Type"), Body: string(body)})
		h := s.handlers[min(i, len(s.handlers)-1)]
		s.mu.Unlock()
		h(w, r)
	}))
	DeferCleanup(s.srv.Close)
	return s
}

func (s *script) requests() []seen {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]seen(nil), s.reqs...)
}

// reply answers with status, body and optional header pairs.
func reply(status int, body string, headers ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		if body != "" && w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

// hangup closes the connection without an answer.
func hangup() http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			_ = conn.Close()
		}
	}
}

// truncated announces a longer body than it sends, then hangs up.
func truncated(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", "4096")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			_ = conn.Close()
		}
	}
}

// fastRetry keeps retrying tests quick.
func fastRetry() helicone.RetryPolicy {
	return helicone.RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond, MaxRetryAfter: 5 * time.Millisecond}
}

// attempts records what the observer saw.
type attempts struct {
	mu   sync.Mutex
	list []helicone.Attempt
}

func (a *attempts) observe(x helicone.Attempt) {
	a.mu.Lock()
	a.list = append(a.list, x)
	a.mu.Unlock()
}

func (a *attempts) all() []helicone.Attempt {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]helicone.Attempt(nil), a.list...)
}

func newClient(s *script, opts ...helicone.Option) *helicone.Client {
	all := append([]helicone.Option{helicone.WithAPIKey(testKey), helicone.WithBaseURL(s.srv.URL), helicone.WithRetry(fastRetry())}, opts...)
	c, err := helicone.NewClient(all...)
	Expect(err).NotTo(HaveOccurred())
	return c
}

const (
	reqID  = "0b7e3a52-6c1d-4f7e-9a0b-1c2d3e4f5a6b"
	reqID2 = "1c8f4b63-7d2e-4a8f-8b1c-2d3e4f5a6b7c"
	expID  = "4b0c2f4e-9a55-4c1e-8d1a-3f6f2b7c9e10"
)

func newTextLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// queryRows collects every request of q, stopping at the first error.
func queryRows(c *helicone.Client, q helicone.RequestQuery) ([]helicone.Request, error) {
	var out []helicone.Request
	for r, err := range c.Requests(ctx, q) {
		if err != nil {
			return out, err
		}
		out = append(out, r)
	}
	return out, nil
}
