package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/harness"
	"github.com/heval-dev/heval/helicone"
	"github.com/heval-dev/heval/helicone/heliconetest"
	"github.com/heval-dev/heval/helicone/heliconetest/demo"
	"github.com/heval-dev/heval/internal/testutil"
	"github.com/heval-dev/heval/reporters/parquet"
)

func runHeval(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func freeAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	defer ln.Close()
	return ln.Addr().String()
}

// startServe runs `heval serve` in the background until the spec ends and returns its
// base URL and key, read from the lines it prints.
func startServe(args ...string) (string, string) {
	base, key, _ := startServeOut(args...)
	return base, key
}

// startServeOut is startServe that also returns what `heval serve` prints.
func startServeOut(args ...string) (string, string, *testutil.SyncBuffer) {
	ctx, cancel := context.WithCancel(context.Background())
	out := &testutil.SyncBuffer{}
	done := make(chan int)
	go func() {
		defer GinkgoRecover()
		done <- Main(ctx, append([]string{"serve", "--addr", freeAddr()}, args...), out, GinkgoWriter)
	}()
	DeferCleanup(func() {
		cancel()
		Eventually(done, 15*time.Second).Should(Receive(Equal(0)), "heval serve did not stop after its context was cancelled")
	})
	var base, key string
	Eventually(func() string {
		sc := bufio.NewScanner(strings.NewReader(out.String()))
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "HELICONE_BASE_URL="); ok {
				base = v
			}
			if v, ok := strings.CutPrefix(sc.Text(), "HELICONE_API_KEY="); ok {
				key = v
			}
		}
		return key
	}, 5*time.Second).ShouldNot(BeEmpty())
	Eventually(out.String, 5*time.Second).Should(ContainSubstring("# serving the Helicone emulator"))
	return base, key, out
}

var _ = Describe("exit codes", func() {
	It("is 0 for help, 2 for usage and configuration errors", func() {
		code, out, _ := runHeval("help")
		Expect(code).To(Equal(exitOK))
		Expect(out).To(ContainSubstring("130  interrupted"))

		code, _, errOut := runHeval("run")
		Expect(code).To(Equal(exitUsage))
		Expect(errOut).To(ContainSubstring("say what to evaluate"))

		code, _, errOut = runHeval("demo", "--require", "has_citations:pass_rate>>0.8")
		Expect(code).To(Equal(exitUsage))
		Expect(errOut).To(ContainSubstring("--require"))

		code, _, errOut = runHeval("demo", "--eval", "no_such_evaluator")
		Expect(code).To(Equal(exitUsage))
		Expect(errOut).To(ContainSubstring("heval evals"))

		code, _, errOut = runHeval("run", "--filter", "latency=>fast")
		Expect(code).To(Equal(exitUsage))
		Expect(errOut).To(ContainSubstring("--filter"))
	})

	It("is 2 when no API key is configured", func() {
		GinkgoT().Setenv("HELICONE_API_KEY", "")
		code, _, errOut := runHeval("run", "--experiment", demo.SupportExperimentID, "--out", GinkgoT().TempDir())
		Expect(code).To(Equal(exitUsage))
		Expect(errOut).To(ContainSubstring("HELICONE_API_KEY"))
	})

	It("is 1 when a threshold fails and 0 when every threshold holds", func() {
		dir := GinkgoT().TempDir()
		code, _, errOut := runHeval("demo", "--quiet", "--dry-run", "--out", dir, "--require", "has_citations:pass_rate>=0.99@support/baseline")
		Expect(code).To(Equal(exitFailed), errOut)
		Expect(errOut).To(ContainSubstring("has_citations"))

		code, _, errOut = runHeval("demo", "--quiet", "--dry-run", "--out", dir, "--require", "word_count:mean>=1", "--require", "has_citations:errors<=0")
		Expect(code).To(Equal(exitOK), errOut)
	})

	It("is 2 when the server refuses the API key", func() {
		base, _ := startServe("--profile", "legacy")
		GinkgoT().Setenv("HELICONE_BASE_URL", base)
		GinkgoT().Setenv("HELICONE_API_KEY", "sk-helicone-wrong00-heval00-0000000-0000000")
		code, _, errOut := runHeval("run", "--quiet", "--experiment", demo.SupportExperimentID, "--out", GinkgoT().TempDir())
		Expect(code).To(Equal(exitUsage), errOut)
		Expect(errOut).To(ContainSubstring("check HELICONE_API_KEY"))
	})

	It("is 3 when the server cannot be reached", func() {
		GinkgoT().Setenv("HELICONE_API_KEY", "sk-helicone-unreachable")
		GinkgoT().Setenv("HELICONE_BASE_URL", "http://"+freeAddr())
		code, _, errOut := runHeval("run", "--quiet", "--experiment", demo.SupportExperimentID, "--out", GinkgoT().TempDir())
		Expect(code).To(Equal(exitError), errOut)
	})
})

