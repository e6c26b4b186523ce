package reporters

import (
	"cmp"
	"hash/fnv"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/heval-dev/heval"

	"github.com/heval-dev/heval/stats"
)

// The defaults of an [Aggregator].
const (
	// DefaultWorstSamples is how many lowest-valued samples are kept per (group, evaluator, key).
	DefaultWorstSamples = 5
	// DefaultTextLimit is how many characters of an answer, a reference or a reason are kept
	// for a worst sample.
	DefaultTextLimit = 2000
	// DefaultErrorLimit is how many error records are kept with their messages.
	DefaultErrorLimit = 200
)

// AggregateOption configures an [Aggregator].
type AggregateOption func(*aggConfig)

type aggConfig struct {
	worst, textLimit, errorLimit int
}

// WorstSamples sets how many lowest-valued samples are kept per (group, evaluator, key);
// 0 keeps none.
func WorstSamples(n int) AggregateOption { return func(c *aggConfig) { c.worst = max(0, n) } }

// TextLimit sets how many characters of an answer, reference, input or reason are kept for
// a worst sample or an error; longer texts are cut and end with "…".
func TextLimit(n int) AggregateOption { return func(c *aggConfig) { c.textLimit = max(1, n) } }

// ErrorLimit sets how many error records are kept with their messages (every error is
// counted regardless).
func ErrorLimit(n int) AggregateOption { return func(c *aggConfig) { c.errorLimit = max(0, n) } }

// Aggregator is a [Handler] that summarises a run as its records stream by: per (group,
// evaluator, score key) the count, mean, quantiles, extremes and pass rate, the errors and
// the values that were not submitted, and a bounded list of the worst samples.
//
// Memory is bounded by the number of values: 16 bytes per value (the value and a hash
// pairing it with the same row in another run) and no per-sample text beyond the worst
// lists and the error list. Use [Aggregator.Result] to read the summary.
type Aggregator struct {
	cfg     aggConfig
	info    heval.RunInfo
	summary heval.Summary
	done    bool
	records int

	groups map[string]*groupAcc
	evals  map[evalKey]*EvaluatorStats
	keys   map[statKey]*keyAcc

	errs                   []ErrorRef
	errCount, deliveryErrs int
}

type evalKey struct{ group, evaluator string }

type statKey struct{ group, evaluator, key string }

type groupAcc struct {
	info    GroupInfo
	models  map[string]bool
	prompts map[string]bool
	first   map[string]int // records of repeat 0 per evaluator
}

type keyAcc struct {
	typ    heval.ValueType
	mixed  bool
	values []int64
	pairs  []uint64
	worst  []SampleRef
}

// NewAggregator returns an empty aggregator.
func NewAggregator(opts ...AggregateOption) *Aggregator {
	cfg := aggConfig{worst: DefaultWorstSamples, textLimit: DefaultTextLimit, errorLimit: DefaultErrorLimit}
	for _, o := range opts {
		o(&cfg)
	}
	return &Aggregator{
		cfg:    cfg,
		groups: map[string]*groupAcc{},
		evals:  map[evalKey]*EvaluatorStats{},
		keys:   map[statKey]*keyAcc{},
	}
}

// AggregateRecords summarises records that are already in memory, for example read back
// from a Parquet file.
func AggregateRecords(info heval.RunInfo, records []heval.Record, summary heval.Summary, opts ...AggregateOption) *Aggregate {
	a := NewAggregator(opts...)
	_ = a.Start(info)
	for _, r := range records {
		_ = a.Record(r)
	}
	_ = a.Finish(summary)
	return a.Result()
}

// Start implements [Handler].
func (a *Aggregator) Start(info heval.RunInfo) error {
	a.info = info
	return nil
}

// Finish implements [Handler].
func (a *Aggregator) Finish(s heval.Summary) error {
	a.summary = s
	a.done = true
	return nil
}

