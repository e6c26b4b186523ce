package heliconetest

import (
	"bytes"
	"crypto/sha1"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/heval-dev/heval/internal/idkey"
)

// DefaultOrganizationID is the id of the default organization when no seed names one.
const DefaultOrganizationID = "00000000-0000-4000-8000-000000000001"

// Tier names.
const (
	TierFree       = "free"
	TierPro        = "pro"
	TierEnterprise = "enterprise"
	// TierNone is an organization without a tier ([NoTierBudget]).
	TierNone = "none"
)

// BodyTTL is how long ClickHouse keeps request and response bodies.
const BodyTTL = 90 * 24 * time.Hour

// maxVersions bounds the row versions kept per request; older ones are merged away, as
// ClickHouse's background merges of request_response_rmt would.
const maxVersions = 64

// mergeAfter is how long a superseded row version stays visible to queries before a merge
// removes it (inferred: ReplacingMergeTree merges parts within minutes).
const mergeAfter = 10 * time.Minute

// permission bits of a key.
const (
	permRead  = 1
	permWrite = 2
)

// keyInfo is what a key opens.
type keyInfo struct {
	org   *org
	perms int
}

// org is one tenant. mu guards requests, datasets and caches; the rest is fixed after
// seeding.
type org struct {
	id, name, tier string
	keys           []string

	mu          sync.RWMutex
	requests    map[string]*request
	experiments []*experiment
	datasets    map[string]*heliconeDataset
	// rowsDay and rowsToday count the dataset rows added through the API on one UTC day.
	rowsDay   string
	rowsToday int
	// byID caches GET /v1/request/{id} answers for 24 hours.
	byID map[string]cachedRow
	// propIdx lists, per property value, the requests any version of which holds it; made
	// when a query first needs it and dropped when a property changes.
	idxMu   sync.Mutex
	propIdx map[propPair][]*request
	// lastQuery is the last request query's sorted rows, for its next pages.
	lastQuery *cachedQuery

	rl    rateWindow
	rlGet rateWindow
}

// request is one logged request: its fixed columns and its row versions.
type request struct {
	id, orgID string
	seed      SeedRequest
	createdAt time.Time
	// createdText is createdAt as the answers write it.
	createdText string
	userID      string
	storage     string
	// versions are the row versions in request_response_rmt, oldest first, never empty;
	// a score write or property change inserts a new one.
	versions []*rowVersion
	// pgScores is Postgres score_value (legacy profile): the first value per key wins.
	pgScores map[string]int64
	// respJSON caches responseJSON.
	respJSON atomic.Pointer[encodedBody]
}

// encodedBody is a body as encoding/json writes it, or the failure to; bodyAsIs marks a
// body that needs no change.
type encodedBody struct {
	b   []byte
	err error
}

var bodyAsIs = &encodedBody{}

// bodyScratch holds the compacted and the escaped body while responseJSON checks one.
var bodyScratch = sync.Pool{New: func() any { return new([2]bytes.Buffer) }}

// responseJSON returns the response body (null when there is none) as encoding/json
// writes a json.RawMessage inside a value: compacted, with HTML characters and U+2028 and
// U+2029 escaped. It is computed once; a body that needs no change (the usual case) is
// neither copied nor given an allocation of its own.
func (r *request) responseJSON() ([]byte, error) {
	raw := rawOrNull(r.seed.ResponseBody)
	e := r.respJSON.Load()
	if e == nil {
		e = encodeBody(raw)
		if e.err != nil {
			e.err = fmt.Errorf("the seeded response body of request %s is not valid JSON (fix it in the seed): %w", r.id, e.err)
		}
		r.respJSON.Store(e)
	}
	if e == bodyAsIs {
		return raw, nil
	}
	return e.b, e.err
}

