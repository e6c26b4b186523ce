package format

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heval-dev/heval"

	"github.com/heval-dev/heval/reporters"
)

// Num formats a statistic with at most two decimals and no trailing zeros; "-" for NaN.
func Num(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "-"
	}
	s := strconv.FormatFloat(x, 'f', 2, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "-0" {
		s = "0"
	}
	return s
}

// Signed is Num with an explicit sign for positive values.
func Signed(x float64) string {
	s := Num(x)
	if x > 0 && s != "0" && s != "-" {
		return "+" + s
	}
	return s
}

// Percent formats a share (0..1) as a percentage with one decimal; "-" for NaN.
func Percent(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "-"
	}
	return strconv.FormatFloat(100*x, 'f', 1, 64) + "%"
}

// Stat formats one statistic of a key: booleans show no distribution statistics.
func Stat(k *reporters.KeyStats, x float64) string {
	if k.Type == heval.Boolean {
		return "-"
	}
	return Num(x)
}

// Diff formats a comparison's difference: percentage points for booleans.
func Diff(c *reporters.KeyComparison, x float64) string {
	if c.Type == heval.Boolean {
		if math.IsNaN(x) {
			return "-"
		}
		return Signed(100*x) + " pp"
	}
	return Signed(x)
}

// Side formats one side's mean of a comparison: a pass rate for booleans.
func Side(c *reporters.KeyComparison, x float64) string {
	if c.Type == heval.Boolean {
		return Percent(x)
	}
	return Num(x)
}

// Interval formats a comparison's interval, for example "[-7.1, -2]".
func Interval(c *reporters.KeyComparison) string {
	if math.IsNaN(c.Low) {
		return "-"
	}
	if c.Type == heval.Boolean {
		return "[" + Signed(100*c.Low) + ", " + Signed(100*c.High) + "] pp"
	}
	return "[" + Signed(c.Low) + ", " + Signed(c.High) + "]"
}

// Verdict is "regression", "improvement" or "" for a comparison; for a neutral key whose
// interval excludes zero, "changed (neutral)": a difference, but neither better nor worse.
func Verdict(c *reporters.KeyComparison) string {
	switch {
	case c.Regression:
		return "regression"
	case c.Improvement:
		return "improvement"
	case c.Direction == heval.Neutral && (c.Low > 0 || c.High < 0):
		return "changed (neutral)"
	}
	return ""
}

// Compared names the two sides of a comparison, the first minus the second: the groups,
// "candidate vs baseline", or, against a baseline run, "candidate: this run vs the
// baseline run" (the groups' own names, never role words).
func Compared(c *reporters.KeyComparison, againstRun bool) string {
	if c.Group == c.BaselineGroup {
		return c.Group + ": this run vs the baseline run"
	}
	if againstRun {
		return c.Group + " (this run) vs " + c.BaselineGroup + " (baseline run)"
	}
	return c.Group + " vs " + c.BaselineGroup
}

// Means writes the two sides' means in the order of [Compared].
func Means(c *reporters.KeyComparison) string {
	return Side(c, c.CandidateMean) + " vs " + Side(c, c.BaselineMean)
}

// Direction describes a key's direction for people.
func Direction(d heval.Direction) string {
	switch d {
	case heval.LowerIsBetter:
		return "lower is better"
	case heval.Neutral:
		return "neutral"
	}
	return "higher is better"
}

// WorstWhat says which samples a key's worst list holds.
func WorstWhat(d heval.Direction) string {
	switch d {
	case heval.LowerIsBetter:
		return "highest values"
	case heval.Neutral:
		return "values furthest from the median"
	}
	return "lowest values"
}

