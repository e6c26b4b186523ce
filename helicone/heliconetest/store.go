package heliconetest

import (
	"crypto/sha1"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// DefaultOrganizationID is the id of the default organization when no seed names one.
const DefaultOrganizationID = "00000000-0000-4000-8000-000000000001"

// Tier names.
const (
	TierFree       = "free"
	TierPro        = "pro"
	TierEnterprise = "enterprise"
)

// org is one tenant. mu guards requests' scores; the rest is fixed after seeding.
type org struct {
	id, name, tier string
	keys           []string

	mu          sync.RWMutex
	requests    map[string]*request
	experiments []*experiment

	rl rateWindow
}

// request is one logged request with its scores.
type request struct {
	seed      SeedRequest
	createdAt time.Time
	scores    map[string]int64 // guarded by the org's mu
}

// experiment is one seeded experiment, resolved against its organization's requests.
type experiment struct {
	seed       SeedExperiment
	createdAt  time.Time
	hypotheses []hypothesis
}

type hypothesis struct {
	seed      SeedHypothesis
	createdAt time.Time
}

func newOrg(id, name, tier string) *org {
	return &org{id: id, name: name, tier: normTier(tier), requests: map[string]*request{}}
}

func normTier(t string) string {
	switch strings.ToLower(strings.TrimSpace(t)) {
	case TierFree:
		return TierFree
	case TierEnterprise:
		return TierEnterprise
	default:
		return TierPro
	}
}

func tierBudget(t string) int {
	switch t {
	case TierFree:
		return FreeBudget
	case TierEnterprise:
		return EnterpriseBudget
	default:
		return ProBudget
	}
}

// state is everything the handler serves; replaced wholesale by Reset.
type state struct {
	orgs       map[string]*org
	orgOrder   []string
	keys       map[[32]byte]*org // sha256(key) → org
	owners     map[string]*org   // request id → org
	defaultOrg *org
}

func newState() *state {
	return &state{orgs: map[string]*org{}, keys: map[[32]byte]*org{}, owners: map[string]*org{}}
}

func (st *state) ensureOrg(id, name, tier string) *org {
	o, ok := st.orgs[id]
	if !ok {
		o = newOrg(id, name, tier)
		st.orgs[id] = o
		st.orgOrder = append(st.orgOrder, id)
		return o
	}
	if name != "" {
		o.name = name
	}
	if tier != "" {
		o.tier = normTier(tier)
	}
	return o
}

func (st *state) addKey(o *org, key string) error {
	key = strings.TrimSpace(key)
	if key == "" {
		return fmt.Errorf("heliconetest: organization %q has an empty API key", o.id)
	}
	h := hashKey(key)
	if other, ok := st.keys[h]; ok {
		if other == o {
			return nil
		}
		return fmt.Errorf("heliconetest: an API key of organization %q is also given to organization %q; every key belongs to one organization", other.id, o.id)
	}
	st.keys[h] = o
	o.keys = append(o.keys, key)
	return nil
}

// addSeed merges s into st with times relative to now. It checks the whole seed first
// and changes nothing when it is invalid.
func (st *state) addSeed(s Seed, now time.Time) error {
	if err := st.checkSeed(s); err != nil {
		return err
	}
	for _, so := range s.Organizations {
		o := st.ensureOrg(so.ID, so.Name, so.Tier)
		if st.defaultOrg == nil {
			st.defaultOrg = o
		}
		for _, k := range so.Keys {
			if err := st.addKey(o, k); err != nil {
				return err
			}
		}
		o.mu.Lock()
		for _, sr := range so.Requests {
			r := &request{seed: sr, createdAt: now.Add(-time.Duration(sr.CreatedAgo)), scores: map[string]int64{}}
			for k, v := range sr.Scores {
				r.scores[k] = v
			}
			o.requests[sr.ID] = r
			st.owners[sr.ID] = o
		}
		for _, se := range so.Experiments {
			e := &experiment{seed: se, createdAt: now.Add(-time.Duration(se.CreatedAgo))}
			for _, sh := range se.Hypotheses {
				e.hypotheses = append(e.hypotheses, hypothesis{seed: sh, createdAt: now.Add(-time.Duration(sh.CreatedAgo))})
			}
			o.experiments = slices.DeleteFunc(o.experiments, func(x *experiment) bool { return x.seed.ID == se.ID })
			o.experiments = append(o.experiments, e)
		}
		o.mu.Unlock()
	}
	return nil
}

func (st *state) checkSeed(s Seed) error {
	seenKeys := map[string]string{}
	for i, so := range s.Organizations {
		if strings.TrimSpace(so.ID) == "" {
			return fmt.Errorf("heliconetest: seed organization #%d has no id", i+1)
		}
		for _, k := range so.Keys {
			if prev, ok := seenKeys[k]; ok && prev != so.ID {
				return fmt.Errorf("heliconetest: organizations %q and %q share an API key; every key belongs to one organization", prev, so.ID)
			}
			seenKeys[k] = so.ID
			if o, ok := st.keys[hashKey(strings.TrimSpace(k))]; ok && o.id != so.ID {
				return fmt.Errorf("heliconetest: an API key of seed organization %q already belongs to organization %q", so.ID, o.id)
			}
		}
		ids := map[string]bool{}
		for _, r := range so.Requests {
			if r.ID == "" {
				return fmt.Errorf("heliconetest: organization %q has a request without an id", so.ID)
			}
			if o, ok := st.owners[r.ID]; ok && o.id != so.ID {
				return fmt.Errorf("heliconetest: request %s is seeded in organization %q but already belongs to %q", r.ID, so.ID, o.id)
			}
			ids[r.ID] = true
		}
		known := func(id string) bool {
			if ids[id] {
				return true
			}
			o, ok := st.owners[id]
			return ok && o.id == so.ID
		}
		for _, e := range so.Experiments {
			if e.ID == "" {
				return fmt.Errorf("heliconetest: organization %q has an experiment without an id", so.ID)
			}
			rows := map[string]bool{}
			for _, row := range e.Dataset.Rows {
				if !known(row.RequestID) {
					return fmt.Errorf("heliconetest: experiment %s: dataset row %q points at request %q, which is not a request of organization %q", e.ID, row.RowID, row.RequestID, so.ID)
				}
				rows[row.RowID] = true
			}
			for _, h := range e.Hypotheses {
				for _, run := range h.Runs {
					if !known(run.RequestID) {
						return fmt.Errorf("heliconetest: experiment %s: a run of hypothesis %q points at request %q, which is not a request of organization %q", e.ID, h.ID, run.RequestID, so.ID)
					}
					if !rows[run.DatasetRowID] {
						return fmt.Errorf("heliconetest: experiment %s: a run of hypothesis %q names dataset row %q, which the dataset does not have", e.ID, h.ID, run.DatasetRowID)
					}
				}
			}
		}
	}
	return nil
}

// derivedID makes a stable UUID-shaped id from parts (for ids the seed format leaves out).
func derivedID(parts ...string) string {
	sum := sha1.Sum([]byte(strings.Join(parts, "\x00")))
	sum[6] = (sum[6] & 0x0f) | 0x50
	sum[8] = (sum[8] & 0x3f) | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", sum[0:4], sum[4:6], sum[6:8], sum[8:10], sum[10:16])
}

// rawOrNull returns raw, or JSON null when it is empty.
func rawOrNull(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 {
		return json.RawMessage("null")
	}
	return raw
}

// timeText formats t as the server does (ISO-8601, UTC, milliseconds).
func timeText(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
