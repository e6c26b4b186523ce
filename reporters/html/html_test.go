package html_test

import (
	"bytes"
	"flag"
	"os"
	"regexp"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval"
	"github.com/heval-dev/heval/reporters"
	"github.com/heval-dev/heval/reporters/html"
	"github.com/heval-dev/heval/reporters/internal/fixture"
	"github.com/heval-dev/heval/stats"
)

var demoOut = flag.String("demo-out", "", "also write the demo page to this path")

// page renders a run with two hypotheses, a baseline run, errors and a hostile answer.
func page() string {
	bInfo, bRecs, bSum := fixture.Run(fixture.Options{Seed: 1})
	base := reporters.AggregateRecords(bInfo, bRecs, bSum)
	info, recs, sum := fixture.Run(fixture.Options{Seed: 2, Shift: -12, Hostile: true, Errors: true, LongAnswer: true})
	var buf bytes.Buffer
	agg, cmps, err := fixture.Aggregate(info, recs, sum, reporters.ComparisonSpec{Baseline: base, Options: stats.CompareOptions{Seed: 1}})
	Expect(err).NotTo(HaveOccurred())
	Expect(html.Render(&buf, html.Report{Run: agg, Baseline: base, Comparisons: cmps})).To(Succeed())
	return buf.String()
}

var (
	externalRef = regexp.MustCompile(`(?i)(src|href|action|srcset|xlink:href)\s*=\s*["']?\s*(https?:)?//([^"'\s>]*)`)
	styleURL    = regexp.MustCompile(`(?i)url\(\s*["']?\s*(https?:)?//`)
)