// Duration formats a run's duration: milliseconds below a second, tenths of a second below
// a minute, else whole seconds ("412ms", "1.4s", "2m3s").
func Duration(d time.Duration) string {
	switch {
	case d < 0:
		return ""
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

// Title is the title of a run's report: the names of its experiments (or datasets) when
// its samples carry them, else its source.
func Title(agg *reporters.Aggregate) string {
	var names []string
	for _, g := range agg.Groups {
		if g.Experiment != "" && !slices.Contains(names, g.Experiment) {
			names = append(names, g.Experiment)
		}
	}
	slices.Sort(names)
	title := "heval report"
	switch {
	case len(names) > 0:
		title += ": " + strings.Join(names, ", ")
	case agg.Info.Source != "":
		title += ": " + agg.Info.Source
	}
	return title
}

// Outcome is the verdict of a run, which every summary opens with.
type Outcome struct {
	// Status is "failed" (a check failed, the run ended early, scores were not
	// delivered), "attention" (regressions, errors or failed per-sample checks) or
	// "passed".
	Status string
	// Headline says it in one line; Items list what led to it, one sentence each.
	Headline string
	Items    []string
}

// RunOutcome is the verdict of a run: what failed, what regressed, what erred, in that
// order.
func RunOutcome(agg *reporters.Aggregate, cmps []reporters.KeyComparison) Outcome {
	var failed, attention []string
	checksFailed := 0
	for _, c := range agg.Summary.Checks {
		if !c.Passed {
			checksFailed++
		}
	}
	if n := len(agg.Summary.Checks); checksFailed > 0 {
		failed = append(failed, fmt.Sprintf("%d of %d checks failed", checksFailed, n))
	}
	if agg.Summary.Interrupted {
		failed = append(failed, "the run was interrupted before it finished")
	} else if agg.Summary.Err != "" {
		failed = append(failed, "the run ended early")
	}
	d := agg.Summary.Delivery
	if d.Failed > 0 {
		failed = append(failed, plural(d.Failed, "score write was", "score writes were")+" not acknowledged")
	}
	if d.Missing > 0 {
		failed = append(failed, plural(d.Missing, "score is", "scores are")+" missing from Helicone")
	}
	regressions, improvements := 0, 0
	for i := range cmps {
		if cmps[i].Regression {
			regressions++
		}
		if cmps[i].Improvement {
			improvements++
		}
	}
	if regressions > 0 {
		attention = append(attention, plural(regressions, "regression", "regressions"))
	}
	if agg.ErrorCount > 0 {
		attention = append(attention, plural(agg.ErrorCount, "evaluator error", "evaluator errors"))
	}
	if agg.DeliveryErrorCount > 0 {
		attention = append(attention, plural(agg.DeliveryErrorCount, "delivery error", "delivery errors"))
	}
	if agg.FailureCount > 0 {
		attention = append(attention, plural(agg.FailureCount, "sample failed its checks", "samples failed their checks"))
	}
	o := Outcome{Status: "passed"}
	var good []string
	if n := len(agg.Summary.Checks); n > 0 && checksFailed == 0 {
		good = append(good, plural(n, "check passed", "checks passed"))
	}
	if len(cmps) > 0 && regressions == 0 {
		good = append(good, "no regressions")
	}
	if improvements > 0 {
		good = append(good, plural(improvements, "improvement", "improvements"))
	}
	if agg.ErrorCount+agg.DeliveryErrorCount == 0 {
		good = append(good, "no errors")
	}
	switch {
	case len(failed) > 0:
		o.Status, o.Headline = "failed", "Failed: "+strings.Join(append(failed, attention...), ", ")
	case len(attention) > 0:
		o.Status, o.Headline = "attention", "Needs attention: "+strings.Join(attention, ", ")
	default:
		o.Headline = "Passed: " + strings.Join(good, ", ")
	}
	for _, c := range agg.Summary.Checks {
		if !c.Passed {
			msg := c.Message
			if msg == "" {
				msg = fmt.Sprintf("observed %s, limit %s %s", Num(c.Observed), c.Op, Num(c.Limit))
			}
			o.Items = append(o.Items, "check "+checkName(&c)+" failed: "+msg)
		}
	}
	for i := range cmps {
		if c := &cmps[i]; c.Regression {
			o.Items = append(o.Items, fmt.Sprintf("regression in %s %s: %s, %s, difference %s %s", c.Evaluator, c.Key,
				Compared(c, false), Means(c), Diff(c, c.Diff), Interval(c)))
		}
	}
	if agg.Summary.Err != "" {
		o.Items = append(o.Items, "the run ended early: "+agg.Summary.Err)
	}
	return o
}

func checkName(c *heval.Check) string {
	if c.Name != "" {
		return c.Name
	}
	return Check(c)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// Pairing describes how a comparison was computed: "paired (N)" over N units (dataset
// rows, else requests), or "unpaired".
func Pairing(c *reporters.KeyComparison) string {
	if c.Paired {
		return fmt.Sprintf("paired (%d)", c.Units)
	}
	return "unpaired"
}

// Level formats a confidence level, for example "95%".
func Level(l float64) string { return Num(100*l) + "%" }

// Time formats a time in UTC to the second; "" for the zero time.
func Time(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

// Models joins a group's models and prompt versions for display.
func Models(g *reporters.GroupInfo) string {
	var parts []string
	if len(g.Models) > 0 {
		parts = append(parts, strings.Join(g.Models, ", "))
	}
	if len(g.PromptVersions) > 0 {
		parts = append(parts, "prompt "+strings.Join(g.PromptVersions, ", "))
	}
	return strings.Join(parts, "; ")
}

// Check formats a check's condition, for example "pass_rate >= 0.8".
func Check(c *heval.Check) string {
	cond := strings.TrimSpace(c.Key + " " + c.Stat)
	return strings.TrimSpace(cond + " " + c.Op + " " + Num(c.Limit))
}

// Delivery describes delivery statistics in one sentence.
func Delivery(d heval.DeliveryStats, dryRun bool) string {
	if dryRun {
		return "dry run: no scores were submitted"
	}
	s := fmt.Sprintf("%d score writes, %d acknowledged, %d failed, %d retries (%d rate-limited)",
		d.Posts, d.Acknowledged, d.Failed, d.Retries, d.RateLimited)
	if d.Verified > 0 || d.Missing > 0 {
		s += fmt.Sprintf("; read back %d, missing %d", d.Verified, d.Missing)
	}
	return s
}

// Short cuts a commit hash to 12 characters.
func Short(commit string) string {
	if len(commit) > 12 {
		return commit[:12]
	}
	return commit
}
