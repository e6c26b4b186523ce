package demo

import (
	"strconv"
	"time"

	"github.com/heval-dev/heval/helicone/heliconetest"
)

// Property names of the plain logged requests.
const (
	PropertyFeature     = "Feature"
	PropertyVariant     = "Variant"
	PropertyEnvironment = "Environment"
)

// Values of the Feature property.
const (
	FeatureSupport = "support-chat"
	FeatureCode    = "code-assist"
)

// plainRequests adds n logged requests outside the experiments: an A/B test of the support
// and code prompts in production (Variant A answers like the baseline, B like the
// candidate), with a few bodies in other providers' formats.
func (g *gen) plainRequests(org *heliconetest.SeedOrganization, n int) {
	for i := range n {
		support := g.rng.IntN(3) < 2
		variant := "A"
		if g.rng.IntN(2) == 1 {
			variant = "B"
		}
		var r row
		var p profile
		feature := FeatureSupport
		if support {
			r = g.supportRow()
			p = supportBaseline
			if variant == "B" {
				p = supportCandidate
			}
		} else {
			feature = FeatureCode
			r = g.codeRow()
			p = codeBaseline
			if variant == "B" {
				p = codeCandidate
			}
		}
		ago := time.Duration(60+g.rng.IntN(6*24*3600+20*3600)) * time.Second
		req := g.request(r, p, ago)
		env := "production"
		if g.rng.IntN(10) == 0 {
			env = "staging"
		}
		req.Properties = map[string]string{PropertyFeature: feature, PropertyVariant: variant, PropertyEnvironment: env}
		switch i {
		case 0:
			g.anthropicBody(&req)
		case 1:
			g.geminiBody(&req)
		case 2:
			g.responsesBody(&req)
		case 3:
			g.toolCallBody(&req)
		}
		org.Requests = append(org.Requests, req)
	}
}

func (g *gen) anthropicBody(req *heliconetest.SeedRequest) {
	req.Model, req.Provider, req.Path = "claude-3-5-haiku-20241022", "ANTHROPIC", "/v1/messages"
	b := append(g.scratch[:0], `{"id":"msg_01`...)
	b = g.appendToken(b, 22)
	b = append(b, `","type":"message","role":"assistant","model":"claude-3-5-haiku-20241022","content":[{"type":"text","text":`...)
	b = appendJSONString(b, "Hi there! You can restore a deleted file from the Trash in the CloudSync web app for 30 days [1].\n\nSources:\n[1] https://help.acme.example/cloudsync/article-101")
	b = append(b, `}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":`...)
	b = strconv.AppendInt(b, req.PromptTokens, 10)
	b = append(b, `,"output_tokens":36}}`...)
	req.CompletionTokens = 36
	req.ResponseBody = g.keep(b)
	g.scratch = b
	req.Cost = cost(req.Model, req.PromptTokens, req.CompletionTokens)
}

func (g *gen) geminiBody(req *heliconetest.SeedRequest) {
	req.Model, req.Provider, req.Path = "gemini-1.5-flash", "GOOGLE", "/v1beta/models/gemini-1.5-flash:generateContent"
	b := append(g.scratch[:0], `{"candidates":[{"content":{"parts":[{"text":`...)
	b = appendJSONString(b, "Annual billing saves 20% compared to paying monthly. Choose **Change plan → Annual** under Account → Billing.")
	b = append(b, `}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":`...)
	b = strconv.AppendInt(b, req.PromptTokens, 10)
	b = append(b, `,"candidatesTokenCount":24,"totalTokenCount":`...)
	b = strconv.AppendInt(b, req.PromptTokens+24, 10)
	b = append(b, `},"modelVersion":"gemini-1.5-flash-002"}`...)
	req.CompletionTokens = 24
	req.ResponseBody = g.keep(b)
	g.scratch = b
	req.Cost = cost(req.Model, req.PromptTokens, req.CompletionTokens)
}

func (g *gen) responsesBody(req *heliconetest.SeedRequest) {
	req.Path = "/v1/responses"
	b := append(g.scratch[:0], `{"id":"resp_`...)
	b = g.appendHex(b, 32)
	b = append(b, `","object":"response","status":"completed","model":`...)
	b = appendJSONString(b, req.Model)
	b = append(b, `,"output":[{"type":"message","id":"msg_`...)
	b = g.appendHex(b, 32)
	b = append(b, `","role":"assistant","content":[{"type":"output_text","text":`...)
	b = appendJSONString(b, "Hello! Hold the reset button on the back of the Acme Router X2 for 10 seconds until the light turns white.")
	b = append(b, `,"annotations":[]}]}],"usage":{"input_tokens":`...)
	b = strconv.AppendInt(b, req.PromptTokens, 10)
	b = append(b, `,"output_tokens":27,"total_tokens":`...)
	b = strconv.AppendInt(b, req.PromptTokens+27, 10)
	b = append(b, `}}`...)
	req.CompletionTokens = 27
	req.ResponseBody = g.keep(b)
	g.scratch = b
	req.Cost = cost(req.Model, req.PromptTokens, req.CompletionTokens)
}

func (g *gen) toolCallBody(req *heliconetest.SeedRequest) {
	b := append(g.scratch[:0], `{"id":"chatcmpl-`...)
	b = g.appendToken(b, 29)
	b = append(b, `","object":"chat.completion","created":`...)
	b = strconv.AppendInt(b, referenceEpoch.Add(-time.Duration(req.CreatedAgo)).Unix(), 10)
	b = append(b, `,"model":`...)
	b = appendJSONString(b, req.Model)
	b = append(b, `,"choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_`...)
	b = g.appendToken(b, 24)
	b = append(b, `","type":"function","function":{"name":"lookup_order","arguments":"{\"order_id\":\"A-10023\"}"}}],"refusal":null},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":`...)
	b = strconv.AppendInt(b, req.PromptTokens, 10)
	b = append(b, `,"completion_tokens":18,"total_tokens":`...)
	b = strconv.AppendInt(b, req.PromptTokens+18, 10)
	b = append(b, `}}`...)
	req.CompletionTokens = 18
	req.ResponseBody = g.keep(b)
	g.scratch = b
	req.Cost = cost(req.Model, req.PromptTokens, req.CompletionTokens)
}
