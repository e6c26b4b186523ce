package harness

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/heval-dev/heval"

	"github.com/heval-dev/heval/helicone"
)

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

// verifyRechecks is how many more times a score not found is looked for.
const verifyRechecks = 2

// scoreWindow is how long Helicone accepts scores for a request.
const scoreWindow = 30 * 24 * time.Hour

// missingReason guesses why an acknowledged score is not stored.
func missingReason(s *heval.Sample) string {
	if !s.CreatedAt.IsZero() && time.Since(s.CreatedAt) > scoreWindow {
		return fmt.Sprintf("the request is %d days old and Helicone drops scores of requests older than 30 days", int(time.Since(s.CreatedAt).Hours()/24))
	}
	return "Helicone acknowledged the write but holds no such score: the request id is unknown to this organization " +
		"(a request of another organization or region, a different API key, or a request that was never logged), or the request is older than 30 days"
}

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

// verifier reads back the scores of delivered samples once the server's write delay has
// passed, and marks every score that did not land.
func (r *run) verifier() {
	for j := range r.toVerify {
		r.verify(j)
		r.out <- j
	}
}

func (r *run) verify(j *job) {
	ctx := r.sendCtx
	if d := time.Until(j.ackAt.Add(r.cfg.VerifyDelay)); d > 0 {
		if sleep(ctx, d) != nil {
			return
		}
	}
	rid := j.sample.RequestID
	rb := &readBack{r: r, ctx: ctx, sample: &j.sample}
	missing := map[string]string{}
	keys := make([]string, 0, len(j.sent))
	for k := range j.sent {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := j.sent[k]
		if k == "scores" && !rb.byQuery() {
			// The read-back route cannot address a key named "scores".
			r.logger.Warn("score key \"scores\" cannot be read back; not verified", "request_id", rid)
			continue
		}
		stored := v.StoredKey(k)
		got, err := rb.lookup(stored, false)
		if errors.Is(err, errStopped) {
			return
		}
		// The server stores writes asynchronously: look again, a little later, before
		// calling a score missing.
		for again := 1; err == nil && got == nil && again <= verifyRechecks; again++ {
			if sleep(ctx, time.Duration(again)*max(r.cfg.VerifyDelay, 100*time.Millisecond)) != nil {
				return
			}
			if got, err = rb.lookup(stored, true); errors.Is(err, errStopped) {
				return
			}
		}
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return
			}
			missing[k] = "could not be read back: " + err.Error()
		case got == nil:
			missing[k] = missingReason(&j.sample)
		default:
			if n, ok := got.Int64(); !ok || n != v.Int64() {
				missing[k] = fmt.Sprintf("Helicone holds %s = %q, not the %s that was sent (another writer changed it?)", stored, got.Raw, v)
			} else {
				r.stats.verified.Add(1)
			}
		}
	}
	if len(missing) == 0 {
		return
	}
	for _, k := range keys {
		if why, ok := missing[k]; ok {
			r.missing.add(fmt.Sprintf("request %s, key %s: %s", rid, k, why))
		}
	}
	for i := range j.recs {
		rec := &j.recs[i]
		var parts []string
		for _, v := range rec.Values {
			if why, ok := missing[v.Key]; ok {
				parts = append(parts, v.Key+": "+why)
			}
		}
		if len(parts) > 0 {
			rec.Submitted = false
			rec.DeliveryErr = "not found on read-back: " + strings.Join(parts, "; ")
		}
	}
}

// errStopped ends a verification when the run is being stopped.
var errStopped = errors.New("verification stopped")

// readBack reads the stored scores of one sample: through the experiment score route
// (GET /v2/experiment/{experimentId}/{requestId}/{scoreKey}, one call per key) for samples of
// an experiment, and through a request query (one call per sample) for logged requests, or
// for every sample once the experiment route has failed as it does where Experiments are
// gone.
type readBack struct {
	r      *run
	ctx    context.Context
	sample *heval.Sample
	row    *helicone.Request
	loaded bool
}

func (b *readBack) byQuery() bool {
	return b.sample.ExperimentID == "" || b.r.verifyByQuery.Load()
}

func (b *readBack) lookup(stored string, fresh bool) (*helicone.FlexValue, error) {
	if !b.byQuery() {
		if err := b.r.pacer.wait(b.ctx); err != nil {
			return nil, errStopped
		}
		got, err := b.r.client.GetExperimentScore(b.ctx, b.sample.ExperimentID, b.sample.RequestID, stored)
		var apiErr *helicone.APIError
		if errors.As(err, &apiErr) && (apiErr.Status == 404 || apiErr.Status >= 500) && b.ctx.Err() == nil {
			if b.r.verifyByQuery.CompareAndSwap(false, true) {
				b.r.logger.Warn("the experiment score route failed; reading scores back through request queries instead", "status", apiErr.Status)
			}
			return b.lookup(stored, fresh)
		}
		if err != nil {
			if b.ctx.Err() != nil {
				return nil, errStopped
			}
			return nil, err
		}
		if got == nil {
			return nil, nil
		}
		return &got.Value, nil
	}
	if !b.loaded || fresh {
		if err := b.r.pacer.wait(b.ctx); err != nil {
			return nil, errStopped
		}
		b.row, b.loaded = nil, true
		for row, err := range b.r.client.Requests(b.ctx, helicone.RequestQuery{
			Filter: helicone.RequestText("request_id", helicone.Equals, b.sample.RequestID), Limit: 10,
		}) {
			if err != nil {
				if b.ctx.Err() != nil {
					return nil, errStopped
				}
				return nil, err
			}
			b.row = &row
			break
		}
	}
	if b.row == nil {
		return nil, nil
	}
	v, ok := b.row.Scores[stored]
	if !ok || v.Null {
		return nil, nil
	}
	return &v, nil
}
