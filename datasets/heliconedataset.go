package datasets

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/heval-dev/heval"

	"github.com/heval-dev/heval/helicone"
	"github.com/heval-dev/heval/internal/idkey"
	"github.com/heval-dev/heval/internal/spool"
)

// rowChunk is how many dataset rows are read together: one request query for their origin
// requests, and their bodies fetched concurrently.
const rowChunk = helicone.MaxIDsPerQuery

// How much of a dataset is read while what came before is judged: the server (and its
// storage) answers the next calls while heval judges the last, and a run far from the
// server is paced by the calls it keeps in flight (BenchmarkLatency), not by its CPU.
// bodyFetchers is how many signed bodies of a chunk of rows are fetched at once and
// rowChunksAhead how many chunks are read (their origin requests and bodies) while an
// earlier one is judged: up to bodyFetchers×(rowChunksAhead+1) downloads in flight, as
// many as the client keeps connections for. runQueriesAhead is how many queries of tagged
// runs run while the runs of an earlier one are judged. Each unit ahead is held in memory:
// a chunk's bodies, a query's samples, a few MiB in all.
const (
	bodyFetchers    = 16
	rowChunksAhead  = 3
	runQueriesAhead = 5
)

// HeliconeDataset returns a source of the rows of a Helicone dataset (current Helicone's
// /v1/helicone-dataset routes), found by id or by name: one sample per row, of kind
// [KindDatasetRow] and Hypothesis "dataset". A row's scores go to the request it was made
// from (RequestID is the row's origin_request_id); DatasetRowID is the row's id. Body and
// Inputs come from the row's snapshot of that request (read from its signed URL); model,
// provider, properties, token counts, latency and creation time from the request itself,
// read through request queries. RowIndex numbers the rows oldest first.
//
// To judge the dataset's hypothesis runs too, use [DatasetExperiment].
func HeliconeDataset(idOrName string) Source {
	return &datasetSource{query: strings.TrimSpace(idOrName), cfg: experimentConfig{rows: true}}
}

// DatasetExperiment returns a source of what an experiment was before Helicone dropped
// experiments: a Helicone dataset's rows (as [HeliconeDataset] yields them, Hypothesis
// "dataset") and its hypothesis runs, the logged requests an application tagged with the
// headers [HypothesisHeader] (the hypothesis) and [RowHeader] (the row's id). Each run is a
// sample of kind [KindHypothesisRun] joined to its row as an experiment's run is: its
// DatasetRowID is the row's id (so hypotheses pair per row in comparisons), its Inputs the
// row's, its Reference the row's original answer and its RowIndex the row's.
//
// The runs are found by their row property, for every row of the dataset, among the
// requests logged since the oldest row was added; [RunFilter] narrows them further (for
// example to last night), [RunTags] renames the two properties, [RowsOnly] and
// [RunsOnly] choose what is yielded, [Hypotheses] keeps some hypotheses and [WithLabels]
// names them (by default a run's label is its hypothesis property's value). A dataset
// without tagged runs yields its rows only.
func DatasetExperiment(idOrName string, opts ...ExperimentOption) Source {
	return &datasetSource{query: strings.TrimSpace(idOrName), cfg: newExperimentConfig(opts)}
}

type datasetSource struct {
	query string
	cfg   experimentConfig
}

func (s *datasetSource) String() string {
	switch {
	case !s.cfg.runs:
		return "Helicone dataset " + s.query
	case !s.cfg.rows:
		return "runs of Helicone dataset " + s.query
	}
	return "Helicone dataset " + s.query + " with its tagged runs"
}

// datasetRow is a row being read, with what its samples need.
type datasetRow struct {
	helicone.HeliconeDatasetRow
	index int
	// urls is the number of the signed URLs' refreshes when the row's URL was read.
	urls   int
	bodies helicone.SignedBody
	// unavailable says why the row's bodies could not be read; empty when they were.
	unavailable string
	inputs      map[string]string
}

