package html

import (
	"bufio"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"net/url"
	"strconv"
	"unicode/utf8"

	"github.com/heval-dev/heval"

	"github.com/heval-dev/heval/reporters"
	"github.com/heval-dev/heval/reporters/internal/format"
)

// HeliconeRequestsURL is hosted Helicone's (US region) page of a request; the id is
// appended as the requestId query parameter.
const HeliconeRequestsURL = "https://us.helicone.ai/requests"

// Report is what one page shows.
type Report struct {
	// Run is the run to show.
	Run *reporters.Aggregate
	// Baseline is the run compared with, if any; it is only used for its description.
	Baseline *reporters.Aggregate
	// Comparisons are the differences to show (see [reporters.ComparisonSpec]).
	Comparisons []reporters.KeyComparison
	// Title overrides the page title (default: the names of the run's experiments or
	// datasets, else its source).
	Title string
	// RequestsURL is the page request ids link to, the id appended as the requestId query
	// parameter; empty means the run's own (heval.RunInfo.RequestsURL: hosted Helicone's
	// US or EU page, none for a self-hosted Helicone or an emulator), and "-" no links.
	RequestsURL string
	// MaxErrors is how many errors are listed (default 100); every error is counted.
	MaxErrors int
}

//go:embed report.html.tmpl
var pageTemplate string

var tmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"num":      format.Num,
	"pct":      format.Percent,
	"stat":     format.Stat,
	"diff":     format.Diff,
	"side":     format.Side,
	"ival":     format.Interval,
	"pairing":  format.Pairing,
	"verdict":  format.Verdict,
	"compared": format.Compared,
	"means":    format.Means,
	"dirname":  format.Direction,
	"long":     func(s string) bool { return utf8.RuneCountInString(s) > clipAt },
	"clip":     func(s string) string { return reporters.Truncate(s, clipAt) },
}).Parse(pageTemplate))

// clipAt is how many characters of a text show before its expander.
const clipAt = 280

// Render writes the page for r to w: one self-contained HTML document, with no external
// scripts, styles, fonts or images. Every text that comes from a sample or an evaluator is
// escaped.
func Render(w io.Writer, r Report) error {
	if r.Run == nil {
		return fmt.Errorf("html report: no run to render")
	}
	p := buildPage(&r)
	bw := bufio.NewWriter(w)
	if err := tmpl.Execute(bw, p); err != nil {
		return fmt.Errorf("html report: %w", err)
	}
	return bw.Flush()
}

type kv struct{ K, V string }

type page struct {
	Title      string
	Outcome    format.Outcome
	AgainstRun bool
	Failures   []failRow
	FailTotal  int
	// Linked is true when request ids link to a Helicone page.
	Linked      bool
	Meta        []kv
	BaseMeta    []kv
	Groups      []groupRow
	Summaries   []summaryTable
	Charts      []chartSection
	Comparisons []cmpRow
	CmpLevel    string
	Checks      []heval.Check
	Failed      int
	Delivery    string
	Worst       []worstSection
	Errors      []errRow
	ErrorTotal  int
	ErrorsShown int
	EvalErrors  int
	DelivErrors int
}

type groupRow struct {
	Label, ID, Models, Prompts string
	Samples, Records           int
}

type summaryTable struct {
	ID, Evaluator string
	Rows          []summaryRow
}

type summaryRow struct {
	Group                string
	Key                  *reporters.KeyStats
	Errors, NotSubmitted int
}

type chartSection struct {
	Evaluator, Key string
	Hist           *histChart
	Pass           *passChart
}

type cmpRow struct {
	C       reporters.KeyComparison
	Whisker whisker
}

type link struct{ ID, Href string }

type worstSection struct {
	ID, Evaluator, Key, What string
	Direction                heval.Direction
	Groups                   []worstGroup
}

type failRow struct {
	F       reporters.FailureRef
	Request link
}

type worstGroup struct {
	Group   string
	Boolean bool
	Samples []worstRow
}

type worstRow struct {
	S       reporters.SampleRef
	Request link
}

type errRow struct {
	E       reporters.ErrorRef
	Request link
}

