package sharding_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/heval-dev/heval"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/datasets"
	"github.com/heval-dev/heval/evals"
	"github.com/heval-dev/heval/harness"
	"github.com/heval-dev/heval/helicone"
	"github.com/heval-dev/heval/helicone/heliconetest"
	"github.com/heval-dev/heval/helicone/heliconetest/demo"
	"github.com/heval-dev/heval/reporters/junit"
	"github.com/heval-dev/heval/reporters/parquet"
)

// shards is the number of shards, as in workflow.yml and indexed-job.yaml.
const shards = 4

// seedChecks are the evaluators `heval run` runs by default.
var seedChecks = []string{"word_count", "has_citations", "has_code_examples", "starts_with_greeting", "exceeds_min_length", "contains_markdown"}

// scoreRow is one Parquet row reduced to what must agree between a single run and the
// merged shards.
type scoreRow struct {
	requestID, evaluator, key string
	value                     int64
}

// outcome is what one run (or one shard) left behind.
type outcome struct {
	dir     string
	summary heval.Summary
}

func (o outcome) parquetPath() string { return filepath.Join(o.dir, "scores.parquet") }
func (o outcome) junitPath() string   { return filepath.Join(o.dir, "junit.xml") }

// runDemo evaluates both demo experiments with the six seed checks against srv, submitting
// the scores, and writes scores.parquet and junit.xml into a new directory under root, as
// `heval run --shard K/N --out DIR` does.
func runDemo(ctx context.Context, srv *heliconetest.Server, root string, shard harness.Shard) outcome {
	GinkgoHelper()
	client, err := helicone.NewClient(helicone.WithBaseURL(srv.URL), helicone.WithAPIKey(srv.APIKey))
	Expect(err).NotTo(HaveOccurred())
	var evs []*harness.EvaluatorSpec
	for _, spec := range seedChecks {
		name, fn, err := evals.Lookup(spec)
		Expect(err).NotTo(HaveOccurred())
		evs = append(evs, harness.Evaluator(name, fn))
	}
	name := "single"
	if !shard.IsWhole() {
		name = fmt.Sprintf("heval-out-%d", shard.K)
	}
	dir := filepath.Join(root, name)
	Expect(os.MkdirAll(dir, 0o755)).To(Succeed())
	pf, err := os.Create(filepath.Join(dir, "scores.parquet"))
	Expect(err).NotTo(HaveOccurred())
	defer pf.Close()
	jf, err := os.Create(filepath.Join(dir, "junit.xml"))
	Expect(err).NotTo(HaveOccurred())
	defer jf.Close()

	var srcs []datasets.Source
	for _, id := range demo.ExperimentIDs() {
		srcs = append(srcs, datasets.Experiment(id))
	}
	res, err := harness.Run(ctx, harness.Config{
		Source:      datasets.Concat(srcs...),
		Env:         datasets.Env{Client: client},
		Evaluators:  evs,
		Shard:       shard,
		JournalPath: filepath.Join(dir, "journal.jsonl"),
		Handler:     heval.Multi(parquet.NewWriter(pf), junit.NewWriter(jf)),
	})
	Expect(err).NotTo(HaveOccurred())
	Expect(pf.Close()).To(Succeed())
	Expect(jf.Close()).To(Succeed())
	return outcome{dir: dir, summary: res.Summary}
}

// readRows reads a scores file into its rows and the set of its request ids.
func readRows(path string) ([]scoreRow, map[string]bool) {
	GinkgoHelper()
	_, recs, err := parquet.ReadFile(path)
	Expect(err).NotTo(HaveOccurred())
	var rows []scoreRow
	ids := map[string]bool{}
	for _, r := range recs {
		ids[r.Sample.RequestID] = true
		for _, v := range r.Values {
			rows = append(rows, scoreRow{r.Sample.RequestID, r.Evaluator, v.Key, v.Value})
		}
	}
	return rows, ids
}

// sorted orders rows by request id, evaluator and key, so that two files' rows compare
// as multisets.
func sorted(rows []scoreRow) []scoreRow {
	out := slices.Clone(rows)
	slices.SortFunc(out, func(a, b scoreRow) int {
		return cmp.Or(cmp.Compare(a.requestID, b.requestID), cmp.Compare(a.evaluator, b.evaluator),
			cmp.Compare(a.key, b.key), cmp.Compare(a.value, b.value))
	})
	return out
}

// testcases counts the <testcase> elements of a JUnit document.
func testcases(doc []byte) int {
	GinkgoHelper()
	d := xml.NewDecoder(bytes.NewReader(doc))
	n := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return n
		}
		Expect(err).NotTo(HaveOccurred())
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "testcase" {
			n++
		}
	}
}

