package demo

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/heval-dev/heval/helicone/heliconetest"
)

// The demo organization and its API key.
const (
	// OrganizationID is the demo organization.
	OrganizationID = "de300000-0000-4000-8000-00000000d3e0"
	// OrganizationName is the demo organization's name.
	OrganizationName = "Acme (heval demo)"
	// APIKey is the demo organization's API key. It is not a secret: it only opens the
	// local emulator.
	APIKey = "sk-helicone-demo0000-heval00-0000000-0000000"
)

// The experiments of the default set.
const (
	// SupportExperimentID is the customer-support bot experiment: hypotheses "baseline"
	// (gpt-4o-mini, prompt v6), "candidate" (gpt-4o-mini, prompt v7, cites its sources) and
	// "claude" (claude-3-5-haiku, prompt v7, the most verbose).
	SupportExperimentID = "5e0b7c1a-3f2d-4a8e-9b61-2c4d8f0a1e01"
	// CodeExperimentID is the coding assistant experiment: hypotheses "baseline" (gpt-4o,
	// prompt v3) and "candidate" (gpt-4o-mini, prompt v4, code blocks nearly always).
	CodeExperimentID = "c0de7c1a-3f2d-4a8e-9b61-2c4d8f0a1e02"
)

// The hypotheses of the default set's experiments.
const (
	SupportBaselineID  = "5e0b7c1a-0001-4a8e-9b61-2c4d8f0a1e01"
	SupportCandidateID = "5e0b7c1a-0002-4a8e-9b61-2c4d8f0a1e01"
	SupportClaudeID    = "5e0b7c1a-0003-4a8e-9b61-2c4d8f0a1e01"
	CodeBaselineID     = "c0de7c1a-0001-4a8e-9b61-2c4d8f0a1e02"
	CodeCandidateID    = "c0de7c1a-0002-4a8e-9b61-2c4d8f0a1e02"
)

// The Helicone Datasets of the default set, served by the current profile: one per
// experiment, whose rows have the row ids of the experiment's dataset rows and the same
// origin requests.
const (
	// SupportDatasetID is the Helicone Dataset of the support bot experiment.
	SupportDatasetID = "5e0b7c1a-da7a-4a8e-9b61-2c4d8f0a1e01"
	// CodeDatasetID is the Helicone Dataset of the coding assistant experiment.
	CodeDatasetID = "c0de7c1a-da7a-4a8e-9b61-2c4d8f0a1e02"
	// SupportDatasetName and CodeDatasetName are their names (also the names of the
	// experiments' datasets).
	SupportDatasetName = "support-bot-questions"
	CodeDatasetName    = "code-assistant-questions"
)

// How hypothesis runs are tagged for the current profile: every run of the default set is a
// logged request carrying these two custom properties, so runs pair with dataset rows
// without the experiment routes.
const (
	// HeaderHypothesis is the header a run was logged with; its value is the hypothesis
	// label ("baseline", "candidate", "claude").
	HeaderHypothesis = "Helicone-Property-Heval-Hypothesis"
	// HeaderRow is the header naming the dataset row a run answered (the row id).
	HeaderRow = "Helicone-Property-Heval-Row"
	// PropertyHypothesis and PropertyRow are the stored property names: header-set keys
	// are stored in lower case.
	PropertyHypothesis = "heval-hypothesis"
	PropertyRow        = "heval-row"
)

// Prompts (the experiments' prompt_v2 column) of the two experiment kinds.
const (
	SupportPrompt = "support-bot"
	CodePrompt    = "code-assistant"
)

// Default sizes of [Seed].
const (
	DefaultRows     = 120
	DefaultRequests = 200
)

// ExperimentIDs returns the ids of the default set's experiments.
func ExperimentIDs() []string { return []string{SupportExperimentID, CodeExperimentID} }

// DatasetIDs returns the ids of the default set's Helicone Datasets, in the order of
// [ExperimentIDs].
func DatasetIDs() []string { return []string{SupportDatasetID, CodeDatasetID} }