func (s *datasetSource) Samples(ctx context.Context, env Env) iter.Seq2[heval.Sample, error] {
	return func(yield func(heval.Sample, error) bool) {
		fail := func(err error) { yield(heval.Sample{}, fmt.Errorf("datasets: reading %s: %w", s, err)) }
		if env.Client == nil {
			yield(heval.Sample{}, ErrNoClient)
			return
		}
		if s.query == "" {
			yield(heval.Sample{}, errors.New("datasets: a Helicone dataset source needs a dataset id or name"))
			return
		}
		r := &datasetReader{client: env.Client, cfg: &s.cfg}
		defer r.close()
		if err := r.open(ctx, s.query); err != nil {
			fail(err)
			return
		}
		// The next chunks' origin requests and bodies are read while a chunk is judged.
		next := func() (func(context.Context) (fetchedRows, error), bool, error) {
			rows, err := r.load()
			if err != nil || rows == nil {
				return nil, false, err
			}
			return func(ctx context.Context) (fetchedRows, error) { return r.fetchRows(ctx, rows) }, true, nil
		}
		for fetched, err := range ahead(ctx, rowChunksAhead, next) {
			if err != nil {
				fail(err)
				return
			}
			samples, err := r.rowSamples(fetched)
			if err != nil {
				fail(err)
				return
			}
			if s.cfg.rows {
				for _, smp := range samples {
					if !yield(smp, nil) {
						return
					}
				}
			}
		}
		// The runs read their rows from the join spool.
		r.keys = nil
		if r.list != nil {
			_ = r.list.Close()
			r.list = nil
		}
		if !s.cfg.runs || r.join == nil {
			return
		}
		for smp, err := range r.runs(ctx) {
			if err != nil {
				fail(err)
				return
			}
			if !yield(smp, nil) {
				return
			}
		}
	}
}

// rowKey is what stays in memory of a dataset row while the rows are read: what sorts them
// oldest first (the server sends them newest first) and where the rest of the row waits in
// the reader's spool, so that a dataset's rows, each hundreds of bytes with its signed URL,
// are not all in memory at once. A key takes 40 bytes and holds no pointer: the row's id is
// packed (idkey.Pack), or, when it is not a lower-case UUID, kept in datasetReader.plainIDs.
type rowKey struct {
	sec   int64 // created_at, as Unix seconds and nanoseconds
	nsec  int32
	plain bool // the id is in datasetReader.plainIDs under at
	id    [16]byte
	at    int64 // the row's offset in the list spool
}

// joinRow is what the runs of a dataset row need of it once the row itself was judged:
// read back from the join spool a chunk of rows at a time.
type joinRow struct {
	id          string
	index       int
	unavailable string
	rec         []byte // the row's inputs and answer, as keepForRuns encoded them
}

// datasetReader reads one dataset.
type datasetReader struct {
	client    *helicone.Client
	cfg       *experimentConfig
	datasetID string
	// name is the samples' Experiment: the option's, else the dataset's name.
	name string
	// mu guards what the loading of chunks and the signed URLs' refreshes share: the keys'
	// offsets, plainIDs, list and listRd, and urls.
	mu sync.Mutex
	// keys are the rows' keys, oldest first; keys[loaded:] are the rows not loaded yet.
	keys   []rowKey
	loaded int
	urls   urlRefreshes
	// list holds the rows as they were read, until they are judged; join what their runs
	// need of each row (id, index, inputs and answer), in row order, until the runs are
	// read. Both are on disk rather than in memory.
	list, join     *spool.File
	listRd, joinRd *spool.Reader
	enc            spool.Encoder
	// plainIDs holds the ids that are not lower-case UUIDs, by the row's offset in list.
	plainIDs map[int64]string
	// oldest is the oldest row's creation time.
	oldest time.Time
}

// spoolFile makes a spool file for what, with a reader of it.
func spoolFile(what string) (*spool.File, *spool.Reader, error) {
	f, err := spool.Create("")
	if err != nil {
		return nil, nil, fmt.Errorf("holding %s: %w", what, err)
	}
	return f, f.NewReader(), nil
}

