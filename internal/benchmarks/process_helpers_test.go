package benchmarks_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/heval-dev/heval/helicone/heliconetest/demo"
)

// buildHeval builds cmd/heval into dir and returns the executable's path.
func buildHeval(dir string) (string, error) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("the go command, to build heval: %w", err)
	}
	exe := filepath.Join(dir, "heval")
	cmd := exec.Command(goBin, "build", "-o", exe, "github.com/heval-dev/heval/cmd/heval")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/heval: %w\n%s", err, out)
	}
	return exe, nil
}

// childEnv is this process's environment without anything that configures heval or
// Helicone, with extra appended.
func childEnv(extra ...string) []string {
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "HELICONE_") || strings.HasPrefix(kv, "HEVAL_") ||
			strings.HasPrefix(kv, "GITHUB_STEP_SUMMARY=") || strings.HasPrefix(kv, "OPENAI_")
	})
	return append(env, extra...)
}

// serveProc is `heval serve` running as a child process.
type serveProc struct {
	cmd     *exec.Cmd
	baseURL string
	apiKey  string
	done    chan struct{}
	mu      sync.Mutex
	out     bytes.Buffer
}

// startServe starts `heval serve --profile PROFILE --demo-samples N --write-delay 0 EXTRA...`
// on a free loopback port and waits until it has printed its base URL and that it serves.
func startServe(exe, profile string, samples int, extra ...string) (*serveProc, error) {
	cmd := exec.Command(exe, append([]string{"serve", "--profile", profile, "--demo-samples", strconv.Itoa(samples),
		"--write-delay", "0", "--addr", "127.0.0.1:0"}, extra...)...)
	cmd.Env = childEnv()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	s := &serveProc{cmd: cmd, done: make(chan struct{})}
	cmd.Stderr = &lockedWriter{mu: &s.mu, w: &s.out}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	ready := make(chan error, 1)
	go func() {
		defer close(s.done)
		sc := bufio.NewScanner(stdout)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			s.mu.Lock()
			s.out.WriteString(line + "\n")
			s.mu.Unlock()
			if v, ok := strings.CutPrefix(line, "HELICONE_BASE_URL="); ok {
				s.baseURL = v
			}
			if v, ok := strings.CutPrefix(line, "HELICONE_API_KEY="); ok {
				s.apiKey = v
			}
			if !sent && strings.HasPrefix(line, "# serving the Helicone emulator") {
				sent = true
				ready <- nil
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
		if !sent {
			ready <- errors.New("heval serve ended before it served")
		}
	}()
	select {
	case err := <-ready:
		if err == nil && (s.baseURL == "" || s.apiKey == "") {
			err = errors.New("heval serve did not print HELICONE_BASE_URL and HELICONE_API_KEY")
		}
		if err != nil {
			s.Stop()
			return nil, fmt.Errorf("%w:\n%s", err, s.output())
		}
	case <-time.After(10 * time.Minute):
		s.Stop()
		return nil, fmt.Errorf("heval serve --demo-samples %d did not serve within 10 minutes:\n%s", samples, s.output())
	}
	return s, nil
}

func (s *serveProc) output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.String()
}

// PeakRSSMiB is the largest resident set of the server so far (VmHWM), or 0 where the
// system does not say.
func (s *serveProc) PeakRSSMiB() float64 {
	return float64(peakRSS(s.cmd.Process.Pid)) / (1 << 20)
}

var vmHWM = regexp.MustCompile(`(?m)^VmHWM:\s+(\d+) kB`)

// peakRSS is the peak resident set of process pid in bytes, as its VmHWM says (0 when it
// cannot be read). Unlike the Maxrss of wait4, which starts from the parent's resident set
// when the child was started (Go starts children sharing its memory until they exec), it
// counts the program's own memory alone.
func peakRSS(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	m := vmHWM.FindSubmatch(b)
	if m == nil {
		return 0
	}
	kb, _ := strconv.ParseInt(string(m[1]), 10, 64)
	return kb * 1024
}

