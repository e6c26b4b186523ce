package heliconetest

import (
	"cmp"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// Helicone Datasets limits.
const (
	// DatasetRowsPerDay is how many rows one organization may add to Helicone Datasets per
	// UTC day.
	DatasetRowsPerDay = 1000
	// DefaultDatasetRowLimit is the page size of a rows query whose limit is 0.
	DefaultDatasetRowLimit = 50
	// MaxDatasetRowLimit is the largest page of a rows query.
	MaxDatasetRowLimit = 10_000
)

// DatasetInfo describes one Helicone Dataset.
type DatasetInfo struct {
	ID, Name, OrgID string
	// Rows is the number of rows.
	Rows int
	// Deleted reports a soft-deleted dataset, which no route shows.
	Deleted bool
}

// Datasets lists the Helicone Datasets of every organization, newest first per organization.
func (h *Handler) Datasets() []DatasetInfo {
	h.mu.RLock()
	orgs := make([]*org, 0, len(h.st.orgOrder))
	for _, id := range h.st.orgOrder {
		orgs = append(orgs, h.st.orgs[id])
	}
	h.mu.RUnlock()
	var out []DatasetInfo
	for _, o := range orgs {
		o.mu.RLock()
		for _, d := range sortedDatasets(o) {
			out = append(out, DatasetInfo{ID: d.id, Name: d.name, OrgID: o.id, Rows: len(d.rows), Deleted: d.deleted})
		}
		o.mu.RUnlock()
	}
	return out
}

// sortedDatasets returns o's datasets newest first; the caller holds o.mu.
func sortedDatasets(o *org) []*heliconeDataset {
	ds := make([]*heliconeDataset, 0, len(o.datasets))
	for _, d := range o.datasets {
		ds = append(ds, d)
	}
	slices.SortFunc(ds, func(a, b *heliconeDataset) int {
		if c := b.createdAt.Compare(a.createdAt); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
	return ds
}

// newUUID returns a random version-4 UUID.
func newUUID() string {
	var u [16]byte
	_, _ = rand.Read(u[:])
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// pgUUIDError is Postgres's error for text that is not a UUID (inferred).
func pgUUIDError(s string) string { return `invalid input syntax for type uuid: "` + s + `"` }

// stringArray validates an array of strings.
func stringArray(is issues, path string, raw json.RawMessage) []string {
	var elems []json.RawMessage
	if jsonKind(raw) != "array" || json.Unmarshal(raw, &elems) != nil {
		is.add(path, "invalid array", rawValue(raw))
		return nil
	}
	out := make([]string, 0, len(elems))
	for i, e := range elems {
		s, ok := jsonString(e)
		if !ok {
			is.add(path+".$"+strconv.Itoa(i), "invalid string value", rawValue(e))
			continue
		}
		out = append(out, s)
	}
	return out
}

// datasetOf returns o's dataset id, or nil when o has none (or only a deleted one, unless
// deleted is true). The caller holds o.mu.
func datasetOf(o *org, id string, deleted bool) *heliconeDataset {
	d := o.datasets[canonicalID(id)]
	if d == nil || d.deleted && !deleted {
		return nil
	}
	return d
}

// datasetCreate answers POST /v1/helicone-dataset.
func (h *Handler) datasetCreate(w http.ResponseWriter, body *reqBody, o *org) {
	ents, ok := objectBody(w, body)
	if !ok {
		return
	}
	is := issues{}
	var (
		name     string
		ids      []string
		haveName bool
		haveIDs  bool
		meta     json.RawMessage
	)
	for _, e := range ents {
		switch e.key {
		case "datasetName":
			haveName = true
			var ok bool
			if name, ok = jsonString(e.val); !ok {
				is.add("requestBody.datasetName", "invalid string value", rawValue(e.val))
			}
		case "requestIds":
			haveIDs = true
			ids = stringArray(is, "requestBody.requestIds", e.val)
		case "meta":
			meta = e.val
			m, ok := objectEntries(e.val)
			if !ok {
				is.add("requestBody.meta", "invalid object", rawValue(e.val))
				continue
			}
			for _, me := range m {
				switch me.key {
				case "promptVersionId":
					if msg := stringValue(me.val); msg != "" {
						is.add("requestBody.meta.promptVersionId", msg, rawValue(me.val))
					}
				case "inputRecordsIds":
					stringArray(is, "requestBody.meta.inputRecordsIds", me.val)
				default:
					is.excess("requestBody.meta", me.key)
				}
			}
		default:
			is.excess("requestBody", e.key)
		}
	}
	if !haveName {
		is.add("requestBody.datasetName", "'datasetName' is required", nil)
	}
	if !haveIDs {
		is.add("requestBody.requestIds", "'requestIds' is required", nil)
	}
	if len(is) > 0 {
		validation(is).write(w)
		return
	}
	now := h.cfg.clock()
	d := &heliconeDataset{id: newUUID(), name: name, meta: meta, createdAt: now}
	o.mu.Lock()
	o.datasets[d.id] = d
	msg := ""
	if len(ids) > 0 {
		msg = h.addRows(o, d, ids, now)
		if msg != "" {
			d.deleted = true
		}
	}
	o.mu.Unlock()
	if msg != "" {
		writeError(w, http.StatusInternalServerError, msg)
		return
	}
	writeData(w, http.StatusOK, map[string]string{"datasetId": d.id})
}

// addRows adds one row per request id to d, copying each request's bodies, as the server's
// add path does: the daily row limit first, then every row, then the copies; a failed copy
// is the answer's error and the rows stay (inferred). The caller holds o.mu.
func (h *Handler) addRows(o *org, d *heliconeDataset, ids []string, now time.Time) string {
	for _, id := range ids {
		if !isUUIDShape(id) {
			return pgUUIDError(id)
		}
	}
	day := now.UTC().Format(time.DateOnly)
	if o.rowsDay != day {
		o.rowsDay, o.rowsToday = day, 0
	}
	if o.rowsToday+len(ids) > DatasetRowsPerDay {
		return fmt.Sprintf("Rate limit exceeded: You can add up to %d dataset rows per day. Today's usage: %d. Requested: %d. Limit resets at midnight UTC.", DatasetRowsPerDay, o.rowsToday, len(ids))
	}
	o.rowsToday += len(ids)
	rows := make([]*datasetRow, len(ids))
	for i, id := range ids {
		rows[i] = &datasetRow{id: newUUID(), requestID: canonicalID(id), createdAt: now}
	}
	d.addRows(rows...)
	failed := ""
	for i, id := range ids {
		body, msg := copyBodies(id, o.requests[canonicalID(id)], now)
		rows[i].body = body
		if msg != "" && failed == "" {
			failed = msg
		}
	}
	return failed
}

// datasetMutate answers POST /v1/helicone-dataset/{datasetId}/mutate: adds, then removes.
func (h *Handler) datasetMutate(w http.ResponseWriter, body *reqBody, o *org, id string) {
	ents, ok := objectBody(w, body)
	if !ok {
		return
	}
	is := issues{}
	var add, remove []string
	haveAdd, haveRemove := false, false
	for _, e := range ents {
		switch e.key {
		case "addRequests":
			haveAdd = true
			add = stringArray(is, "requestBody.addRequests", e.val)
		case "removeRequests":
			haveRemove = true
			remove = stringArray(is, "requestBody.removeRequests", e.val)
		default:
			is.excess("requestBody", e.key)
		}
	}
	if !haveAdd {
		is.add("requestBody.addRequests", "'addRequests' is required", nil)
	}
	if !haveRemove {
		is.add("requestBody.removeRequests", "'removeRequests' is required", nil)
	}
	if len(is) > 0 {
		validation(is).write(w)
		return
	}
	if (len(add) > 0 || len(remove) > 0) && !isUUIDShape(id) {
		writeError(w, http.StatusInternalServerError, pgUUIDError(id))
		return
	}
	now := h.cfg.clock()
	o.mu.Lock()
	defer o.mu.Unlock()
	d := datasetOf(o, id, true)
	if len(add) > 0 {
		if d == nil {
			// The rows' foreign key names no dataset of this organization (inferred).
			writeError(w, http.StatusInternalServerError, `insert or update on table "helicone_dataset_row" violates foreign key constraint "helicone_dataset_row_dataset_id_fkey"`)
			return
		}
		if msg := h.addRows(o, d, add, now); msg != "" {
			writeError(w, http.StatusInternalServerError, msg)
			return
		}
	}
	if len(remove) > 0 {
		for _, rid := range remove {
			if !isUUIDShape(rid) {
				writeError(w, http.StatusInternalServerError, pgUUIDError(rid))
				return
			}
		}
		if d != nil {
			gone := map[string]bool{}
			for _, rid := range remove {
				gone[canonicalID(rid)] = true
			}
			d.removeRows(func(r *datasetRow) bool { return gone[r.id] })
		}
	}
	writeData(w, http.StatusOK, nil)
}

// datasetRowOut is one row of a rows query.
type datasetRowOut struct {
	ID              string       `json:"id"`
	OriginRequestID string       `json:"origin_request_id"`
	DatasetID       string       `json:"dataset_id"`
	CreatedAt       string       `json:"created_at"`
	SignedURL       signedURLOut `json:"signed_url"`
}

type signedURLOut struct {
	Data  *string `json:"data"`
	Error *string `json:"error"`
}

// clampNumber reads a validated limit or offset (a number or numeric text), whole.
func clampNumber(raw json.RawMessage) float64 {
	n, ok := number(raw)
	if !ok || math.IsNaN(n) {
		return 0
	}
	return math.Floor(n)
}

// datasetRows answers POST /v1/helicone-dataset/{datasetId}/query {"offset":n,"limit":n}:
// newest first, limit clamped to 1..10000 (0: 50), offset to at least 0.
func (h *Handler) datasetRows(w http.ResponseWriter, r *http.Request, body *reqBody, o *org, id string) {
	ents, ok := objectBody(w, body)
	if !ok {
		return
	}
	is := issues{}
	var limit, offset float64
	haveLimit, haveOffset := false, false
	for _, e := range ents {
		switch e.key {
		case "limit", "offset":
			if msg := numberValue(e.val); msg != "" {
				is.add("requestBody."+e.key, msg, rawValue(e.val))
				continue
			}
			if e.key == "limit" {
				limit, haveLimit = clampNumber(e.val), true
			} else {
				offset, haveOffset = clampNumber(e.val), true
			}
		default:
			is.excess("requestBody", e.key)
		}
	}
	if !haveOffset && is["requestBody.offset"] == nil {
		is.add("requestBody.offset", "'offset' is required", nil)
	}
	if !haveLimit && is["requestBody.limit"] == nil {
		is.add("requestBody.limit", "'limit' is required", nil)
	}
	if len(is) > 0 {
		validation(is).write(w)
		return
	}
	if !isUUIDShape(id) {
		writeError(w, http.StatusInternalServerError, pgUUIDError(id))
		return
	}
	switch {
	case limit == 0:
		limit = DefaultDatasetRowLimit
	case limit < 1:
		limit = 1
	case limit > MaxDatasetRowLimit:
		limit = MaxDatasetRowLimit
	}
	offset = max(offset, 0)
	now := h.cfg.clock()
	host := requestHost(r)
	out := []datasetRowOut{}
	o.mu.RLock()
	if d := datasetOf(o, id, false); d != nil {
		// Rows added together share created_at, and Postgres orders ties as its plan has
		// it: here by a hash that depends on the page, so paging through ties can skip or
		// repeat rows (inferred). Only the ties around the page need that order.
		rows := d.page(int(min(offset, float64(len(d.rows)))), int(limit), strconv.Itoa(int(offset+limit)))
		for _, row := range rows {
			signed := signedURLOut{}
			if h.faults.has(&h.faults.unsigned, row.id) {
				msg := SigningFailure
				signed.Error = &msg
			} else {
				u := h.signURL(host, rowObjectKey(o.id, d.id, row.id), now)
				signed.Data = &u
			}
			out = append(out, datasetRowOut{ID: row.id, OriginRequestID: row.requestID, DatasetID: d.id, CreatedAt: timeText(row.createdAt), SignedURL: signed})
		}
	}
	o.mu.RUnlock()
	writeData(w, http.StatusOK, out)
}

func tieHash(id, window string) uint64 {
	f := fnv.New64a()
	_, _ = io.WriteString(f, id)
	_, _ = f.Write([]byte{0})
	_, _ = io.WriteString(f, window)
	return f.Sum64()
}

// page returns limit rows from off of the dataset's rows ordered newest first, ties of one
// created_at by tieHash(id, window), ties of one hash in the order they were added.
func (d *heliconeDataset) page(off, limit int, window string) []*datasetRow {
	rows := d.newestFirst()
	off = min(off, len(rows))
	end := min(len(rows), off+limit)
	if off == end {
		return nil
	}
	// The rows sharing a created_at with the page's first or last row.
	lo, hi := off, end
	for lo > 0 && rows[lo-1].createdAt.Equal(rows[off].createdAt) {
		lo--
	}
	for hi < len(rows) && rows[hi].createdAt.Equal(rows[end-1].createdAt) {
		hi++
	}
	type keyed struct {
		row  *datasetRow
		hash uint64
	}
	seg := make([]keyed, hi-lo)
	for i, r := range rows[lo:hi] {
		seg[i] = keyed{r, tieHash(r.id, window)}
	}
	slices.SortStableFunc(seg, func(a, b keyed) int {
		if c := b.row.createdAt.Compare(a.row.createdAt); c != 0 {
			return c
		}
		return cmp.Compare(a.hash, b.hash)
	})
	out := make([]*datasetRow, 0, end-off)
	for _, k := range seg[off-lo : end-lo] {
		out = append(out, k.row)
	}
	return out
}

// datasetCount answers POST /v1/helicone-dataset/{datasetId}/count: the count as text.
func (h *Handler) datasetCount(w http.ResponseWriter, o *org, id string) {
	if !isUUIDShape(id) {
		writeError(w, http.StatusInternalServerError, pgUUIDError(id))
		return
	}
	o.mu.RLock()
	n := 0
	if d := datasetOf(o, id, false); d != nil {
		n = len(d.rows)
	}
	o.mu.RUnlock()
	writeData(w, http.StatusOK, strconv.Itoa(n))
}

// heliconeDatasetOut is one dataset of the list.
type heliconeDatasetOut struct {
	ID            string          `json:"id"`
	Name          string          `json:"name"`
	CreatedAt     string          `json:"created_at"`
	Organization  string          `json:"organization"`
	DatasetType   string          `json:"dataset_type"`
	Meta          json.RawMessage `json:"meta"`
	DeletedAt     *string         `json:"deleted_at"`
	RequestsCount string          `json:"requests_count"`
	SignedURL     struct{}        `json:"signed_url"`
}

// datasetList answers POST /v1/helicone-dataset/query {"datasetIds"?: [...]}: newest first,
// no paging.
func (h *Handler) datasetList(w http.ResponseWriter, body *reqBody, o *org) {
	ents, ok := objectBody(w, body)
	if !ok {
		return
	}
	is := issues{}
	var ids []string
	for _, e := range ents {
		if e.key != "datasetIds" {
			is.excess("requestBody", e.key)
			continue
		}
		ids = stringArray(is, "requestBody.datasetIds", e.val)
	}
	if len(is) > 0 {
		validation(is).write(w)
		return
	}
	want := map[string]bool{}
	for _, id := range ids {
		if !isUUIDShape(id) {
			writeError(w, http.StatusInternalServerError, pgUUIDError(id))
			return
		}
		want[canonicalID(id)] = true
	}
	out := []heliconeDatasetOut{}
	o.mu.RLock()
	for _, d := range sortedDatasets(o) {
		if d.deleted || len(want) > 0 && !want[d.id] {
			continue
		}
		out = append(out, heliconeDatasetOut{
			ID: d.id, Name: d.name, CreatedAt: timeText(d.createdAt), Organization: o.id,
			DatasetType: "helicone", Meta: rawOrNull(d.meta), RequestsCount: strconv.Itoa(len(d.rows)),
		})
	}
	o.mu.RUnlock()
	writeData(w, http.StatusOK, out)
}

// datasetEditRow answers POST /v1/helicone-dataset/{datasetId}/request/{rowId}: it
// overwrites the row's body object. A row the organization does not have changes nothing,
// and the answer is the same.
func (h *Handler) datasetEditRow(w http.ResponseWriter, body *reqBody, o *org, datasetID, rowID string) {
	ents, ok := objectBody(w, body)
	if !ok {
		return
	}
	is := issues{}
	var req, resp json.RawMessage
	for _, e := range ents {
		switch e.key {
		case "requestBody":
			req = e.val
		case "responseBody":
			resp = e.val
		default:
			is.excess("requestBody", e.key)
		}
	}
	if req == nil {
		is.add("requestBody.requestBody", "'requestBody' is required", nil)
	}
	if resp == nil {
		is.add("requestBody.responseBody", "'responseBody' is required", nil)
	}
	if len(is) > 0 {
		validation(is).write(w)
		return
	}
	o.mu.Lock()
	if d := datasetOf(o, datasetID, true); d != nil {
		for _, row := range d.rows {
			if row.id == canonicalID(rowID) {
				row.body = rowBody{edited: bodiesJSON(req, resp)}
			}
		}
	}
	o.mu.Unlock()
	writeData(w, http.StatusOK, nil)
}

// datasetDelete answers POST /v1/helicone-dataset/{datasetId}/delete: a soft delete.
func (h *Handler) datasetDelete(w http.ResponseWriter, o *org, id string) {
	if !isUUIDShape(id) {
		writeError(w, http.StatusInternalServerError, pgUUIDError(id))
		return
	}
	o.mu.Lock()
	d := datasetOf(o, id, true)
	if d != nil {
		d.deleted = true
	}
	o.mu.Unlock()
	if d == nil {
		writeError(w, http.StatusInternalServerError, "Failed to delete dataset or dataset not found")
		return
	}
	writeData(w, http.StatusOK, nil)
}