// Record implements [Handler].
func (a *Aggregator) Record(r heval.Record) error {
	a.records++
	group := r.Sample.Group()
	g := a.group(group, r.Sample)
	if r.Repeat == 0 {
		g.first[r.Evaluator]++
	}
	g.info.Records++

	ek := evalKey{group, r.Evaluator}
	es := a.evals[ek]
	if es == nil {
		es = &EvaluatorStats{Group: group, Evaluator: r.Evaluator}
		a.evals[ek] = es
	}
	es.Records++
	if r.Err != "" {
		es.Errors++
		a.errCount++
		kind := r.ErrKind
		if kind == "" {
			kind = heval.ErrorKindEvaluator
		}
		if es.ErrorKinds == nil {
			es.ErrorKinds = map[heval.ErrorKind]int{}
		}
		es.ErrorKinds[kind]++
		a.addError(group, &r, string(kind), r.Err)
	}
	if len(r.Failures) > 0 {
		es.Failures++
	}
	if r.DeliveryErr != "" {
		es.DeliveryErrors++
		a.deliveryErrs++
		a.addError(group, &r, "delivery", r.DeliveryErr)
	}
	if len(r.Values) > 0 && !r.Submitted && !a.info.DryRun {
		es.NotSubmitted++
	}

	pair := pairID(r.Sample, r.Repeat)
	for i := range r.Values {
		v := &r.Values[i]
		sk := statKey{group, r.Evaluator, v.Key}
		k := a.keys[sk]
		if k == nil {
			k = &keyAcc{typ: v.Type}
			a.keys[sk] = k
		} else if k.typ != v.Type {
			k.mixed = true
		}
		k.values = append(k.values, v.Value)
		k.pairs = append(k.pairs, pair)
		a.offerWorst(k, group, &r, v)
	}
	return nil
}

func (a *Aggregator) group(label string, s *heval.Sample) *groupAcc {
	g := a.groups[label]
	if g == nil {
		g = &groupAcc{info: GroupInfo{Label: label}, models: map[string]bool{}, prompts: map[string]bool{}, first: map[string]int{}}
		if s != nil {
			g.info.HypothesisID, g.info.Kind = s.HypothesisID, s.Kind
		}
		a.groups[label] = g
	}
	const maxDistinct = 8
	if s != nil {
		if s.Model != "" && len(g.models) < maxDistinct {
			g.models[s.Model] = true
		}
		if s.PromptVersionID != "" && len(g.prompts) < maxDistinct {
			g.prompts[s.PromptVersionID] = true
		}
	}
	return g
}

// pairID identifies the unit a value was observed on, so that two runs (or two hypotheses)
// can be compared row by row: the dataset row when there is one, else the request id, and
// the repeat. Zero means the value cannot be paired.
func pairID(s *heval.Sample, repeat int) uint64 {
	if s == nil {
		return 0
	}
	h := fnv.New64a()
	switch {
	case s.DatasetRowID != "":
		h.Write([]byte("row\x00" + s.DatasetRowID))
	case s.RequestID != "":
		h.Write([]byte("req\x00" + s.RequestID))
	default:
		return 0
	}
	h.Write([]byte("\x00" + strconv.Itoa(repeat)))
	id := h.Sum64()
	if id == 0 {
		id = 1
	}
	return id
}

func worstLess(a, b *SampleRef) int {
	return cmp.Or(
		cmp.Compare(a.Value, b.Value),
		cmp.Compare(a.RowIndex, b.RowIndex),
		strings.Compare(a.DatasetRowID, b.DatasetRowID),
		strings.Compare(a.RequestID, b.RequestID),
		cmp.Compare(a.Repeat, b.Repeat),
	)
}

func (a *Aggregator) offerWorst(k *keyAcc, group string, r *heval.Record, v *heval.Value) {
	if a.cfg.worst == 0 {
		return
	}
	cand := SampleRef{Group: group, Evaluator: r.Evaluator, Key: v.Key, Value: v.Value, Type: v.Type, Repeat: r.Repeat}
	if s := r.Sample; s != nil {
		cand.RequestID, cand.DatasetRowID, cand.RowIndex = s.RequestID, s.DatasetRowID, s.RowIndex
	}
	pos, _ := slices.BinarySearchFunc(k.worst, &cand, func(e SampleRef, t *SampleRef) int { return worstLess(&e, t) })
	if pos >= a.cfg.worst {
		return
	}
	a.fill(&cand, r)
	k.worst = slices.Insert(k.worst, pos, cand)
	if len(k.worst) > a.cfg.worst {
		k.worst = k.worst[:a.cfg.worst]
	}
}