func encodeBody(raw []byte) *encodedBody {
	if canonicalBody(raw) {
		return bodyAsIs
	}
	sc := bodyScratch.Get().(*[2]bytes.Buffer)
	defer bodyScratch.Put(sc)
	compact, escaped := &sc[0], &sc[1]
	compact.Reset()
	escaped.Reset()
	if err := json.Compact(compact, raw); err != nil {
		return &encodedBody{err: err}
	}
	json.HTMLEscape(escaped, compact.Bytes())
	if bytes.Equal(escaped.Bytes(), raw) {
		return bodyAsIs
	}
	return &encodedBody{b: bytes.Clone(escaped.Bytes())}
}

// canonicalBody reports whether raw is JSON that encoding/json writes unchanged inside a
// value: valid, without whitespace between its tokens, and without the characters it
// escapes for HTML (<, >, &, U+2028 and U+2029). It is the quick check of the usual body,
// about half the cost of compacting and escaping it; false leaves raw to that general way,
// which also words the error of an invalid body. (In valid JSON a string holds no raw tab,
// newline or carriage return, so those are whitespace wherever they are.)
func canonicalBody(raw []byte) bool {
	in := false
	for i := 0; i < len(raw); i++ {
		for i < len(raw) && !bodyMarks[raw[i]] {
			i++
		}
		if i == len(raw) {
			break
		}
		switch raw[i] {
		case '"':
			in = !in
		case '\\':
			if in {
				i++
			}
		case ' ':
			if !in {
				return false
			}
		case 0xE2: // U+2028 and U+2029 are E2 80 A8 and E2 80 A9
			if i+2 < len(raw) && raw[i+1] == 0x80 && raw[i+2]&^1 == 0xA8 {
				return false
			}
		default: // tab, newline, carriage return, <, > and &
			return false
		}
	}
	return !in && jsontext.Value(raw).IsValid()
}

// bodyMarks are the bytes canonicalBody looks at.
var bodyMarks = func() (m [256]bool) {
	for _, c := range []byte("\"\\ \t\n\r<>&\xe2") {
		m[c] = true
	}
	return m
}()

// rowVersion is one inserted version of a request's row.
type rowVersion struct {
	scores        map[string]int64
	props         map[string]string
	updatedAt     time.Time
	promptID      string
	promptVersion string
	feedbackAt    time.Time
	seq           uint64
}

// newest returns the request's newest row version.
func (r *request) newest() *rowVersion { return r.versions[len(r.versions)-1] }

