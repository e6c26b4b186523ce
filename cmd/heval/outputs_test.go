package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/internal/testutil"
)

// samplesJSONL is the samples file the fixture suite (testdata/suite) and `heval run` judge.
func samplesJSONL() string {
	GinkgoHelper()
	p, err := filepath.Abs(filepath.Join("testdata", "samples.jsonl"))
	Expect(err).NotTo(HaveOccurred())
	return p
}

// runFixtureSuite runs the suite of testdata/suite with `go test`, writing its reports to
// dir and its step summary to step, and returns whether it passed and what it printed.
func runFixtureSuite(dir, step string, fail bool) (bool, string) {
	GinkgoHelper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "test", "-count=1", ".", "-args", "-heval.out="+dir, "-ginkgo.no-color")
	cmd.Dir = filepath.Join("testdata", "suite")
	env := []string{"HEVAL_FIXTURE_JSONL=" + samplesJSONL(), "GITHUB_STEP_SUMMARY=" + step}
	if fail {
		env = append(env, "HEVAL_FIXTURE_FAIL=1")
	}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "HEVAL_") && !strings.HasPrefix(kv, "GITHUB_STEP_SUMMARY=") && !strings.HasPrefix(kv, "HELICONE_") {
			env = append(env, kv)
		}
	}
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	return err == nil, string(out)
}

// runCLI runs `heval run` over the same samples with the same threshold.
func runCLI(dir, step string) {
	GinkgoHelper()
	GinkgoT().Setenv("GITHUB_STEP_SUMMARY", step)
	code, out, errOut := runHeval("run", "--jsonl", samplesJSONL(), "--dry-run", "--quiet", "--require", "has_citations:pass_rate>=0.5", "--out", dir)
	Expect(code).To(Equal(exitOK), out+errOut)
}

// files lists a directory's files, without the lock file.
func files(dir string) []string {
	GinkgoHelper()
	es, err := os.ReadDir(dir)
	Expect(err).NotTo(HaveOccurred())
	var out []string
	for _, e := range es {
		if e.Name() != ".heval.lock" {
			out = append(out, e.Name())
		}
	}
	return out
}

// arrowRows reads a Parquet file with the Apache Arrow reader as sorted text rows, without
// the columns that differ from run to run, and its key/value metadata.
func arrowRows(path string, drop ...string) ([]string, map[string]string) {
	GinkgoHelper()
	rdr, err := file.OpenParquetFile(path, false)
	Expect(err).NotTo(HaveOccurred())
	defer rdr.Close()
	kv := map[string]string{}
	for _, k := range rdr.MetaData().KeyValueMetadata().Keys() {
		v := rdr.MetaData().KeyValueMetadata().FindValue(k)
		kv[k] = *v
	}
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	Expect(err).NotTo(HaveOccurred())
	tbl, err := fr.ReadTable(context.Background())
	Expect(err).NotTo(HaveOccurred())
	defer tbl.Release()
	rows := make([]string, tbl.NumRows())
	for c := range int(tbl.NumCols()) {
		name := tbl.Schema().Field(c).Name
		if slices.Contains(drop, name) {
			continue
		}
		i := 0
		for _, ch := range tbl.Column(c).Data().Chunks() {
			for j := range ch.Len() {
				rows[i] += name + "=" + cellText(ch, j) + " "
				i++
			}
		}
	}
	slices.Sort(rows)
	return rows, kv
}

func cellText(ch arrow.Array, j int) string {
	if ch.IsNull(j) {
		return "null"
	}
	if m, ok := ch.(*array.Map); ok {
		lo, hi := m.ValueOffsets(j)
		keys, items := m.Keys().(*array.String), m.Items().(*array.String)
		var kv []string
		for k := lo; k < hi; k++ {
			kv = append(kv, keys.Value(int(k))+":"+items.Value(int(k)))
		}
		return "{" + strings.Join(kv, ",") + "}"
	}
	return fmt.Sprintf("%q", ch.ValueStr(j))
}

// maskRunMeta removes from the key/value metadata what differs between two runs of the
// same samples (run id, times, checksums over them) and what only a suite has (where it
// and its evaluators were declared).
func maskRunMeta(kv map[string]string) map[string]string {
	GinkgoHelper()
	out := map[string]string{}
	for k, v := range kv {
		switch k {
		case "heval.run_id", "heval.run_started", "heval.checksum", "heval.data_checksum":
			continue
		case "heval.run":
			var m map[string]any
			Expect(json.Unmarshal([]byte(v), &m)).To(Succeed())
			delete(m, "run_id")
			delete(m, "started")
			delete(m, "file")
			delete(m, "line")
			for _, d := range m["declared"].([]any) {
				delete(d.(map[string]any), "file")
				delete(d.(map[string]any), "line")
			}
			b, _ := json.Marshal(m)
			v = string(b)
		case "heval.summary":
			var m map[string]any
			Expect(json.Unmarshal([]byte(v), &m)).To(Succeed())
			delete(m, "finished")
			b, _ := json.Marshal(m)
			v = string(b)
		}
		out[k] = v
	}
	return out
}