// Labels maps the default set's hypothesis ids to their labels ("baseline", "candidate",
// "claude"). The same labels are in each experiment's meta under "hypothesis_labels".
func Labels() map[string]string {
	return map[string]string{
		SupportBaselineID:  "baseline",
		SupportCandidateID: "candidate",
		SupportClaudeID:    "claude",
		CodeBaselineID:     "baseline",
		CodeCandidateID:    "candidate",
	}
}

// Options size a generated set. Zero fields take the defaults of [Seed].
type Options struct {
	// Experiments is the number of experiments (default 2). They alternate between the
	// support bot and the coding assistant; the first two have the ids of the default set.
	Experiments int
	// Rows is the number of dataset rows of each experiment (default 120).
	Rows int
	// Hypotheses is the number of hypotheses of each experiment; 0 means the default (3
	// for the support bot, 2 for the coding assistant). Each hypothesis has one run per row.
	Hypotheses int
	// Requests is the number of plain logged requests outside the experiments (default
	// 200; negative means none).
	Requests int
}

// Samples returns how many samples (dataset rows plus hypothesis runs) a set generated with
// o holds.
func (o Options) Samples() int {
	o = o.withDefaults()
	n := 0
	for i := range o.Experiments {
		n += o.Rows * (1 + o.hypotheses(i))
	}
	return n
}

func (o Options) withDefaults() Options {
	if o.Experiments <= 0 {
		o.Experiments = 2
	}
	if o.Rows <= 0 {
		o.Rows = DefaultRows
	}
	if o.Requests == 0 {
		o.Requests = DefaultRequests
	}
	if o.Requests < 0 {
		o.Requests = 0
	}
	return o
}

func (o Options) hypotheses(exp int) int {
	if o.Hypotheses > 0 {
		return o.Hypotheses
	}
	if exp%2 == 0 {
		return 3
	}
	return 2
}

// Seed returns the default demo set: the demo organization with two experiments of 120 rows
// (the support bot with three hypotheses, the coding assistant with two) and 200 logged
// requests. Every call returns an equal value.
func Seed() heliconetest.Seed { return Generate(Options{}) }

// Generate returns a demo set of the given size. The same options always give the same set.
func Generate(o Options) heliconetest.Seed {
	o = o.withDefaults()
	g := &gen{rng: rand.New(rand.NewPCG(0x6865766c, 0xde30))}
	org := heliconetest.SeedOrganization{
		ID:   OrganizationID,
		Name: OrganizationName,
		Keys: []string{APIKey},
		Tier: "pro",
	}
	total := o.Samples() + o.Requests
	org.Requests = make([]heliconetest.SeedRequest, 0, total)
	for i := range o.Experiments {
		exp, ds := g.experiment(&org, o, i)
		org.Experiments = append(org.Experiments, exp)
		org.HeliconeDatasets = append(org.HeliconeDatasets, ds)
	}
	g.plainRequests(&org, o.Requests)
	return heliconetest.Seed{Organizations: []heliconetest.SeedOrganization{org}}
}

// profile is how one arm answers.
type profile struct {
	label, model, provider, prompt string
	// Probabilities of the answer's traits.
	cite, greet, markdown, short, code, refusal, closing float64
	// verbosity scales the number of extra sentences.
	verbosity float64
	// Latency model: base milliseconds plus milliseconds per completion token.
	msBase, msPerToken float64
}