var _ = Describe("the budget line at the start of a run", func() {
	It("names the default budget of a remote Helicone and its tier", func() {
		rate, err := helicone.ParseRate("pro")
		Expect(err).NotTo(HaveOccurred())
		Expect(budgetLine(rate, "the default of --rate, pro: "+tierName("pro"), harness.Shard{})).To(Equal(
			"heval: request budget 10000/5m for score writes and read-backs (the default of --rate, pro: hosted Helicone's paid tiers): 33.3 requests/s"))
		Expect(budgetLine(rate, "--rate pro", harness.Shard{K: 2, N: 4})).To(HaveSuffix("this shard (2/4) takes 1/4 of it, 8.3 requests/s, so that the 4 shards together stay within it"))
	})
})

var _ = Describe("heval run against heval serve", func() {
	It("submits scores that the server then returns from the v2 score route", func() {
		base, key := startServe("--profile", "legacy")
		GinkgoT().Setenv("HELICONE_BASE_URL", base)
		GinkgoT().Setenv("HELICONE_API_KEY", key)
		dir := GinkgoT().TempDir()
		code, out, errOut := runHeval("run", "--quiet", "--rate", "unlimited", "--experiment", demo.SupportExperimentID, "--out", dir, "--verify")
		Expect(code).To(Equal(exitOK), out+errOut)

		_, records, err := parquet.ReadFile(filepath.Join(dir, "scores.parquet"))
		Expect(err).NotTo(HaveOccurred())
		Expect(records).NotTo(BeEmpty())
		client, err := helicone.NewClient(helicone.WithBaseURL(base), helicone.WithAPIKey(key))
		Expect(err).NotTo(HaveOccurred())
		checked := 0
		for _, rec := range records[:20] {
			Expect(rec.Submitted).To(BeTrue(), rec.DeliveryErr)
			for _, v := range rec.Values {
				stored := v.Key
				if v.Type == "boolean" {
					stored += helicone.BoolSuffix
				}
				got, err := client.GetExperimentScore(context.Background(), demo.SupportExperimentID, rec.Sample.RequestID, stored)
				Expect(err).NotTo(HaveOccurred())
				Expect(got).NotTo(BeNil(), "score %s of %s", stored, rec.Sample.RequestID)
				n, ok := got.Value.Int64()
				Expect(ok).To(BeTrue())
				Expect(n).To(Equal(v.Value))
				checked++
			}
		}
		Expect(checked).To(BeNumerically(">=", 20))
	})

	It("evaluates logged requests chosen by a request-query filter", func() {
		base, key := startServe()
		GinkgoT().Setenv("HELICONE_BASE_URL", base)
		GinkgoT().Setenv("HELICONE_API_KEY", key)
		dir := GinkgoT().TempDir()
		code, out, errOut := runHeval("run", "--quiet", "--filter", "property:Variant=B", "--group-by", "Variant", "--out", dir, "--eval", "word_count", "--rate", "unlimited")
		Expect(code).To(Equal(exitOK), out+errOut)
		_, records, err := parquet.ReadFile(filepath.Join(dir, "scores.parquet"))
		Expect(err).NotTo(HaveOccurred())
		Expect(records).NotTo(BeEmpty())
		for _, rec := range records {
			Expect(rec.Sample.Kind).To(BeEquivalentTo("request"))
			Expect(rec.Sample.Hypothesis).To(Equal("B"), "--group-by Variant labels each sample with its Variant")
			Expect(rec.Submitted).To(BeTrue(), rec.DeliveryErr)
		}
	})

	It("never prints or writes the API key", func() {
		const secret = "sk-helicone-s3cr3t9-k3y0000-0000000-recognisable"
		base, _ := startServe("--profile", "legacy", "--api-key", secret)
		GinkgoT().Setenv("HELICONE_BASE_URL", base)
		GinkgoT().Setenv("HELICONE_API_KEY", secret)
		dir := GinkgoT().TempDir()
		code, out, errOut := runHeval("run", "--rate", "unlimited", "--experiment", demo.SupportExperimentID, "--out", dir, "--verify")
		Expect(code).To(Equal(exitOK), out+errOut)
		code, out2, errOut2 := runHeval("run", "--experiment", "00000000-0000-4000-8000-000000000000", "--out", GinkgoT().TempDir())
		Expect(code).NotTo(Equal(exitOK))
		for _, s := range []string{out, errOut, out2, errOut2} {
			Expect(s).NotTo(ContainSubstring(secret))
		}
		entries, err := os.ReadDir(dir)
		Expect(err).NotTo(HaveOccurred())
		Expect(entries).NotTo(BeEmpty())
		for _, e := range entries {
			f, err := os.Open(filepath.Join(dir, e.Name()))
			Expect(err).NotTo(HaveOccurred())
			b, _ := io.ReadAll(f)
			f.Close()
			Expect(string(b)).NotTo(ContainSubstring(secret), e.Name())
		}
	})
})