var (
	utcTimeRE  = regexp.MustCompile(`20\d\d-\d\d-\d\d \d\d:\d\d:\d\d UTC`)
	durationRE = regexp.MustCompile(`(<dt>Duration</dt><dd>|\*\*Duration:\*\* )[^<\n]*`)
)

// maskText masks a report's run id, start and finish times and duration.
func maskText(b []byte, runID string) string {
	s := strings.ReplaceAll(string(b), runID, "RUN-ID")
	s = utcTimeRE.ReplaceAllString(s, "TIME")
	return durationRE.ReplaceAllString(s, "${1}DURATION")
}

var (
	junitTimeRE  = regexp.MustCompile(` (time|timestamp)="[^"]*"`)
	junitFileRE  = regexp.MustCompile(` file="[^"]*"`)
	junitAtRE    = regexp.MustCompile(`&#xA;at [^<&]*:\d+(</)`)
	junitRootRE  = regexp.MustCompile(`<testsuites [^>]*>`)
	junitSpecsRE = regexp.MustCompile(`(?s)\n  <testsuite name="heval/specs".*?</testsuite>`)
)

// maskJUnit masks times and the run id, and removes what only a suite has: the files of
// the declarations, the "at FILE:LINE" lines and the suite of its own specs.
func maskJUnit(b []byte, runID string) string {
	s := strings.ReplaceAll(string(b), runID, "RUN-ID")
	s = junitTimeRE.ReplaceAllString(s, "")
	s = junitFileRE.ReplaceAllString(s, "")
	s = junitAtRE.ReplaceAllString(s, "$1")
	s = junitSpecsRE.ReplaceAllString(s, "")
	return junitRootRE.ReplaceAllString(s, "<testsuites>")
}

func runIDOf(dir string) string {
	GinkgoHelper()
	_, kv := arrowRows(filepath.Join(dir, "scores.parquet"))
	Expect(kv).To(HaveKey("heval.run_id"))
	return kv["heval.run_id"]
}

