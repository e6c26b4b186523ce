package reliability_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/helicone"
	"github.com/heval-dev/heval/helicone/heliconetest/demo"
	"github.com/heval-dev/heval/reporters/parquet"
)

func TestReliability(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "reliability")
}

var hevalBin string

var _ = BeforeSuite(func() {
	hevalBin = filepath.Join(GinkgoT().TempDir(), "heval")
	out, err := exec.Command("go", "build", "-o", hevalBin, "github.com/heval-dev/heval/cmd/heval").CombinedOutput()
	Expect(err).NotTo(HaveOccurred(), string(out))
})

// rounds is how many times each kill scenario runs.
func rounds() int {
	if n, err := strconv.Atoi(os.Getenv("HEVAL_RELIABILITY_ROUNDS")); err == nil && n > 0 {
		return n
	}
	return 2
}

func freePort() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	defer ln.Close()
	return ln.Addr().String()
}

// server is a `heval serve` process with a data directory.
type server struct {
	addr, data string
	cmd        *exec.Cmd
}

func startServer(addr, data string) *server {
	s := &server{addr: addr, data: data}
	s.start()
	return s
}

func (s *server) start() {
	s.cmd = exec.Command(hevalBin, "serve", "--addr", s.addr, "--data", s.data, "--profile", "legacy", "--write-delay", "0")
	s.cmd.Stdout, s.cmd.Stderr = GinkgoWriter, GinkgoWriter
	Expect(s.cmd.Start()).To(Succeed())
	Eventually(func() error {
		c, err := net.Dial("tcp", s.addr)
		if err == nil {
			c.Close()
		}
		return err
	}, 10*time.Second, 20*time.Millisecond).Should(Succeed())
}

func (s *server) kill() {
	s.cmd.Process.Signal(syscall.SIGKILL)
	s.cmd.Wait()
}

func (s *server) url() string { return "http://" + s.addr }

// run starts `heval run` over the demo's support experiment against base.
func run(base, out string, resume bool) *exec.Cmd {
	// Paced, so that deliveries take a while and random kills land in the middle of them.
	args := []string{"run", "--experiment", demo.SupportExperimentID, "--out", out, "--quiet", "--no-html", "--rate", "1000/s"}
	if resume {
		args = append(args, "--resume")
	}
	cmd := exec.Command(hevalBin, args...)
	cmd.Env = append(os.Environ(), "HELICONE_BASE_URL="+base, "HELICONE_API_KEY="+demo.APIKey, "GITHUB_STEP_SUMMARY=")
	cmd.Stdout, cmd.Stderr = GinkgoWriter, GinkgoWriter
	return cmd
}

// triple is one stored score: request id, stored key, value.
type triple struct {
	rid, key string
	value    int64
}

// expected is what a dry run of the same job computes, as Helicone stores it.
func expected(base string) map[triple]bool {
	out := filepath.Join(GinkgoT().TempDir(), "dry")
	cmd := run(base, out, false)
	cmd.Args = append(cmd.Args, "--dry-run", "--rate", "unlimited")
	Expect(cmd.Run()).To(Succeed())
	_, recs, err := parquet.ReadFile(filepath.Join(out, "scores.parquet"))
	Expect(err).NotTo(HaveOccurred())
	want := map[triple]bool{}
	for _, r := range recs {
		for _, v := range r.Values {
			key := v.Key
			if v.Type == "boolean" {
				key += helicone.BoolSuffix
			}
			want[triple{r.Sample.RequestID, key, v.Value}] = true
		}
	}
	Expect(want).NotTo(BeEmpty())
	return want
}

// stored reads back every score the server holds for the requests of want.
func stored(base string, want map[triple]bool) map[triple]bool {
	c, err := helicone.NewClient(helicone.WithBaseURL(base), helicone.WithAPIKey(demo.APIKey))
	Expect(err).NotTo(HaveOccurred())
	ids := map[string]bool{}
	for t := range want {
		ids[t.rid] = true
	}
	var list []string
	for id := range ids {
		list = append(list, id)
	}
	rows, err := c.RequestsByID(context.Background(), helicone.RequestIDQuery{IDs: list})
	Expect(err).NotTo(HaveOccurred())
	got := map[triple]bool{}
	for id, row := range rows {
		for k, v := range row.Scores {
			n, ok := v.Int64()
			Expect(ok).To(BeTrue(), "score %s of %s is %q", k, id, v.Raw)
			got[triple{id, k, n}] = true
		}
	}
	return got
}