var (
	supportDataset   = profile{label: "dataset", model: "gpt-4o-mini-2024-07-18", provider: "OPENAI", prompt: "support-v5", cite: 0.15, greet: 0.45, markdown: 0.2, short: 0.25, refusal: 0.01, closing: 0.3, verbosity: 0.8, msBase: 450, msPerToken: 9}
	supportBaseline  = profile{label: "baseline", model: "gpt-4o-mini-2024-07-18", provider: "OPENAI", prompt: "support-v6", cite: 0.35, greet: 0.5, markdown: 0.3, short: 0.15, refusal: 0.02, closing: 0.4, verbosity: 1.0, msBase: 480, msPerToken: 9}
	supportCandidate = profile{label: "candidate", model: "gpt-4o-mini-2024-07-18", provider: "OPENAI", prompt: "support-v7", cite: 0.92, greet: 0.3, markdown: 0.5, short: 0.05, refusal: 0.02, closing: 0.3, verbosity: 1.1, msBase: 520, msPerToken: 9}
	supportClaude    = profile{label: "claude", model: "claude-3-5-haiku-20241022", provider: "ANTHROPIC", prompt: "support-v7", cite: 0.75, greet: 0.65, markdown: 0.6, short: 0.03, refusal: 0.04, closing: 0.6, verbosity: 1.8, msBase: 700, msPerToken: 11}
	codeDataset      = profile{label: "dataset", model: "gpt-4o-mini-2024-07-18", provider: "OPENAI", prompt: "code-v2", cite: 0.1, greet: 0.1, markdown: 0.2, short: 0.25, code: 0.6, refusal: 0.01, closing: 0.1, verbosity: 0.8, msBase: 500, msPerToken: 9}
	codeBaseline     = profile{label: "baseline", model: "gpt-4o-2024-08-06", provider: "OPENAI", prompt: "code-v3", cite: 0.3, greet: 0.15, markdown: 0.6, short: 0.1, code: 0.72, refusal: 0.01, closing: 0.2, verbosity: 1.3, msBase: 800, msPerToken: 18}
	codeCandidate    = profile{label: "candidate", model: "gpt-4o-mini-2024-07-18", provider: "OPENAI", prompt: "code-v4", cite: 0.2, greet: 0.05, markdown: 0.4, short: 0.04, code: 0.95, refusal: 0.01, closing: 0.05, verbosity: 0.9, msBase: 520, msPerToken: 9}
)

var (
	supportArms = []profile{supportBaseline, supportCandidate, supportClaude}
	codeArms    = []profile{codeBaseline, codeCandidate, supportClaude}
	fixedHyps   = [][]string{{SupportBaselineID, SupportCandidateID, SupportClaudeID}, {CodeBaselineID, CodeCandidateID}}
)

// row is one generated dataset row before it is written to the seed.
type row struct {
	inputs    map[string]string
	question  string
	lang      string
	product   *product
	code      *codeLang
	task      *codeTask
	sensitive bool
}

type gen struct {
	rng     *rand.Rand
	text    []byte // scratch for an answer's text
	scratch []byte // scratch for a body
	arena   []byte // bodies are carved out of large shared chunks
}