// fill copies the texts of a record into a sample reference, truncated.
func (a *Aggregator) fill(ref *SampleRef, r *heval.Record) {
	lim := a.cfg.textLimit
	ref.Reason = Truncate(r.Reason, lim)
	ref.Err = Truncate(r.Err, lim)
	s := r.Sample
	if s == nil {
		return
	}
	ref.Model, ref.Hypothesis = s.Model, s.Hypothesis
	if text, err := s.Answer(); err != nil {
		ref.AnswerErr = err.Error()
	} else {
		ref.Answer = Truncate(text, lim)
	}
	ref.Reference = Truncate(s.ReferenceText(), lim)
	const maxInputs = 16
	for _, name := range slices.Sorted(maps.Keys(s.Inputs)) {
		if len(ref.Inputs) == maxInputs {
			ref.Inputs = append(ref.Inputs, Field{Name: "…", Value: strconv.Itoa(len(s.Inputs)-maxInputs) + " more inputs"})
			break
		}
		ref.Inputs = append(ref.Inputs, Field{Name: Truncate(name, 200), Value: Truncate(s.Inputs[name], lim)})
	}
}

func errLess(a, b *ErrorRef) int {
	return cmp.Or(
		strings.Compare(a.Evaluator, b.Evaluator),
		strings.Compare(a.Group, b.Group),
		cmp.Compare(a.RowIndex, b.RowIndex),
		strings.Compare(a.DatasetRowID, b.DatasetRowID),
		strings.Compare(a.RequestID, b.RequestID),
		cmp.Compare(a.Repeat, b.Repeat),
		strings.Compare(a.Kind, b.Kind),
		strings.Compare(a.Message, b.Message),
	)
}

func (a *Aggregator) addError(group string, r *heval.Record, kind, msg string) {
	if a.cfg.errorLimit == 0 {
		return
	}
	e := ErrorRef{Group: group, Evaluator: r.Evaluator, Kind: kind, Message: Truncate(msg, a.cfg.textLimit), Repeat: r.Repeat}
	if s := r.Sample; s != nil {
		e.RequestID, e.DatasetRowID, e.RowIndex = s.RequestID, s.DatasetRowID, s.RowIndex
	}
	pos, _ := slices.BinarySearchFunc(a.errs, &e, func(x ErrorRef, t *ErrorRef) int { return errLess(&x, t) })
	if pos >= a.cfg.errorLimit {
		return
	}
	a.errs = slices.Insert(a.errs, pos, e)
	if len(a.errs) > a.cfg.errorLimit {
		a.errs = a.errs[:a.cfg.errorLimit]
	}
}

// Result returns the summary of the records seen so far. It may be called at any time; the
// result does not change when more records arrive.
func (a *Aggregator) Result() *Aggregate {
	out := &Aggregate{
		Info: a.info, Summary: a.summary, Finished: a.done, Records: a.records,
		Errors: slices.Clone(a.errs), ErrorCount: a.errCount, DeliveryErrorCount: a.deliveryErrs,
	}
	for _, g := range a.groups {
		gi := g.info
		gi.Models = slices.Sorted(maps.Keys(g.models))
		gi.PromptVersions = slices.Sorted(maps.Keys(g.prompts))
		for _, n := range g.first {
			gi.Samples = max(gi.Samples, n)
		}
		out.Groups = append(out.Groups, gi)
	}
	slices.SortFunc(out.Groups, func(x, y GroupInfo) int { return compareGroups(x.Label, y.Label) })

	known := map[string]bool{}
	for _, e := range a.info.Evaluators {
		if !known[e] {
			known[e] = true
			out.Evaluators = append(out.Evaluators, e)
		}
	}
	var extra []string
	for k := range a.evals {
		if !known[k.evaluator] {
			known[k.evaluator] = true
			extra = append(extra, k.evaluator)
		}
	}
	slices.Sort(extra)
	out.Evaluators = append(out.Evaluators, extra...)
	order := map[string]int{}
	for i, e := range out.Evaluators {
		order[e] = i
	}

	for ek, es := range a.evals {
		c := *es
		c.ErrorKinds = maps.Clone(es.ErrorKinds)
		c.Keys = nil
		for sk, k := range a.keys {
			if sk.group == ek.group && sk.evaluator == ek.evaluator {
				c.Keys = append(c.Keys, k.stats(sk))
			}
		}
		slices.SortFunc(c.Keys, func(x, y *KeyStats) int { return strings.Compare(x.Key, y.Key) })
		out.Stats = append(out.Stats, &c)
	}
	slices.SortFunc(out.Stats, func(x, y *EvaluatorStats) int {
		return cmp.Or(cmp.Compare(order[x.Evaluator], order[y.Evaluator]), compareGroups(x.Group, y.Group))
	})
	return out
}

