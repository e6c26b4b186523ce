package harness

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/heval-dev/heval/internal/textdist"

	"github.com/heval-dev/heval"

	"github.com/heval-dev/heval/stats"
)

// Threshold is a suite-level requirement on one statistic of one score key, checked at the
// end of a run, for example "has_citations:pass_rate>=0.8" or "accuracy:mean>=80@candidate".
// Build one with [ParseThreshold].
type Threshold struct {
	// Name is the threshold as written.
	Name string
	// Key is the score key (for the "errors" statistic: the evaluator name).
	Key string
	// Stat is mean, median, pNN (p50, p90, p99, ...), min, max, pass_rate, errors or count.
	Stat string
	// Op is one of >=, >, <=, <, ==, !=; Limit the value compared with.
	Op    string
	Limit float64
	// Group restricts the threshold to one hypothesis (by id or label); empty for all samples.
	Group string
	stat  stats.Statistic // every Stat but "errors"
}

// ParseThreshold reads "KEY:STAT OP LIMIT[@HYPOTHESIS]", for example
// "has_citations:pass_rate>=0.8", "word_count:p90<=250" or "accuracy:mean>=80@candidate".
// STAT is one of mean, median (p50), pNN, min, max, pass_rate (the share of true, or of
// non-zero values), errors (the number of failed evaluator calls; KEY is the evaluator's
// name) and count (the number of values).
func ParseThreshold(s string) (Threshold, error) {
	raw := strings.TrimSpace(s)
	bad := func(why string) (Threshold, error) {
		return Threshold{}, fmt.Errorf("threshold %q: %s; write KEY:STAT OP LIMIT[@HYPOTHESIS], for example has_citations:pass_rate>=0.8 or accuracy:mean>=80@candidate", s, why)
	}
	t := Threshold{Name: raw}
	body := raw
	if i := strings.LastIndex(body, "@"); i >= 0 {
		t.Group = strings.TrimSpace(body[i+1:])
		body = body[:i]
		if t.Group == "" {
			return bad("the hypothesis after @ is empty")
		}
	}
	key, rest, ok := strings.Cut(body, ":")
	if !ok {
		return bad("the ':' between the score key and the statistic is missing")
	}
	t.Key = strings.TrimSpace(key)
	if t.Key == "" {
		return bad("the score key is empty")
	}
	opAt := strings.IndexAny(rest, "<>=!")
	if opAt < 0 {
		return bad("the comparison (>=, <=, >, <, ==, !=) is missing")
	}
	t.Stat = strings.ToLower(strings.TrimSpace(rest[:opAt]))
	rest = rest[opAt:]
	for _, op := range []string{">=", "<=", "==", "!=", ">", "<", "="} {
		if strings.HasPrefix(rest, op) {
			t.Op, rest = op, rest[len(op):]
			break
		}
	}
	if t.Op == "" {
		return bad("the comparison is not one of >=, <=, >, <, ==, !=")
	}
	if t.Op == "=" {
		t.Op = "=="
	}
	limit, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
	if err != nil || math.IsNaN(limit) || math.IsInf(limit, 0) {
		return bad(fmt.Sprintf("the limit %q is not a number", strings.TrimSpace(rest)))
	}
	t.Limit = limit
	if t.Stat != "errors" {
		if t.stat, err = stats.ParseStatistic(t.Stat); err != nil {
			return bad(fmt.Sprintf("the statistic %q is not one of mean, median, pNN (p50, p90, ...), min, max, pass_rate, errors, count", t.Stat))
		}
	}
	return t, nil
}

// String is the threshold as written.
func (t Threshold) String() string { return t.Name }

// obs is one value seen by a threshold, with the sample it came from.
type obs struct {
	v   float64
	rid string
	row string
}

// thresholdAcc collects what one threshold needs while records stream past, without
// keeping the records.
type thresholdAcc struct {
	t      Threshold
	values []obs
	errs   int
	errIDs []string
	// What the run holds, to tell a misspelt key, evaluator or hypothesis from missing values.
	records                                          int
	keys, evaluators, groups, qualified, experiments map[string]bool
	groupSeen, evaluatorInRun                        bool
}

// maxNames bounds the names a threshold remembers for its messages.
const maxNames = 256

func remember(m *map[string]bool, name string) {
	if *m == nil {
		*m = map[string]bool{}
	}
	if len(*m) < maxNames && name != "" {
		(*m)[name] = true
	}
}