var _ = Describe("the HTML report", func() {
	var out string
	BeforeEach(func() { out = page() })

	It("is one self-contained document", func() {
		Expect(out).To(HavePrefix("<!DOCTYPE html>"))
		Expect(out).To(ContainSubstring("</html>"))
		Expect(out).NotTo(MatchRegexp(`(?i)<link\b`))
		Expect(out).NotTo(MatchRegexp(`(?i)<script[^>]*\bsrc=`))
		Expect(out).NotTo(MatchRegexp(`(?i)@import|@font-face`))
		Expect(styleURL.FindAllString(out, -1)).To(BeEmpty())
		Expect(out).To(ContainSubstring("Content-Security-Policy"))
	})

	It("links out only to Helicone request pages", func() {
		refs := externalRef.FindAllStringSubmatch(out, -1)
		Expect(refs).NotTo(BeEmpty())
		for _, m := range refs {
			Expect(strings.ToLower(m[1])).To(Equal("href"), m[0])
			Expect(m[3]).To(HavePrefix("us.helicone.ai/requests?requestId="), m[0])
		}
		Expect(out).NotTo(ContainSubstring(`src="http`))
		Expect(out).To(ContainSubstring(`href="https://us.helicone.ai/requests?requestId=00000000-0000-4000-8000-000000000031"`))
	})

	It("escapes hostile text from samples and evaluators", func() {
		Expect(strings.Count(out, "<script")).To(Equal(1), "only the page's own script")
		Expect(out).NotTo(MatchRegexp(`<img\b`))
		Expect(out).NotTo(MatchRegexp(`(?i)<[a-z][^<>]*\sonerror\s*=`), "no onerror attribute in any tag")
		Expect(out).NotTo(MatchRegexp(`(?i)<[a-z][^<>]*\son[a-z]+\s*=`), "no event-handler attributes at all")
		Expect(out).NotTo(ContainSubstring(`alert("pwned")</script>`))
		Expect(out).To(ContainSubstring("&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;"))
		Expect(out).To(ContainSubstring("&lt;img src=x onerror=&#34;alert(1)&#34;&gt;"))
		Expect(out).NotTo(ContainSubstring(`href="javascript`))
	})

	It("shows the run, both hypotheses and their models", func() {
		for _, s := range []string{"experiment 4b0c2f4e-7d1a-4f0e-9a39-2c1d5e8f6a70", "0123456789abcdef0123456789abcdef01234567",
			"v0.3.0", "2026-03-14 09:26:53 UTC", "baseline", "candidate", "gpt-4o-mini", "v7"} {
			Expect(out).To(ContainSubstring(s))
		}
	})

	It("has a summary table per evaluator with captions and header scopes", func() {
		for _, e := range fixture.Evaluators {
			Expect(out).To(ContainSubstring("<caption>Evaluator " + e + "</caption>"))
		}
		Expect(out).To(ContainSubstring(`<th scope="col"`))
		Expect(out).To(ContainSubstring(`<th scope="row">candidate</th>`))
	})

	It("draws a histogram per numeric key and pass-rate bars per boolean key, with titles", func() {
		Expect(out).To(ContainSubstring("Distribution of quality (quality)"))
		Expect(out).To(ContainSubstring("Distribution of words (quality)"))
		Expect(out).To(ContainSubstring("Distribution of accuracy (judge)"))
		Expect(out).To(ContainSubstring("Pass rate of has_citations (has_citations)"))
		Expect(strings.Count(out, "<svg")).To(Equal(strings.Count(out, "</svg>")))
		Expect(strings.Count(out, `role="img"`)).To(Equal(strings.Count(out, "<svg")))
		Expect(out).To(ContainSubstring("share of values (%)"))
		Expect(out).To(ContainSubstring("<desc"))
	})

	It("shows the comparison with the regression highlighted", func() {
		Expect(out).To(ContainSubstring("Comparison with the baseline run"))
		Expect(out).To(MatchRegexp(`<tr class="regression"><th scope="row">quality</th><td>quality</td>`))
		Expect(out).To(ContainSubstring("▼ regression"))
	})

	It("lists worst samples with their inputs, answers and references, long texts behind an expander", func() {
		Expect(out).To(ContainSubstring("Worst samples"))
		Expect(out).To(ContainSubstring("reference 0"))
		Expect(out).To(ContainSubstring("What is"))
		Expect(out).To(ContainSubstring("<details><summary>"))
	})

	It("lists evaluator and delivery errors", func() {
		Expect(out).To(ContainSubstring("judge model returned no JSON"))
		Expect(out).To(ContainSubstring("panic: runtime error"))
		Expect(out).To(ContainSubstring("503 Service Unavailable"))
		Expect(out).To(MatchRegexp(`Errors: \d+ evaluator, 1 delivery`))
		Expect(out).To(ContainSubstring("✘ FAIL"))
	})

	It("opens with the verdict, then the comparison, then the detail", func() {
		v, c, sum := strings.Index(out, `id="verdict"`), strings.Index(out, `id="comparison"`), strings.Index(out, `id="summary"`)
		Expect(v).To(BeNumerically(">", 0))
		Expect(v).To(BeNumerically("<", c))
		Expect(c).To(BeNumerically("<", sum))
		Expect(out).To(ContainSubstring(`<div class="verdict failed"><p>✘ Failed: 1 of 2 checks failed`))
		Expect(out).To(ContainSubstring(`1 regression`))
		Expect(out).To(MatchRegexp(`<ul class="msgs"><li><span class="t">check quality:mean&gt;=80 failed: mean quality 71.2 is below 80`))
	})

	It("names the compared hypotheses, never role words", func() {
		Expect(out).To(ContainSubstring("candidate: this run vs the baseline run"))
		Expect(out).NotTo(ContainSubstring("Candidate mean"))
		Expect(out).NotTo(ContainSubstring("candidate − baseline"))
	})

	It("titles the page with the experiment's name, not its id", func() {
		Expect(out).To(ContainSubstring("<title>heval report: support-golden</title>"))
	})

	It("lists the samples that failed their per-sample checks", func() {
		Expect(out).To(ContainSubstring(`id="failures"`))
		Expect(out).To(MatchRegexp(`<li><b>has_citations</b> \[baseline\] row 0, request <a href="https://us.helicone.ai/requests\?requestId=00000000-0000-4000-8000-000000000000"[^>]*><code>00000000-0000-4000-8000-000000000000</code></a>: <span class="t">has_citations is false, want true</span></li>`))
	})

	It("writes a run's duration to the tenth of a second or in minutes", func() {
		Expect(out).To(ContainSubstring("<dt>Duration</dt><dd>1m23s</dd>"))
		info, recs, sum := fixture.Run(fixture.Options{Seed: 2})
		for d, want := range map[time.Duration]string{1400 * time.Millisecond: "1.4s", 412 * time.Millisecond: "412ms", time.Second: "1s"} {
			sum.Finished = info.Started.Add(d)
			var buf bytes.Buffer
			Expect(html.Render(&buf, html.Report{Run: reporters.AggregateRecords(info, recs, sum)})).To(Succeed())
			Expect(buf.String()).To(ContainSubstring("<dt>Duration</dt><dd>"+want+"</dd>"), "%s", d)
		}
	})

	It("links request ids to the Helicone the run used, and to none for an emulator", func() {
		info, recs, sum := fixture.Run(fixture.Options{Seed: 2, Errors: true})
		for _, tc := range []struct{ url, want string }{
			{"https://eu.helicone.ai/requests", `href="https://eu.helicone.ai/requests?requestId=`},
			{"", `<code>00000000-0000-4000-8000-000000000000</code>`},
		} {
			info.RequestsURL = tc.url
			agg := reporters.AggregateRecords(info, recs, sum)
			var buf bytes.Buffer
			Expect(html.Render(&buf, html.Report{Run: agg})).To(Succeed())
			Expect(buf.String()).To(ContainSubstring(tc.want))
			if tc.url == "" {
				Expect(buf.String()).NotTo(ContainSubstring("helicone.ai/requests"))
				Expect(buf.String()).NotTo(ContainSubstring("Request ids link to Helicone"))
			}
		}
	})

	It("keeps each group's colour in every chart, also where a group has no values", func() {
		info, recs, sum := fixture.Run(fixture.Options{Seed: 2})
		var kept []heval.Record
		for _, r := range recs {
			if r.Evaluator == "judge" && r.Sample.Hypothesis == "baseline" {
				continue // the baseline has no accuracy values
			}
			kept = append(kept, r)
		}
		var buf bytes.Buffer
		Expect(html.Render(&buf, html.Report{Run: reporters.AggregateRecords(info, kept, sum)})).To(Succeed())
		page := buf.String()
		i := strings.Index(page, "Distribution of accuracy (judge)")
		Expect(i).To(BeNumerically(">", 0))
		chart := page[strings.LastIndex(page[:i], "<svg"):]
		chart = chart[:strings.Index(chart, "</svg>")]
		Expect(chart).To(ContainSubstring(`fill="#e69f00"`), "the candidate keeps the second style")
		Expect(chart).NotTo(ContainSubstring(`fill="#1b3a6b"`), "the baseline's style is not given to the candidate")
	})

	It("renders the same bytes for the same run", func() {
		Expect(page()).To(Equal(out))
	})

	It("stays small for a large run", func() {
		info, recs, sum := fixture.Run(fixture.Options{Rows: 6000, Seed: 3, Hostile: true, Errors: true, LongAnswer: true})
		Expect(len(recs)*4/3).To(BeNumerically(">=", 20000), "records")
		var buf bytes.Buffer
		agg, cmps, err := fixture.Aggregate(info, recs, sum, reporters.ComparisonSpec{BaselineGroup: "baseline", CandidateGroup: "candidate", Options: stats.CompareOptions{Resamples: 100}})
		Expect(err).NotTo(HaveOccurred())
		Expect(html.Render(&buf, html.Report{Run: agg, Comparisons: cmps})).To(Succeed())
		values := 0
		for _, r := range recs {
			values += len(r.Values)
		}
		Expect(values).To(BeNumerically(">=", 40000))
		Expect(buf.Len()).To(BeNumerically("<", 400_000), "bytes for %d scores", values)
	})

	It("refuses to render nothing", func() {
		Expect(html.Render(&bytes.Buffer{}, html.Report{})).To(MatchError(ContainSubstring("no run")))
	})

	It("writes the demo page on request", func() {
		if *demoOut == "" {
			Expect(*demoOut).To(BeEmpty())
			return
		}
		Expect(os.WriteFile(*demoOut, []byte(out), 0o644)).To(Succeed())
	})
})
