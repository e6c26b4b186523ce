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
	maxErrors int
}

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
	m.run(agg)
	m.groups(agg)
	m.evaluators(agg)
	m.comparisons(cmps)
	m.checks(agg.Summary.Checks)
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

func (m *md) run(agg *reporters.Aggregate) {
	info := agg.Info
	title := "heval summary"
	if info.Source != "" {
		title += ": " + cell(info.Source)
	}
	fmt.Fprintf(m.w, "## %s\n\n", title)
	item := func(k, v string) {
		if v != "" {
			fmt.Fprintf(m.w, "- **%s:** %s\n", k, v)
		}
	}
	item("Run", code(info.RunID))
	item("Started", format.Time(info.Started))
	item("Finished", format.Time(agg.Summary.Finished))
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

func (m *md) comparisons(cmps []reporters.KeyComparison) {
	if len(cmps) == 0 {
		return
	}
	fmt.Fprintf(m.w, "### Comparison\n\nCandidate − baseline, %s bootstrap interval.\n\n", format.Level(cmps[0].Confidence))
	m.table([]string{"Evaluator", "Key", "Candidate", "Baseline", "n", "Candidate mean", "Baseline mean", "Diff", "Interval", "Pairing", "Verdict"}, "llllrrrrrll")
	for i := range cmps {
		c := &cmps[i]
		verdict := format.Verdict(c)
		switch {
		case c.Regression:
			verdict = "❌ **regression**"
		case c.Improvement:
			verdict = "✅ improvement"
		}
		m.row(cell(c.Evaluator), cell(c.Key), cell(c.Group), cell(c.BaselineGroup), fmt.Sprintf("%d/%d", c.CandidateN, c.BaselineN),
			format.Side(c, c.CandidateMean), format.Side(c, c.BaselineMean), format.Diff(c, c.Diff), format.Interval(c), format.Pairing(c), verdict)
	}
	fmt.Fprintln(m.w)
}

func (m *md) checks(checks []heval.Check) {
	if len(checks) == 0 {
		return
	}
	fmt.Fprint(m.w, "### Checks\n\n")
	m.table([]string{"", "Check", "Group", "Observed", "Limit", "Message"}, "lllrll")
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
		msg := ""
		if !c.Passed {
			msg = cell(c.Message)
		}
		m.row(mark, cell(name), cell(c.Group), format.Num(c.Observed), cell(c.Op+" "+format.Num(c.Limit)), msg)
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