// compareGroups orders the dataset group first, then the others by label.
func compareGroups(a, b string) int {
	switch {
	case a == b:
		return 0
	case a == heval.GroupDataset:
		return -1
	case b == heval.GroupDataset:
		return 1
	}
	return strings.Compare(a, b)
}

func (k *keyAcc) stats(sk statKey) *KeyStats {
	typ := k.typ
	if k.mixed {
		typ = heval.Number
	}
	n := len(k.values)
	ks := &KeyStats{
		Group: sk.group, Evaluator: sk.evaluator, Key: sk.key, Type: typ, N: n,
		PassRate: math.NaN(),
		Worst:    slices.Clone(k.worst),
		values:   k.values[:n:n],
		pairs:    k.pairs[:n:n],
	}
	d := stats.Describe(stats.Floats(k.values))
	ks.Mean, ks.P50, ks.P90, ks.Min, ks.Max = d.Mean, d.P50, d.P90, d.Min, d.Max
	if typ == heval.Boolean {
		ks.PassRate = d.Mean
	}
	return ks
}

// Aggregate is the summary of one run, built by an [Aggregator].
type Aggregate struct {
	// Info and Summary are what the run's Start and Finish carried.
	Info    heval.RunInfo
	Summary heval.Summary
	// Finished is true when the run's Finish was seen.
	Finished bool
	// Records is the number of records aggregated.
	Records int
	// Groups are the hypotheses (and other groups) in the run: the dataset first, then by label.
	Groups []GroupInfo
	// Evaluators are the evaluator names: the run's declaration order, then any others by name.
	Evaluators []string
	// Stats are the per (group, evaluator) statistics, ordered by evaluator then group.
	Stats []*EvaluatorStats
	// Errors are the evaluator and delivery errors kept with their messages (at most the
	// aggregator's error limit, ordered by evaluator, group and row).
	Errors []ErrorRef
	// ErrorCount and DeliveryErrorCount count every evaluator and delivery error.
	ErrorCount, DeliveryErrorCount int
}

// Group returns the group with the label, or nil.
func (a *Aggregate) Group(label string) *GroupInfo {
	for i := range a.Groups {
		if a.Groups[i].Label == label {
			return &a.Groups[i]
		}
	}
	return nil
}

// Evaluator returns the statistics of one evaluator in one group, or nil.
func (a *Aggregate) Evaluator(group, evaluator string) *EvaluatorStats {
	for _, s := range a.Stats {
		if s.Group == group && s.Evaluator == evaluator {
			return s
		}
	}
	return nil
}

// Key returns the statistics of one score key, or nil.
func (a *Aggregate) Key(group, evaluator, key string) *KeyStats {
	if es := a.Evaluator(group, evaluator); es != nil {
		for _, k := range es.Keys {
			if k.Key == key {
				return k
			}
		}
	}
	return nil
}

// ByEvaluator returns the statistics of one evaluator in every group, in group order.
func (a *Aggregate) ByEvaluator(evaluator string) []*EvaluatorStats {
	var out []*EvaluatorStats
	for _, s := range a.Stats {
		if s.Evaluator == evaluator {
			out = append(out, s)
		}
	}
	return out
}

// GroupInfo describes a group of samples: a hypothesis, the dataset rows, or requests.
type GroupInfo struct {
	// Label is the group's name (the hypothesis label, "dataset", "requests", ...).
	Label string
	// HypothesisID is the hypothesis id, for a hypothesis.
	HypothesisID string
	// Kind is the kind of the group's first sample.
	Kind heval.Kind
	// Models and PromptVersions are the distinct models and prompt versions seen (at most 8
	// of each), sorted.
	Models, PromptVersions []string
	// Samples is the number of samples judged (the largest count of first-repeat records of
	// any evaluator); Records the number of records.
	Samples, Records int
}

// EvaluatorStats are one evaluator's statistics in one group.
type EvaluatorStats struct {
	Group, Evaluator string
	// Records is the number of records (samples × repeats).
	Records int
	// Errors counts records whose evaluator failed (error, panic, timeout, invalid value);
	// ErrorKinds breaks them down.
	Errors     int
	ErrorKinds map[heval.ErrorKind]int
	// Failures counts records that failed a per-sample check.
	Failures int
	// DeliveryErrors counts records whose scores could not be delivered.
	DeliveryErrors int
	// NotSubmitted counts records that had values to submit but whose values Helicone did not
	// acknowledge. It is always 0 in a dry run, where nothing is submitted by design.
	NotSubmitted int
	// Keys are the statistics of each score key, by key.
	Keys []*KeyStats
}

