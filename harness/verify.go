package harness

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/heval-dev/heval/helicone"
)

// Verification: Helicone acknowledges a score write before it stores anything, and drops
// some writes silently afterwards, so only a read-back shows that a score landed. The
// acknowledged samples are read back in batches of up to [helicone.MaxIDsPerQuery] request
// ids through query-clickhouse (the one read path both server profiles keep: the v2
// experiment score route answers null for every score on current Helicone), polled on
// Helicone's schedule until every score is visible or the verification timeout has passed
// since the write was acknowledged. Each query page is one request of the run's budget.

// ErrScoresMissing is returned (wrapped in a [*MissingScoresError]) when verification read
// back fewer scores than Helicone acknowledged.
var ErrScoresMissing = errors.New("scores missing on read-back")

// MissingScoresError lists the scores that Helicone acknowledged but does not hold.
type MissingScoresError struct {
	// Missing is the number of scores not found.
	Missing int
	// Examples describe the first few: request id, key and the likely reason.
	Examples []string
}

func (e *MissingScoresError) Error() string {
	msg := fmt.Sprintf("%d scores acknowledged by Helicone were not found when read back", e.Missing)
	if len(e.Examples) > 0 {
		msg += ":\n  " + strings.Join(e.Examples, "\n  ")
		if e.Missing > len(e.Examples) {
			msg += fmt.Sprintf("\n  ... and %d more (see the records' delivery errors)", e.Missing-len(e.Examples))
		}
	}
	return msg
}

// Is matches ErrScoresMissing.
func (e *MissingScoresError) Is(target error) bool { return target == ErrScoresMissing }

// The verification timing.
const (
	// DefaultVerifyTimeout is how long after a write's acknowledgement its scores are
	// looked for before they count as missing: Helicone applies writes asynchronously, with
	// no promised delay, and a self-hosted server in production applies each again after
	// 10 minutes, so about 11 minutes.
	DefaultVerifyTimeout = 11 * time.Minute
	// LoopbackVerifyTimeout is the default for a server on this machine (an emulator, heval
	// serve), where writes land at once; its polls are loopbackScale times closer.
	LoopbackVerifyTimeout = 5 * time.Second
	loopbackScale         = 20
)

// verifyPolls are the waits before each read-back of a batch: the first after the oldest
// acknowledgement, then between polls; the last repeats.
var verifyPolls = []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 30 * time.Second, 60 * time.Second}

// scoreWindow is how long Helicone accepts scores for a request.
const scoreWindow = 30 * 24 * time.Hour

// verifyTiming is the schedule of one run.
type verifyTiming struct {
	polls   []time.Duration
	timeout time.Duration
}

func newVerifyTiming(cfg *Config, client *helicone.Client) verifyTiming {
	t := verifyTiming{polls: slices.Clone(verifyPolls), timeout: DefaultVerifyTimeout}
	if client != nil && client.Loopback() {
		for i := range t.polls {
			t.polls[i] /= loopbackScale
		}
		t.timeout = LoopbackVerifyTimeout
	}
	if cfg.VerifyDelay > 0 {
		t.polls[0] = cfg.VerifyDelay
	}
	if cfg.VerifyTimeout > 0 {
		t.timeout = cfg.VerifyTimeout
	}
	return t
}

// wait is the wait before poll n (0 for the first).
func (t verifyTiming) wait(n int) time.Duration { return t.polls[min(n, len(t.polls)-1)] }

// missingLog collects examples of missing scores for the run's error.
type missingLog struct {
	mu       sync.Mutex
	n        int
	examples []string
}

func (m *missingLog) add(desc string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.n++
	if len(m.examples) < 10 {
		m.examples = append(m.examples, desc)
	}
}

// verifier gathers acknowledged samples into batches: a batch is read back once it holds
// MaxIDsPerQuery samples, or once the first poll of its oldest sample is due.
func (r *run) verifier() {
	var batches sync.WaitGroup
	var batch []*job
	var timer *time.Timer
	var due <-chan time.Time
	flush := func() {
		if timer != nil {
			timer.Stop()
			timer, due = nil, nil
		}
		if len(batch) > 0 {
			b := batch
			batch = nil
			batches.Go(func() { r.verifyBatch(b) })
		}
	}
	for {
		select {
		case j, ok := <-r.toVerify:
			if !ok {
				flush()
				batches.Wait()
				return
			}
			batch = append(batch, j)
			switch {
			case len(batch) >= helicone.MaxIDsPerQuery:
				flush()
			case len(batch) == 1:
				timer = time.NewTimer(time.Until(j.ackAt.Add(r.timing.wait(0))))
				due = timer.C
			}
		case <-due:
			timer, due = nil, nil
			flush()
		}
	}
}

// pendingJob is a sample whose scores are not all verified yet.
type pendingJob struct {
	j *job
	// left are the keys not verified yet, sorted.
	left []string
	// found is set once the request was returned by a read-back; held records the stored
	// value of a key that differed from the one sent, at the last read-back.
	found bool
	held  map[string]string
}

