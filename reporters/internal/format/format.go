package format

import (
	"fmt"
	"math"
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

// Verdict is "regression", "improvement" or "" for a comparison.
func Verdict(c *reporters.KeyComparison) string {
	switch {
	case c.Regression:
		return "regression"
	case c.Improvement:
		return "improvement"
	}
	return ""
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
