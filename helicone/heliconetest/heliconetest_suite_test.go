package heliconetest_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heval-dev/heval/internal/testutil"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/helicone/heliconetest"
)

func TestHeliconetest(t *testing.T) {
	if os.Getenv(childEnv) != "" {
		runChild()
		return
	}
	RegisterFailHandler(Fail)
	RunSpecs(t, "heliconetest suite")
}

// Keys and ids of the fixture.
const (
	keyA = "sk-helicone-aaaaaaa-aaaaaaa-aaaaaaa-aaaaaaa"
	keyB = "sk-helicone-bbbbbbb-bbbbbbb-bbbbbbb-bbbbbbb"
	// keyAR reads only, keyAW writes only (organization A).
	keyAR = "sk-helicone-rrrrrrr-aaaaaaa-aaaaaaa-aaaaaaa"
	keyAW = "sk-helicone-wwwwwww-aaaaaaa-aaaaaaa-aaaaaaa"
	orgA  = "0a000000-0000-4000-8000-00000000000a"
	orgB  = "0b000000-0000-4000-8000-00000000000b"

	reqA1   = "a1a1a1a1-0000-4000-8000-000000000001"
	reqA2   = "a1a1a1a1-0000-4000-8000-000000000002"
	reqAOld = "a1a1a1a1-0000-4000-8000-000000000003"
	runA11  = "a1a1a1a1-0000-4000-8000-000000000011"
	runA12  = "a1a1a1a1-0000-4000-8000-000000000012"
	runA21  = "a1a1a1a1-0000-4000-8000-000000000021"
	runA22  = "a1a1a1a1-0000-4000-8000-000000000022"
	reqB1   = "b1b1b1b1-0000-4000-8000-000000000001"

	dsAlpha = "da000000-0000-4000-8000-0000000000a1"
	dsBeta  = "da000000-0000-4000-8000-0000000000b1"
	dsRow1  = "d1000000-0000-4000-8000-000000000001"
	dsRow2  = "d1000000-0000-4000-8000-000000000002"
	dsRowB  = "d1000000-0000-4000-8000-0000000000b1"

	expAlpha = "e0000000-0000-4000-8000-0000000000a1"
	expEmpty = "e0000000-0000-4000-8000-0000000000a2"
	expBeta  = "e0000000-0000-4000-8000-0000000000b1"
)

// epoch is the fixed time the tests' clock starts at.
var epoch = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// testClock is a settable clock.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *testClock { return &testClock{now: epoch} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func chat(text string) json.RawMessage {
	b, _ := json.Marshal(map[string]any{
		"id": "chatcmpl-1", "object": "chat.completion", "model": "gpt-4o",
		"choices": []any{map[string]any{"index": 0, "message": map[string]any{"role": "assistant", "content": text}, "finish_reason": "stop"}},
	})
	return b
}

func hours(h int) heliconetest.Duration { return heliconetest.Duration(time.Duration(h) * time.Hour) }

// fixture is the seed of most specs: two organizations with requests and experiments.
func fixture() heliconetest.Seed {
	req := func(id string, ago int, model, text string) heliconetest.SeedRequest {
		return heliconetest.SeedRequest{
			ID: id, CreatedAgo: hours(ago), Model: model, Provider: "OPENAI", Path: "/v1/chat/completions",
			RequestBody:  json.RawMessage(`{"model":"` + model + `","messages":[{"role":"user","content":"question"}]}`),
			ResponseBody: chat(text), PromptTokens: 10, CompletionTokens: int64(len(text)), LatencyMs: int64(100 * (ago + 1)),
		}
	}
	a1 := req(reqA1, 1, "gpt-4o", "Hello! The answer is 42 [1].")
	a1.Properties = map[string]string{"Variant": "A"}
	a1.UserID = "alice"
	a1.Cost = 0.002
	a2 := req(reqA2, 48, "gpt-4o-mini", "Short.")
	a2.Properties = map[string]string{"Variant": "B"}
	a2.Scores = map[string]int64{"accuracy": 80, "is_factual-hcone-bool": 1}
	a2.UserID = "bob"
	a2.Cost = 0.01
	old := req(reqAOld, 24*40, "gpt-4o", "Old answer.")
	return heliconetest.Seed{Organizations: []heliconetest.SeedOrganization{
		{
			ID: orgA, Name: "Org A", Keys: []string{keyA}, Tier: "pro",
			ScopedKeys: []heliconetest.SeedKey{{Key: keyAR, Permissions: "r"}, {Key: keyAW, Permissions: "w"}},
			Requests: []heliconetest.SeedRequest{a1, a2, old,
				req(runA11, 20, "gpt-4o", "Run 11"), req(runA12, 20, "gpt-4o", "Run 12"),
				req(runA21, 10, "claude-3-5-sonnet", "Run 21"), req(runA22, 10, "claude-3-5-sonnet", "Run 22")},
			Experiments: []heliconetest.SeedExperiment{
				{
					ID: expAlpha, CreatedAgo: hours(24), Prompt: "prompt-alpha", Meta: json.RawMessage(`{"owner":"qa"}`),
					Dataset: heliconetest.SeedDataset{ID: "d0000000-0000-4000-8000-0000000000a1", Name: "alpha set", Rows: []heliconetest.SeedRow{
						{RowID: "row-1", RequestID: reqA1, Inputs: map[string]string{"question": "What is 6x7?"}},
						{RowID: "row-2", RequestID: reqA2, Inputs: map[string]string{"question": "Be brief."}},
					}},
					Hypotheses: []heliconetest.SeedHypothesis{
						{ID: "h-1", Model: "gpt-4o", PromptVersionID: "pv-1", CreatedAgo: hours(23), ProviderKey: "pk-1",
							PromptTemplate: json.RawMessage(`{"messages":[{"role":"system","content":"v2"}]}`), ParentTemplate: json.RawMessage(`{"messages":[{"role":"system","content":"v1"}]}`),
							Runs: []heliconetest.SeedRun{{DatasetRowID: "row-1", RequestID: runA11}, {DatasetRowID: "row-2", RequestID: runA12}}},
						{ID: "h-2", Model: "claude-3-5-sonnet", PromptVersionID: "pv-2", CreatedAgo: hours(22), ProviderKey: "pk-2",
							Runs: []heliconetest.SeedRun{{DatasetRowID: "row-1", RequestID: runA21}, {DatasetRowID: "row-2", RequestID: runA22}}},
					},
				},
				{
					ID: expEmpty, CreatedAgo: hours(2), Prompt: "Prompt-Empty",
					Dataset:    heliconetest.SeedDataset{ID: "d0000000-0000-4000-8000-0000000000a2", Name: "empty set"},
					Hypotheses: []heliconetest.SeedHypothesis{{ID: "h-empty", Model: "gpt-4o", CreatedAgo: hours(2)}},
				},
			},
			HeliconeDatasets: []heliconetest.SeedHeliconeDataset{{
				ID: dsAlpha, Name: "alpha rows", CreatedAgo: hours(30), Meta: json.RawMessage(`{"promptVersionId":"pv-1"}`),
				Rows: []heliconetest.SeedHeliconeDatasetRow{{ID: dsRow1, RequestID: reqA1}, {ID: dsRow2, RequestID: reqA2, CreatedAgo: hours(29)}},
			}},
		},
		{
			ID: orgB, Name: "Org B", Keys: []string{keyB}, Tier: "free",
			Requests: []heliconetest.SeedRequest{req(reqB1, 3, "gpt-4o", "B's answer")},
			Experiments: []heliconetest.SeedExperiment{{
				ID: expBeta, CreatedAgo: hours(1), Prompt: "prompt-beta",
				Dataset: heliconetest.SeedDataset{ID: "d0000000-0000-4000-8000-0000000000b1", Name: "beta set", Rows: []heliconetest.SeedRow{{RowID: "row-b", RequestID: reqB1}}},
			}},
			HeliconeDatasets: []heliconetest.SeedHeliconeDataset{{
				ID: dsBeta, Name: "beta rows", CreatedAgo: hours(2),
				Rows: []heliconetest.SeedHeliconeDatasetRow{{ID: dsRowB, RequestID: reqB1}},
			}},
		},
	}}
}