// watchPeakRSS reads the peak resident set of pid every 10 ms until stop is closed, and
// returns the highest it read.
func watchPeakRSS(pid int, stop <-chan struct{}) <-chan int64 {
	out := make(chan int64, 1)
	go func() {
		var peak int64
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			if v := peakRSS(pid); v > peak {
				peak = v
			}
			select {
			case <-stop:
				out <- peak
				return
			case <-t.C:
			}
		}
	}()
	return out
}

// Env is the environment of a `heval run` against this server.
func (s *serveProc) Env() []string {
	return []string{"HELICONE_BASE_URL=" + s.baseURL, "HELICONE_API_KEY=" + s.apiKey}
}

// Stop ends the server (SIGTERM, then SIGKILL after 30 seconds) and waits for it.
func (s *serveProc) Stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
	_ = s.cmd.Wait()
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// childRun is what one `heval run` child process gave.
type childRun struct {
	wall time.Duration
	// cpu is the user and system time of the child.
	cpu time.Duration
	// maxRSS is its peak resident set in bytes (VmHWM, read every 10 ms while it runs).
	maxRSS int64
	// samples and records are the counts of its summary ("N samples, M records").
	samples, records int
	// posts and acknowledged are the score writes of its delivery line (submitting runs).
	posts, acknowledged, failed int
	stdout, stderr              string
}

// RSSMiB is the child's peak resident set in MiB.
func (c childRun) RSSMiB() float64 { return float64(c.maxRSS) / (1 << 20) }

// CPUPerSample is the child's CPU time per sample in microseconds.
func (c childRun) CPUPerSample() float64 {
	return float64(c.cpu.Microseconds()) / float64(max(c.samples, 1))
}

// Rate is samples per second of wall time.
func (c childRun) Rate() float64 { return float64(c.samples) / c.wall.Seconds() }

var (
	summaryLine  = regexp.MustCompile(`(?m)^(\d+) samples, (\d+) records`)
	deliveryLine = regexp.MustCompile(`(?m)^delivery: (\d+) score writes, (\d+) acknowledged, (\d+) failed`)
)

// runHeval runs `heval run ARGS --quiet --out DIR` as a child process with env, timing it and
// reading its resource use, checks that it wrote every report (Parquet, JUnit, HTML), and
// removes them.
func runHeval(exe string, env []string, dir string, args ...string) (childRun, error) {
	var r childRun
	out := filepath.Join(dir, "out")
	cmd := exec.Command(exe, append(append([]string{"run"}, args...), "--quiet", "--out", out)...)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return r, err
	}
	stop := make(chan struct{})
	peak := watchPeakRSS(cmd.Process.Pid, stop)
	err := cmd.Wait()
	r.wall = time.Since(start)
	close(stop)
	r.maxRSS = <-peak
	r.stdout, r.stderr = stdout.String(), stderr.String()
	defer os.RemoveAll(out)
	if err != nil {
		return r, fmt.Errorf("heval run %s: %w\n%s", strings.Join(args, " "), err, tail(r.stderr+r.stdout, 2000))
	}
	r.cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	m := summaryLine.FindStringSubmatch(r.stdout)
	if m == nil {
		return r, fmt.Errorf("heval run %s printed no summary line:\n%s", strings.Join(args, " "), tail(r.stdout, 2000))
	}
	r.samples, _ = strconv.Atoi(m[1])
	r.records, _ = strconv.Atoi(m[2])
	if m := deliveryLine.FindStringSubmatch(r.stdout); m != nil {
		r.posts, _ = strconv.Atoi(m[1])
		r.acknowledged, _ = strconv.Atoi(m[2])
		r.failed, _ = strconv.Atoi(m[3])
	}
	for _, f := range []string{"scores.parquet", "samples.parquet", "junit.xml", "report.html"} {
		st, err := os.Stat(filepath.Join(out, f))
		if err != nil || st.Size() == 0 {
			return r, fmt.Errorf("heval run %s did not write %s: %v", strings.Join(args, " "), f, err)
		}
	}
	return r, nil
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// jsonlSample is one line of a --jsonl file.
type jsonlSample struct {
	RequestID        string            `json:"request_id"`
	Kind             string            `json:"kind"`
	ExperimentID     string            `json:"experiment_id"`
	HypothesisID     string            `json:"hypothesis_id,omitempty"`
	Hypothesis       string            `json:"hypothesis,omitempty"`
	Model            string            `json:"model"`
	Provider         string            `json:"provider,omitempty"`
	PromptVersionID  string            `json:"prompt_version_id,omitempty"`
	DatasetRowID     string            `json:"dataset_row_id"`
	RowIndex         int               `json:"row_index"`
	Inputs           map[string]string `json:"inputs,omitempty"`
	Properties       map[string]string `json:"properties,omitempty"`
	Output           json.RawMessage   `json:"output"`
	Reference        json.RawMessage   `json:"reference,omitempty"`
	PromptTokens     int64             `json:"prompt_tokens"`
	CompletionTokens int64             `json:"completion_tokens"`
	LatencyMs        int64             `json:"latency_ms"`
}