// verifyBatch polls the scores of a batch of samples until all are visible or the timeout
// has passed since the newest acknowledgement, then marks the missing ones. Every sample
// goes on to the reports, verified or not; when the run is stopped, the unfinished ones go
// on unmarked.
func (r *run) verifyBatch(jobs []*job) {
	ctx := r.sendCtx
	pending := make([]*pendingJob, 0, len(jobs))
	oldest, newest := jobs[0].ackAt, jobs[0].ackAt
	for _, j := range jobs {
		keys := make([]string, 0, len(j.sent))
		for k := range j.sent {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		pending = append(pending, &pendingJob{j: j, left: keys})
		oldest, newest = minTime(oldest, j.ackAt), maxTime(newest, j.ackAt)
	}
	defer func() {
		for _, p := range pending {
			if r.phases != nil {
				r.phases.Verified(1)
			}
			r.out <- p.j
		}
	}()
	since := createdBound(jobs)
	deadline := newest.Add(r.timing.timeout)
	next := oldest.Add(r.timing.wait(0))
	var lastErr error
	for poll := 1; ; poll++ {
		if sleep(ctx, time.Until(next)) != nil {
			return
		}
		ids := make([]string, 0, len(pending))
		for _, p := range pending {
			ids = append(ids, p.j.sample.RequestID)
		}
		rows, err := r.client.RequestsByID(ctx, helicone.RequestIDQuery{IDs: ids, CreatedAfter: since, Pace: r.pacer.wait})
		r.pacer.observe(r.client.RateLimit())
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			lastErr = err
			var apiErr *helicone.APIError
			if errors.As(err, &apiErr) && apiErr.Status == 429 {
				r.stats.rateLimited.Add(1)
				r.pacer.throttled(apiErr.RateLimit.RetryAfter)
			}
			if !transient(err) {
				deadline = time.Now()
			}
		default:
			lastErr = nil
			pending = r.check(pending, rows)
			if len(pending) == 0 {
				return
			}
		}
		now := time.Now()
		if !now.Before(deadline) {
			break
		}
		next = minTime(now.Add(r.timing.wait(poll)), deadline)
	}
	for _, p := range pending {
		r.markMissing(p, lastErr)
	}
}

// check marks the scores that the rows show as stored, and returns the samples that still
// have scores to find; the others go on to the reports.
func (r *run) check(pending []*pendingJob, rows map[string]helicone.Request) []*pendingJob {
	out := pending[:0]
	for _, p := range pending {
		row, ok := rows[p.j.sample.RequestID]
		p.found = p.found || ok
		p.held = nil
		p.left = slices.DeleteFunc(p.left, func(k string) bool {
			if !ok {
				return false
			}
			v := p.j.sent[k]
			stored := v.StoredKey(k)
			got, has := row.Scores[stored]
			if !has || got.Null {
				return false
			}
			if n, isInt := got.Int64(); isInt && n == v.Int64() {
				r.stats.verified.Add(1)
				return true
			}
			if p.held == nil {
				p.held = map[string]string{}
			}
			p.held[k] = got.Raw
			return false
		})
		if len(p.left) == 0 {
			if r.phases != nil {
				r.phases.Verified(1)
			}
			r.out <- p.j
			continue
		}
		out = append(out, p)
	}
	return out
}

// markMissing records the scores of a sample that never became visible, each with the
// reason that fits what the read-backs showed.
func (r *run) markMissing(p *pendingJob, lastErr error) {
	j := p.j
	waited := durationText(r.timing.timeout)
	why := map[string]string{}
	for _, k := range p.left {
		v := j.sent[k]
		switch s := &j.sample; {
		case lastErr != nil:
			why[k] = "could not be read back: " + lastErr.Error()
		case p.held[k] != "":
			why[k] = fmt.Sprintf("Helicone holds %s = %q, not the %s that was sent, after %s of polling (another writer changed it?)", v.StoredKey(k), p.held[k], v, waited)
		case !s.CreatedAt.IsZero() && time.Since(s.CreatedAt) > scoreWindow:
			why[k] = fmt.Sprintf("the request is %d days old and Helicone drops scores of requests older than 30 days", int(time.Since(s.CreatedAt).Hours()/24))
		case !p.found:
			why[k] = fmt.Sprintf("not visible after %s of polling: Helicone returns no request %s, so it holds no score for it: the request id is unknown to this organization "+
				"(a request of another organization or region, a different API key, or a request that was never logged), or the request is older than 30 days", waited, s.RequestID)
		default:
			why[k] = fmt.Sprintf("not visible after %s of polling; Helicone writes scores asynchronously, with no promised delay, and acknowledges writes it drops later "+
				"(raise the verification timeout, heval run --verify-timeout, if this server is slower)", waited)
		}
	}
	for _, k := range p.left {
		r.missing.add(fmt.Sprintf("request %s, key %s: %s", j.sample.RequestID, k, why[k]))
	}
	for i := range j.recs {
		rec := &j.recs[i]
		var parts []string
		for _, v := range rec.Values {
			if w, ok := why[v.Key]; ok {
				parts = append(parts, v.Key+": "+w)
			}
		}
		if len(parts) > 0 {
			rec.Submitted = false
			rec.DeliveryErr = "not found on read-back: " + strings.Join(parts, "; ")
		}
	}
}

// createdBound is the oldest creation time of the batch's requests, which bounds the
// read-back's search. A request of unknown age is searched for back to 30 days before the
// write: Helicone stores no score on an older request.
func createdBound(jobs []*job) time.Time {
	var t time.Time
	for _, j := range jobs {
		c := j.sample.CreatedAt
		if c.IsZero() {
			c = j.ackAt.Add(-scoreWindow)
		}
		if t.IsZero() || c.Before(t) {
			t = c
		}
	}
	return t
}

// transient reports whether a failed read-back may succeed when tried again later.
func transient(err error) bool {
	var apiErr *helicone.APIError
	var tr *helicone.TransportError
	var re *helicone.RetryError
	switch {
	case errors.As(err, &apiErr):
		return apiErr.Retryable()
	case errors.As(err, &tr), errors.As(err, &re):
		return true
	}
	return false
}

// durationText formats a wait as people write it: 11m, 5s, 1m30s, 300ms.
func durationText(d time.Duration) string {
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	s := d.Round(time.Second).String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