var _ = Describe("the reports of a suite and of heval run", Ordered, func() {
	var suiteDir, cliDir, suiteStep, cliStep string
	BeforeAll(func() {
		tmp := GinkgoT().TempDir()
		suiteDir, cliDir = filepath.Join(tmp, "suite"), filepath.Join(tmp, "cli")
		suiteStep, cliStep = filepath.Join(tmp, "suite-step.md"), filepath.Join(tmp, "cli-step.md")
		ok, out := runFixtureSuite(suiteDir, suiteStep, false)
		Expect(ok).To(BeTrue(), out)
		runCLI(cliDir, cliStep)
	})

	It("are the same files", func() {
		Expect(files(suiteDir)).To(Equal([]string{"junit.xml", "report.html", "samples.parquet", "scores.parquet"}))
		Expect(files(cliDir)).To(Equal(files(suiteDir)))
		Expect(suiteStep).To(BeARegularFile(), "the suite appends its summary to $GITHUB_STEP_SUMMARY")
		Expect(cliStep).To(BeARegularFile())
	})

	It("hold the same scores and samples, read with the Apache Arrow reader", func() {
		for _, f := range []string{"scores.parquet", "samples.parquet"} {
			sRows, sKV := arrowRows(filepath.Join(suiteDir, f), "run_id", "run_started", "evaluator_duration_us")
			cRows, cKV := arrowRows(filepath.Join(cliDir, f), "run_id", "run_started", "evaluator_duration_us")
			Expect(sRows).NotTo(BeEmpty(), f)
			Expect(sRows).To(Equal(cRows), f)
			Expect(maskRunMeta(sKV)).To(Equal(maskRunMeta(cKV)), f)
		}
	})

	It("write the same bytes but for run ids, times and where the suite declared things", func() {
		sID, cID := runIDOf(suiteDir), runIDOf(cliDir)
		Expect(sID).NotTo(Equal(cID))
		read := func(p string) []byte {
			b, err := os.ReadFile(p)
			Expect(err).NotTo(HaveOccurred())
			return b
		}
		Expect(maskText(read(filepath.Join(suiteDir, "report.html")), sID)).To(Equal(maskText(read(filepath.Join(cliDir, "report.html")), cID)))
		Expect(maskText(read(suiteStep), sID)).To(Equal(maskText(read(cliStep), cID)))
		sj, cj := read(filepath.Join(suiteDir, "junit.xml")), read(filepath.Join(cliDir, "junit.xml"))
		Expect(maskJUnit(sj, sID)).To(Equal(maskJUnit(cj, cID)))
		Expect(string(sj)).To(ContainSubstring(`file="cmd/heval/testdata/suite/suite_test.go"`), "the suite's JUnit names its file")
		Expect(string(sj)).To(ContainSubstring(`<testsuite name="heval/specs" tests="3" failures="0" errors="0"`), "and has its specs")
		Expect(string(cj)).NotTo(ContainSubstring(`file=`), "the command line declared the CLI's evaluators")
	})

	It("are drawn again, byte for byte, by heval report from either run's files", func() {
		for _, d := range []struct{ dir, step string }{{suiteDir, suiteStep}, {cliDir, cliStep}} {
			out := GinkgoT().TempDir()
			code, stdout, stderr := runHeval("report", filepath.Join(d.dir, "scores.parquet"),
				"--html", filepath.Join(out, "page.html"), "--markdown", filepath.Join(out, "summary.md"))
			Expect(code).To(Equal(exitOK), stdout+stderr)
			page, err := os.ReadFile(filepath.Join(out, "page.html"))
			Expect(err).NotTo(HaveOccurred())
			orig, err := os.ReadFile(filepath.Join(d.dir, "report.html"))
			Expect(err).NotTo(HaveOccurred())
			Expect(string(page)).To(Equal(string(orig)), "heval report on %s", d.dir)
			md, err := os.ReadFile(filepath.Join(out, "summary.md"))
			Expect(err).NotTo(HaveOccurred())
			step, err := os.ReadFile(d.step)
			Expect(err).NotTo(HaveOccurred())
			Expect(string(md)).To(Equal(string(step)))
			Expect(string(page)).To(ContainSubstring("Hello! You can reset your password under Settings [1]."), "the answers")
			Expect(string(page)).To(ContainSubstring("response body not available"), "why an answer could not be read")
			Expect(stdout).To(ContainSubstring("24 samples"))
			Expect(stdout).To(ContainSubstring("Needs attention: 30 evaluator errors"), "the verdict")
		}
	})

	It("let heval report choose another direction for a key", func() {
		out := GinkgoT().TempDir()
		page := filepath.Join(out, "page.html")
		code, stdout, stderr := runHeval("report", filepath.Join(cliDir, "scores.parquet"), "--html", page)
		Expect(code).To(Equal(exitOK), stdout+stderr)
		b, _ := os.ReadFile(page)
		Expect(string(b)).To(ContainSubstring("word_count: values furthest from the median in baseline"), "word_count is neutral as declared")
		code, stdout, stderr = runHeval("report", filepath.Join(cliDir, "scores.parquet"), "--direction", "word_count=lower", "--html", page)
		Expect(code).To(Equal(exitOK), stdout+stderr)
		b, _ = os.ReadFile(page)
		Expect(string(b)).To(ContainSubstring("word_count: highest values in baseline"))
		code, _, stderr = runHeval("report", filepath.Join(cliDir, "scores.parquet"), "--direction", "word_count=sideways")
		Expect(code).To(Equal(exitUsage))
		Expect(stderr).To(ContainSubstring("not higher, lower or neutral"))
	})
})

var _ = Describe("the demo's Parquet file", func() {
	It("keeps experiment and hypothesis in columns of their own, with the same values whatever else the run holds", func() {
		dir := GinkgoT().TempDir()
		code, out, errOut := runHeval("demo", "--quiet", "--dry-run", "--no-html", "--out", dir)
		Expect(code).To(Equal(exitOK), out+errOut)
		rows, _ := arrowRows(filepath.Join(dir, "scores.parquet"))
		pairs := map[string]bool{}
		for _, r := range rows {
			e := regexp.MustCompile(` experiment=("[^"]*"|null) `).FindStringSubmatch(" " + r)
			h := regexp.MustCompile(` hypothesis=("[^"]*"|null) `).FindStringSubmatch(" " + r)
			Expect(e).NotTo(BeNil(), r)
			Expect(h).NotTo(BeNil(), r)
			pairs[e[1]+" "+h[1]] = true
		}
		Expect(pairs).To(Equal(map[string]bool{
			`"support" "dataset"`: true, `"support" "baseline"`: true, `"support" "candidate"`: true, `"support" "claude"`: true,
			`"code" "dataset"`: true, `"code" "baseline"`: true, `"code" "candidate"`: true,
		}))
		Expect(out).To(ContainSubstring("support/candidate"), "the summary tells the experiments' hypotheses apart")
	})
})