// insert adds a row version; versions superseded long enough ago are merged away.
func (r *request) insert(v *rowVersion, now time.Time) {
	keep := r.versions[:0]
	for i, old := range r.versions {
		if len(r.versions)-i >= maxVersions {
			continue
		}
		next := v
		if i+1 < len(r.versions) {
			next = r.versions[i+1]
		}
		if now.Sub(next.updatedAt) > mergeAfter {
			continue
		}
		keep = append(keep, old)
	}
	r.versions = append(keep, v)
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

// heliconeDataset is one Helicone Dataset.
type heliconeDataset struct {
	id, name  string
	meta      json.RawMessage
	createdAt time.Time
	deleted   bool
	rows      []*datasetRow          // in the order they were added; change them with addRows and removeRows
	byID      map[string]*datasetRow // the first row of each id, for the body of a row

	// newest is rows ordered newest first (ties in the order added), made by the first
	// rows query after a change; a query holds only the organization's read lock, so
	// making it takes newestMu.
	newestMu sync.Mutex
	newest   []*datasetRow
}

// newestFirst returns the rows newest first, rows of one created_at in the order they were
// added. The caller holds the organization's lock, for reading at least.
func (d *heliconeDataset) newestFirst() []*datasetRow {
	d.newestMu.Lock()
	defer d.newestMu.Unlock()
	if d.newest == nil {
		d.newest = slices.Clone(d.rows)
		slices.SortStableFunc(d.newest, func(a, b *datasetRow) int { return b.createdAt.Compare(a.createdAt) })
	}
	return d.newest
}

// addRows appends rows.
func (d *heliconeDataset) addRows(rows ...*datasetRow) {
	if d.byID == nil {
		d.byID = make(map[string]*datasetRow, len(rows))
	}
	for _, r := range rows {
		if _, dup := d.byID[r.id]; !dup {
			d.byID[r.id] = r
		}
	}
	d.rows = append(d.rows, rows...)
	d.newest = nil
}

// removeRows drops the rows for which gone is true.
func (d *heliconeDataset) removeRows(gone func(*datasetRow) bool) {
	kept := slices.DeleteFunc(d.rows, gone)
	d.rows, d.byID = nil, nil
	d.addRows(kept...)
}

// datasetRow is one row of a Helicone Dataset with its copy of the origin request's bodies.
type datasetRow struct {
	id, requestID string
	createdAt     time.Time
	body          rowBody
}

func newOrg(id, name, tier string) *org {
	return &org{id: id, name: name, tier: normTier(tier), requests: map[string]*request{}, datasets: map[string]*heliconeDataset{}, byID: map[string]cachedRow{}}
}

func normTier(t string) string {
	switch strings.ToLower(strings.TrimSpace(t)) {
	case TierFree:
		return TierFree
	case TierEnterprise:
		return TierEnterprise
	case TierNone:
		return TierNone
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
	case TierNone:
		return NoTierBudget
	default:
		return ProBudget
	}
}

// state is everything the handler serves; replaced wholesale by Reset.
type state struct {
	orgs       map[string]*org
	orgOrder   []string
	keys       map[[32]byte]keyInfo // sha256(key) → org and permissions
	owners     map[string]*org      // request id → org
	defaultOrg *org
	seq        atomic.Uint64 // orders row versions written at the same instant
}

func newState() *state {
	return &state{orgs: map[string]*org{}, keys: map[[32]byte]keyInfo{}, owners: map[string]*org{}}
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

func parsePerms(p string) (int, bool) {
	switch strings.TrimSpace(p) {
	case "", "rw", "wr":
		return permRead | permWrite, true
	case "r":
		return permRead, true
	case "w":
		return permWrite, true
	}
	return 0, false
}

func (st *state) addKey(o *org, key string, perms int) error {
	if key == "" {
		return fmt.Errorf("heliconetest: organization %q has an empty API key", o.id)
	}
	h := hashKey(key)
	if other, ok := st.keys[h]; ok {
		if other.org == o {
			return nil
		}
		return fmt.Errorf("heliconetest: an API key of organization %q is also given to organization %q; every key belongs to one organization", other.org.id, o.id)
	}
	st.keys[h] = keyInfo{org: o, perms: perms}
	o.keys = append(o.keys, key)
	return nil
}

// canonicalID is how a UUID request id is stored: lower case, as ClickHouse renders UUIDs.
func canonicalID(id string) string {
	if _, lower := idkey.Pack(id); lower {
		return id // the usual id, checked in one pass
	}
	if isUUIDShape(id) {
		return strings.ToLower(id)
	}
	return id
}

// seedProperties returns the properties of a seeded request: Properties as given, then the
// properties of its Helicone-Property-* headers in lower case.
func seedProperties(sr SeedRequest) (map[string]string, string, error) {
	props := map[string]string{}
	maps.Copy(props, sr.Properties)
	userID := sr.UserID
	for _, k := range slices.Sorted(maps.Keys(sr.Headers)) {
		v := sr.Headers[k]
		lk := strings.ToLower(k)
		switch {
		case strings.HasPrefix(lk, "helicone-property-") && len(lk) > len("helicone-property-"):
			props[strings.TrimPrefix(lk, "helicone-property-")] = v
		case lk == "helicone-user-id":
			userID = v
		default:
			return nil, "", fmt.Errorf("heliconetest: request %s: header %q is not one the emulator understands; use Helicone-Property-<Name> or Helicone-User-Id", sr.ID, k)
		}
	}
	return props, userID, nil
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
			if err := st.addKey(o, strings.TrimSpace(k), permRead|permWrite); err != nil {
				return err
			}
		}
		for _, sk := range so.ScopedKeys {
			perms, _ := parsePerms(sk.Permissions)
			if err := st.addKey(o, strings.TrimSpace(sk.Key), perms); err != nil {
				return err
			}
		}
		o.mu.Lock()
		for _, sr := range so.Requests {
			id := canonicalID(sr.ID)
			props, userID, _ := seedProperties(sr)
			created := now.Add(-time.Duration(sr.CreatedAgo))
			r := &request{
				id: id, orgID: o.id, seed: sr, createdAt: created, createdText: timeText(created), userID: userID,
				storage:  cmpOr(sr.StorageLocation, StorageClickhouse),
				pgScores: maps.Clone(sr.Scores),
				versions: []*rowVersion{{
					scores: maps.Clone(sr.Scores), props: props, updatedAt: created,
					promptID: sr.PromptID, promptVersion: sr.PromptVersion, seq: st.seq.Add(1),
				}},
			}
			if r.pgScores == nil {
				r.pgScores = map[string]int64{}
			}
			if r.versions[0].scores == nil {
				r.versions[0].scores = map[string]int64{}
			}
			o.requests[id] = r
			o.dropPropertyIndex()
			st.owners[id] = o
		}
		for _, se := range so.Experiments {
			e := &experiment{seed: se, createdAt: now.Add(-time.Duration(se.CreatedAgo))}
			for _, sh := range se.Hypotheses {
				e.hypotheses = append(e.hypotheses, hypothesis{seed: sh, createdAt: now.Add(-time.Duration(sh.CreatedAgo))})
			}
			o.experiments = slices.DeleteFunc(o.experiments, func(x *experiment) bool { return x.seed.ID == se.ID })
			o.experiments = append(o.experiments, e)
			// Encode the bodies an answer carries now, not while the first one is read.
			for _, req := range experimentRequests(o, e, true) {
				_, _ = req.responseJSON()
			}
			for _, req := range experimentRequests(o, e, false) {
				_, _ = req.responseJSON()
			}
		}
		for _, sd := range so.HeliconeDatasets {
			id := datasetID(o.id, sd)
			d := &heliconeDataset{id: id, name: sd.Name, meta: sd.Meta, createdAt: now.Add(-time.Duration(sd.CreatedAgo))}
			add := func(rowID, reqID string, ago Duration) {
				created := d.createdAt
				if ago != 0 {
					created = now.Add(-time.Duration(ago))
				}
				body, _ := copyBodies(reqID, o.requests[canonicalID(reqID)], now)
				d.addRows(&datasetRow{id: rowID, requestID: canonicalID(reqID), createdAt: created, body: body})
			}
			for i, row := range sd.Rows {
				add(cmpOr(row.ID, derivedID("dataset-row", id, row.RequestID, fmt.Sprint(i))), row.RequestID, row.CreatedAgo)
			}
			for i, reqID := range sd.RequestIDs {
				add(derivedID("dataset-row", id, reqID, fmt.Sprint(len(sd.Rows)+i)), reqID, 0)
			}
			o.datasets[id] = d
		}
		o.mu.Unlock()
	}
	return nil
}