var _ = Describe("heval serve --profile", func() {
	call := func(base, key, path, body string) *http.Response {
		req, err := http.NewRequest(http.MethodPost, base+path, strings.NewReader(body))
		Expect(err).NotTo(HaveOccurred())
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		Expect(err).NotTo(HaveOccurred())
		resp.Body.Close()
		return resp
	}

	It("plays the current profile by default and prints the datasets it serves", func() {
		base, key, out := startServeOut()
		Expect(out.String()).To(ContainSubstring("# profile current: hosted Helicone today"))
		Expect(out.String()).To(ContainSubstring(`# dataset ` + demo.SupportDatasetID + ` "` + demo.SupportDatasetName + `": 120 rows`))
		Expect(out.String()).To(ContainSubstring(`# dataset ` + demo.CodeDatasetID))
		Expect(out.String()).To(ContainSubstring("# score writes are applied 2s after their 201"))
		Expect(out.String()).NotTo(ContainSubstring("# experiment "))
		resp := call(base, key, "/v1/experiment/query", `{"filter":"all"}`)
		Expect(resp.StatusCode).To(Equal(http.StatusInternalServerError))
		Expect(resp.Header.Get(heliconetest.ProfileHeader)).To(Equal("current"))
		Expect(call(base, key, "/v1/helicone-dataset/query", `{}`).StatusCode).To(Equal(http.StatusOK))
	})

	It("plays the legacy profile with --profile legacy and prints its experiments", func() {
		base, key, out := startServeOut("--profile", "legacy", "--write-delay", "0")
		Expect(out.String()).To(ContainSubstring("# profile legacy"))
		Expect(out.String()).To(ContainSubstring("# experiment " + demo.SupportExperimentID + ": 120 dataset rows, 3 hypotheses"))
		Expect(out.String()).NotTo(ContainSubstring("# score writes are applied"))
		resp := call(base, key, "/v1/experiment/query", `{"filter":"all"}`)
		Expect(resp.StatusCode).To(Equal(http.StatusOK))
		Expect(resp.Header.Get(heliconetest.ProfileHeader)).To(Equal("legacy"))
		Expect(call(base, key, "/v1/helicone-dataset/query", `{}`).StatusCode).To(Equal(http.StatusNotFound))
	})

	It("prints what a seed file serves", func() {
		_, _, out := startServeOut("--no-demo", "--seed", filepath.Join("..", "..", "docs", "seed-example.json"))
		Expect(out.String()).To(ContainSubstring(`# dataset 4a000000-0000-4000-8000-000000000001 "password questions": 1 rows`))
	})

	It("keeps --deprecated-experiments as the current profile", func() {
		base, key, out := startServeOut("--deprecated-experiments")
		Expect(out.String()).To(ContainSubstring("# profile current"))
		Expect(call(base, key, "/v1/experiment/query", `{"filter":"all"}`).StatusCode).To(Equal(http.StatusInternalServerError))
	})

	It("makes every request wait with --latency, and says so", func() {
		base, key, out := startServeOut("--latency", "200ms")
		Expect(out.String()).To(ContainSubstring("# every request waits 200ms before it is handled (--latency)"))
		start := time.Now()
		Expect(call(base, key, "/v1/helicone-dataset/query", `{}`).StatusCode).To(Equal(http.StatusOK))
		Expect(time.Since(start)).To(BeNumerically(">=", 200*time.Millisecond))
		code, _, errOut := runHeval("serve", "--addr", freeAddr(), "--latency", "-1s")
		Expect(code).To(Equal(exitUsage))
		Expect(errOut).To(ContainSubstring("--latency -1s: give a duration of 0 or more"))
	})

	It("is a usage error for an unknown profile, or legacy with --deprecated-experiments", func() {
		code, _, errOut := runHeval("serve", "--profile", "hosted")
		Expect(code).To(Equal(exitUsage))
		Expect(errOut).To(ContainSubstring("choose current"))
		code, _, errOut = runHeval("serve", "--profile", "legacy", "--deprecated-experiments")
		Expect(code).To(Equal(exitUsage))
		Expect(errOut).To(ContainSubstring("--deprecated-experiments is the current profile"))
	})
})

