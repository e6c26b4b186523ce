// Package judgetest is a fake OpenAI-compatible chat completions server for testing LLM
// judges without a network or a model. It listens on 127.0.0.1, answers deterministically,
// and can be told to answer malformed JSON, to be slow, to answer 429 with Retry-After or
// to fail with 500 or 400, so that retries, timeouts and caching can be tested.
package judgetest

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Mode is how the server answers once its scripted first answers are spent.
type Mode int

// The modes.
const (
	// AnswerWell answers {"score": n, "reason": "..."} with n derived from the prompt
	// (see [DeriveScore]).
	AnswerWell Mode = iota
	// Malformed answers content that is not a valid score object, cycling through a
	// truncated object, an out-of-range score and prose.
	Malformed
	// Slow waits Options.Delay (or until the client gives up), then answers well.
	Slow
	// RateLimited answers 429 with Retry-After.
	RateLimited
	// ServerError answers 500.
	ServerError
	// BadRequest answers 400, as an API does for a request it rejects.
	BadRequest
)

// Options configure a [Server].
type Options struct {
	// Mode is the behaviour after the scripted answers below.
	Mode Mode
	// RateLimitFirst, ServerErrorFirst and MalformedFirst script the first calls: that many
	// 429 answers, then that many 500 answers, then that many malformed answers.
	RateLimitFirst, ServerErrorFirst, MalformedFirst int
	// RetryAfter is the wait a 429 asks for (default 10ms), sent as retry-after-ms and as
	// Retry-After in (fractional) seconds.
	RetryAfter time.Duration
	// OnlyRetryAfterSeconds sends Retry-After (whole seconds, rounded up) without
	// retry-after-ms.
	OnlyRetryAfterSeconds bool
	// Delay is how long Slow waits (default 5s).
	Delay time.Duration
	// Score, when set, replaces [DeriveScore].
	Score func(system, user string) int
	// CompletionTokens is the completion usage reported per answer (default 20).
	CompletionTokens int
}

// Message is one chat message of a request.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Request is what the server received in one call.
type Request struct {
	Model    string
	Messages []Message
	// ResponseFormat is the response_format type ("json_object", "json_schema" or "").
	ResponseFormat string
	// Authorized is true when the call carried a bearer token.
	Authorized bool
}

// Server is a running fake API. Its URL is the base URL to give a judge.
type Server struct {
	// URL is the base URL of the API, ending in /v1.
	URL string

	opts Options
	srv  *httptest.Server

	mu       sync.Mutex
	calls    int
	requests []Request
}

// NewServer starts a fake server on 127.0.0.1. Close it when done.
func NewServer(opts Options) *Server {
	if opts.RetryAfter <= 0 {
		opts.RetryAfter = 10 * time.Millisecond
	}
	if opts.Delay <= 0 {
		opts.Delay = 5 * time.Second
	}
	if opts.CompletionTokens <= 0 {
		opts.CompletionTokens = 20
	}
	if opts.Score == nil {
		opts.Score = DeriveScore
	}
	s := &Server{opts: opts}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/chat/completions", s.chat)
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL + "/v1"
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Calls returns how many chat completion requests the server received.
func (s *Server) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// Requests returns the requests received, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

var rangeRE = regexp.MustCompile(`Score range: (-?\d+) to (-?\d+)`)

// DeriveScore is the score the server gives when it answers well: a number in the range
// announced by the system prompt's "Score range: A to B" (0 to 100 when absent) derived
// from a SHA-256 of the first user message, so the same prompt always gets the same score.
func DeriveScore(system, user string) int {
	lo, hi := 0, 100
	if m := rangeRE.FindStringSubmatch(system); m != nil {
		a, _ := strconv.Atoi(m[1])
		b, _ := strconv.Atoi(m[2])
		if b > a {
			lo, hi = a, b
		}
	}
	sum := sha256.Sum256([]byte(user))
	return lo + int(binary.BigEndian.Uint64(sum[:8])%uint64(hi-lo+1))
}

func (s *Server) chat(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Model          string    `json:"model"`
		Messages       []Message `json:"messages"`
		ResponseFormat struct {
			Type string `json:"type"`
		} `json:"response_format"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "invalid JSON body: "+err.Error())
		return
	}
	s.mu.Lock()
	s.calls++
	n := s.calls
	s.requests = append(s.requests, Request{
		Model: req.Model, Messages: req.Messages, ResponseFormat: req.ResponseFormat.Type,
		Authorized: strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") && len(r.Header.Get("Authorization")) > len("Bearer "),
	})
	s.mu.Unlock()

	o := s.opts
	mode := o.Mode
	switch {
	case n <= o.RateLimitFirst:
		mode = RateLimited
	case n <= o.RateLimitFirst+o.ServerErrorFirst:
		mode = ServerError
	case n <= o.RateLimitFirst+o.ServerErrorFirst+o.MalformedFirst:
		mode = Malformed
	}

	var system, user string
	for _, m := range req.Messages {
		switch {
		case m.Role == "system" && system == "":
			system = m.Content
		case m.Role == "user" && user == "":
			user = m.Content
		}
	}
	switch mode {
	case RateLimited:
		if o.OnlyRetryAfterSeconds {
			w.Header().Set("Retry-After", strconv.FormatInt(int64((o.RetryAfter+time.Second-1)/time.Second), 10))
		} else {
			w.Header().Set("Retry-After-Ms", strconv.FormatInt(o.RetryAfter.Milliseconds(), 10))
			w.Header().Set("Retry-After", strconv.FormatFloat(o.RetryAfter.Seconds(), 'f', -1, 64))
		}
		writeError(w, http.StatusTooManyRequests, "Rate limit reached for requests")
		return
	case ServerError:
		writeError(w, http.StatusInternalServerError, "The server had an error while processing your request")
		return
	case BadRequest:
		writeError(w, http.StatusBadRequest, "The model does not support this request")
		return
	case Slow:
		t := time.NewTimer(o.Delay)
		select {
		case <-r.Context().Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
	var content string
	if mode == Malformed {
		switch n % 3 {
		case 0:
			content = `{"score": 87, "reason": "cut off`
		case 1:
			content = `{"score": 1000, "reason": "out of range"}`
		default:
			content = "The answer is quite good. Score: 80"
		}
	} else {
		score := o.Score(system, user)
		b, _ := json.Marshal(map[string]any{"score": score, "reason": fmt.Sprintf("fake judge: %d", score)})
		content = string(b)
	}
	chars := 0
	for _, m := range req.Messages {
		chars += len(m.Content)
	}
	prompt := chars/4 + 1
	resp := map[string]any{
		"id":      fmt.Sprintf("chatcmpl-fake-%d", n),
		"object":  "chat.completion",
		"created": 1700000000,
		"model":   req.Model,
		"choices": []any{map[string]any{
			"index":         0,
			"message":       map[string]any{"role": "assistant", "content": content},
			"finish_reason": "stop",
		}},
		"usage": map[string]any{"prompt_tokens": prompt, "completion_tokens": o.CompletionTokens, "total_tokens": prompt + o.CompletionTokens},
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(resp)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": msg, "type": "fake_error", "param": nil, "code": nil}})
}
