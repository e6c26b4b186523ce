package harness

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/heval-dev/heval/datasets"
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

// nilUUID stands in for the experiment id of the read-back route when a sample has none;
// the server does not use that part of the path.
const nilUUID = "00000000-0000-0000-0000-000000000000"

// scoreWindow is how long Helicone accepts scores for a request.
const scoreWindow = 30 * 24 * time.Hour

// missingReason guesses why an acknowledged score is not stored.
func missingReason(s *datasets.Sample) string {
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
	exp := j.sample.ExperimentID
	if exp == "" {
		exp = nilUUID
	}
	rid := j.sample.RequestID
	missing := map[string]string{}
	keys := make([]string, 0, len(j.sent))
	for k := range j.sent {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := j.sent[k]
		if k == "scores" {
			// The read-back route cannot address a key named "scores".
			r.logger.Warn("score key \"scores\" cannot be read back; not verified", "request_id", rid)
			continue
		}
		if err := r.pacer.wait(ctx); err != nil {
			return
		}
		stored := v.StoredKey(k)
		got, err := r.client.GetExperimentScore(ctx, exp, rid, stored)
		// The server stores writes asynchronously: look again, a little later, before
		// calling a score missing.
		for again := 1; err == nil && got == nil && again <= verifyRechecks; again++ {
			if sleep(ctx, time.Duration(again)*max(r.cfg.VerifyDelay, 100*time.Millisecond)) != nil || r.pacer.wait(ctx) != nil {
				return
			}
			got, err = r.client.GetExperimentScore(ctx, exp, rid, stored)
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
			if n, ok := got.Value.Int64(); !ok || n != v.Int64() {
				missing[k] = fmt.Sprintf("Helicone holds %s = %q, not the %s that was sent (another writer changed it?)", stored, got.Value.Raw, v)
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
