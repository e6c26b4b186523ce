package helicone

import (
	"context"
	"errors"
	"hash/maphash"
	"iter"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// ExperimentPart says what an [ExperimentItem] carries.
type ExperimentPart int

// The parts of an experiment answer, in the order they complete on the wire for each
// experiment: rows and runs as they are read, a hypothesis's header when its object ends,
// the experiment's header when its object ends.
const (
	// PartRow is one dataset row (Row).
	PartRow ExperimentPart = iota + 1
	// PartRun is one hypothesis run (Run), of hypothesis HypothesisIndex.
	PartRun
	// PartHypothesis is a hypothesis whose object has been read whole (Hypothesis, its
	// Runs empty: they came as PartRun items).
	PartHypothesis
	// PartExperiment is an experiment whose object has been read whole (Experiment, its
	// rows and runs empty: they came as items).
	PartExperiment
)

// ExperimentItem is one part of the experiment answer, handed on as soon as it is read.
//
// The server writes each experiment's id first, then its dataset's rows, the dataset's
// name, the meta, and each hypothesis with its runs before its id and model; no order is
// guaranteed, though: runs may come before rows. Experiment and Hypothesis are the headers
// read so far, so a consumer that needs a header field can tell whether it has arrived.
type ExperimentItem struct {
	Part ExperimentPart
	// Index is the experiment's position in the answer, from 0.
	Index int
	// Experiment is the experiment's header as read so far: every member but the dataset's
	// rows (empty, not nil, when the answer has a rows array) and the hypotheses' runs
	// (likewise); Hypotheses holds the hypotheses read so far. It is complete for
	// PartExperiment. It is valid until the next item.
	Experiment *Experiment
	// HypothesisIndex is the position of the hypothesis in Experiment.Hypotheses, and
	// Hypothesis its header as read so far (complete for PartHypothesis), for PartRun and
	// PartHypothesis.
	HypothesisIndex int
	Hypothesis      *Hypothesis
	// Row (PartRow) and Run (PartRun) are owned by the consumer.
	Row *DatasetRow
	Run *Run
}

// StreamExperiments runs the experiment query (POST /v1/experiment/query, as
// [Client.QueryExperiments]) and yields each part of the answer as it is read from the wire,
// without holding the answer: memory does not grow with the size of the experiments, and
// the whole answer has no size bound (each row, run or header member has one).
//
// The call is retried as any call is. An answer cut after items were yielded (the
// connection broke, the body ends too early) is read again from the start: the items
// already yielded are read past, not yielded twice, and must be the same ones in the same
// order, or the iteration ends with an [*ExperimentChangedError]. Any other failure after
// the first item (an error in the envelope after the data, say) is yielded as the last
// error. A value of the wrong shape is skipped, and reported as a [*DecodeError] when the
// answer has been read. Stopping the iteration closes the answer.
func (c *Client) StreamExperiments(ctx context.Context, q ExperimentQuery) iter.Seq2[ExperimentItem, error] {
	return func(yield func(ExperimentItem, error) bool) {
		if err := q.Filter.Err(); err != nil {
			yield(ExperimentItem{}, err)
			return
		}
		r := resume{seed: maphash.MakeSeed()}
		stopped := false
		err := c.experimentQuery(ctx, q, r.restart, func(it *ExperimentItem) error {
			if again, err := r.readPast(it); again || err != nil {
				return err
			}
			if !yield(*it, nil) {
				stopped = true
				return errStopped
			}
			return nil
		}, r.restartable)
		if err == nil && r.skip > 0 {
			err = r.changed()
		}
		if err != nil && !stopped {
			yield(ExperimentItem{}, err)
		}
	}
}

// resume lets a streamed experiment answer that broke after items were yielded be read
// again: the items yielded before are read past, and are checked to be the same ones by a
// hash of their identities in order.
type resume struct {
	seed maphash.Seed
	// n items were yielded; sum folds their identities.
	n   int
	sum uint64
	// The attempt being read has skip items still to read past; again folds those read so
	// far, want is what they must fold to.
	skip        int
	again, want uint64
	// broke is the failure that made the answer be read again.
	broke error
}

// restartable reports whether an attempt that failed with err may be made again.
func (r *resume) restartable(err error) bool {
	if r.n == 0 {
		return true
	}
	var te *TransportError
	var de *DecodeError
	if errors.As(err, &te) || errors.As(err, &de) && de.truncated() {
		r.broke = err
		return true
	}
	return false
}

// restart begins an attempt's data.
func (r *resume) restart() { r.skip, r.again, r.want = r.n, 0, r.sum }

// readPast reports whether it was yielded before; it counts the items it did not.
func (r *resume) readPast(it *ExperimentItem) (bool, error) {
	if r.skip == 0 {
		r.sum = r.fold(r.sum, it)
		r.n++
		return false, nil
	}
	r.again = r.fold(r.again, it)
	r.skip--
	if r.skip == 0 && r.again != r.want {
		return true, r.changed()
	}
	return true, nil
}

func (r *resume) changed() error {
	return &ExperimentChangedError{Yielded: r.n, Err: r.broke}
}

// fold adds the identity of it to the hash h: its part, position and id.
func (r *resume) fold(h uint64, it *ExperimentItem) uint64 {
	id := struct {
		part       ExperimentPart
		index, hyp int
		a, b       string
	}{part: it.Part, index: it.Index, hyp: it.HypothesisIndex}
	switch it.Part {
	case PartRow:
		id.a = it.Row.RowID
	case PartRun:
		id.a, id.b = it.Run.ResultRequestID, it.Run.DatasetRowID
	case PartHypothesis:
		id.a = it.Hypothesis.ID
	case PartExperiment:
		id.a = it.Experiment.ID
	}
	return (h ^ maphash.Comparable(r.seed, id)) * 0x100000001b3
}

// QueryExperiments lists experiments (POST /v1/experiment/query): at most 30, newest first.
// When the server answers the generic 500 "Not implemented" (hosted Helicone after the
// Experiments deprecation, or any failure inside the handler) the call is retried once, and
// the error is an [*ExperimentsUnavailableError] (matching [ErrExperimentsUnavailable]) that
// says what to evaluate instead: a Helicone dataset with its tagged runs, or logged requests.
//
// It collects what [Client.StreamExperiments] reads, so it holds every experiment whole;
// read large experiments with StreamExperiments instead.
func (c *Client) QueryExperiments(ctx context.Context, q ExperimentQuery) ([]Experiment, error) {
	if err := q.Filter.Err(); err != nil {
		return nil, err
	}
	var out []Experiment
	err := c.experimentQuery(ctx, q, func() { out = nil }, func(it *ExperimentItem) error {
		out = collectExperiment(out, it)
		return nil
	}, nil)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// experimentQuery sends the query and hands each item of the answer to emit; begin, when
// set, is called before each attempt's data is read.
func (c *Client) experimentQuery(ctx context.Context, q ExperimentQuery, begin func(), emit func(*ExperimentItem) error, restartable func(error) bool) error {
	data := func(a *answer) error {
		if begin != nil {
			begin()
		}
		return (&experimentReader{a: a, emit: emit}).data()
	}
	cl := call{method: "POST", path: "/v1/experiment/query", data: data, streamed: true, restartable: restartable,
		retryAPI: func(e *APIError, attempt int) bool { return !isNotImplemented(e) || attempt < 2 }}
	_, err := c.doCall(ctx, cl, q)
	var apiErr *APIError
	if errors.As(err, &apiErr) && isNotImplemented(apiErr) {
		return &ExperimentsUnavailableError{Err: apiErr}
	}
	return err
}

// collectExperiment adds an item to the experiments collected so far.
func collectExperiment(out []Experiment, it *ExperimentItem) []Experiment {
	for len(out) <= it.Index {
		out = append(out, Experiment{})
	}
	e := &out[it.Index]
	hyp := func() *Hypothesis {
		for len(e.Hypotheses) <= it.HypothesisIndex {
			e.Hypotheses = append(e.Hypotheses, Hypothesis{})
		}
		return &e.Hypotheses[it.HypothesisIndex]
	}
	switch it.Part {
	case PartRow:
		e.Dataset.Rows = append(e.Dataset.Rows, *it.Row)
	case PartRun:
		h := hyp()
		h.Runs = append(h.Runs, *it.Run)
	case PartHypothesis:
		h := hyp()
		runs := h.Runs
		*h = *it.Hypothesis
		if runs != nil {
			h.Runs = runs
		}
	case PartExperiment:
		rows, hyps := e.Dataset.Rows, e.Hypotheses
		*e = *it.Experiment
		if rows != nil {
			e.Dataset.Rows = rows
		}
		if hyps != nil {
			e.Hypotheses = hyps
		}
	}
	return out
}

// experimentReader reads the data of the experiment answer part by part.
type experimentReader struct {
	a     *answer
	emit  func(*ExperimentItem) error
	index int
}

// The header members decoded whole (the rest of an object's members are streamed or
// skipped).
var (
	experimentMembers = []string{"id", "organization", "meta", "createdAt", "scores"}
	datasetMembers    = []string{"id", "name"}
	hypothesisMembers = []string{"id", "providerKey", "createdAt", "status", "model", "promptVersionId", "promptVersion", "parentPromptVersion"}
)

func memberName(names []string, key string) string {
	for _, n := range names {
		if n == key {
			return n
		}
	}
	for _, n := range names {
		if strings.EqualFold(n, key) {
			return n
		}
	}
	return ""
}

// data reads the answer's data: an array of experiments, or null.
func (r *experimentReader) data() error {
	_, err := r.array(new([]Experiment), func() error {
		k, err := r.a.peek()
		if err != nil {
			return err
		}
		return r.experiment(k)
	})
	return err
}

// object reads the members of the object whose '{' is next, calling member for each name.
func (r *experimentReader) object(member func(key string) error) error {
	dec := r.a.dec
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	for {
		k, err := r.a.peek()
		if err != nil {
			return err
		}
		if k == '}' {
			_, err := dec.ReadToken()
			return err
		}
		tok, err := dec.ReadToken()
		if err != nil {
			return err
		}
		r.a.mark()
		if err := member(tok.String()); err != nil {
			return err
		}
	}
}

// header decodes the value of the member named name into dst, a header struct, leaving
// its other fields as they are.
func (r *experimentReader) header(dst any, name string) error {
	raw, err := r.a.dec.ReadValue()
	if err != nil {
		return err
	}
	b := make([]byte, 0, len(name)+len(raw)+5)
	b = append(append(append(append(b, `{"`...), name...), `":`...), raw...)
	if err := json.Unmarshal(append(b, '}'), dst, decodeOptions); err != nil {
		r.a.keep(err)
	}
	return nil
}

func (r *experimentReader) experiment(k jsontext.Kind) error {
	e := &Experiment{}
	defer func() { r.index++ }()
	switch k {
	case 'n':
		if _, err := r.a.dec.ReadToken(); err != nil {
			return err
		}
		return r.emit(&ExperimentItem{Part: PartExperiment, Index: r.index, Experiment: e})
	case '{':
	default:
		_, err := r.a.value(e)
		return err
	}
	err := r.object(func(key string) error {
		switch {
		case strings.EqualFold(key, "dataset"):
			return r.dataset(e)
		case strings.EqualFold(key, "hypotheses"):
			return r.hypotheses(e)
		}
		if n := memberName(experimentMembers, key); n != "" {
			return r.header(e, n)
		}
		return r.a.dec.SkipValue()
	})
	if err != nil {
		return err
	}
	return r.emit(&ExperimentItem{Part: PartExperiment, Index: r.index, Experiment: e})
}

func (r *experimentReader) dataset(e *Experiment) error {
	switch k, err := r.a.peek(); {
	case err != nil:
		return err
	case k == 'n':
		_, err := r.a.dec.ReadToken()
		return err
	case k != '{':
		_, err := r.a.value(&e.Dataset)
		return err
	}
	return r.object(func(key string) error {
		if strings.EqualFold(key, "rows") {
			return r.rows(e)
		}
		if n := memberName(datasetMembers, key); n != "" {
			return r.header(&e.Dataset, n)
		}
		return r.a.dec.SkipValue()
	})
}

// array reads the array whose '[' is next (null is no array), calling elem for each
// element; it reports whether there was an array.
func (r *experimentReader) array(dst any, elem func() error) (bool, error) {
	dec := r.a.dec
	switch k, err := r.a.peek(); {
	case err != nil:
		return false, err
	case k == 'n':
		_, err := dec.ReadToken()
		return false, err
	case k != '[':
		_, err := r.a.value(dst)
		return false, err
	}
	if _, err := dec.ReadToken(); err != nil {
		return false, err
	}
	for {
		k, err := r.a.peek()
		if err != nil {
			return true, err
		}
		if k == ']' {
			_, err := dec.ReadToken()
			return true, err
		}
		r.a.mark()
		if err := elem(); err != nil {
			return true, err
		}
	}
}

func (r *experimentReader) rows(e *Experiment) error {
	e.Dataset.Rows = nil
	found, err := r.array(new([]DatasetRow), func() error {
		if e.Dataset.Rows == nil {
			e.Dataset.Rows = []DatasetRow{}
		}
		row := new(DatasetRow)
		if ok, err := r.a.valueRaw(row, func(raw []byte) bool { return fastDatasetRow(raw, row) }); !ok {
			return err
		}
		return r.emit(&ExperimentItem{Part: PartRow, Index: r.index, Experiment: e, Row: row})
	})
	if found && e.Dataset.Rows == nil {
		e.Dataset.Rows = []DatasetRow{}
	}
	return err
}

func (r *experimentReader) hypotheses(e *Experiment) error {
	e.Hypotheses = nil
	found, err := r.array(new([]Hypothesis), func() error {
		hi := len(e.Hypotheses)
		e.Hypotheses = append(e.Hypotheses, Hypothesis{})
		switch k, err := r.a.peek(); {
		case err != nil:
			return err
		case k == 'n':
			if _, err := r.a.dec.ReadToken(); err != nil {
				return err
			}
		case k != '{':
			e.Hypotheses = e.Hypotheses[:hi]
			_, err := r.a.value(new(Hypothesis))
			return err
		default:
			err := r.object(func(key string) error {
				if strings.EqualFold(key, "runs") {
					return r.runs(e, hi)
				}
				if n := memberName(hypothesisMembers, key); n != "" {
					return r.header(&e.Hypotheses[hi], n)
				}
				return r.a.dec.SkipValue()
			})
			if err != nil {
				return err
			}
		}
		return r.emit(&ExperimentItem{Part: PartHypothesis, Index: r.index, Experiment: e, HypothesisIndex: hi, Hypothesis: &e.Hypotheses[hi]})
	})
	if found && e.Hypotheses == nil {
		e.Hypotheses = []Hypothesis{}
	}
	return err
}

func (r *experimentReader) runs(e *Experiment, hi int) error {
	e.Hypotheses[hi].Runs = nil
	found, err := r.array(new([]Run), func() error {
		run := new(Run)
		if ok, err := r.a.valueRaw(run, func(raw []byte) bool { return fastRun(raw, run) }); !ok {
			return err
		}
		return r.emit(&ExperimentItem{Part: PartRun, Index: r.index, Experiment: e, HypothesisIndex: hi, Hypothesis: &e.Hypotheses[hi], Run: run})
	})
	if found {
		e.Hypotheses[hi].Runs = []Run{}
	}
	return err
}