// demoSet is the demo set `heval serve --demo-samples N` serves, written as a JSONL file of
// the same samples (the experiment's dataset rows, then each hypothesis's runs, with the
// same request ids, bodies, inputs and references).
type demoSet struct {
	jsonl string
	// ids are the request ids of the samples, in the file's order.
	ids []string
}

// writeDemoSet generates the demo set of n samples and writes it to dir/samples.jsonl.
func writeDemoSet(dir string, n int) (*demoSet, error) {
	seed := demo.Generate(demo.Options{Experiments: 1, Rows: n / 4, Hypotheses: 3, Requests: -1})
	org := &seed.Organizations[0]
	exp := &org.Experiments[0]
	reqs := make(map[string]int, len(org.Requests))
	for i := range org.Requests {
		reqs[org.Requests[i].ID] = i
	}
	var meta struct {
		Labels map[string]string `json:"hypothesis_labels"`
	}
	if err := json.Unmarshal(exp.Meta, &meta); err != nil {
		return nil, fmt.Errorf("demo experiment meta: %w", err)
	}
	set := &demoSet{jsonl: filepath.Join(dir, "samples.jsonl"), ids: make([]string, 0, n)}
	f, err := os.Create(set.jsonl)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	rowIndex := make(map[string]int, len(exp.Dataset.Rows))
	rowReq := make(map[string]string, len(exp.Dataset.Rows))
	for i, row := range exp.Dataset.Rows {
		rowIndex[row.RowID], rowReq[row.RowID] = i, row.RequestID
		req := &org.Requests[reqs[row.RequestID]]
		set.ids = append(set.ids, req.ID)
		if err := enc.Encode(jsonlSample{
			RequestID: req.ID, Kind: "dataset_row", ExperimentID: exp.ID, Model: req.Model, Provider: req.Provider,
			DatasetRowID: row.RowID, RowIndex: i, Inputs: row.Inputs, Output: req.ResponseBody,
			PromptTokens: req.PromptTokens, CompletionTokens: req.CompletionTokens, LatencyMs: req.LatencyMs,
		}); err != nil {
			return nil, err
		}
	}
	for _, h := range exp.Hypotheses {
		for _, run := range h.Runs {
			req := &org.Requests[reqs[run.RequestID]]
			row := &exp.Dataset.Rows[rowIndex[run.DatasetRowID]]
			props := map[string]string{}
			for k, v := range req.Headers {
				props[strings.ToLower(strings.TrimPrefix(k, "Helicone-Property-"))] = v
			}
			set.ids = append(set.ids, req.ID)
			if err := enc.Encode(jsonlSample{
				RequestID: req.ID, Kind: "hypothesis_run", ExperimentID: exp.ID, HypothesisID: h.ID, Hypothesis: meta.Labels[h.ID],
				Model: req.Model, Provider: req.Provider, PromptVersionID: h.PromptVersionID,
				DatasetRowID: run.DatasetRowID, RowIndex: rowIndex[run.DatasetRowID], Inputs: row.Inputs, Properties: props,
				Output: req.ResponseBody, Reference: org.Requests[reqs[rowReq[run.DatasetRowID]]].ResponseBody,
				PromptTokens: req.PromptTokens, CompletionTokens: req.CompletionTokens, LatencyMs: req.LatencyMs,
			}); err != nil {
				return nil, err
			}
		}
	}
	if err := w.Flush(); err != nil {
		return nil, err
	}
	return set, f.Close()
}
