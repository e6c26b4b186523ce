package markdown

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/heval-dev/heval"

	"github.com/heval-dev/heval/reporters"
	"github.com/heval-dev/heval/reporters/internal/format"
)

// StepSummaryPath returns the path of the GitHub Actions job summary file
// ($GITHUB_STEP_SUMMARY), or "" outside GitHub Actions. Other steps write to the same file,
// so the caller opens it in append mode:
//
//	os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
func StepSummaryPath() string { return os.Getenv("GITHUB_STEP_SUMMARY") }

// Option configures the Markdown summary.
type Option func(*config)

type config struct {
	maxErrors  int
	againstRun bool
}

// AgainstBaselineRun says that the comparisons are with another run (heval report
// --baseline), so that each side is named with the run it is from.
func AgainstBaselineRun(on bool) Option { return func(c *config) { c.againstRun = on } }

// MaxErrors sets how many errors the summary lists (default 20); every error is counted
// regardless.
func MaxErrors(n int) Option { return func(c *config) { c.maxErrors = max(0, n) } }

func newConfig(opts []Option) *config {
	c := &config{maxErrors: 20}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Write writes the summary of agg, and the comparisons when there are any, to w.
func Write(w io.Writer, agg *reporters.Aggregate, cmps []reporters.KeyComparison, opts ...Option) error {
	cfg := newConfig(opts)
	bw := bufio.NewWriter(w)
	m := &md{w: bw}
	m.title(agg)
	m.verdict(agg, cmps)
	m.checks(agg.Summary.Checks)
	m.comparisons(cmps, cfg.againstRun)
	m.run(agg)
	m.groups(agg)
	m.evaluators(agg)
	m.failures(agg, cfg.maxErrors)
	m.errors(agg, cfg.maxErrors)
	return bw.Flush()
}

type md struct{ w *bufio.Writer }

// cell escapes text for a table cell: no line breaks, pipes and Markdown/HTML markup
// neutralised, so that untrusted text cannot change the table or inject HTML.
func cell(s string) string {
	if s == "" {
		return ""
	}
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\n', '\r', '\t':
			b.WriteByte(' ')
		case '|', '\\', '`', '*', '_', '[', ']', '<', '>', '#', '~', '&':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			if r < 0x20 || r == 0x7f {
				continue
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

func code(s string) string {
	if s == "" {
		return ""
	}
	s = strings.Map(func(r rune) rune {
		if r == '`' || r == '|' || r < 0x20 {
			return ' '
		}
		return r
	}, s)
	return "`" + s + "`"
}

func (m *md) table(header []string, align string) {
	fmt.Fprintln(m.w, "| "+strings.Join(header, " | ")+" |")
	var seps []string
	for i := range header {
		if i < len(align) && align[i] == 'r' {
			seps = append(seps, "---:")
		} else {
			seps = append(seps, "---")
		}
	}
	fmt.Fprintln(m.w, "| "+strings.Join(seps, " | ")+" |")
}

func (m *md) row(cells ...string) { fmt.Fprintln(m.w, "| "+strings.Join(cells, " | ")+" |") }

func (m *md) title(agg *reporters.Aggregate) {
	fmt.Fprintf(m.w, "## %s\n\n", cell(format.Title(agg)))
}

// verdict opens the summary: passed, failed or needs attention, and why, as a list.
func (m *md) verdict(agg *reporters.Aggregate, cmps []reporters.KeyComparison) {
	o := format.RunOutcome(agg, cmps)
	mark := "✅"
	switch o.Status {
	case "failed":
		mark = "❌"
	case "attention":
		mark = "⚠️"
	}
	fmt.Fprintf(m.w, "%s **%s**\n\n", mark, cell(o.Headline))
	for _, it := range o.Items {
		fmt.Fprintf(m.w, "- %s\n", cell(it))
	}
	if len(o.Items) > 0 {
		fmt.Fprintln(m.w)
	}
}

func (m *md) run(agg *reporters.Aggregate) {
	info := agg.Info
	fmt.Fprint(m.w, "### Run\n\n")
	item := func(k, v string) {
		if v != "" {
			fmt.Fprintf(m.w, "- **%s:** %s\n", k, v)
		}
	}
	item("Source", cell(info.Source))
	item("Run", code(info.RunID))
	item("Started", format.Time(info.Started))
	item("Finished", format.Time(agg.Summary.Finished))
	if !info.Started.IsZero() && !agg.Summary.Finished.IsZero() {
		item("Duration", format.Duration(agg.Summary.Finished.Sub(info.Started)))
	}
	item("heval", cell(info.Version))
	item("Commit", code(format.Short(info.GitCommit)))
	item("Branch", code(info.GitBranch))
	item("CI job", cell(info.CIJobID))
	item("Shard", cell(info.Shard))
	item("Samples", fmt.Sprintf("%d (%d records)", agg.Summary.Samples, agg.Records))
	item("Delivery", format.Delivery(agg.Summary.Delivery, info.DryRun))
	if agg.Summary.Interrupted {
		item("Interrupted", "yes: the run was stopped before it finished")
	}
	item("Ended early", cell(agg.Summary.Err))
	fmt.Fprintln(m.w)
}

func (m *md) groups(agg *reporters.Aggregate) {
	if len(agg.Groups) == 0 {
		return
	}
	m.table([]string{"Group", "Hypothesis id", "Model / prompt", "Samples"}, "lllr")
	for i := range agg.Groups {
		g := &agg.Groups[i]
		m.row(cell(g.Label), code(g.HypothesisID), cell(format.Models(g)), strconv.Itoa(g.Samples))
	}
	fmt.Fprintln(m.w)
}

func (m *md) evaluators(agg *reporters.Aggregate) {
	for _, name := range agg.Evaluators {
		stats := agg.ByEvaluator(name)
		if len(stats) == 0 {
			continue
		}
		fmt.Fprintf(m.w, "### %s\n\n", cell(name))
		m.table([]string{"Group", "Key", "n", "Mean", "p50", "p90", "Min", "Max", "Pass rate", "Errors", "Not submitted"}, "llrrrrrrrrr")
		for _, es := range stats {
			errs, ns := strconv.Itoa(es.Errors), strconv.Itoa(es.NotSubmitted)
			if len(es.Keys) == 0 {
				m.row(cell(es.Group), "-", "0", "-", "-", "-", "-", "-", "-", errs, ns)
			}
			for _, k := range es.Keys {
				m.row(cell(es.Group), cell(k.Key), strconv.Itoa(k.N), format.Stat(k, k.Mean), format.Stat(k, k.P50),
					format.Stat(k, k.P90), format.Stat(k, k.Min), format.Stat(k, k.Max), format.Percent(k.PassRate), errs, ns)
			}
		}
		fmt.Fprintln(m.w)
	}
}

func (m *md) comparisons(cmps []reporters.KeyComparison, againstRun bool) {
	if len(cmps) == 0 {
		return
	}
	fmt.Fprintf(m.w, "### Comparison\n\nEach row compares the first side named with the second (the difference is the first's mean minus the second's), %s bootstrap interval; neutral keys have no verdict.\n\n", format.Level(cmps[0].Confidence))
	m.table([]string{"Evaluator", "Key", "Compared", "n", "Means", "Diff", "Interval", "Pairing", "Direction", "Verdict"}, "lllrrrrlll")
	for i := range cmps {
		c := &cmps[i]
		verdict := format.Verdict(c)
		switch {
		case c.Regression:
			verdict = "❌ **regression**"
		case c.Improvement:
			verdict = "✅ improvement"
		}
		m.row(cell(c.Evaluator), cell(c.Key), cell(format.Compared(c, againstRun)), fmt.Sprintf("%d vs %d", c.CandidateN, c.BaselineN),
			format.Means(c), format.Diff(c, c.Diff), format.Interval(c), format.Pairing(c), format.Direction(c.Direction), verdict)
	}
	fmt.Fprintln(m.w)
}

func (m *md) checks(checks []heval.Check) {
	if len(checks) == 0 {
		return
	}
	fmt.Fprint(m.w, "### Checks\n\n")
	m.table([]string{"", "Check", "Group", "Observed", "Limit"}, "lllrl")
	for i := range checks {
		c := &checks[i]
		mark := "✅ pass"
		if !c.Passed {
			mark = "❌ **fail**"
		}
		name := c.Name
		if name == "" {
			name = format.Check(c)
		}
		m.row(mark, cell(name), cell(c.Group), format.Num(c.Observed), cell(c.Op+" "+format.Num(c.Limit)))
	}
	fmt.Fprintln(m.w)
}

// failures lists the samples that failed per-sample checks.
func (m *md) failures(agg *reporters.Aggregate, limit int) {
	if agg.FailureCount == 0 {
		return
	}
	fmt.Fprintf(m.w, "### Failed per-sample checks\n\n%d records failed an evaluator's per-sample check.\n\n", agg.FailureCount)
	for i, f := range agg.Failures {
		if i == limit {
			break
		}
		where := "request " + code(f.RequestID)
		if f.DatasetRowID != "" {
			where = "row " + strconv.Itoa(f.RowIndex) + ", " + where
		}
		if f.Repeat > 0 {
			where += fmt.Sprintf(", repeat %d", f.Repeat)
		}
		var msgs []string
		for _, msg := range f.Messages {
			msgs = append(msgs, cell(reporters.Truncate(msg, 300)))
		}
		fmt.Fprintf(m.w, "- **%s** \\[%s\\] %s: %s\n", cell(f.Evaluator), cell(f.Group), where, strings.Join(msgs, "; "))
	}
	if shown := min(limit, len(agg.Failures)); shown < agg.FailureCount {
		fmt.Fprintf(m.w, "\n%d more not shown.\n", agg.FailureCount-shown)
	}
	fmt.Fprintln(m.w)
}

func (m *md) errors(agg *reporters.Aggregate, limit int) {
	total := agg.ErrorCount + agg.DeliveryErrorCount
	if total == 0 {
		return
	}
	fmt.Fprintf(m.w, "### Errors\n\n%d evaluator errors, %d delivery errors.\n\n", agg.ErrorCount, agg.DeliveryErrorCount)
	m.table([]string{"Evaluator", "Group", "Row", "Request", "Kind", "Message"}, "llrlll")
	for i, e := range agg.Errors {
		if i == limit {
			break
		}
		rowID := ""
		if e.DatasetRowID != "" {
			rowID = strconv.Itoa(e.RowIndex)
		}
		m.row(cell(e.Evaluator), cell(e.Group), rowID, code(e.RequestID), cell(e.Kind), cell(reporters.Truncate(e.Message, 300)))
	}
	if shown := min(limit, len(agg.Errors)); shown < total {
		fmt.Fprintf(m.w, "\n%d more not shown.\n", total-shown)
	}
	fmt.Fprintln(m.w)
}
