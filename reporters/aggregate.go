package reporters

import (
	"cmp"
	"fmt"
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
	// DefaultWorstSamples is how many worst samples are kept per (group, evaluator, key).
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

// WorstSamples sets how many worst samples are kept per (group, evaluator, key) (see
// [KeyStats.Worst]); 0 keeps none.
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
// Every value is kept with the id of the unit it was observed on (a [stats.Observation],
// which pairs it with the same dataset row or request in another group or run), but once
// the aggregator holds a quarter of a million values they move to a temporary file in
// chunks, so its memory does not grow with the run; no per-sample text is kept beyond the
// worst lists and the error list. Use [Aggregator.Result] to read the summary.
type Aggregator struct {
	cfg     aggConfig
	info    heval.RunInfo
	summary heval.Summary
	done    bool
	records int

	groups map[string]*groupAcc
	evals  map[evalKey]*EvaluatorStats
	keys   map[statKey]*keyAcc
	values int       // values recorded, every key together
	spool  *obsSpool // where values go once there are many

	errs                   []ErrorRef
	errCount, deliveryErrs int
	fails                  []FailureRef
	failCount              int
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
	typ   heval.ValueType
	mixed bool
	dir   heval.Direction
	obs   obsList
	// hist counts each distinct value while there are at most histMax of them (nil past
	// that), so that the statistics and the chart of a key of few distinct values (every
	// boolean, most counts) need not read its values back.
	hist map[int64]int
	// low and high are the lowest and the highest samples, lowest (highest) first: the
	// worst of a key where higher (lower) is better, and, together, the candidates for
	// the furthest from the median of a neutral key.
	low, high []SampleRef
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
		spool:  &obsSpool{},
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
	group := GroupKey(r.Sample)
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
		a.failCount++
		a.addFailure(group, &r)
	}
	if r.DeliveryErr != "" {
		es.DeliveryErrors++
		a.deliveryErrs++
		a.addError(group, &r, "delivery", r.DeliveryErr)
	}
	if len(r.Values) > 0 && !r.Submitted && !a.info.DryRun {
		es.NotSubmitted++
	}

	unit := stats.UnitID(r.Sample.Unit())
	for i := range r.Values {
		v := &r.Values[i]
		sk := statKey{group, r.Evaluator, v.Key}
		k := a.keys[sk]
		if k == nil {
			k = &keyAcc{typ: v.Type, dir: a.info.Direction(r.Evaluator, v.Key), obs: obsList{spool: a.spool}, hist: map[int64]int{}}
			a.keys[sk] = k
		} else if k.typ != v.Type {
			k.mixed = true
		}
		a.values++
		k.obs.add(stats.Observation{Unit: unit, Value: v.Value}, a.values > spillAfter)
		k.count(v.Value)
		a.offerWorst(k, group, &r, v)
	}
	return nil
}

