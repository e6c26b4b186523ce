package harness

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/heval-dev/heval"

	"github.com/heval-dev/heval/helicone"
)

// Delivery: every sample's values, from every evaluator, go out in one score write once its
// last evaluation has finished. The number of writes is the number of samples with values,
// which is the number of distinct request ids for the sources heval ships (each request id
// appears in one sample). Two samples with the same request id are written separately; the
// server merges the keys.
//
// The evaluated samples wait in a bounded queue; when the server is slow (or the budget is
// spent), the queue fills and the evaluators wait: memory stays bounded. Several submitters
// share one pacer. The client retries 429, 5xx and transport errors itself; when it gives
// up, the delivery re-queues the write a bounded number of times before recording the
// failure on every record of the sample.

// notUUID is the delivery error of a sample whose request id is not a UUID.
const notUUID = "not a UUID: Helicone would silently drop it"

// requeueDelays are the waits before the delivery tries a write again after the client
// gave up on it.
var requeueDelays = []time.Duration{500 * time.Millisecond, 2 * time.Second}

// coalesce builds the score write of a sample: one value per key. Repeats of an evaluator
// are combined: integers as their mean rounded half away from zero, booleans as true when
// more than half are true. When two evaluators produce the same key, the later one wins.
func coalesce(recs []heval.Record) helicone.Scores {
	// A sample has a handful of keys: they are looked up in a slice, through a map only
	// when there are many.
	type acc struct {
		key, ev       string
		sum, n, trues int64
		boolean       bool
	}
	const indexFrom = 16
	var (
		accs  []acc
		index map[string]int
	)
	find := func(k string) int {
		if index != nil {
			if i, ok := index[k]; ok {
				return i
			}
			return -1
		}
		for i := range accs {
			if accs[i].key == k {
				return i
			}
		}
		return -1
	}
	for i := range recs {
		ev := recs[i].Evaluator
		for _, v := range recs[i].Values {
			if accs == nil {
				accs = make([]acc, 0, len(recs))
			}
			j := find(v.Key)
			switch {
			case j < 0:
				j = len(accs)
				accs = append(accs, acc{key: v.Key, ev: ev})
				if index != nil {
					index[v.Key] = j
				} else if len(accs) > indexFrom {
					index = make(map[string]int, 2*len(accs))
					for n := range accs {
						index[accs[n].key] = n
					}
				}
			case accs[j].ev != ev:
				accs[j] = acc{key: v.Key, ev: ev}
			}
			a := &accs[j]
			a.boolean = v.Type == heval.Boolean
			a.n++
			a.sum += v.Value
			if v.Value != 0 {
				a.trues++
			}
		}
	}
	if len(accs) == 0 {
		return nil
	}
	out := make(helicone.Scores, len(accs))
	for i := range accs {
		a := &accs[i]
		switch {
		case a.boolean:
			out[a.key] = helicone.Bool(a.trues*2 > a.n)
		case a.n == 1:
			out[a.key] = helicone.Int(a.sum)
		default:
			out[a.key] = helicone.Int(int64(math.Round(float64(a.sum) / float64(a.n))))
		}
	}
	return out
}

// submitter takes evaluated samples from the queue and writes their scores.
func (r *run) submitter() {
	for j := range r.toDeliver {
		r.deliver(j)
		if r.phases != nil {
			r.phases.Delivered(1)
		}
		if r.cfg.Verify && !j.ackAt.IsZero() {
			r.toVerify <- j
		} else {
			if r.cfg.Verify && r.phases != nil {
				r.phases.Verified(1) // nothing to read back
			}
			r.out <- j
		}
	}
}