func (r *datasetReader) close() {
	for _, f := range []*spool.File{r.list, r.join} {
		if f != nil {
			_ = f.Close()
		}
	}
}

// keepForRuns moves what the runs need of row (its id, index, inputs, answer and the
// answer's text) to the join spool; rows are kept in row order, which is the order runs
// reads them back in.
func (r *datasetReader) keepForRuns(row *datasetRow, text string) error {
	if r.join == nil {
		var err error
		if r.join, r.joinRd, err = spoolFile("the rows for their runs"); err != nil {
			return err
		}
	}
	r.enc.Reset()
	r.enc.String(row.ID)
	r.enc.Uint(uint64(row.index))
	r.enc.String(row.unavailable)
	r.enc.Uint(uint64(len(row.inputs)))
	for _, k := range slices.Sorted(maps.Keys(row.inputs)) {
		r.enc.String(k)
		r.enc.String(row.inputs[k])
	}
	r.enc.Bool(row.inputs != nil)
	r.enc.Blob(row.bodies.Response)
	r.enc.String(text)
	if _, err := r.join.Append(r.enc.Bytes()); err != nil {
		return fmt.Errorf("holding the rows for their runs: %w", err)
	}
	row.inputs, row.bodies.Response = nil, nil
	return nil
}

// joinRows reads the next n rows of the join spool from *at on, advancing it; fewer at the
// end of the spool.
func (r *datasetReader) joinRows(at *int64, n int) ([]joinRow, error) {
	var rows []joinRow
	for len(rows) < n && *at < r.join.Size() {
		rec, next, err := r.joinRd.Read(*at)
		if err != nil {
			return nil, fmt.Errorf("reading back the dataset's rows for their runs: %w", err)
		}
		d := spool.NewDecoder(rec)
		row := joinRow{id: d.String(), index: int(d.Uint()), unavailable: d.String()}
		if err := d.Err(); err != nil {
			return nil, fmt.Errorf("reading back the dataset's rows for their runs: %w", err)
		}
		row.rec = slices.Clone(d.Rest())
		rows = append(rows, row)
		*at = next
	}
	return rows, nil
}

// joined decodes the inputs, answer and answer text keepForRuns kept of row.
func joined(row *joinRow) (map[string]string, []byte, string, error) {
	d := spool.NewDecoder(row.rec)
	n := d.Uint()
	var inputs map[string]string
	if n > 0 && d.Err() == nil {
		inputs = make(map[string]string, min(n, 1024))
		for range n {
			k := d.String()
			inputs[k] = d.String()
			if d.Err() != nil {
				break
			}
		}
	}
	if !d.Bool() {
		inputs = nil
	} else if inputs == nil {
		inputs = map[string]string{}
	}
	body := d.Blob()
	text := d.String()
	return inputs, body, text, d.Err()
}

// open finds the dataset and reads its rows into the list spool, and their keys, oldest
// first (rows of one creation time by id).
func (r *datasetReader) open(ctx context.Context, query string) error {
	d, err := r.client.FindDataset(ctx, query)
	if err != nil {
		return err
	}
	r.datasetID = d.ID
	r.name = cmp.Or(r.cfg.name, d.Name)
	var keys []rowKey
	err = r.client.EachDatasetRow(ctx, d.ID, func(row helicone.HeliconeDatasetRow) error {
		if r.list == nil {
			var err error
			if r.list, r.listRd, err = spoolFile("the dataset's rows"); err != nil {
				return err
			}
		}
		encodeListRow(&r.enc, &row)
		at, err := r.list.Append(r.enc.Bytes())
		if err != nil {
			return fmt.Errorf("holding the dataset's rows: %w", err)
		}
		t := helicone.ParseTime(row.CreatedAt)
		if len(keys) == 0 || t.Before(r.oldest) {
			r.oldest = t
		}
		k := rowKey{sec: t.Unix(), nsec: int32(t.Nanosecond()), at: at}
		if id, ok := idkey.Pack(row.ID); ok {
			k.id = id
		} else {
			if r.plainIDs == nil {
				r.plainIDs = map[int64]string{}
			}
			k.plain, r.plainIDs[at] = true, row.ID
		}
		keys = append(keys, k)
		return nil
	})
	if err != nil {
		return err
	}
	r.sortKeys(keys)
	r.keys = keys
	return nil
}