func buildPage(r *Report) *page {
	agg := r.Run
	info := agg.Info
	p := &page{Title: r.Title, Outcome: format.RunOutcome(agg, r.Comparisons), AgainstRun: r.Baseline != nil}
	if p.Title == "" {
		p.Title = format.Title(agg)
	}
	p.Meta = meta(agg)
	if r.Baseline != nil {
		p.BaseMeta = meta(r.Baseline)
	}
	for _, g := range agg.Groups {
		p.Groups = append(p.Groups, groupRow{Label: g.Label, ID: g.HypothesisID, Models: join(g.Models), Prompts: join(g.PromptVersions), Samples: g.Samples, Records: g.Records})
	}
	for i, name := range agg.Evaluators {
		t := summaryTable{ID: "s" + strconv.Itoa(i), Evaluator: name}
		for _, es := range agg.ByEvaluator(name) {
			if len(es.Keys) == 0 {
				t.Rows = append(t.Rows, summaryRow{Group: es.Group, Errors: es.Errors, NotSubmitted: es.NotSubmitted})
			}
			for _, k := range es.Keys {
				t.Rows = append(t.Rows, summaryRow{Group: es.Group, Key: k, Errors: es.Errors, NotSubmitted: es.NotSubmitted})
			}
		}
		if len(t.Rows) > 0 {
			p.Summaries = append(p.Summaries, t)
		}
	}
	base := r.RequestsURL
	switch base {
	case "":
		base = info.RequestsURL
	case "-":
		base = ""
	}
	p.Linked = base != ""
	reqLink := func(id string) link {
		if id == "" || base == "" {
			return link{ID: id}
		}
		return link{ID: id, Href: base + "?requestId=" + url.QueryEscape(id)}
	}
	// Each group keeps its colour and pattern in every chart, also where it has no values.
	colour := map[string]int{}
	for i, g := range agg.Groups {
		colour[g.Label] = i
	}
	for i, kg := range keyGroups(agg) {
		cs := chartSection{Evaluator: kg.Evaluator, Key: kg.Key}
		id := "c" + strconv.Itoa(i)
		if kg.Type == heval.Boolean {
			pc := passRates(id, kg.Evaluator, kg.Key, kg.Keys, colour)
			cs.Pass = &pc
		} else {
			hc := histogram(id, kg.Evaluator, kg.Key, kg.Keys, colour)
			cs.Hist = &hc
		}
		p.Charts = append(p.Charts, cs)

		dir := heval.HigherIsBetter
		if len(kg.Keys) > 0 {
			dir = kg.Keys[0].Direction
		}
		ws := worstSection{ID: "w" + strconv.Itoa(i), Evaluator: kg.Evaluator, Key: kg.Key, Direction: dir, What: format.WorstWhat(dir)}
		for _, k := range kg.Keys {
			if len(k.Worst) == 0 {
				continue
			}
			wg := worstGroup{Group: k.Group, Boolean: k.Type == heval.Boolean}
			for _, s := range k.Worst {
				wg.Samples = append(wg.Samples, worstRow{S: s, Request: reqLink(s.RequestID)})
			}
			ws.Groups = append(ws.Groups, wg)
		}
		if len(ws.Groups) > 0 {
			p.Worst = append(p.Worst, ws)
		}
	}
	for i := range r.Comparisons {
		c := r.Comparisons[i]
		p.Comparisons = append(p.Comparisons, cmpRow{C: c, Whisker: interval(&c)})
		p.CmpLevel = format.Level(c.Confidence)
	}
	p.Checks = agg.Summary.Checks
	for _, c := range p.Checks {
		if !c.Passed {
			p.Failed++
		}
	}
	p.Delivery = format.Delivery(agg.Summary.Delivery, info.DryRun)
	limit := r.MaxErrors
	if limit <= 0 {
		limit = 100
	}
	for i, e := range agg.Errors {
		if i == limit {
			break
		}
		p.Errors = append(p.Errors, errRow{E: e, Request: reqLink(e.RequestID)})
	}
	for i, f := range agg.Failures {
		if i == limit {
			break
		}
		p.Failures = append(p.Failures, failRow{F: f, Request: reqLink(f.RequestID)})
	}
	p.FailTotal = agg.FailureCount
	p.EvalErrors, p.DelivErrors = agg.ErrorCount, agg.DeliveryErrorCount
	p.ErrorTotal, p.ErrorsShown = agg.ErrorCount+agg.DeliveryErrorCount, len(p.Errors)
	return p
}

func meta(agg *reporters.Aggregate) []kv {
	info := agg.Info
	var out []kv
	add := func(k, v string) {
		if v != "" {
			out = append(out, kv{k, v})
		}
	}
	add("Source", info.Source)
	add("Run", info.RunID)
	add("Started", format.Time(info.Started))
	add("Finished", format.Time(agg.Summary.Finished))
	if !info.Started.IsZero() && !agg.Summary.Finished.IsZero() {
		add("Duration", format.Duration(agg.Summary.Finished.Sub(info.Started)))
	}
	add("heval", info.Version)
	add("Git commit", info.GitCommit)
	add("Git branch", info.GitBranch)
	add("CI job", info.CIJobID)
	add("Shard", info.Shard)
	add("Samples", fmt.Sprintf("%d (%d records)", agg.Summary.Samples, agg.Records))
	if info.DryRun {
		add("Dry run", "yes: no scores were submitted")
	}
	if agg.Summary.Interrupted {
		add("Interrupted", "yes: the run was stopped before it finished")
	}
	add("Ended early", agg.Summary.Err)
	return out
}

func join(xs []string) string {
	s := ""
	for i, x := range xs {
		if i > 0 {
			s += ", "
		}
		s += x
	}
	return s
}