func (r *run) deliver(j *job) {
	j.sent = coalesce(j.recs)
	if len(j.sent) == 0 {
		return
	}
	rid := j.sample.RequestID
	if rid == "" {
		// A sample from a local file without a request id: there is nothing to send it to.
		return
	}
	if !helicone.IsUUID(rid) {
		markDelivery(j, false, notUUID)
		r.stats.notSent.Add(1)
		return
	}
	ctx := r.sendCtx
	if err := r.breaker.err(); err != nil {
		r.stats.failed.Add(1)
		markDelivery(j, false, "not sent: "+err.Error())
		return
	}
	var lastErr error
	for attempt := 0; ; attempt++ {
		if err := r.pacer.wait(ctx); err != nil {
			lastErr = err
			break
		}
		r.stats.posts.Add(1)
		rl, err := r.client.AddScores(ctx, rid, j.sent)
		if err == nil {
			r.breaker.succeeded()
			r.pacer.succeeded()
			r.pacer.observe(rl)
			j.ackAt = time.Now()
			r.stats.acked.Add(1)
			markDelivery(j, true, "")
			if r.journal != nil {
				r.journal.appendAck(r.info.RunID, &j.sample, j.sent, j.recs, j.ackAt)
			}
			if r.cfg.Progress != nil {
				r.cfg.Progress.Submitted(1)
			}
			return
		}
		lastErr = err
		r.pacer.observe(rl)
		var apiErr *helicone.APIError
		var transport *helicone.TransportError
		retryable := false
		switch {
		case errors.As(err, &apiErr):
			if apiErr.Status == 429 {
				r.pacer.throttled(apiErr.RateLimit.RetryAfter)
			}
			retryable = apiErr.Retryable()
		case errors.As(err, &transport):
			retryable = true
		}
		if !retryable || attempt >= len(requeueDelays) || ctx.Err() != nil {
			break
		}
		r.stats.requeues.Add(1)
		r.logger.Warn("score write failed; trying again", "request_id", rid, "attempt", attempt+1, "error", err)
		if sleep(ctx, requeueDelays[attempt]) != nil {
			break
		}
	}
	r.stats.failed.Add(1)
	reason := lastErr.Error()
	if ctx.Err() != nil && r.ctx.Err() != nil {
		reason = "the run was interrupted before the scores were delivered (" + reason + "); resume the run to send them"
	} else if r.breaker.failed(lastErr) {
		r.logger.Error("Helicone accepts no score writes; stopping the run", "error", r.breaker.err())
		r.cancel(r.breaker.err())
	}
	r.logger.Error("score write failed", "request_id", rid, "error", reason)
	markDelivery(j, false, "not delivered: "+reason)
}

// markDelivery sets the delivery outcome on the records that carry values.
func markDelivery(j *job, ok bool, why string) {
	for i := range j.recs {
		if len(j.recs[i].Values) == 0 {
			continue
		}
		j.recs[i].Submitted = ok
		j.recs[i].DeliveryErr = why
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// DefaultMaxConsecutiveFailures is how many score writes in a row may fail (after the
// client's retries and the delivery's re-queues) before a run stops sending.
const DefaultMaxConsecutiveFailures = 20

// ErrDeliveryStopped is matched by a [*DeliveryStoppedError].
var ErrDeliveryStopped = errors.New("score delivery stopped")

// DeliveryStoppedError ends a run whose score writes all fail: Helicone is down, rejects
// the key, or is not reachable. Nothing more is evaluated or sent; what was acknowledged is
// in the journal, so the same command with --resume sends the rest.
type DeliveryStoppedError struct {
	// Failures is the number of writes that failed in a row; Last is the last one's error.
	Failures int
	Last     error
	// Auth is true when the server refused the API key (401 or 403), which stops a run at
	// the first failure.
	Auth bool
}

func (e *DeliveryStoppedError) Error() string {
	if e.Auth {
		return fmt.Sprintf("Helicone refused the score write (%v): check HELICONE_API_KEY (it needs write permission, and an EU key works only with https://eu.api.helicone.ai); nothing more was evaluated or sent, rerun with --resume when it is fixed", e.Last)
	}
	return fmt.Sprintf("the last %d score writes all failed (the last: %v): Helicone looks unreachable or down, so the run stopped instead of retrying every write; nothing more was evaluated or sent, rerun the same command with --resume when it is back", e.Failures, e.Last)
}

// Is matches [ErrDeliveryStopped].
func (e *DeliveryStoppedError) Is(target error) bool { return target == ErrDeliveryStopped }

// Unwrap returns the last failure.
func (e *DeliveryStoppedError) Unwrap() error { return e.Last }

// breaker opens after too many failed writes in a row, or at once when the key is refused.
type breaker struct {
	max  int
	mu   sync.Mutex
	run  int
	open *DeliveryStoppedError
}

func (b *breaker) succeeded() {
	b.mu.Lock()
	b.run = 0
	b.mu.Unlock()
}

// failed counts a write that finally failed; it reports whether the breaker opened now.
// Failures that are about the write itself (a 4xx other than 401, 403 and 429) do not count.
func (b *breaker) failed(err error) bool {
	var apiErr *helicone.APIError
	auth := false
	if errors.As(err, &apiErr) {
		switch {
		case apiErr.Status == 401 || apiErr.Status == 403:
			auth = true
		case apiErr.Status >= 400 && apiErr.Status < 500 && apiErr.Status != 429:
			return false
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.open != nil || b.max < 0 {
		return false
	}
	b.run++
	if auth || b.run >= b.max {
		b.open = &DeliveryStoppedError{Failures: b.run, Last: err, Auth: auth}
		return true
	}
	return false
}

// err is the breaker's error once open, else nil.
func (b *breaker) err() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.open == nil {
		return nil
	}
	return b.open
}