// experiment generates experiment i and its twin Helicone Dataset: the same rows (row ids
// and origin requests), with every hypothesis run tagged by the headers HeaderHypothesis
// and HeaderRow.
func (g *gen) experiment(org *heliconetest.SeedOrganization, o Options, i int) (heliconetest.SeedExperiment, heliconetest.SeedHeliconeDataset) {
	support := i%2 == 0
	expAgo := time.Duration(3*24-i%2*24)*time.Hour + time.Duration(g.rng.IntN(3600))*time.Second
	exp := heliconetest.SeedExperiment{CreatedAgo: heliconetest.Duration(expAgo)}
	nh := o.hypotheses(i)
	hypIDs := make([]string, nh)
	for h := range nh {
		if i < 2 && h < len(fixedHyps[i]) {
			hypIDs[h] = fixedHyps[i][h]
		} else {
			hypIDs[h] = g.uuid()
		}
	}
	var name string
	switch {
	case i == 0:
		exp.ID = SupportExperimentID
	case i == 1:
		exp.ID = CodeExperimentID
	default:
		exp.ID = g.uuid()
	}
	arms, dataset := codeArms, codeDataset
	exp.Prompt, name = CodePrompt, "Coding assistant: code-first prompt"
	if support {
		arms, dataset = supportArms, supportDataset
		exp.Prompt, name = SupportPrompt, "Support bot: cite help-center sources"
	}
	labels := map[string]string{}
	profiles := make([]profile, nh)
	for h := range nh {
		p := arms[h%len(arms)]
		if h >= len(arms) {
			p.label = "variant-" + strconv.Itoa(h+1)
			p.cite = math.Min(1, p.cite+0.05*float64(h))
		}
		profiles[h] = p
		labels[hypIDs[h]] = p.label
	}
	exp.Meta, _ = json.Marshal(map[string]any{"name": name, "hypothesis_labels": labels})
	exp.Dataset = heliconetest.SeedDataset{ID: g.uuid(), Name: exp.Prompt + "-questions", Rows: make([]heliconetest.SeedRow, o.Rows)}

	rows := make([]row, o.Rows)
	for r := range o.Rows {
		if support {
			rows[r] = g.supportRow()
		} else {
			rows[r] = g.codeRow()
		}
		// Dataset rows were made from production requests logged 4 to 6.5 days ago.
		ago := 4*24*time.Hour + time.Duration(g.rng.IntN(60*60*60))*time.Second
		req := g.request(rows[r], dataset, ago)
		org.Requests = append(org.Requests, req)
		exp.Dataset.Rows[r] = heliconetest.SeedRow{RowID: g.uuid(), RequestID: req.ID, Inputs: rows[r].inputs}
	}
	for h := range nh {
		p := profiles[h]
		hypAgo := expAgo - time.Duration(h+1)*time.Minute
		hyp := heliconetest.SeedHypothesis{
			ID:              hypIDs[h],
			Model:           p.model,
			Status:          "COMPLETED",
			ProviderKey:     g.uuid(),
			PromptVersionID: g.uuid(),
			CreatedAgo:      heliconetest.Duration(hypAgo),
			Runs:            make([]heliconetest.SeedRun, o.Rows),
		}
		hyp.PromptTemplate, _ = json.Marshal(map[string]any{
			"model":    p.model,
			"messages": []map[string]string{{"role": "system", "content": systemPrompts[p.prompt]}, {"role": "user", "content": "{{question}}"}},
		})
		for r := range o.Rows {
			ago := hypAgo - time.Duration(1+g.rng.IntN(2*3600))*time.Second
			req := g.request(rows[r], p, ago)
			req.Headers = map[string]string{HeaderHypothesis: p.label, HeaderRow: exp.Dataset.Rows[r].RowID}
			org.Requests = append(org.Requests, req)
			hyp.Runs[r] = heliconetest.SeedRun{DatasetRowID: exp.Dataset.Rows[r].RowID, RequestID: req.ID}
		}
		exp.Hypotheses = append(exp.Hypotheses, hyp)
	}
	ds := heliconetest.SeedHeliconeDataset{
		ID:   datasetID(i, exp.ID),
		Name: exp.Dataset.Name,
		// The dataset was made from the production requests an hour before the experiment,
		// its rows added in calls of at most 1000 (Helicone's daily limit of added rows), a
		// second apart; the rows of one call share their created_at.
		CreatedAgo: heliconetest.Duration(expAgo + time.Hour),
		Rows:       make([]heliconetest.SeedHeliconeDatasetRow, len(exp.Dataset.Rows)),
	}
	for r, row := range exp.Dataset.Rows {
		ds.Rows[r] = heliconetest.SeedHeliconeDatasetRow{ID: row.RowID, RequestID: row.RequestID}
		if call := r / datasetRowsPerCall; call > 0 {
			ds.Rows[r].CreatedAgo = heliconetest.Duration(expAgo + time.Hour - time.Duration(call)*time.Second)
		}
	}
	return exp, ds
}

// datasetRowsPerCall is how many rows of a Helicone Dataset were added in one call.
const datasetRowsPerCall = 1000