// sortKeys sorts keys oldest first, rows of one creation time by id.
func (r *datasetReader) sortKeys(keys []rowKey) {
	slices.SortStableFunc(keys, func(a, b rowKey) int {
		return cmp.Or(cmp.Compare(a.sec, b.sec), cmp.Compare(a.nsec, b.nsec), r.compareIDs(&a, &b))
	})
}

// compareIDs orders the ids of two keys as strings.Compare orders the ids themselves
// (packed lower-case UUIDs compare byte by byte in the same order as their text).
func (r *datasetReader) compareIDs(a, b *rowKey) int {
	if !a.plain && !b.plain {
		return bytes.Compare(a.id[:], b.id[:])
	}
	return strings.Compare(r.keyID(a), r.keyID(b))
}

// keyID is the id of the row of k.
func (r *datasetReader) keyID(k *rowKey) string {
	if k.plain {
		return r.plainIDs[k.at]
	}
	return idkey.Format(k.id)
}

// load reads the next chunk of rows back from the list spool; none after the last. The
// chunk is pending until fetchBodies is done with it.
func (r *datasetReader) load() ([]*datasetRow, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	first := r.loaded
	if first == len(r.keys) {
		return nil, nil
	}
	chunk := r.keys[first:min(first+rowChunk, len(r.keys))]
	r.loaded += len(chunk)
	rows := make([]*datasetRow, len(chunk))
	for i, k := range chunk {
		rec, _, err := r.listRd.Read(k.at)
		if err != nil {
			return nil, fmt.Errorf("reading back dataset row %s: %w", r.keyID(&k), err)
		}
		d := spool.NewDecoder(rec)
		row := &datasetRow{index: first + i, urls: r.urls.done}
		row.ID, row.OriginRequestID = d.String(), d.String()
		row.SignedURL.URL, row.SignedURL.Error = d.String(), d.String()
		if err := d.Err(); err != nil {
			return nil, fmt.Errorf("reading back dataset row %s: %w", r.keyID(&k), err)
		}
		rows[i] = row
		delete(r.plainIDs, k.at) // sorted already: the row has its id now
	}
	r.urls.pending(rows)
	return rows, nil
}

// fetchedRows is a chunk of rows with their bodies read, and their origin requests.
type fetchedRows struct {
	rows []*datasetRow
	meta map[string]helicone.Request
}

// fetchRows reads the origin requests (when the rows are judged) and the bodies of a chunk
// of rows: what waits on the network, which runs ahead of the judging.
func (r *datasetReader) fetchRows(ctx context.Context, chunk []*datasetRow) (fetchedRows, error) {
	f := fetchedRows{rows: chunk}
	// The query and the downloads go side by side: each takes at least a round trip.
	g, gctx := errgroup.WithContext(ctx)
	if r.cfg.rows {
		origins := make([]string, len(chunk))
		for i, row := range chunk {
			origins[i] = row.OriginRequestID
		}
		g.Go(func() error {
			var err error
			if f.meta, err = r.client.RequestsByID(gctx, helicone.RequestIDQuery{IDs: origins}); err != nil {
				return fmt.Errorf("reading the rows' origin requests: %w", err)
			}
			return nil
		})
	}
	g.Go(func() error { return r.fetchBodies(gctx, chunk) })
	return f, g.Wait()
}