// newServer starts an emulator of the current profile with the fixture, a fixed clock and
// writes applied before their 201 (options given override these), closed after the spec.
func newServer(opts ...heliconetest.Option) (*heliconetest.Server, *testClock) {
	clock := newClock()
	all := append([]heliconetest.Option{heliconetest.WithSeed(fixture()), heliconetest.WithClock(clock.Now), heliconetest.WithWriteDelay(0)}, opts...)
	srv := heliconetest.NewServer(all...)
	DeferCleanup(srv.Close)
	return srv, clock
}

// legacy is the option of the legacy profile.
var legacy = heliconetest.WithProfile(heliconetest.Legacy)

// answer is one HTTP answer.
type answer struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body.
func (a answer) JSON() map[string]any {
	var m map[string]any
	ExpectWithOffset(1, json.Unmarshal(a.Body, &m)).To(Succeed(), "body: %s", a.Body)
	return m
}

var httpClient = &http.Client{Timeout: 20 * time.Second}

func send(method, url, key, body string, header ...string) answer {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	ExpectWithOffset(2, err).NotTo(HaveOccurred())
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := httpClient.Do(req)
	ExpectWithOffset(2, err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	ExpectWithOffset(2, err).NotTo(HaveOccurred())
	return answer{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// sendBody sends body with the given Content-Type (none when empty) and headers.
func sendBody(method, url, key, contentType, body string, header ...string) answer {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := httpClient.Do(req)
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	return answer{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// rowsOf decodes the rows of a 201 query-clickhouse answer.
func rowsOf(a answer) []map[string]any {
	ExpectWithOffset(1, a.Status).To(Equal(201), "body: %s", a.Body)
	var env struct {
		Data  []map[string]any `json:"data"`
		Error any              `json:"error"`
	}
	ExpectWithOffset(1, json.Unmarshal(a.Body, &env)).To(Succeed())
	ExpectWithOffset(1, env.Error).To(BeNil())
	return env.Data
}

func post(srv *heliconetest.Server, key, path, body string) answer {
	return send(http.MethodPost, srv.URL+path, key, body)
}

func get(srv *heliconetest.Server, key, path string) answer {
	return send(http.MethodGet, srv.URL+path, key, "")
}

func score(srv *heliconetest.Server, key, id, body string) answer {
	return post(srv, key, "/v1/request/"+id+"/score", body)
}

// expectGolden compares the status and body with testdata/golden/name.json (rewritten with
// -update).
func expectGolden(name string, a answer) {
	var body any
	if err := json.Unmarshal(a.Body, &body); err != nil {
		body = string(a.Body)
	}
	got, err := json.MarshalIndent(map[string]any{"status": a.Status, "body": body}, "", "  ")
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	got = append(got, '\n')
	testutil.ExpectGolden(filepath.Join("testdata", "golden", name+".json"), got)
}

func newTextLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func writeFile(path string, b []byte) error { return os.WriteFile(path, b, 0o600) }