// datasetID is the id of experiment i's Helicone Dataset: fixed for the default set, else a
// version-4 UUID derived from the experiment id (drawing nothing from the generator, so the
// rest of the set stays as it was).
func datasetID(i int, expID string) string {
	switch i {
	case 0:
		return SupportDatasetID
	case 1:
		return CodeDatasetID
	}
	sum := sha256.Sum256([]byte("helicone-dataset\x00" + expID))
	sum[6] = sum[6]&0x0f | 0x40
	sum[8] = sum[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", sum[0:4], sum[4:6], sum[6:8], sum[8:10], sum[10:16])
}

func (g *gen) pickLang() string {
	n := g.rng.IntN(100)
	for _, l := range languages {
		if n < l.weight {
			return l.code
		}
		n -= l.weight
	}
	return "en"
}

func (g *gen) supportRow() row {
	p := &products[g.rng.IntN(len(products))]
	r := row{product: p, lang: g.pickLang()}
	if g.rng.IntN(100) < 3 {
		r.sensitive = true
		r.question = sensitiveSupport[g.rng.IntN(len(sensitiveSupport))]
	} else {
		r.question = p.questions[g.rng.IntN(len(p.questions))]
	}
	r.inputs = map[string]string{
		"question":      r.question,
		"product":       p.name,
		"language":      r.lang,
		"customer_tier": tiers[g.rng.IntN(len(tiers))],
	}
	return r
}

func (g *gen) codeRow() row {
	l := &codeLangs[g.rng.IntN(len(codeLangs))]
	t := &l.tasks[g.rng.IntN(len(l.tasks))]
	r := row{code: l, task: t, lang: "en"}
	switch {
	case g.rng.IntN(100) < 2:
		r.sensitive = true
		r.question = sensitiveCode[g.rng.IntN(len(sensitiveCode))]
	default:
		form := codeQuestionForms[g.rng.IntN(len(codeQuestionForms))]
		if form[0] == '%' && form[1] == 's' && form[2] == ':' {
			r.question = fmt.Sprintf(form, l.name, t.task)
		} else {
			r.question = fmt.Sprintf(form, t.task, l.name)
		}
	}
	r.inputs = map[string]string{
		"question":   r.question,
		"language":   l.name,
		"task":       t.task,
		"experience": []string{"beginner", "intermediate", "expert"}[g.rng.IntN(3)],
	}
	return r
}

func (g *gen) chance(p float64) bool { return g.rng.Float64() < p }

// answer writes the answer text of profile p to row r into g.text.
func (g *gen) answer(r row, p profile) []byte {
	t := g.text[:0]
	if r.sensitive && g.chance(0.85) || g.chance(p.refusal) {
		if r.code != nil {
			t = append(t, codeRefusals[g.rng.IntN(len(codeRefusals))]...)
		} else {
			t = append(t, supportRefusals[g.rng.IntN(len(supportRefusals))]...)
		}
		g.text = t
		return t
	}
	if r.code != nil {
		t = g.codeAnswer(t, r, p)
	} else {
		t = g.supportAnswer(t, r, p)
	}
	g.text = t
	return t
}

func (g *gen) supportAnswer(t []byte, r row, p profile) []byte {
	pr := r.product
	cite := g.chance(p.cite)
	if g.chance(p.short) {
		t = append(t, pr.short[g.rng.IntN(len(pr.short))]...)
		if cite {
			t = append(t, " [1]"...)
			t = appendSource(t, 1, pr.slug, 0)
		}
		return t
	}
	if g.chance(p.greet) {
		gs := greetingsByLang[r.lang]
		t = append(t, gs[g.rng.IntN(len(gs))]...)
		t = append(t, ' ')
	}
	t = fmt.Appendf(t, supportIntros[g.rng.IntN(len(supportIntros))], pr.name)
	nFacts := 1 + int(p.verbosity*float64(g.rng.IntN(3))+0.5)
	first := g.rng.IntN(len(pr.facts))
	cites := 0
	t = append(t, ' ')
	for k := range min(nFacts, len(pr.facts)) {
		if k > 0 {
			t = append(t, ' ')
		}
		t = append(t, pr.facts[(first+k)%len(pr.facts)]...)
		if cite && k < 2 {
			cites++
			t = fmt.Appendf(t, " [%d]", cites)
		}
	}
	nSteps := 2 + int(p.verbosity*float64(g.rng.IntN(3)))
	s0 := g.rng.IntN(len(pr.steps))
	if g.chance(p.markdown) {
		t = append(t, "\n\n### What to do\n\n"...)
		for k := range min(nSteps, len(pr.steps)) {
			t = fmt.Appendf(t, "%d. %s\n", k+1, pr.steps[(s0+k)%len(pr.steps)])
		}
		if p.verbosity > 1.5 {
			t = append(t, "\n**Tip:** "...)
			t = append(t, pr.facts[(first+nFacts)%len(pr.facts)]...)
			t = append(t, '\n')
		}
		t = trimNewlines(t)
	} else {
		t = append(t, "\n\n"...)
		for k := range min(nSteps, len(pr.steps)) {
			if k > 0 {
				t = append(t, ' ')
			}
			t = append(t, pr.steps[(s0+k)%len(pr.steps)]...)
		}
	}
	if g.chance(p.closing) {
		t = append(t, "\n\n"...)
		t = append(t, supportClosings[g.rng.IntN(len(supportClosings))]...)
	}
	for k := 1; k <= cites; k++ {
		t = appendSource(t, k, pr.slug, k-1)
	}
	return t
}

func appendSource(t []byte, n int, slug string, article int) []byte {
	if n == 1 {
		t = append(t, "\n\nSources:"...)
	}
	return fmt.Appendf(t, "\n[%d] https://help.acme.example/%s/article-%d", n, slug, 101+article*7)
}

func (g *gen) codeAnswer(t []byte, r row, p profile) []byte {
	l, task := r.code, r.task
	if g.chance(p.short) {
		return append(t, task.short...)
	}
	if g.chance(p.greet) {
		t = append(t, "Hi there! "...)
	}
	t = fmt.Appendf(t, codeIntros[g.rng.IntN(len(codeIntros))], task.task, l.name)
	if g.chance(p.code) {
		t = append(t, "\n\n```"...)
		t = append(t, l.fence...)
		t = append(t, '\n')
		t = append(t, task.snippet...)
		t = append(t, "\n```"...)
	} else {
		t = append(t, ' ')
		t = append(t, task.short...)
	}
	n := min(len(task.explain), 1+int(p.verbosity*float64(g.rng.IntN(3))))
	if g.chance(p.markdown) {
		t = append(t, "\n\n### How it works\n"...)
		for k := range n {
			t = append(t, "\n- "...)
			t = append(t, task.explain[k]...)
		}
	} else {
		t = append(t, "\n\n"...)
		for k := range n {
			if k > 0 {
				t = append(t, ' ')
			}
			t = append(t, task.explain[k]...)
		}
	}
	if g.chance(p.cite) {
		t = append(t, " See the documentation [1].\n\n[1] "...)
		t = append(t, task.doc...)
	}
	if g.chance(p.closing) {
		t = append(t, "\n\nHappy coding!"...)
	}
	return t
}

func trimNewlines(t []byte) []byte {
	for len(t) > 0 && t[len(t)-1] == '\n' {
		t = t[:len(t)-1]
	}
	return t
}

// referenceEpoch is the fixed clock of the bodies' "created" fields, so that bodies are
// deterministic; the emulator's own timestamps are relative to the moment of seeding.
var referenceEpoch = time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)

