package heliconetest

import (
	"bytes"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// FaultKind is what a [Fault] does to an answer.
type FaultKind int

// The kinds of fault.
const (
	// FaultStatus answers Fault.Status (429, 500, 502, 503, ...) with the body a real
	// deployment sends for it: the rate-limit body and Retry-After for 429, the generic
	// error body for 500, a proxy's HTML page for 502, 503 and 504.
	FaultStatus FaultKind = iota + 1
	// FaultDisconnect closes the connection without an answer.
	FaultDisconnect
	// FaultDelay waits Fault.Delay (or until the client gives up), then answers normally.
	FaultDelay
	// FaultTruncate sends the first half of the real answer's body, with a Content-Length
	// that matches the cut body, so the client reads JSON that ends too early.
	FaultTruncate
	// FaultNotJSON answers Fault.Status (default 200) with an HTML page instead of JSON.
	FaultNotJSON
)

// Fault changes the next answers of a route. Build one with [Fail], [Disconnect],
// [Delay], [Truncate] or [NotJSON], and choose how often it applies with [Fault.Times] or
// [Fault.Sometimes]. By default it applies to the next answer only.
type Fault struct {
	Kind FaultKind
	// Status is the status of FaultStatus and FaultNotJSON.
	Status int
	// Delay is the wait of FaultDelay.
	Delay time.Duration
	// RetryAfter is the Retry-After header of a 429 (default "1").
	RetryAfter string
	// Count is how many answers the fault changes; 0 means 1, or unlimited with Fraction.
	Count int
	// Fraction, when above 0, makes the fault change each answer with this probability,
	// drawn from a random source seeded with Seed (so a run is reproducible).
	Fraction float64
	Seed     uint64
	// Handle makes the emulator process the call first (so a score write is stored) and
	// then fault its answer. FaultTruncate always handles the call.
	Handle bool
}

// Fail answers with status (429, 500, 502, 503, ...).
func Fail(status int) Fault { return Fault{Kind: FaultStatus, Status: status} }

// Disconnect drops the connection without an answer.
func Disconnect() Fault { return Fault{Kind: FaultDisconnect} }

// Delay holds the answer back for d.
func Delay(d time.Duration) Fault { return Fault{Kind: FaultDelay, Delay: d} }

// Truncate cuts the answer's body in half.
func Truncate() Fault { return Fault{Kind: FaultTruncate} }

// NotJSON answers 200 with an HTML page.
func NotJSON() Fault { return Fault{Kind: FaultNotJSON, Status: http.StatusOK} }

// Times makes the fault change the next n answers.
func (f Fault) Times(n int) Fault { f.Count = n; return f }

// Sometimes makes the fault change each answer with probability p, drawn from a source
// seeded with seed; combine with [Fault.Times] to bound how many answers it changes.
func (f Fault) Sometimes(p float64, seed uint64) Fault { f.Fraction, f.Seed = p, seed; return f }

// AfterHandling makes the emulator process the call before faulting its answer.
func (f Fault) AfterHandling() Fault { f.Handle = true; return f }

type activeFault struct {
	f    Fault
	left int // -1: unlimited
	rng  *rand.Rand
}

// faultSet holds the injected faults per route, and the request ids and dataset rows
// faulted by [Handler.LoseWrites] and [Handler.FailSigning].
type faultSet struct {
	mu       sync.Mutex
	byRule   map[Route][]*activeFault
	lost     map[string]bool // canonical request ids
	unsigned map[string]bool // canonical dataset row ids
}

func (s *faultSet) add(rt Route, f Fault) {
	a := &activeFault{f: f, left: f.Count}
	if a.left <= 0 {
		a.left = 1
		if f.Fraction > 0 {
			a.left = -1
		}
	}
	if f.Fraction > 0 {
		a.rng = rand.New(rand.NewPCG(f.Seed, f.Seed^0x9e3779b97f4a7c15))
	}
	s.mu.Lock()
	if s.byRule == nil {
		s.byRule = map[Route][]*activeFault{}
	}
	s.byRule[rt] = append(s.byRule[rt], a)
	s.mu.Unlock()
}

func (s *faultSet) clear() {
	s.mu.Lock()
	s.byRule, s.lost, s.unsigned = nil, nil, nil
	s.mu.Unlock()
}

// mark adds ids to one of the id sets.
func (s *faultSet) mark(set *map[string]bool, ids []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if *set == nil {
		*set = map[string]bool{}
	}
	for _, id := range ids {
		(*set)[canonicalID(strings.TrimSpace(id))] = true
	}
}

// has reports whether id is in one of the id sets.
func (s *faultSet) has(set *map[string]bool, id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return (*set)[canonicalID(id)]
}

// take returns the fault that changes this answer of rt, if any.
func (s *faultSet) take(rt Route) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.byRule) == 0 {
		return nil
	}
	for _, key := range [2]Route{rt, AnyRoute} {
		list := s.byRule[key]
		for i, a := range list {
			if a.rng != nil && a.rng.Float64() >= a.f.Fraction {
				continue
			}
			if a.left > 0 {
				a.left--
				if a.left == 0 {
					s.byRule[key] = append(list[:i:i], list[i+1:]...)
				}
			}
			f := a.f
			return &f
		}
	}
	return nil
}