// rowSamples returns the samples of a fetched chunk of rows, in order, keeping what their
// runs need of them.
func (r *datasetReader) rowSamples(f fetchedRows) ([]heval.Sample, error) {
	chunk, meta := f.rows, f.meta
	out := make([]heval.Sample, len(chunk))
	for i, row := range chunk {
		row.inputs = chatInputs(row.bodies.Request)
		s := heval.Sample{
			Kind:         heval.KindDatasetRow,
			RequestID:    row.OriginRequestID,
			Experiment:   r.name,
			Hypothesis:   DatasetHypothesis,
			DatasetRowID: row.ID,
			RowIndex:     row.index,
			Inputs:       row.inputs,
			Body:         row.bodies.Response,
			Model:        bodyModel(row.bodies.Request),
		}
		if row.unavailable != "" {
			s.Body = unavailableBody(row.unavailable)
		}
		if m, ok := meta[row.OriginRequestID]; ok {
			s.Model = cmp.Or(m.Model, s.Model)
			s.Provider = m.Provider
			s.Properties = m.Properties
			s.PromptTokens, s.CompletionTokens = int64(m.PromptTokens), int64(m.CompletionTokens)
			s.Latency = time.Duration(m.DelayMs) * time.Millisecond
			s.CreatedAt = helicone.ParseTime(m.RequestCreatedAt)
		}
		out[i] = Prepare(s)
		// Runs need only the row's inputs and answer, and its text, read once for the row's
		// sample and their reference, kept in the spool; a dataset read without runs,
		// nothing.
		row.bodies.Request = nil
		if !r.cfg.runs {
			row.bodies.Response = nil
			continue
		}
		var text string
		if row.unavailable == "" {
			var err error
			if text, err = AnswerText(row.bodies.Response); err == nil {
				out[i] = out[i].WithText(text, nil, "")
			}
		}
		if err := r.keepForRuns(row, text); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// fetchBodies reads the bodies of a chunk of rows from their signed URLs, a few at a time.
// A row whose URL could not be signed, or whose body the storage does not have, is marked
// unavailable; a row whose signed URL expired is read again once, with a fresh one
// (freshURLs); any other failure is an error.
func (r *datasetReader) fetchBodies(ctx context.Context, chunk []*datasetRow) error {
	fetch := func(rows []*datasetRow) (expired []*datasetRow, err error) {
		expiredAt := make([]bool, len(rows))
		var signed []int
		for i, row := range rows {
			if row.SignedURL.URL == "" {
				row.unavailable = "Helicone could not sign the row's body URL: " + cmp.Or(row.SignedURL.Error, "the row has none")
				continue
			}
			signed = append(signed, i)
		}
		// A few fetchers take the rows in turn, each until its first error (after one, the
		// others' requests end at once, their context canceled); a goroutine for each row
		// grew a new stack for every request.
		g, gctx := errgroup.WithContext(ctx)
		var next atomic.Int64
		for range min(bodyFetchers, len(signed)) {
			g.Go(func() error {
				for {
					k := int(next.Add(1)) - 1
					if k >= len(signed) {
						return nil
					}
					i := signed[k]
					row := rows[i]
					b, err := r.client.FetchSignedBody(gctx, row.SignedURL.URL)
					var se *helicone.SignedURLError
					switch {
					case err == nil:
						row.bodies, row.unavailable = b, ""
					case errors.As(err, &se) && se.Expired():
						expiredAt[i] = true
					case errors.As(err, &se) && (se.Err != nil || se.Status >= 400 && se.Status < 500):
						row.unavailable = err.Error()
					default:
						return fmt.Errorf("reading the body of dataset row %s: %w", row.ID, err)
					}
				}
			})
		}
		err = g.Wait()
		for i, e := range expiredAt {
			if e {
				expired = append(expired, rows[i])
			}
		}
		return expired, err
	}
	defer r.settled(chunk)
	expired, err := fetch(chunk)
	if err != nil || len(expired) == 0 {
		return err
	}
	retry, err := r.freshURLs(ctx, expired)
	if err != nil {
		return err
	}
	if expired, err = fetch(retry); err != nil {
		return err
	}
	if len(expired) > 0 {
		r.gaveUp(expired)
	}
	return nil
}

// runs yields the tagged runs of the dataset's rows, each joined to its row, reading the
// rows back from the join spool a query's worth at a time; the next queries run while the
// runs of one are judged.
func (r *datasetReader) runs(ctx context.Context) iter.Seq2[heval.Sample, error] {
	return func(yield func(heval.Sample, error) bool) {
		// One query's "or" holds at most MaxIDsPerQuery property leaves.
		perQuery := max(1, helicone.MaxIDsPerQuery/len(storedNames(r.cfg.rowProperty)))
		at := int64(0)
		next := func() (func(context.Context) ([]heval.Sample, error), bool, error) {
			chunk, err := r.joinRows(&at, perQuery)
			if err != nil || len(chunk) == 0 {
				return nil, false, err
			}
			return func(ctx context.Context) ([]heval.Sample, error) { return r.runsOf(ctx, chunk) }, true, nil
		}
		for samples, err := range ahead(ctx, runQueriesAhead, next) {
			if err != nil {
				yield(heval.Sample{}, err)
				return
			}
			for _, s := range samples {
				if !yield(s, nil) {
					return
				}
			}
		}
	}
}

// runsOf reads the tagged runs of a chunk of rows with one query (of as many pages as it
// takes), each joined to its row.
func (r *datasetReader) runsOf(ctx context.Context, chunk []joinRow) ([]heval.Sample, error) {
	src := requestsConfig{hypothesis: r.cfg.hypothesisProperty, row: r.cfg.rowProperty, runs: true}
	ids := make([]string, len(chunk))
	byID := make(map[string]*joinRow, len(chunk))
	for i := range chunk {
		ids[i] = chunk[i].id
		byID[strings.ToLower(chunk[i].id)] = &chunk[i]
	}
	f := helicone.And(r.cfg.runFilter, propertyEquals(r.cfg.rowProperty, ids))
	if !r.oldest.IsZero() {
		f = helicone.And(helicone.CreatedAt(helicone.Gte, r.oldest.Add(-5*time.Minute)), f)
	}
	q := helicone.RequestQuery{Filter: f, Limit: helicone.MaxRequestLimit, Sort: &helicone.RequestSort{Column: "created_at"}}
	var out []heval.Sample
	for req, err := range r.client.Requests(ctx, q) {
		if err != nil {
			return nil, fmt.Errorf("reading the tagged runs: %w", err)
		}
		row := byID[strings.ToLower(propertyValue(req.Properties, r.cfg.rowProperty))]
		if row == nil || !r.wanted(propertyValue(req.Properties, r.cfg.hypothesisProperty)) {
			continue
		}
		s, err := src.sample(ctx, r.client, &req)
		if err != nil {
			return nil, fmt.Errorf("reading tagged run %s: %w", req.RequestID, err)
		}
		if l := r.cfg.labels[s.HypothesisID]; l != "" {
			s.Hypothesis = l
		}
		s.DatasetRowID, s.RowIndex, s.Experiment = row.id, row.index, r.name
		inputs, ref, refText, err := joined(row)
		if err != nil {
			return nil, fmt.Errorf("reading back dataset row %s: %w", row.id, err)
		}
		if inputs != nil {
			s.Inputs = inputs
		}
		s = Prepare(s)
		if row.unavailable == "" {
			s.Reference = ref
			s = s.WithReferenceText(refText)
		}
		out = append(out, s)
	}
	return out, nil
}

// wanted reports whether runs of the hypothesis are kept ([Hypotheses]).
func (r *datasetReader) wanted(hypothesis string) bool {
	h := r.cfg.hypotheses
	return len(h) == 0 || slices.Contains(h, hypothesis) || slices.Contains(h, cmp.Or(r.cfg.labels[hypothesis], hypothesis, UntaggedHypothesis))
}

// unavailableBody is the body of a sample whose bodies could not be read: Helicone's own
// placeholder form, so that reading its answer says that the body is not available.
func unavailableBody(why string) []byte {
	b, _ := json.Marshal(map[string]string{"helicone_message": why})
	return b
}

// bodyModel reads the model a request body asked for.
func bodyModel(body []byte) string {
	var req struct {
		Model string `json:"model"`
	}
	if json.Unmarshal(body, &req) != nil {
		return ""
	}
	return req.Model
}