// request makes the logged request of profile p answering row r, made ago before seeding.
func (g *gen) request(r row, p profile, ago time.Duration) heliconetest.SeedRequest {
	text := g.answer(r, p)
	system := systemPrompts[p.prompt]
	promptTokens := int64(len(system)/4 + len(r.question)/4 + 12 + g.rng.IntN(6))
	completionTokens := int64(len(text)/4 + 1 + g.rng.IntN(4))
	latency := p.msBase + float64(completionTokens)*p.msPerToken*(0.8+0.4*g.rng.Float64())
	if g.chance(0.05) {
		latency *= 2 + g.rng.Float64()*2
	}
	created := referenceEpoch.Add(-ago).Unix()
	id := g.uuid()

	b := g.scratch[:0]
	b = append(b, `{"id":"chatcmpl-`...)
	b = g.appendToken(b, 29)
	b = append(b, `","object":"chat.completion","created":`...)
	b = strconv.AppendInt(b, created, 10)
	b = append(b, `,"model":`...)
	b = appendJSONString(b, p.model)
	b = append(b, `,"choices":[{"index":0,"message":{"role":"assistant","content":`...)
	b = appendJSONString(b, text)
	b = append(b, `,"refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":`...)
	b = strconv.AppendInt(b, promptTokens, 10)
	b = append(b, `,"completion_tokens":`...)
	b = strconv.AppendInt(b, completionTokens, 10)
	b = append(b, `,"total_tokens":`...)
	b = strconv.AppendInt(b, promptTokens+completionTokens, 10)
	b = append(b, `},"system_fingerprint":"fp_`...)
	b = g.appendHex(b, 10)
	b = append(b, `"}`...)
	respBody := g.keep(b)

	b = b[:0]
	b = append(b, `{"model":`...)
	b = appendJSONString(b, p.model)
	b = append(b, `,"messages":[{"role":"system","content":`...)
	b = appendJSONString(b, system)
	b = append(b, `},{"role":"user","content":`...)
	b = appendJSONString(b, r.question)
	b = append(b, `}],"temperature":0.2}`...)
	reqBody := g.keep(b)
	g.scratch = b

	return heliconetest.SeedRequest{
		ID:               id,
		CreatedAgo:       heliconetest.Duration(ago),
		Model:            p.model,
		Provider:         p.provider,
		Path:             "/v1/chat/completions",
		UserID:           "customer-" + strconv.Itoa(1000+g.rng.IntN(9000)),
		Status:           200,
		RequestBody:      reqBody,
		ResponseBody:     respBody,
		PromptTokens:     promptTokens,
		CompletionTokens: completionTokens,
		LatencyMs:        int64(latency),
		Cost:             cost(p.model, promptTokens, completionTokens),
	}
}