var _ = Describe("heval serve --demo-samples", func() {
	It("serves one scaled support-bot experiment on legacy", func() {
		base, key, out := startServeOut("--profile", "legacy", "--demo-samples", "80", "--write-delay", "0")
		GinkgoT().Setenv("HELICONE_BASE_URL", base)
		GinkgoT().Setenv("HELICONE_API_KEY", key)
		Expect(out.String()).To(ContainSubstring("# experiment " + demo.SupportExperimentID + ": 20 dataset rows, 3 hypotheses"))
		Expect(out.String()).NotTo(ContainSubstring(demo.CodeExperimentID))
		dir := GinkgoT().TempDir()
		code, stdout, errOut := runHeval("run", "--experiment", demo.SupportExperimentID, "--dry-run", "--quiet", "--out", dir)
		Expect(code).To(Equal(exitOK), errOut)
		Expect(stdout).To(ContainSubstring("80 samples, 480 records"))
	})

	It("serves the same set as a Helicone Dataset and its tagged runs on current, and nothing else", func() {
		base, key, out := startServeOut("--demo-samples", "80", "--write-delay", "0")
		GinkgoT().Setenv("HELICONE_BASE_URL", base)
		GinkgoT().Setenv("HELICONE_API_KEY", key)
		Expect(out.String()).To(ContainSubstring(`# dataset ` + demo.SupportDatasetID + ` "` + demo.SupportDatasetName + `": 20 rows`))
		dir := GinkgoT().TempDir()
		code, stdout, errOut := runHeval("run", "--dataset", demo.SupportDatasetName, "--dry-run", "--quiet", "--out", filepath.Join(dir, "dataset"))
		Expect(code).To(Equal(exitOK), errOut)
		Expect(stdout).To(ContainSubstring("80 samples, 480 records"))
		// No other requests: a filter that matches every request yields the same samples.
		code, stdout, errOut = runHeval("run", "--filter", "created>=-30d", "--dry-run", "--quiet", "--out", filepath.Join(dir, "filter"))
		Expect(code).To(Equal(exitOK), errOut)
		Expect(stdout).To(ContainSubstring("80 samples, 480 records"))
	})

	It("is a usage error for a size that is not a positive multiple of 4, or with --no-demo", func() {
		for _, n := range []string{"0", "6", "-4"} {
			code, _, errOut := runHeval("serve", "--addr", freeAddr(), "--demo-samples", n)
			Expect(code).To(Equal(exitUsage), n)
			Expect(errOut).To(ContainSubstring("give a multiple of 4"), n)
		}
		code, _, errOut := runHeval("serve", "--addr", freeAddr(), "--demo-samples", "8", "--no-demo")
		Expect(code).To(Equal(exitUsage))
		Expect(errOut).To(ContainSubstring("cannot go with --no-demo"))
	})
})