var _ = Describe("Four shards of the demo run", Ordered, func() {
	var (
		single     outcome
		parts      []outcome
		singleSrv  *heliconetest.Server
		shardedSrv *heliconetest.Server
		root       string
	)

	BeforeAll(func(ctx SpecContext) {
		root = GinkgoT().TempDir()
		// One emulator for the single-process run, another shared by the four shards, so
		// that each holds exactly what its side wrote.
		singleSrv = heliconetest.NewServer(heliconetest.WithProfile(heliconetest.Legacy), heliconetest.WithWriteDelay(0), heliconetest.WithSeed(demo.Seed()))
		DeferCleanup(singleSrv.Close)
		shardedSrv = heliconetest.NewServer(heliconetest.WithProfile(heliconetest.Legacy), heliconetest.WithWriteDelay(0), heliconetest.WithSeed(demo.Seed()))
		DeferCleanup(shardedSrv.Close)

		single = runDemo(ctx, singleSrv, root, harness.Shard{})
		for k := 1; k <= shards; k++ {
			parts = append(parts, runDemo(ctx, shardedSrv, root, harness.Shard{K: k, N: shards}))
		}
	})

	It("judges every sample exactly once across the shards", func() {
		_, want := readRows(single.parquetPath())
		Expect(want).To(HaveLen(single.summary.Samples))
		Expect(single.summary.Samples).To(BeNumerically(">", 0))

		owner := map[string]int{}
		total := 0
		for k, p := range parts {
			_, ids := readRows(p.parquetPath())
			Expect(ids).To(HaveLen(p.summary.Samples), "shard %d/%d", k+1, shards)
			Expect(ids).NotTo(BeEmpty(), "shard %d/%d judged nothing", k+1, shards)
			for id := range ids {
				prev, seen := owner[id]
				Expect(seen).To(BeFalse(), "request %s is in shard %d and shard %d", id, prev+1, k+1)
				owner[id] = k
			}
			total += p.summary.Samples
		}
		Expect(total).To(Equal(single.summary.Samples))
		got := map[string]bool{}
		for id := range owner {
			got[id] = true
		}
		Expect(got).To(Equal(want))
	})

	It("sends one score write per sample across the shards, landing the same scores as one process", func() {
		posts := 0
		for _, p := range parts {
			Expect(p.summary.Delivery.Failed).To(BeZero())
			posts += p.summary.Delivery.Posts
		}
		Expect(posts).To(Equal(single.summary.Samples))
		Expect(shardedSrv.Counts()[heliconetest.RouteAddScores]).To(Equal(single.summary.Samples))
		Expect(shardedSrv.AllScores()).To(Equal(singleSrv.AllScores()))
		Expect(shardedSrv.Dropped()).To(BeEmpty())
	})

	It("merges the shards' Parquet files into the single run's scores", func() {
		merged := filepath.Join(root, "merged.parquet")
		f, err := os.Create(merged)
		Expect(err).NotTo(HaveOccurred())
		var srcs []string
		for _, p := range parts {
			srcs = append(srcs, p.parquetPath())
		}
		Expect(parquet.Merge(f, srcs...)).To(Succeed())
		Expect(f.Close()).To(Succeed())

		want, _ := readRows(single.parquetPath())
		got, _ := readRows(merged)
		Expect(got).To(HaveLen(len(want)), "the merged file must hold each score once")
		Expect(sorted(got)).To(Equal(sorted(want)))

		info, _, err := parquet.ReadFile(merged)
		Expect(err).NotTo(HaveOccurred())
		Expect(info.Shard).To(BeEmpty())
	})

	It("merges the shards' JUnit files into as many test cases as the single run's", func() {
		var srcs []io.Reader
		for _, p := range parts {
			b, err := os.ReadFile(p.junitPath())
			Expect(err).NotTo(HaveOccurred())
			srcs = append(srcs, bytes.NewReader(b))
		}
		var merged bytes.Buffer
		Expect(junit.Merge(&merged, srcs...)).To(Succeed())
		want, err := os.ReadFile(single.junitPath())
		Expect(err).NotTo(HaveOccurred())
		Expect(testcases(want)).To(BeNumerically(">=", single.summary.Samples*len(seedChecks)))
		Expect(testcases(merged.Bytes())).To(Equal(testcases(want)))
	})

	It("reads the shard from the environment as the Kubernetes manifest and the workflow set it", func() {
		GinkgoT().Setenv(harness.EnvShard, "")
		GinkgoT().Setenv(harness.EnvShards, "4")
		GinkgoT().Setenv(harness.EnvJobIndex, "2")
		sh, err := harness.ShardFromEnv()
		Expect(err).NotTo(HaveOccurred())
		Expect(sh).To(Equal(harness.Shard{K: 3, N: 4}))

		sh, err = harness.ParseShard("4/4")
		Expect(err).NotTo(HaveOccurred())
		Expect(sh).To(Equal(harness.Shard{K: 4, N: 4}))
	})
})