// Inject makes f change the next answers of rt ([AnyRoute] for every route). Faults
// apply in the order they were injected, route-specific ones before [AnyRoute] ones.
func (h *Handler) Inject(rt Route, f Fault) { h.faults.add(rt, f) }

// ClearFaults removes every injected fault, also those of [Handler.LoseWrites] and
// [Handler.FailSigning].
func (h *Handler) ClearFaults() { h.faults.clear() }

// LoseWrites makes the emulator acknowledge every later score write for these request ids
// with 201 and then never apply it, as when Helicone's queue loses a message or another
// write to the same request overtakes it. Each lost write is recorded in
// [Handler.Dropped] with [DropLost]; a write already waiting in a consumer batch is lost
// too. Only a read-back can tell, as on the real server.
func (h *Handler) LoseWrites(requestIDs ...string) { h.faults.mark(&h.faults.lost, requestIDs) }

// SigningFailure is the error of a dataset row's signed_url envelope when signing failed
// ([Handler.FailSigning]).
const SigningFailure = "Failed to generate a signed URL for the row's body"

// FailSigning makes the Helicone Datasets rows query answer these rows (by row id) with a
// signed_url envelope whose signing failed: {"data":null,"error":SigningFailure}.
func (h *Handler) FailSigning(rowIDs ...string) { h.faults.mark(&h.faults.unsigned, rowIDs) }

// ExpireSignedURLs makes every signed body URL handed out so far (request rows'
// signed_body_url, dataset rows' signed_url) answer 403 AccessDenied "Request has expired",
// as S3 does once a presigned URL is older than [SignedURLTTL]. URLs handed out afterwards
// are valid.
func (h *Handler) ExpireSignedURLs() { h.signer.rotate() }

// bufferWriter captures an answer.
type bufferWriter struct {
	hdr    http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferWriter) Header() http.Header { return b.hdr }
func (b *bufferWriter) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}
func (b *bufferWriter) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}

// applyFault answers one call under fault f.
func (h *Handler) applyFault(w *statusWriter, r *http.Request, c *call, f *Fault) {
	if f.Kind == FaultDelay {
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return
		}
		h.serve(w, r, c)
		return
	}
	var rec *bufferWriter
	if f.Handle || f.Kind == FaultTruncate {
		rec = &bufferWriter{hdr: http.Header{}}
		h.serve(rec, r, c)
	}
	switch f.Kind {
	case FaultDisconnect:
		w.finish(0)
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			panic(http.ErrAbortHandler)
		}
		conn.Close()
	case FaultTruncate:
		for k, v := range rec.hdr {
			w.Header()[k] = v
		}
		cut := rec.body.Bytes()[:rec.body.Len()/2]
		w.Header().Set("Content-Length", strconv.Itoa(len(cut)))
		w.WriteHeader(rec.status)
		_, _ = w.Write(cut)
	case FaultNotJSON:
		st := f.Status
		if st == 0 {
			st = http.StatusOK
		}
		htmlPage(w, st)
	default:
		st := f.Status
		if st == 0 {
			st = http.StatusInternalServerError
		}
		switch {
		case st == http.StatusTooManyRequests:
			ra := f.RetryAfter
			if ra == "" {
				ra = "1"
			}
			w.Header().Set("Retry-After", ra)
			writeJSON(w, st, bodyRate)
		case st == http.StatusInternalServerError:
			writeJSON(w, st, bodyInternal)
		case st >= 502 && st <= 504:
			htmlPage(w, st)
		default:
			writeJSON(w, st, []byte(`{"data":null,"error":"`+http.StatusText(st)+`"}`))
		}
	}
}

// htmlPage answers with a proxy's HTML error page.
func htmlPage(w http.ResponseWriter, status int) {
	text := strconv.Itoa(status) + " " + http.StatusText(status)
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(status)
	_, _ = w.Write([]byte("<html>\r\n<head><title>" + text + "</title></head>\r\n<body>\r\n<center><h1>" + text + "</h1></center>\r\n</body>\r\n</html>\r\n"))
}