var _ = Describe("HEVAL_CPUPROFILE", func() {
	It("writes a CPU profile of the whole process, complete when heval returns", func() {
		dir := GinkgoT().TempDir()
		prof := filepath.Join(dir, "cpu.prof")
		GinkgoT().Setenv("HEVAL_CPUPROFILE", prof)
		code, _, errOut := runHeval("run", "--jsonl", samplesJSONL(), "--dry-run", "--quiet", "--out", filepath.Join(dir, "out"))
		Expect(code).To(Equal(exitOK), errOut)
		f, err := os.Open(prof)
		Expect(err).NotTo(HaveOccurred())
		defer f.Close()
		zr, err := gzip.NewReader(f) // a profile is a gzipped protocol buffer
		Expect(err).NotTo(HaveOccurred())
		body, err := io.ReadAll(zr)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(body)).To(ContainSubstring("samples"))
	})

	It("is a usage error when the profile cannot be written, and nothing runs", func() {
		dir := GinkgoT().TempDir()
		GinkgoT().Setenv("HEVAL_CPUPROFILE", filepath.Join(dir, "missing", "cpu.prof"))
		code, _, errOut := runHeval("run", "--jsonl", samplesJSONL(), "--dry-run", "--quiet", "--out", filepath.Join(dir, "out"))
		Expect(code).To(Equal(exitUsage))
		Expect(errOut).To(HavePrefix("heval: HEVAL_CPUPROFILE: open "))
		Expect(filepath.Join(dir, "out")).NotTo(BeADirectory())
	})
})