// cost is a plausible price in USD.
func cost(model string, in, out int64) float64 {
	var pin, pout float64 // per million tokens
	switch model {
	case "gpt-4o-2024-08-06":
		pin, pout = 2.5, 10
	case "claude-3-5-haiku-20241022":
		pin, pout = 0.8, 4
	case "gemini-1.5-flash":
		pin, pout = 0.075, 0.3
	default:
		pin, pout = 0.15, 0.6
	}
	return math.Round((float64(in)*pin+float64(out)*pout)/1e6*1e8) / 1e8
}

const arenaChunk = 1 << 20

// keep copies b into the shared arena and returns the copy.
func (g *gen) keep(b []byte) json.RawMessage {
	if len(b) > arenaChunk/4 {
		return json.RawMessage(append([]byte(nil), b...))
	}
	if cap(g.arena)-len(g.arena) < len(b) {
		g.arena = make([]byte, 0, arenaChunk)
	}
	start := len(g.arena)
	g.arena = append(g.arena, b...)
	return json.RawMessage(g.arena[start:len(g.arena):len(g.arena)])
}

// uuid returns a random version-4 UUID drawn from the generator.
func (g *gen) uuid() string {
	var u [16]byte
	a, b := g.rng.Uint64(), g.rng.Uint64()
	for i := range 8 {
		u[i] = byte(a >> (8 * i))
		u[8+i] = byte(b >> (8 * i))
	}
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], u[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], u[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], u[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], u[8:10])
	s[23] = '-'
	hex.Encode(s[24:], u[10:])
	return string(s[:])
}

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

func (g *gen) appendToken(b []byte, n int) []byte {
	for range n {
		b = append(b, alnum[g.rng.IntN(len(alnum))])
	}
	return b
}

func (g *gen) appendHex(b []byte, n int) []byte {
	const digits = "0123456789abcdef"
	for range n {
		b = append(b, digits[g.rng.IntN(16)])
	}
	return b
}

// appendJSONString appends s as a JSON string.
func appendJSONString[T string | []byte](b []byte, s T) []byte {
	const digits = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\t':
			b = append(b, '\\', 't')
		case '\r':
			b = append(b, '\\', 'r')
		default:
			b = append(b, '\\', 'u', '0', '0', digits[c>>4], digits[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
