package demo_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/helicone/heliconetest"
	"github.com/heval-dev/heval/helicone/heliconetest/demo"
)

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

type chatBody struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Created int64  `json:"created"`
	Model   string `json:"model"`
	Choices []struct {
		Message struct {
			Content *string `json:"content"`
		} `json:"message"`
	} `json:"choices"`
	Usage struct {
		PromptTokens     int64 `json:"prompt_tokens"`
		CompletionTokens int64 `json:"completion_tokens"`
		TotalTokens      int64 `json:"total_tokens"`
	} `json:"usage"`
}

func answer(r heliconetest.SeedRequest) string {
	var b chatBody
	Expect(json.Unmarshal(r.ResponseBody, &b)).To(Succeed())
	Expect(b.Choices).NotTo(BeEmpty())
	Expect(b.Choices[0].Message.Content).NotTo(BeNil())
	return *b.Choices[0].Message.Content
}

var _ = Describe("Seed", func() {
	seed := demo.Seed()
	org := seed.Organizations[0]
	requests := map[string]heliconetest.SeedRequest{}
	for _, r := range org.Requests {
		requests[r.ID] = r
	}

	It("is deterministic", func() {
		Expect(reflect.DeepEqual(demo.Seed(), seed)).To(BeTrue())
		a, err := json.Marshal(demo.Generate(demo.Options{Rows: 10, Requests: 5}))
		Expect(err).NotTo(HaveOccurred())
		b, err := json.Marshal(demo.Generate(demo.Options{Rows: 10, Requests: 5}))
		Expect(err).NotTo(HaveOccurred())
		Expect(a).To(Equal(b))
	})

	It("has the demo organization, its key and the two experiments", func() {
		Expect(seed.Organizations).To(HaveLen(1))
		Expect(org.ID).To(Equal(demo.OrganizationID))
		Expect(org.Keys).To(Equal([]string{demo.APIKey}))
		Expect(demo.APIKey).To(HavePrefix("sk-helicone-demo0000-"))
		Expect(org.Experiments).To(HaveLen(2))
		Expect([]string{org.Experiments[0].ID, org.Experiments[1].ID}).To(Equal(demo.ExperimentIDs()))
		Expect(org.Experiments[0].Hypotheses).To(HaveLen(3))
		Expect(org.Experiments[1].Hypotheses).To(HaveLen(2))
		Expect(org.Requests).To(HaveLen(demo.Options{}.Samples() + demo.DefaultRequests))
	})

	It("gives every experiment at least 100 rows and one run per row and hypothesis, each joined to a row", func() {
		for _, e := range org.Experiments {
			Expect(len(e.Dataset.Rows)).To(BeNumerically(">=", 100))
			rowIDs := map[string]bool{}
			for _, r := range e.Dataset.Rows {
				rowIDs[r.RowID] = true
				Expect(requests).To(HaveKey(r.RequestID))
				Expect(r.Inputs).To(HaveKey("question"))
				Expect(r.Inputs).To(HaveKey("language"))
			}
			models := map[string]bool{}
			for _, h := range e.Hypotheses {
				models[h.Model] = true
				Expect(h.Runs).To(HaveLen(len(e.Dataset.Rows)))
				perRow := map[string]int{}
				for _, run := range h.Runs {
					Expect(rowIDs).To(HaveKey(run.DatasetRowID))
					Expect(requests).To(HaveKey(run.RequestID))
					perRow[run.DatasetRowID]++
				}
				Expect(perRow).To(HaveLen(len(e.Dataset.Rows)))
			}
			Expect(len(models)).To(BeNumerically(">=", 2))
			var meta struct {
				Labels map[string]string `json:"hypothesis_labels"`
			}
			Expect(json.Unmarshal(e.Meta, &meta)).To(Succeed())
			for _, h := range e.Hypotheses {
				Expect(meta.Labels[h.ID]).To(Equal(demo.Labels()[h.ID]))
			}
		}
	})

	It("uses unique version-4 UUIDs for every id", func() {
		seen := map[string]bool{}
		check := func(id string) {
			Expect(id).To(MatchRegexp(uuidV4.String()))
			Expect(seen[id]).To(BeFalse(), "duplicate id %s", id)
			seen[id] = true
		}
		check(org.ID)
		for _, r := range org.Requests {
			check(r.ID)
		}
		for _, d := range org.HeliconeDatasets {
			check(d.ID)
		}
		for _, e := range org.Experiments {
			check(e.ID)
			check(e.Dataset.ID)
			for _, r := range e.Dataset.Rows {
				check(r.RowID)
			}
			for _, h := range e.Hypotheses {
				check(h.ID)
				check(h.PromptVersionID)
			}
		}
	})

	It("writes valid OpenAI chat completions with plausible usage and latency, all within 7 days", func() {
		openAI := 0
		for _, r := range org.Requests {
			Expect(json.Valid(r.ResponseBody)).To(BeTrue(), "request %s", r.ID)
			Expect(json.Valid(r.RequestBody)).To(BeTrue(), "request %s", r.ID)
			Expect(time.Duration(r.CreatedAgo)).To(BeNumerically(">", 0))
			Expect(time.Duration(r.CreatedAgo)).To(BeNumerically("<", 7*24*time.Hour))
			Expect(r.LatencyMs).To(BeNumerically(">=", 100))
			Expect(r.LatencyMs).To(BeNumerically("<", 60_000))
			Expect(r.PromptTokens).To(BeNumerically(">", 0))
			Expect(r.CompletionTokens).To(BeNumerically(">", 0))
			var b chatBody
			Expect(json.Unmarshal(r.ResponseBody, &b)).To(Succeed())
			if b.Object != "chat.completion" {
				continue
			}
			openAI++
			Expect(b.ID).To(HavePrefix("chatcmpl-"))
			Expect(b.Created).To(BeNumerically(">", 0))
			Expect(b.Model).To(Equal(r.Model))
			Expect(b.Usage.PromptTokens).To(Equal(r.PromptTokens))
			Expect(b.Usage.CompletionTokens).To(Equal(r.CompletionTokens))
			Expect(b.Usage.TotalTokens).To(Equal(r.PromptTokens + r.CompletionTokens))
		}
		Expect(openAI).To(BeNumerically(">=", len(org.Requests)-3))
		for _, e := range org.Experiments {
			Expect(time.Duration(e.CreatedAgo)).To(BeNumerically("<", 7*24*time.Hour))
		}
	})

	It("varies answers the way real answers vary", func() {
		var cites, code, greeting, short, headings, bullets, refusals, unicode int
		for _, r := range org.Requests {
			var b chatBody
			Expect(json.Unmarshal(r.ResponseBody, &b)).To(Succeed())
			if len(b.Choices) == 0 || b.Choices[0].Message.Content == nil {
				continue
			}
			t := *b.Choices[0].Message.Content
			if strings.Contains(t, "[1]") {
				cites++
			}
			if strings.Contains(t, "```") {
				code++
			}
			if regexp.MustCompile(`^(Hi|Hello|Thanks|Hallo|Guten|Bonjour|Salut|¡Hola|¡Buenos|こんにちは)`).MatchString(t) {
				greeting++
			}
			if len(strings.Fields(t)) <= 12 {
				short++
			}
			if strings.Contains(t, "\n### ") {
				headings++
			}
			if strings.Contains(t, "\n- ") || strings.Contains(t, "\n1. ") {
				bullets++
			}
			if strings.Contains(t, "can't") {
				refusals++
			}
			if strings.ContainsAny(t, "→¡こ°") {
				unicode++
			}
		}
		for name, n := range map[string]int{"citations": cites, "code blocks": code, "greetings": greeting, "short answers": short, "headings": headings, "lists": bullets, "unicode": unicode} {
			Expect(n).To(BeNumerically(">=", 20), name)
		}
		Expect(refusals).To(BeNumerically(">=", 3))
		Expect(refusals).To(BeNumerically("<", len(org.Requests)/10))
	})

	It("makes the hypotheses differ measurably", func() {
		rate := func(expID, hypID string, pred func(string) bool) (float64, float64) {
			var n, hit, words int
			for _, e := range org.Experiments {
				if e.ID != expID {
					continue
				}
				for _, h := range e.Hypotheses {
					if h.ID != hypID {
						continue
					}
					for _, run := range h.Runs {
						t := answer(requests[run.RequestID])
						n++
						words += len(strings.Fields(t))
						if pred(t) {
							hit++
						}
					}
				}
			}
			Expect(n).To(BeNumerically(">", 0))
			return float64(hit) / float64(n), float64(words) / float64(n)
		}
		citesRE := regexp.MustCompile(`\[\d+\]`)
		cite := func(t string) bool { return citesRE.MatchString(t) }
		baseCite, baseWords := rate(demo.SupportExperimentID, demo.SupportBaselineID, cite)
		candCite, _ := rate(demo.SupportExperimentID, demo.SupportCandidateID, cite)
		_, claudeWords := rate(demo.SupportExperimentID, demo.SupportClaudeID, cite)
		Expect(candCite).To(BeNumerically(">=", 0.8))
		Expect(baseCite).To(BeNumerically("<=", 0.5))
		Expect(claudeWords).To(BeNumerically(">", baseWords*1.2))

		block := func(t string) bool { return strings.Contains(t, "```") }
		codeBase, _ := rate(demo.CodeExperimentID, demo.CodeBaselineID, block)
		codeCand, _ := rate(demo.CodeExperimentID, demo.CodeCandidateID, block)
		Expect(codeCand).To(BeNumerically(">", codeBase+0.1))
	})

	It("logs plain requests with properties and a few other providers' bodies", func() {
		variants := map[string]int{}
		providers := map[string]int{}
		for _, r := range org.Requests {
			if r.Properties == nil {
				continue
			}
			Expect(r.Properties).To(HaveKey(demo.PropertyFeature))
			Expect(r.Properties).To(HaveKey(demo.PropertyEnvironment))
			variants[r.Properties[demo.PropertyVariant]]++
			providers[r.Provider]++
		}
		Expect(variants).To(HaveLen(2))
		Expect(variants["A"] + variants["B"]).To(Equal(demo.DefaultRequests))
		Expect(providers).To(HaveKey("ANTHROPIC"))
		Expect(providers).To(HaveKey("GOOGLE"))
		var anthropic int
		for _, r := range org.Requests {
			var m struct{ Type string }
			Expect(json.Unmarshal(r.ResponseBody, &m)).To(Succeed())
			if m.Type == "message" {
				anthropic++
			}
		}
		Expect(anthropic).To(Equal(1))
	})
})