var _ = Describe("heval serve for a person at a terminal", func() {
	It("prints every organization of a seed file with its keys, logs requests with -v and says goodbye", func() {
		ctx, cancel := context.WithCancel(context.Background())
		out, errOut := &testutil.SyncBuffer{}, &testutil.SyncBuffer{}
		addr := freeAddr()
		done := make(chan int)
		go func() {
			defer GinkgoRecover()
			done <- Main(ctx, []string{"serve", "--addr", addr, "--no-demo", "--seed", filepath.Join("..", "..", "docs", "seed-example.json"), "-v"}, out, errOut)
		}()
		Eventually(out.String, 5*time.Second).Should(ContainSubstring("# serving the Helicone emulator"))
		Expect(out.String()).To(ContainSubstring(`# organization "Example Org" (0a000000-0000-4000-8000-000000000001), API keys: sk-helicone-example-0000000-0000000-0000000`))
		resp, err := http.Post("http://"+addr+"/v1/request/query-clickhouse", "application/json", strings.NewReader(`{}`))
		Expect(err).NotTo(HaveOccurred())
		resp.Body.Close()
		Eventually(errOut.String, 5*time.Second).Should(ContainSubstring("method=POST path=/v1/request/query-clickhouse status=401"))
		cancel()
		Eventually(done, 10*time.Second).Should(Receive(Equal(exitOK)))
		Expect(out.String()).To(ContainSubstring("# heval serve: stopped (interrupted) after 1 requests; the scores it held are gone (--data DIR keeps them across restarts)"))
	})

	It("rejects a seed file with an unknown field, naming it and the nearest field", func() {
		seed := filepath.Join(GinkgoT().TempDir(), "seed.json")
		Expect(os.WriteFile(seed, []byte(`{"organizations":[{"id":"0a000000-0000-4000-8000-000000000009","keys":["sk-helicone-k"],"requets":[]}]}`), 0o644)).To(Succeed())
		code, _, errOut := runHeval("serve", "--addr", freeAddr(), "--no-demo", "--seed", seed)
		Expect(code).To(Equal(exitUsage))
		Expect(errOut).To(ContainSubstring(`unknown field "requets" in seed.organizations[0] (did you mean requests?)`))
	})

	It("knows the binaries go run builds", func() {
		Expect(isGoRunBinary("/tmp/go-build2102961469/b001/exe/heval")).To(BeTrue())
		Expect(isGoRunBinary("/root/.cache/go-build/5b/5b5b8e1a17f15435f019101ada091bd2983fabb0b28bfed9e5281caba8580f89-d/heval")).To(BeTrue())
		Expect(isGoRunBinary("/root/.cache/go-build/5c/5b5b8e1a17f15435f019101ada091bd2983fabb0b28bfed9e5281caba8580f89-d/heval")).To(BeFalse())
		Expect(isGoRunBinary("/home/me/go/bin/heval")).To(BeFalse())
		Expect(isGoRunBinary("/usr/local/bin/exe/heval")).To(BeFalse())
	})

	It("leaves no server listening after `go run ./cmd/heval serve &` and `kill $!`", func() {
		goBin, err := exec.LookPath("go")
		Expect(err).NotTo(HaveOccurred(), "the go command runs this test")
		addr := freeAddr()
		cmd := exec.Command(goBin, "run", "./cmd/heval", "serve", "--addr", addr)
		cmd.Dir = filepath.Join("..", "..")
		// A file, not a pipe: an orphan holding a pipe open would keep Wait from returning.
		logPath := filepath.Join(GinkgoT().TempDir(), "serve.log")
		log, err := os.Create(logPath)
		Expect(err).NotTo(HaveOccurred())
		defer log.Close()
		cmd.Stdout, cmd.Stderr = log, log
		Expect(cmd.Start()).To(Succeed())
		DeferCleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		Eventually(func() string { b, _ := os.ReadFile(logPath); return string(b) }, 2*time.Minute).Should(ContainSubstring("# serving the Helicone emulator"))
		// The server go run started, to stop it should it outlive go run.
		for _, pid := range childPIDs(cmd.Process.Pid) {
			DeferCleanup(func() {
				if p, err := os.FindProcess(pid); err == nil {
					_ = p.Kill()
				}
			})
		}
		Expect(cmd.Process.Signal(syscall.SIGTERM)).To(Succeed()) // what kill $! does: to go run only
		_ = cmd.Wait()
		Eventually(func() error {
			c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
			if err == nil {
				c.Close()
			}
			return err
		}, 10*time.Second, 100*time.Millisecond).Should(HaveOccurred(), "the server that go run started is still listening on %s", addr)
	})
})

// childPIDs lists the processes whose parent is pid (from /proc; none elsewhere).
func childPIDs(pid int) []int {
	var out []int
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces, so read after its ")".
		fields := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
		if len(fields) > 1 && fields[1] == strconv.Itoa(pid) {
			out = append(out, child)
		}
	}
	return out
}
