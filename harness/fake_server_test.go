package harness_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/heval-dev/heval/helicone"
)

// fakeHelicone is a small stand-in for the score write route of Helicone: it stores scores of
// UUID request ids (dropping the others after a 201, as the real server does), enforces an
// optional fixed-window rate limit with the RateLimit-* headers, and fails on demand.
type fakeHelicone struct {
	*httptest.Server
	key string

	mu          sync.Mutex
	scores      map[string]map[string]int64
	posts       map[string]int
	totalPosts  int
	got429      int
	faults      []int // statuses to answer to the next score writes; 0 drops the connection
	budget      int
	window      time.Duration
	windowStart time.Time
	used        int
	every       int // answer every every-th score write with 429 (0: never)
	writes      int
	injected429 int
	html        bool // answer score writes 200 with an HTML page
}

func newFakeHelicone() *fakeHelicone {
	f := &fakeHelicone{key: "sk-helicone-test-key", scores: map[string]map[string]int64{}, posts: map[string]int{}}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	return f
}

func (f *fakeHelicone) client(opts ...helicone.Option) *helicone.Client {
	base := []helicone.Option{helicone.WithAPIKey(f.key), helicone.WithBaseURL(f.URL),
		helicone.WithRetry(helicone.RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, MaxRetryAfter: 50 * time.Millisecond})}
	c, err := helicone.NewClient(append(base, opts...)...)
	if err != nil {
		panic(err)
	}
	return c
}

func (f *fakeHelicone) inject(statuses ...int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = append(f.faults, statuses...)
}

func (f *fakeHelicone) rateLimit(window time.Duration, budget int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.window, f.budget = window, budget
}

func (f *fakeHelicone) stored(rid string) map[string]int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]int64{}
	for k, v := range f.scores[rid] {
		out[k] = v
	}
	return out
}

// every429 makes the fake answer every n-th score write with 429.
func (f *fakeHelicone) every429(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.every = n
}

// answerHTML makes the fake answer score writes 200 with an HTML page, as a captive portal
// or a misconfigured proxy does.
func (f *fakeHelicone) answerHTML() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.html = true
}

// answered429 is how many 429 answers the fake gave, of every kind.
func (f *fakeHelicone) answered429() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.got429 + f.injected429
}

func (f *fakeHelicone) counts() (posts int, distinct int, tooMany int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.totalPosts, len(f.posts), f.got429
}

func (f *fakeHelicone) serve(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+f.key {
		w.WriteHeader(401)
		fmt.Fprint(w, `{"error":"No API key found"}`)
		return
	}
	f.mu.Lock()
	if f.budget > 0 {
		now := time.Now()
		if f.windowStart.IsZero() || now.Sub(f.windowStart) >= f.window {
			f.windowStart, f.used = now, 0
		}
		reset := f.window - now.Sub(f.windowStart)
		resetS := int((reset + time.Second - 1) / time.Second)
		w.Header().Set("RateLimit-Limit", fmt.Sprint(f.budget))
		w.Header().Set("RateLimit-Policy", fmt.Sprintf("%d;w=%d", f.budget, int(f.window/time.Second)))
		w.Header().Set("RateLimit-Reset", fmt.Sprint(resetS))
		if f.used >= f.budget {
			f.got429++
			f.mu.Unlock()
			w.Header().Set("RateLimit-Remaining", "0")
			w.Header().Set("Retry-After", fmt.Sprint(resetS))
			w.WriteHeader(429)
			fmt.Fprint(w, `{"error":"Too many requests, please try again later."}`)
			return
		}
		f.used++
		w.Header().Set("RateLimit-Remaining", fmt.Sprint(f.budget-f.used))
	}
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case r.Method == "POST" && len(parts) == 4 && parts[1] == "request" && parts[3] == "score":
		f.writes++
		if f.html {
			f.mu.Unlock()
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<html><body>Please log in to the Wi-Fi</body></html>")
			return
		}
		if f.every > 0 && f.writes%f.every == 0 {
			f.injected429++
			f.mu.Unlock()
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(429)
			fmt.Fprint(w, `{"error":"Too many requests, please try again later."}`)
			return
		}
		if len(f.faults) > 0 {
			st := f.faults[0]
			f.faults = f.faults[1:]
			f.mu.Unlock()
			if st == 0 {
				hj, _ := w.(http.Hijacker)
				conn, _, _ := hj.Hijack()
				conn.Close()
				return
			}
			if st == 429 {
				w.Header().Set("Retry-After", "0")
				f.mu.Lock()
				f.injected429++
				f.mu.Unlock()
			}
			w.WriteHeader(st)
			fmt.Fprint(w, `{"error":"injected"}`)
			return
		}
		rid := parts[2]
		var body struct {
			Scores map[string]json.RawMessage `json:"scores"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			f.mu.Unlock()
			w.WriteHeader(500)
			return
		}
		f.totalPosts++
		f.posts[rid]++
		if helicone.IsUUID(rid) {
			m := f.scores[rid]
			if m == nil {
				m = map[string]int64{}
				f.scores[rid] = m
			}
			for k, raw := range body.Scores {
				switch string(raw) {
				case "true":
					m[k+helicone.BoolSuffix] = 1
				case "false":
					m[k+helicone.BoolSuffix] = 0
				default:
					var n int64
					if json.Unmarshal(raw, &n) == nil {
						m[k] = n
					}
				}
			}
		}
		f.mu.Unlock()
		w.WriteHeader(201)
		fmt.Fprint(w, `{"data":null,"error":null}`)
	default:
		f.mu.Unlock()
		w.WriteHeader(404)
	}
}