// KeyStats are the statistics of one score key of one evaluator in one group.
type KeyStats struct {
	Group, Evaluator, Key string
	// Type is Boolean when every value was a boolean.
	Type heval.ValueType
	// N is the number of values.
	N int
	// Mean, P50, P90, Min and Max describe the values (NaN when there are none).
	Mean, P50, P90, Min, Max float64
	// PassRate is the share of true values of a boolean key (0..1), NaN for numbers.
	PassRate float64
	// Worst are the lowest-valued samples, lowest first.
	Worst []SampleRef

	values []int64
	pairs  []uint64
}

// Values returns the key's values in arrival order. The caller must not modify them.
func (k *KeyStats) Values() []int64 { return k.values }

// Field is a named text.
type Field struct{ Name, Value string }

// SampleRef is a sample kept for people to look at (for example one of the worst), with its
// texts truncated.
type SampleRef struct {
	Group, Evaluator, Key string
	Value                 int64
	Type                  heval.ValueType
	Repeat                int
	RequestID             string
	DatasetRowID          string
	RowIndex              int
	Hypothesis, Model     string
	// Inputs are the sample's inputs by name.
	Inputs []Field
	// Answer is the answer text; AnswerErr says why it could not be read.
	Answer, AnswerErr string
	// Reference is the reference answer, if any.
	Reference string
	// Reason is the evaluator's explanation; Err the evaluator's error for the record.
	Reason, Err string
}

// ErrorRef is one evaluator or delivery error.
type ErrorRef struct {
	Group, Evaluator string
	// Kind is an [ErrorKind] for evaluator errors, or "delivery".
	Kind         string
	Message      string
	RequestID    string
	DatasetRowID string
	RowIndex     int
	Repeat       int
}

// Truncate cuts s to at most limit characters (runes), ending a cut text with "…".
func Truncate(s string, limit int) string {
	if limit <= 0 || utf8.RuneCountInString(s) <= limit {
		return s
	}
	i, n := 0, 0
	for i = range s {
		if n == limit-1 {
			break
		}
		n++
	}
	return s[:i] + "…"
}

// CompareOptions configure [Compare] and [CompareGroups].
type CompareOptions struct {
	// Level is the confidence level of the intervals; 0 means 0.95.
	Level float64
	// Iterations is the number of bootstrap resamples; 0 means
	// [stats.DefaultBootstrapIterations]. For large keys the count is lowered so that
	// iterations × values stays near 5e7, which keeps a comparison of millions of values
	// to seconds.
	Iterations int
	// Seed seeds the bootstrap; the same inputs and seed give the same intervals.
	Seed uint64
	// Groups maps a candidate group to the baseline group it is compared with; a group not
	// in the map is compared with the baseline group of the same label.
	Groups map[string]string
	// LowerIsBetter reports whether lower values of a key are better (for example a latency
	// or an error count). By default higher is better for every key.
	LowerIsBetter func(evaluator, key string) bool
}

// Comparison is the difference of one score key between a baseline and a candidate.
type Comparison struct {
	Evaluator, Key string
	// Group is the candidate's group; BaselineGroup the baseline's.
	Group, BaselineGroup string
	Type                 heval.ValueType
	// BaselineN and CandidateN count the values on each side.
	BaselineN, CandidateN int
	// Baseline and Candidate are the means of each side (the pass rates of a boolean key).
	Baseline, Candidate float64
	// Diff is candidate − baseline: the mean of the per-unit differences when paired, else
	// the difference of the means. Lo and Hi bound its bootstrap interval at Level.
	Diff, Lo, Hi, Level float64
	// Paired is true when the values were paired by dataset row (or request id) and
	// repeat; Pairs is the number of pairs used.
	Paired bool
	Pairs  int
	// Regression is true when the whole interval lies on the worse side of zero;
	// Improvement when it lies on the better side.
	Regression, Improvement bool
}