// compare reports what is missing from got and what got holds that want does not.
func compare(want, got map[triple]bool) (missing, extra []string) {
	for t := range want {
		if !got[t] {
			missing = append(missing, fmt.Sprintf("%s %s=%d", t.rid, t.key, t.value))
		}
	}
	for t := range got {
		if !want[t] {
			extra = append(extra, fmt.Sprintf("%s %s=%d", t.rid, t.key, t.value))
		}
	}
	return missing, extra
}

func report(format string, a ...any) {
	line := fmt.Sprintf(format, a...)
	fmt.Fprintln(GinkgoWriter, line)
	AddReportEntry("reliability", line)
	if os.Getenv("HEVAL_RELIABILITY_ROUNDS") != "" {
		fmt.Fprintln(os.Stderr, line)
	}
}

var _ = Describe("crashes", func() {
	It("loses, doubles and changes nothing when the run is killed with SIGKILL at random moments and resumed", func() {
		rng := rand.New(rand.NewPCG(1, 2))
		total := 0
		for round := 1; round <= rounds(); round++ {
			srv := startServer(freePort(), GinkgoT().TempDir())
			want := expected(srv.url())
			out := GinkgoT().TempDir()
			kills := 0
			for attempt := 0; ; attempt++ {
				Expect(attempt).To(BeNumerically("<", 60), "the run never finished")
				cmd := run(srv.url(), out, attempt > 0)
				Expect(cmd.Start()).To(Succeed())
				done := make(chan error, 1)
				go func() { done <- cmd.Wait() }()
				// Kill early and often at first, then let a run finish.
				wait := time.Duration(50+rng.IntN(400)) * time.Millisecond
				if attempt >= 8 {
					wait = time.Minute
				}
				select {
				case err := <-done:
					Expect(err).NotTo(HaveOccurred(), "round %d: the run failed", round)
				case <-time.After(wait):
					cmd.Process.Signal(syscall.SIGKILL)
					<-done
					kills++
					continue
				}
				break
			}
			missing, extra := compare(want, stored(srv.url(), want))
			Expect(missing).To(BeEmpty(), "round %d: scores missing", round)
			Expect(extra).To(BeEmpty(), "round %d: scores the run did not compute", round)
			srv.kill()
			total += len(want)
			report("round %d: %d kills of the run, %d of %d scores stored exactly, none missing, none changed", round, kills, len(want), len(want))
		}
		report("run killed and resumed: %d rounds, %d scores, every one stored exactly once", rounds(), total)
	})

	It("loses nothing when the emulator is killed and restarted on its data directory mid-run", func() {
		rng := rand.New(rand.NewPCG(3, 4))
		total := 0
		for round := 1; round <= rounds(); round++ {
			srv := startServer(freePort(), GinkgoT().TempDir())
			want := expected(srv.url())
			out := GinkgoT().TempDir()
			restarts := 0
			for attempt := 0; ; attempt++ {
				Expect(attempt).To(BeNumerically("<", 20), "the run never finished")
				cmd := run(srv.url(), out, attempt > 0)
				Expect(cmd.Start()).To(Succeed())
				done := make(chan error, 1)
				go func() { done <- cmd.Wait() }()
				if attempt < 2 {
					time.Sleep(time.Duration(30+rng.IntN(300)) * time.Millisecond)
					srv.kill()
					time.Sleep(time.Duration(rng.IntN(500)) * time.Millisecond)
					srv.start()
					restarts++
				}
				err := <-done
				if err == nil {
					break
				}
				// The run may give up while the server is down (exit 3, or 1 for scores not
				// acknowledged); resuming sends the rest.
				var ee *exec.ExitError
				Expect(err).To(BeAssignableToTypeOf(ee))
			}
			missing, extra := compare(want, stored(srv.url(), want))
			Expect(missing).To(BeEmpty(), "round %d: scores missing after %d restarts", round, restarts)
			Expect(extra).To(BeEmpty())
			srv.kill()
			total += len(want)
			report("round %d: emulator killed and restarted %d times mid-run, %d of %d scores stored exactly", round, restarts, len(want), len(want))
		}
		report("emulator killed and restarted: %d rounds, %d scores, none lost", rounds(), total)
	})
})