var _ = Describe("the current profile's data", func() {
	seed := demo.Seed()
	org := seed.Organizations[0]

	It("has one Helicone Dataset per experiment with the experiment's rows: row ids and origin requests", func() {
		Expect(org.HeliconeDatasets).To(HaveLen(len(org.Experiments)))
		Expect([]string{org.HeliconeDatasets[0].ID, org.HeliconeDatasets[1].ID}).To(Equal(demo.DatasetIDs()))
		Expect(org.HeliconeDatasets[0].Name).To(Equal(demo.SupportDatasetName))
		Expect(org.HeliconeDatasets[1].Name).To(Equal(demo.CodeDatasetName))
		for i, e := range org.Experiments {
			ds := org.HeliconeDatasets[i]
			Expect(ds.Name).To(Equal(e.Dataset.Name))
			Expect(ds.Rows).To(HaveLen(len(e.Dataset.Rows)))
			for r, row := range e.Dataset.Rows {
				Expect(ds.Rows[r].ID).To(Equal(row.RowID))
				Expect(ds.Rows[r].RequestID).To(Equal(row.RequestID))
			}
			Expect(time.Duration(ds.CreatedAgo)).To(BeNumerically(">", time.Duration(e.CreatedAgo)), "made before the experiment")
		}
	})

	It("tags every hypothesis run with its hypothesis label and its dataset row", func() {
		requests := map[string]heliconetest.SeedRequest{}
		for _, r := range org.Requests {
			requests[r.ID] = r
		}
		for _, e := range org.Experiments {
			for _, h := range e.Hypotheses {
				for _, run := range h.Runs {
					Expect(requests[run.RequestID].Headers).To(Equal(map[string]string{
						demo.HeaderHypothesis: demo.Labels()[h.ID],
						demo.HeaderRow:        run.DatasetRowID,
					}))
				}
			}
		}
	})

	It("lets a client pair runs with rows per dataset row through the emulator, as the legacy experiments do", func() {
		srv := heliconetest.NewServer(heliconetest.WithSeed(seed))
		DeferCleanup(srv.Close)
		client := &http.Client{Timeout: 20 * time.Second}
		call := func(path, body string) []byte {
			req, err := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(body))
			Expect(err).NotTo(HaveOccurred())
			req.Header.Set("Authorization", "Bearer "+demo.APIKey)
			req.Header.Set("Content-Type", "application/json")
			resp, err := client.Do(req)
			Expect(err).NotTo(HaveOccurred())
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			Expect(err).NotTo(HaveOccurred())
			Expect(resp.StatusCode).To(BeNumerically("<", 300), "%s: %s", path, b)
			return b
		}
		var count struct{ Data string }
		Expect(json.Unmarshal(call("/v1/helicone-dataset/"+demo.SupportDatasetID+"/count", ""), &count)).To(Succeed())
		Expect(count.Data).To(Equal("120"))
		var rows struct {
			Data []struct {
				ID              string `json:"id"`
				OriginRequestID string `json:"origin_request_id"`
			}
		}
		Expect(json.Unmarshal(call("/v1/helicone-dataset/"+demo.SupportDatasetID+"/query", `{"offset":0,"limit":10000}`), &rows)).To(Succeed())
		Expect(rows.Data).To(HaveLen(demo.DefaultRows))
		inDataset := map[string]bool{}
		for _, r := range rows.Data {
			inDataset[r.ID] = true
		}

		perRow := map[string]int{}
		for offset := 0; ; offset += 1000 {
			var page struct {
				Data []struct {
					Properties map[string]string `json:"properties"`
				}
			}
			body := fmt.Sprintf(`{"filter":{"left":{"request_response_rmt":{"properties":{%q:{"equals":"candidate"}}}},"operator":"and","right":{"request_response_rmt":{"request_created_at":{"gte":"2000-01-01T00:00:00Z"}}}},"sort":{"created_at":"asc"},"limit":1000,"offset":%d}`, demo.PropertyHypothesis, offset)
			Expect(json.Unmarshal(call("/v1/request/query-clickhouse", body), &page)).To(Succeed())
			if len(page.Data) == 0 {
				break
			}
			for _, r := range page.Data {
				if row := r.Properties[demo.PropertyRow]; inDataset[row] {
					perRow[row]++
				}
			}
		}
		Expect(perRow).To(HaveLen(demo.DefaultRows), "one candidate run per support row")
		for _, n := range perRow {
			Expect(n).To(Equal(1))
		}
	})
})

var _ = Describe("Generate", func() {
	It("scales experiments, rows and hypotheses", func() {
		o := demo.Options{Experiments: 3, Rows: 7, Hypotheses: 4, Requests: -1}
		s := demo.Generate(o)
		org := s.Organizations[0]
		Expect(org.Experiments).To(HaveLen(3))
		total := 0
		for _, e := range org.Experiments {
			Expect(e.Dataset.Rows).To(HaveLen(7))
			Expect(e.Hypotheses).To(HaveLen(4))
			total += 7 * 5
		}
		Expect(org.Experiments[2].ID).To(MatchRegexp(uuidV4.String()))
		Expect(org.HeliconeDatasets).To(HaveLen(3))
		Expect(org.HeliconeDatasets[2].ID).To(MatchRegexp(uuidV4.String()))
		Expect(org.Requests).To(HaveLen(total))
		Expect(o.Samples()).To(Equal(total))
	})
})