func datasetID(orgID string, sd SeedHeliconeDataset) string {
	if sd.ID != "" {
		return strings.ToLower(sd.ID)
	}
	return derivedID("helicone-dataset", orgID, sd.Name)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (st *state) checkSeed(s Seed) error {
	seenKeys := map[string]string{}
	for i, so := range s.Organizations {
		if strings.TrimSpace(so.ID) == "" {
			return fmt.Errorf("heliconetest: seed organization #%d has no id", i+1)
		}
		switch so.Tier {
		case "", TierFree, TierPro, TierEnterprise, TierNone:
		default:
			return fmt.Errorf("heliconetest: organization %q: tier %q is not one of free, pro, enterprise, none (or empty for pro)", so.ID, so.Tier)
		}
		allKeys := slices.Clone(so.Keys)
		for _, sk := range so.ScopedKeys {
			if _, ok := parsePerms(sk.Permissions); !ok {
				return fmt.Errorf("heliconetest: organization %q: key permissions %q: write \"rw\", \"r\" or \"w\"", so.ID, sk.Permissions)
			}
			allKeys = append(allKeys, sk.Key)
		}
		for _, k := range allKeys {
			k = strings.TrimSpace(k)
			if k == "" {
				return fmt.Errorf("heliconetest: organization %q has an empty API key", so.ID)
			}
			if prev, ok := seenKeys[k]; ok && prev != so.ID {
				return fmt.Errorf("heliconetest: organizations %q and %q share an API key; every key belongs to one organization", prev, so.ID)
			}
			seenKeys[k] = so.ID
			if ki, ok := st.keys[hashKey(k)]; ok && ki.org.id != so.ID {
				return fmt.Errorf("heliconetest: an API key of seed organization %q already belongs to organization %q", so.ID, ki.org.id)
			}
		}
		ids := map[string]bool{}
		for _, r := range so.Requests {
			if r.ID == "" {
				return fmt.Errorf("heliconetest: organization %q has a request without an id", so.ID)
			}
			id := canonicalID(r.ID)
			if o, ok := st.owners[id]; ok && o.id != so.ID {
				return fmt.Errorf("heliconetest: request %s is seeded in organization %q but already belongs to %q", r.ID, so.ID, o.id)
			}
			switch r.StorageLocation {
			case "", StorageClickhouse, StorageS3, StorageNotStoredFree:
			default:
				return fmt.Errorf("heliconetest: request %s: storage_location %q: write %q, %q or %q", r.ID, r.StorageLocation, StorageClickhouse, StorageS3, StorageNotStoredFree)
			}
			if _, _, err := seedProperties(r); err != nil {
				return err
			}
			ids[id] = true
		}
		known := func(id string) bool {
			id = canonicalID(id)
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
		rowIDs := map[string]bool{}
		for _, d := range so.HeliconeDatasets {
			if d.ID != "" && !isUUIDShape(d.ID) {
				return fmt.Errorf("heliconetest: Helicone Dataset %q of organization %q: the id %q is not a UUID", d.Name, so.ID, d.ID)
			}
			for _, row := range d.Rows {
				if !known(row.RequestID) {
					return fmt.Errorf("heliconetest: Helicone Dataset %q: a row points at request %q, which is not a request of organization %q", d.Name, row.RequestID, so.ID)
				}
				if row.ID != "" {
					if !isUUIDShape(row.ID) {
						return fmt.Errorf("heliconetest: Helicone Dataset %q: the row id %q is not a UUID", d.Name, row.ID)
					}
					if rowIDs[row.ID] {
						return fmt.Errorf("heliconetest: Helicone Dataset %q: the row id %q is used twice", d.Name, row.ID)
					}
					rowIDs[row.ID] = true
				}
			}
			for _, id := range d.RequestIDs {
				if !known(id) {
					return fmt.Errorf("heliconetest: Helicone Dataset %q: request_ids names %q, which is not a request of organization %q", d.Name, id, so.ID)
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

// timeText formats t as the server does (ISO-8601, UTC, milliseconds, Z).
func timeText(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// propertyIndex returns the requests of each property value (see org.propIdx). The caller
// holds o.mu, for reading at least.
func (o *org) propertyIndex() map[propPair][]*request {
	o.idxMu.Lock()
	defer o.idxMu.Unlock()
	if o.propIdx == nil {
		o.propIdx = map[propPair][]*request{}
		for _, req := range o.requests {
			var last map[string]string
			for _, v := range req.versions {
				for name, value := range v.props {
					p := propPair{name, value}
					if last != nil && last[name] == value {
						continue
					}
					if l := o.propIdx[p]; len(l) == 0 || l[len(l)-1] != req {
						o.propIdx[p] = append(l, req)
					}
				}
				last = v.props
			}
		}
	}
	return o.propIdx
}

// dropPropertyIndex forgets the index of property values; the caller holds o.mu for writing.
func (o *org) dropPropertyIndex() {
	o.idxMu.Lock()
	o.propIdx = nil
	o.idxMu.Unlock()
}