// Compare compares every score key of candidate with the same evaluator and key of
// baseline (group by group, see [CompareOptions.Groups]). Keys missing on either side are
// left out. The result is in the candidate's order (evaluator, group, key).
//
// Values are paired when at least half of the smaller side can be matched one to one by
// dataset row (or, for samples without a row, request id) and repeat; the comparison then
// uses the matched pairs only. Otherwise the two sides are compared unpaired.
func Compare(baseline, candidate *Aggregate, opts CompareOptions) []Comparison {
	var out []Comparison
	for _, es := range candidate.Stats {
		bg := es.Group
		if g, ok := opts.Groups[es.Group]; ok {
			bg = g
		}
		for _, ck := range es.Keys {
			if bk := baseline.Key(bg, es.Evaluator, ck.Key); bk != nil {
				out = append(out, compareKeys(bk, ck, opts))
			}
		}
	}
	return out
}

// CompareGroups compares two groups of one run, for example a candidate hypothesis with
// the baseline hypothesis, key by key.
func CompareGroups(agg *Aggregate, baselineGroup, candidateGroup string, opts CompareOptions) []Comparison {
	m := map[string]string{candidateGroup: baselineGroup}
	opts.Groups = m
	var out []Comparison
	for _, c := range Compare(agg, agg, opts) {
		if c.Group == candidateGroup {
			out = append(out, c)
		}
	}
	return out
}

func compareKeys(base, cand *KeyStats, opts CompareOptions) Comparison {
	level := opts.Level
	if !(level > 0 && level < 1) {
		level = 0.95
	}
	c := Comparison{
		Evaluator: cand.Evaluator, Key: cand.Key, Group: cand.Group, BaselineGroup: base.Group,
		Type: cand.Type, BaselineN: base.N, CandidateN: cand.N,
		Baseline: base.Mean, Candidate: cand.Mean, Level: level,
	}
	if base.Type != cand.Type {
		c.Type = heval.Number
	}
	a, b, paired := pairValues(base, cand)
	c.Paired = paired
	if paired {
		c.Pairs = len(a)
	}
	iters := opts.Iterations
	if iters <= 0 {
		iters = stats.DefaultBootstrapIterations
	}
	if work := max(len(a), len(b)) * iters; work > 5e7 {
		iters = max(200, int(5e7)/max(len(a), len(b)))
	}
	c.Diff, c.Lo, c.Hi = stats.BootstrapDiff(a, b, paired, level, iters, opts.Seed)
	lower := opts.LowerIsBetter != nil && opts.LowerIsBetter(c.Evaluator, c.Key)
	switch {
	case c.Hi < 0 && !lower, c.Lo > 0 && lower:
		c.Regression = true
	case c.Lo > 0 && !lower, c.Hi < 0 && lower:
		c.Improvement = true
	}
	return c
}

// pairValues returns the two sides as floats in a deterministic order: matched pairs
// ordered by pair id when pairing applies, else each side sorted.
func pairValues(base, cand *KeyStats) (a, b []float64, paired bool) {
	index := func(k *KeyStats) map[uint64]int {
		m := make(map[uint64]int, len(k.pairs))
		for i, p := range k.pairs {
			if p == 0 {
				continue
			}
			if _, dup := m[p]; dup {
				m[p] = -1
			} else {
				m[p] = i
			}
		}
		return m
	}
	bi, ci := index(base), index(cand)
	var ids []uint64
	for p, i := range ci {
		if j, ok := bi[p]; ok && i >= 0 && j >= 0 {
			ids = append(ids, p)
		}
	}
	if len(ids) >= 2 && 2*len(ids) >= min(base.N, cand.N) {
		slices.Sort(ids)
		a, b = make([]float64, len(ids)), make([]float64, len(ids))
		for n, p := range ids {
			a[n] = float64(base.values[bi[p]])
			b[n] = float64(cand.values[ci[p]])
		}
		return a, b, true
	}
	a, b = stats.Floats(base.values), stats.Floats(cand.values)
	slices.Sort(a)
	slices.Sort(b)
	return a, b, false
}

// ComparisonSpec says what a summary compares its run with: a baseline run (for example last
// night's, read from its Parquet file), or two groups of the run itself. The zero spec
// compares nothing.
type ComparisonSpec struct {
	Baseline                      *Aggregate
	BaselineGroup, CandidateGroup string
	Options                       CompareOptions
}

// Comparisons returns the comparisons of agg that the spec asks for.
func (c ComparisonSpec) Comparisons(agg *Aggregate) []Comparison {
	switch {
	case c.Baseline != nil:
		return Compare(c.Baseline, agg, c.Options)
	case c.BaselineGroup != "" && c.CandidateGroup != "":
		return CompareGroups(agg, c.BaselineGroup, c.CandidateGroup, c.Options)
	}
	return nil
}