func (a *thresholdAcc) add(rec *heval.Record) {
	a.records++
	remember(&a.evaluators, rec.Evaluator)
	if rec.Evaluator == a.t.Key {
		a.evaluatorInRun = true
	}
	for _, v := range rec.Values {
		remember(&a.keys, v.Key)
	}
	if rec.Sample != nil {
		remember(&a.groups, rec.Sample.Group())
		remember(&a.qualified, rec.Sample.QualifiedGroup())
		remember(&a.experiments, rec.Sample.Experiment)
		if g := a.t.Group; g != "" && rec.Sample.InGroup(g) {
			a.groupSeen = true
		}
	}
	if g := a.t.Group; g != "" && !rec.Sample.InGroup(g) {
		return
	}
	rid, row := "", ""
	if rec.Sample != nil {
		rid, row = rec.Sample.RequestID, rec.Sample.DatasetRowID
	}
	if a.t.Stat == "errors" {
		if rec.Evaluator == a.t.Key && rec.Err != "" {
			a.errs++
			if len(a.errIDs) < 3 {
				a.errIDs = append(a.errIDs, fmt.Sprintf("request %s: %s", rid, firstLine(rec.Err)))
			}
		}
		return
	}
	for _, v := range rec.Values {
		if v.Key == a.t.Key {
			a.values = append(a.values, obs{v: float64(v.Value), rid: rid, row: row})
		}
	}
}

func (a *thresholdAcc) check() heval.Check {
	t := a.t
	c := heval.Check{Name: t.Name, Group: t.Group, Key: t.Key, Stat: t.Stat, Op: t.Op, Limit: t.Limit}
	where := "all samples"
	if t.Group != "" {
		where = "hypothesis " + t.Group
	}
	if msg := a.unknownName(); msg != "" {
		c.Observed = math.NaN()
		c.Message = msg
		return c
	}
	if t.Stat == "errors" {
		c.Observed = float64(a.errs)
		c.Passed, _ = compare(t.Op, c.Observed, t.Limit)
		if !c.Passed {
			c.Message = fmt.Sprintf("%s: evaluator %s failed %d times (%s), required %s %s", where, t.Key, a.errs, strings.Join(a.errIDs, "; "), t.Op, formatLimit(t.Limit))
		}
		return c
	}
	xs := make([]float64, len(a.values))
	for i, o := range a.values {
		xs[i] = o.v
	}
	c.Observed = t.stat.Of(xs)
	if math.IsNaN(c.Observed) {
		c.Message = fmt.Sprintf("%s: no values of %q to compute %s from (required %s %s): every evaluation of it failed or was skipped; see the evaluator's errors", where, t.Key, t.Stat, t.Op, formatLimit(t.Limit))
		return c
	}
	c.Passed, _ = compare(t.Op, c.Observed, t.Limit)
	if !c.Passed {
		c.Message = fmt.Sprintf("%s: %s of %s is %s over %d values, required %s %s", where, t.Stat, t.Key, strconv.FormatFloat(c.Observed, 'g', 4, 64), len(xs), t.Op, formatLimit(t.Limit))
		if worst := a.worst(3); worst != "" {
			c.Message += "; worst samples: " + worst
		}
	}
	return c
}

// unknownName explains a threshold that names a score key, an evaluator or a hypothesis
// the run does not have, suggesting the nearest one; "" when every name is known.
func (a *thresholdAcc) unknownName() string {
	t := a.t
	if a.records == 0 {
		return fmt.Sprintf("threshold %s: the run judged no samples, so nothing could be checked", t.Name)
	}
	if t.Group != "" && !a.groupSeen {
		groups := a.groups
		if len(a.experiments) > 1 {
			groups = a.qualified // as the reports name them: experiment/hypothesis
		}
		return fmt.Sprintf("threshold %s: the run has no hypothesis %q%s", t.Name, t.Group, known("its hypotheses are", groups, t.Group))
	}
	if t.Stat == "errors" {
		if !a.evaluatorInRun {
			return fmt.Sprintf("threshold %s: no evaluator is named %q (the errors statistic counts the failures of an evaluator)%s", t.Name, t.Key, known("the evaluators are", a.evaluators, t.Key))
		}
		return ""
	}
	if !a.keys[t.Key] && len(a.keys) < maxNames {
		return fmt.Sprintf("threshold %s: no evaluator produced the score key %q%s", t.Name, t.Key, known("the keys are", a.keys, t.Key))
	}
	return ""
}

// known lists the names (sorted) and the one nearest to name.
func known(what string, names map[string]bool, name string) string {
	if len(names) == 0 {
		return ""
	}
	list := slices.Sorted(maps.Keys(names))
	msg := "; " + what + ": " + strings.Join(list, ", ")
	if near := textdist.Nearest(name, list); near != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", near)
	}
	return msg
}

// worst names the samples that pull the statistic the wrong way.
func (a *thresholdAcc) worst(n int) string {
	if len(a.values) == 0 || a.t.Stat == "count" {
		return ""
	}
	low := a.t.Op == ">=" || a.t.Op == ">" // a lower bound failed: the lowest values are the worst
	vs := slices.Clone(a.values)
	slices.SortStableFunc(vs, func(x, y obs) int {
		if low {
			return cmp.Compare(x.v, y.v)
		}
		return cmp.Compare(y.v, x.v)
	})
	var parts []string
	for _, o := range vs[:min(n, len(vs))] {
		p := fmt.Sprintf("request %s = %s", o.rid, strconv.FormatFloat(o.v, 'g', -1, 64))
		if o.row != "" {
			p += " (row " + o.row + ")"
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, ", ")
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