func (a *Aggregator) group(label string, s *heval.Sample) *groupAcc {
	g := a.groups[label]
	if g == nil {
		g = &groupAcc{info: GroupInfo{Label: label}, models: map[string]bool{}, prompts: map[string]bool{}, first: map[string]int{}}
		if s != nil {
			g.info.HypothesisID, g.info.Kind, g.info.Experiment, g.info.Hypothesis = s.HypothesisID, s.Kind, s.Experiment, s.Group()
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
	if k.dir != heval.LowerIsBetter {
		k.low = a.keep(k.low, &cand, r, false)
	}
	if k.dir != heval.HigherIsBetter {
		k.high = a.keep(k.high, &cand, r, true)
	}
}

// worstOrder orders a key's worst samples: the lowest first (worstLess), or with highest,
// the highest first, ties as worstLess orders them.
func worstOrder(x, y *SampleRef, highest bool) int {
	if highest {
		if c := cmp.Compare(y.Value, x.Value); c != 0 {
			return c
		}
	}
	return worstLess(x, y)
}

// keep inserts cand into the bounded list, ordered by worstOrder, when it belongs there.
// The order is a direct call, not a function value, so that cand, which most calls turn
// away, stays on the caller's stack.
func (a *Aggregator) keep(list []SampleRef, cand *SampleRef, r *heval.Record, highest bool) []SampleRef {
	// Most candidates come after the last of a full list: one comparison turns them away.
	if len(list) >= a.cfg.worst && worstOrder(&list[len(list)-1], cand, highest) < 0 {
		return list
	}
	// The first position whose entry does not come before cand, comparing in place (the
	// entries are large).
	lo, hi := 0, len(list)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if worstOrder(&list[m], cand, highest) < 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	pos := lo
	if pos >= a.cfg.worst {
		return list
	}
	c := *cand
	a.fill(&c, r)
	list = slices.Insert(list, pos, c)
	if len(list) > a.cfg.worst {
		list = list[:a.cfg.worst]
	}
	return list
}

// worst picks a key's worst samples: the lowest when higher is better, the highest when
// lower is better, and those furthest from the median (the farther first) for a neutral
// key, which are always among its lowest and highest.
func (k *keyAcc) worstOf(n int, median float64) []SampleRef {
	switch k.dir {
	case heval.LowerIsBetter:
		return slices.Clone(k.high)
	case heval.Neutral:
	default:
		return slices.Clone(k.low)
	}
	var all []SampleRef
	seen := map[[3]any]bool{}
	for _, s := range slices.Concat(k.low, k.high) {
		id := [3]any{s.RequestID, s.DatasetRowID, s.Repeat}
		if !seen[id] {
			seen[id] = true
			all = append(all, s)
		}
	}
	slices.SortFunc(all, func(x, y SampleRef) int {
		dx, dy := math.Abs(float64(x.Value)-median), math.Abs(float64(y.Value)-median)
		return cmp.Or(cmp.Compare(dy, dx), worstLess(&x, &y))
	})
	if len(all) > n {
		all = all[:n]
	}
	return all
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

func (a *Aggregator) addFailure(group string, r *heval.Record) {
	if a.cfg.errorLimit == 0 {
		return
	}
	f := FailureRef{Group: group, Evaluator: r.Evaluator, Repeat: r.Repeat}
	for _, m := range r.Failures {
		f.Messages = append(f.Messages, Truncate(m, a.cfg.textLimit))
	}
	if s := r.Sample; s != nil {
		f.RequestID, f.DatasetRowID, f.RowIndex = s.RequestID, s.DatasetRowID, s.RowIndex
	}
	less := func(x FailureRef, t *FailureRef) int {
		return errLess(&ErrorRef{Group: x.Group, Evaluator: x.Evaluator, RequestID: x.RequestID, DatasetRowID: x.DatasetRowID, RowIndex: x.RowIndex, Repeat: x.Repeat, Message: strings.Join(x.Messages, "\n")},
			&ErrorRef{Group: t.Group, Evaluator: t.Evaluator, RequestID: t.RequestID, DatasetRowID: t.DatasetRowID, RowIndex: t.RowIndex, Repeat: t.Repeat, Message: strings.Join(t.Messages, "\n")})
	}
	pos, _ := slices.BinarySearchFunc(a.fails, &f, less)
	if pos >= a.cfg.errorLimit {
		return
	}
	a.fails = slices.Insert(a.fails, pos, f)
	if len(a.fails) > a.cfg.errorLimit {
		a.fails = a.fails[:a.cfg.errorLimit]
	}
}

// GroupKey is the key a sample's group is accumulated under: its experiment and its group
// label, resolved into the label the reports show by [GroupLabels].
func GroupKey(s *heval.Sample) string {
	if s == nil || s.Experiment == "" {
		return s.Group()
	}
	return s.Experiment + "\x00" + s.Group()
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
	label := a.labels()
	out := &Aggregate{
		Info: a.info, Summary: a.summary, Finished: a.done, Records: a.records,
		Errors: slices.Clone(a.errs), ErrorCount: a.errCount, DeliveryErrorCount: a.deliveryErrs,
		Failures: slices.Clone(a.fails), FailureCount: a.failCount,
	}
	for i := range out.Errors {
		out.Errors[i].Group = label(out.Errors[i].Group)
	}
	for i := range out.Failures {
		out.Failures[i].Group = label(out.Failures[i].Group)
	}
	for _, g := range a.groups {
		gi := g.info
		gi.Label = label(gi.Label)
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
		c.Group = label(c.Group)
		c.ErrorKinds = maps.Clone(es.ErrorKinds)
		c.Keys = nil
		for sk, k := range a.keys {
			if sk.group == ek.group && sk.evaluator == ek.evaluator {
				ks, err := k.stats(sk, a.cfg.worst)
				ks.Group = label(ks.Group)
				if err != nil {
					// The values are lost to this report, not to the run: say so where
					// errors are shown, so that its statistics are not read as complete.
					out.ErrorCount++
					out.Errors = append(out.Errors, ErrorRef{Group: ks.Group, Evaluator: ks.Evaluator, Kind: ErrorKindReport,
						Message: fmt.Sprintf("the statistics of key %q could not be computed: %v; the scores themselves are in scores.parquet, and heval report redraws the summary from it", ks.Key, err)})
				}
				for i := range ks.Worst {
					ks.Worst[i].Group = ks.Group
				}
				c.Keys = append(c.Keys, ks)
			}
		}
		slices.SortFunc(c.Keys, func(x, y *KeyStats) int { return strings.Compare(x.Key, y.Key) })
		out.Stats = append(out.Stats, &c)
	}
	slices.SortFunc(out.Stats, func(x, y *EvaluatorStats) int {
		return cmp.Or(cmp.Compare(order[x.Evaluator], order[y.Evaluator]), compareGroups(x.Group, y.Group))
	})
	slices.SortStableFunc(out.Errors, func(x, y ErrorRef) int { return errLess(&x, &y) })
	return out
}

// labels returns the function that turns a group key into the label the reports show.
func (a *Aggregator) labels() func(string) string {
	return GroupLabels(slices.Collect(maps.Keys(a.groups)))
}

// GroupLabels returns the function that turns the group keys of a run (see [GroupKey])
// into the labels the reports show: the group label, qualified by its experiment
// ("support/candidate") when the run holds samples of more than one experiment, or when
// another group has the same label.
func GroupLabels(keys []string) func(string) string {
	plain := func(key string) string {
		if _, g, ok := strings.Cut(key, "\x00"); ok {
			return g
		}
		return key
	}
	qualified := func(key string) string {
		if e, g, ok := strings.Cut(key, "\x00"); ok {
			return e + "/" + g
		}
		return key
	}
	experiments := map[string]bool{}
	seen := map[string]int{}
	for _, key := range keys {
		if e, _, ok := strings.Cut(key, "\x00"); ok {
			experiments[e] = true
		}
		seen[plain(key)]++
	}
	if len(experiments) > 1 {
		return qualified
	}
	return func(key string) string {
		if seen[plain(key)] > 1 {
			return qualified(key)
		}
		return plain(key)
	}
}

// compareGroups orders the groups by experiment, the dataset group first within one,
// then the others by label.
func compareGroups(a, b string) int {
	ea, ga := splitGroup(a)
	eb, gb := splitGroup(b)
	if ea != eb {
		return strings.Compare(ea, eb)
	}
	switch {
	case ga == gb:
		return 0
	case ga == heval.GroupDataset:
		return -1
	case gb == heval.GroupDataset:
		return 1
	}
	return strings.Compare(ga, gb)
}

// splitGroup splits a qualified label "experiment/group" whose group is the dataset's.
func splitGroup(label string) (experiment, group string) {
	if e, ok := strings.CutSuffix(label, "/"+heval.GroupDataset); ok {
		return e, heval.GroupDataset
	}
	if i := strings.LastIndexByte(label, '/'); i >= 0 {
		return label[:i], label[i+1:]
	}
	return "", label
}

// histMax is the most distinct values a key's histogram counts.
const histMax = 4096

// count adds a value to the key's histogram.
func (k *keyAcc) count(v int64) {
	if k.hist == nil {
		return
	}
	k.hist[v]++
	if len(k.hist) > histMax {
		k.hist = nil
	}
}

// stats describes the key's values; the error is that of reading them back.
func (k *keyAcc) stats(sk statKey, worst int) (*KeyStats, error) {
	typ := k.typ
	if k.mixed {
		typ = heval.Number
	}
	ks := &KeyStats{
		Group: sk.group, Evaluator: sk.evaluator, Key: sk.key, Type: typ, N: k.obs.n, Direction: k.dir,
		PassRate: math.NaN(),
		obs:      k.obs.view(),
	}
	var d stats.Summary
	if k.hist != nil {
		ks.counts = make([]stats.ValueCount, 0, len(k.hist))
		for v, n := range k.hist {
			ks.counts = append(ks.counts, stats.ValueCount{Value: v, Count: n})
		}
		slices.SortFunc(ks.counts, func(x, y stats.ValueCount) int { return cmp.Compare(x.Value, y.Value) })
		d = stats.DescribeCounts(ks.counts)
	} else {
		obs, err := ks.obs.load()
		if err != nil {
			nan := math.NaN()
			ks.Mean, ks.P50, ks.P90, ks.Min, ks.Max = nan, nan, nan, nan, nan
			return ks, err
		}
		xs := make([]float64, len(obs))
		for i, o := range obs {
			xs[i] = float64(o.Value)
		}
		slices.Sort(xs)
		d = stats.DescribeSorted(xs)
	}
	ks.Mean, ks.P50, ks.P90, ks.Min, ks.Max = d.Mean, d.P50, d.P90, d.Min, d.Max
	if typ == heval.Boolean {
		ks.PassRate = d.Mean
	}
	ks.Worst = k.worstOf(worst, d.P50)
	return ks, nil
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
	// Failures are the records that failed a per-sample check (harness.Expect), kept with
	// their messages (at most the aggregator's error limit, in the order of Errors);
	// FailureCount counts every one.
	Failures     []FailureRef
	FailureCount int
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
	// Label is the group's name (the hypothesis label, "dataset", "requests", ...),
	// qualified by its experiment ("support/candidate") when the run holds several
	// experiments.
	Label string
	// Experiment is the group's experiment name, if known; Hypothesis its label without
	// the experiment.
	Experiment, Hypothesis string
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
	// Direction is the key's direction, from the run's declarations.
	Direction heval.Direction
	// Worst are the worst samples, worst first: the lowest values when higher is better,
	// the highest when lower is better, the furthest from the median when neutral.
	Worst []SampleRef

	obs    obsList
	counts []stats.ValueCount // the distinct values and their counts, when the aggregator kept them
}

// ValueCounts returns the key's distinct values with the number of times each occurs,
// ascending by value, or the error of reading the values back from the aggregator's
// temporary file (only a key of many distinct values is read back).
func (k *KeyStats) ValueCounts() ([]stats.ValueCount, error) {
	if k.counts != nil || k.N == 0 {
		return k.counts, nil
	}
	vs, err := k.Values()
	if err != nil {
		return nil, err
	}
	return stats.Counts(vs), nil
}

// Values returns a copy of the key's values in arrival order, or the error of reading
// them back from the aggregator's temporary file.
func (k *KeyStats) Values() ([]int64, error) {
	obs, err := k.obs.load()
	if err != nil {
		return nil, err
	}
	out := make([]int64, len(obs))
	for i, o := range obs {
		out[i] = o.Value
	}
	return out, nil
}

// Observations returns the key's values in arrival order with the ids of the units they
// were observed on, as [stats.Compare] takes them, or the error of reading them back from
// the aggregator's temporary file. The caller must not modify them. The values of a large
// run are read from that file at each call: keep them no longer than needed.
func (k *KeyStats) Observations() ([]stats.Observation, error) { return k.obs.load() }

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
	// Kind is an [ErrorKind] for evaluator errors, "delivery", or [ErrorKindReport].
	Kind         string
	Message      string
	RequestID    string
	DatasetRowID string
	RowIndex     int
	Repeat       int
}

// ErrorKindReport is the [ErrorRef.Kind] of a failure of the report itself: a key whose
// values could not be read back from the aggregator's temporary file.
const ErrorKindReport = "report"

// FailureRef is one record that failed per-sample checks.
type FailureRef struct {
	Group, Evaluator string
	// Messages are the failed checks, one sentence each.
	Messages     []string
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

// KeyComparison is one score key compared between a baseline group and a candidate group,
// with the result of the comparison engine ([stats.Compare]) embedded. For a boolean key
// the means are pass rates (0..1) and Diff, Low and High differences of pass rates in
// that unit; the renderers show them as percentages and percentage points.
type KeyComparison struct {
	Evaluator, Key string
	// Group is the candidate's group; BaselineGroup the baseline's.
	Group, BaselineGroup string
	// Type is Boolean when both sides are boolean, else Number.
	Type heval.ValueType
	stats.Comparison
}

// ComparisonSpec says what a summary compares its run with, and how: a baseline run (for
// example last night's, read from its Parquet file), or two groups of the run itself. The
// zero spec compares nothing.
//
// With Baseline set, every group of the run is compared with the baseline's group of the
// same label, or, when CandidateGroup and BaselineGroup are both set, the run's
// CandidateGroup with the baseline's BaselineGroup only. Without Baseline, CandidateGroup
// and BaselineGroup name two groups of the run.
type ComparisonSpec struct {
	Baseline                      *Aggregate
	BaselineGroup, CandidateGroup string
	// Options tune the comparison engine. Unless Options.MaxRows says otherwise, each
	// comparison keeps its [DefaultWorstSamples] worst per-unit rows.
	Options stats.CompareOptions
	// Direction says which values of a key are better. nil means the run's own
	// declarations (agg.Info.Direction: what each evaluator declared, else higher); a
	// function overrides them, for example for `heval report --direction`.
	Direction func(evaluator, key string) heval.Direction
}

// SpecMismatchError is returned by [ComparisonSpec.Comparisons] when an evaluator of the
// run and the evaluator of the same name in the baseline have different specs: they judge
// different things ("min_length=200" and "min_length=100"), so no difference between them
// means anything.
type SpecMismatchError struct {
	// Mismatches are "evaluator: run spec vs baseline spec", one per evaluator.
	Mismatches []string
}

func (e *SpecMismatchError) Error() string {
	return "the run and the baseline judge with differently configured evaluators, so their scores cannot be compared: " +
		strings.Join(e.Mismatches, "; ") + "; compare with a baseline run with the same evaluator specs (heval run --eval NAME=ARG), or rename one evaluator"
}

// checkSpecs refuses to compare evaluators whose specs differ between the run and the
// baseline.
func checkSpecs(run, base *Aggregate) error {
	var bad []string
	for _, ev := range run.Evaluators {
		if !slices.Contains(base.Evaluators, ev) {
			continue
		}
		if rs, bs := run.Info.Spec(ev), base.Info.Spec(ev); rs != bs {
			bad = append(bad, fmt.Sprintf("evaluator %s is %q in the run but %q in the baseline", ev, rs, bs))
		}
	}
	if len(bad) > 0 {
		return &SpecMismatchError{Mismatches: bad}
	}
	return nil
}

// Comparisons compares every score key of the candidate group(s) of agg with the same
// evaluator and key on the baseline side, as the spec says, with [stats.Compare]: values
// are paired per unit (dataset row, else request id; see (*heval.Sample).Unit) after
// averaging within each unit. Keys missing on either side are left out. The result is in
// agg's order (evaluator, group, key). It returns a [*SpecMismatchError] when an evaluator
// has different specs in the run and the baseline, and an error when the spec's options
// are out of range.
func (c ComparisonSpec) Comparisons(agg *Aggregate) ([]KeyComparison, error) {
	base := c.Baseline
	pick := c.BaselineGroup != "" && c.CandidateGroup != ""
	switch {
	case agg == nil, base == nil && !pick:
		return nil, nil
	case base == nil:
		base = agg
	default:
		if err := checkSpecs(agg, base); err != nil {
			return nil, err
		}
	}
	opts := c.Options
	if opts.MaxRows == 0 {
		opts.MaxRows = DefaultWorstSamples
	}
	var out []KeyComparison
	for _, es := range agg.Stats {
		bg := es.Group
		if pick {
			if es.Group != c.CandidateGroup {
				continue
			}
			bg = c.BaselineGroup
		}
		for _, ck := range es.Keys {
			bk := base.Key(bg, es.Evaluator, ck.Key)
			if bk == nil {
				continue
			}
			dir := agg.Info.Direction(es.Evaluator, ck.Key)
			if c.Direction != nil {
				dir = c.Direction(es.Evaluator, ck.Key)
			}
			res, err := compareKeys(bk, ck, dir, opts)
			if err != nil {
				return nil, fmt.Errorf("comparing %s %s of %s with %s: %w", es.Evaluator, ck.Key, es.Group, bg, err)
			}
			kc := KeyComparison{Evaluator: es.Evaluator, Key: ck.Key, Group: es.Group, BaselineGroup: bg,
				Type: heval.Number, Comparison: *res}
			if ck.Type == heval.Boolean && bk.Type == heval.Boolean {
				kc.Type = heval.Boolean
			}
			out = append(out, kc)
		}
	}
	return out, nil
}

// compareKeys reads both keys' values and compares them with [stats.Compare].
func compareKeys(base, cand *KeyStats, dir heval.Direction, opts stats.CompareOptions) (*stats.Comparison, error) {
	bobs, err := base.Observations()
	if err != nil {
		return nil, err
	}
	cobs, err := cand.Observations()
	if err != nil {
		return nil, err
	}
	return stats.Compare(bobs, cobs, dir, opts)
}