var _ = Describe("a failing matcher spec of a suite", func() {
	It("is in heval's junit.xml, placed at the line that failed, and the document is valid against the XSD", func() {
		tmp := GinkgoT().TempDir()
		dir := filepath.Join(tmp, "out")
		ok, out := runFixtureSuite(dir, filepath.Join(tmp, "step.md"), true)
		Expect(ok).To(BeFalse(), "the suite fails: %s", out)
		b, err := os.ReadFile(filepath.Join(dir, "junit.xml"))
		Expect(err).NotTo(HaveOccurred())
		doc := string(b)
		Expect(doc).To(ContainSubstring(`<testsuite name="heval/specs" tests="3" failures="1" errors="0"`))
		Expect(doc).To(MatchRegexp(`<testcase name="the candidate writes long answers" classname="heval.specs" time="[0-9.]+">\s*<failure type="spec" message="hypothesis candidate`))
		Expect(doc).To(MatchRegexp(`&#xA;at cmd/heval/testdata/suite/suite_test.go:\d+</failure>`))
		testutil.ExpectValidJUnit(filepath.Join(dir, "junit.xml"))
	})
})

var _ = Describe("heval report and merge on a corrupt file", func() {
	It("say which file is corrupt and exit 3, whichever byte is flipped, never panicking", func() {
		src := GinkgoT().TempDir()
		runCLI(src, filepath.Join(GinkgoT().TempDir(), "step.md"))
		orig, err := os.ReadFile(filepath.Join(src, "scores.parquet"))
		Expect(err).NotTo(HaveOccurred())
		dir := GinkgoT().TempDir()
		bad := filepath.Join(dir, "scores.parquet")
		readOK := 0
		// Every 41st byte (the file is about 13 kB), the footer's last bytes included.
		var positions []int
		for p := 0; p < len(orig); p += 41 {
			positions = append(positions, p)
		}
		positions = append(positions, len(orig)-1, len(orig)-5, len(orig)-9)
		for _, pos := range positions {
			b := bytes.Clone(orig)
			b[pos] ^= 1 << (pos % 8)
			Expect(os.WriteFile(bad, b, 0o644)).To(Succeed())
			code, stdout, stderr := runHeval("report", bad)
			if code == exitOK {
				readOK++ // a flipped bit that changes nothing the reader uses (statistics, padding)
				continue
			}
			Expect(code).To(Equal(exitError), "byte %d: %s%s", pos, stdout, stderr)
			Expect(stderr).To(HavePrefix("heval: reading "+bad+": "), "byte %d", pos)
			code, _, stderr = runHeval("merge", "--out", filepath.Join(GinkgoT().TempDir(), "m"), dir, src)
			Expect(code).To(Equal(exitError), "merge, byte %d: %s", pos, stderr)
			Expect(stderr).To(ContainSubstring("reading " + bad + ": "))
		}
		Expect(readOK).To(BeNumerically("<", len(positions)/2), "most flips are refused")
	})
})

var _ = Describe("heval report --baseline", func() {
	It("refuses a baseline whose evaluators of the same name were configured differently", func() {
		a, b := GinkgoT().TempDir(), GinkgoT().TempDir()
		for dir, spec := range map[string]string{a: "min_length=200", b: "min_length=50"} {
			code, out, errOut := runHeval("run", "--jsonl", samplesJSONL(), "--dry-run", "--quiet", "--eval", spec, "--out", dir)
			Expect(code).To(Equal(exitOK), out+errOut)
		}
		code, _, stderr := runHeval("report", filepath.Join(a, "scores.parquet"), "--baseline", filepath.Join(b, "scores.parquet"))
		Expect(code).To(Equal(exitUsage))
		Expect(stderr).To(ContainSubstring(`evaluator min_length is "min_length=200" in the run but "min_length=50" in the baseline`))
		code, stdout, stderr := runHeval("report", filepath.Join(a, "scores.parquet"), "--baseline", filepath.Join(a, "scores.parquet"))
		Expect(code).To(Equal(exitOK), stderr)
		Expect(stdout).To(ContainSubstring("this run vs the baseline run"))
	})
})
