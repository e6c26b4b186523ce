package heval

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// ErrBodyNotAvailable is returned when Helicone stored a placeholder instead of the response
// body (a {"helicone_message": ...} object pointing at a signed URL).
var ErrBodyNotAvailable = errors.New("response body not available: Helicone stored a placeholder instead of the body")

// ErrNoBody is returned when a sample has no response body at all.
var ErrNoBody = errors.New("no response body")

// ErrUnknownBody is wrapped by the error [AnswerText] returns for a body it cannot read;
// the error's text says what the body looked like.
var ErrUnknownBody = errors.New("unknown response body format")

// ProviderError is returned by [AnswerText] when the body is a provider's error answer
// (an {"error": ...} object) rather than a completion.
type ProviderError struct {
	// Message is the provider's error message, or the raw error value when it has none.
	Message string
}

func (e *ProviderError) Error() string {
	return "the response body is a provider error, not an answer: " + e.Message
}

// AnswerText extracts the answer text from a provider response body. It reads:
//
//   - OpenAI chat completions (choices[0].message.content, as text or content parts; a
//     refusal; tool calls rendered as `tool_call name(arguments)` lines when there is no
//     content), and legacy completions (choices[0].text);
//   - the OpenAI Responses API (output[].content[] parts of type output_text; function
//     calls rendered as tool calls);
//   - Anthropic Messages (content[] text blocks; tool_use blocks rendered as tool calls);
//   - Google Gemini (candidates[0].content.parts[].text; function calls rendered as tool
//     calls);
//   - streamed bodies: server-sent events ("data: {...}" lines) or a JSON array of chunks,
//     from OpenAI (chat and Responses API), Anthropic or Gemini;
//   - a JSON string (itself read as a body when it holds a JSON object) and plain text.
//
// A Helicone placeholder ({"helicone_message": ...}) gives [ErrBodyNotAvailable], an absent
// or null body [ErrNoBody], a provider error object a [*ProviderError], and any other body
// an error wrapping [ErrUnknownBody] that says what the body looked like. An empty answer
// is returned only when the provider's own answer is empty.
func AnswerText(body json.RawMessage) (string, error) {
	text, err := answerText(body, 0)
	if err != nil {
		return "", err
	}
	return text, nil
}

func answerText(body []byte, depth int) (string, error) {
	if isJSONNull(body) {
		return "", ErrNoBody
	}
	trimmed := bytes.TrimSpace(body)
	if !json.Valid(trimmed) {
		if isEventStream(trimmed) {
			return streamText(sseEvents(trimmed))
		}
		if trimmed[0] == '{' || trimmed[0] == '[' {
			return "", fmt.Errorf("reading answer text: %w: the body starts like JSON but is not valid JSON (truncated?): %s", ErrUnknownBody, preview(trimmed))
		}
		if !utf8.Valid(trimmed) {
			return "", fmt.Errorf("reading answer text: %w: the body is neither JSON nor UTF-8 text (%d bytes)", ErrUnknownBody, len(trimmed))
		}
		return string(trimmed), nil
	}
	switch trimmed[0] {
	case '"':
		var s string
		if err := json.Unmarshal(trimmed, &s); err != nil {
			return "", fmt.Errorf("reading answer text: %w", err)
		}
		// A body stored as a JSON string may itself be a provider body.
		if depth == 0 {
			inner := strings.TrimSpace(s)
			if strings.HasPrefix(inner, "{") && json.Valid([]byte(inner)) {
				if t, err := answerText([]byte(inner), depth+1); err == nil {
					return t, nil
				}
			}
		}
		return s, nil
	case '{':
		return objectText(trimmed)
	case '[':
		var chunks []json.RawMessage
		if err := json.Unmarshal(trimmed, &chunks); err != nil {
			return "", fmt.Errorf("reading answer text: %w", err)
		}
		if len(chunks) == 0 || !allObjects(chunks) {
			return "", fmt.Errorf("reading answer text: %w: a JSON array of %d values that are not stream chunks", ErrUnknownBody, len(chunks))
		}
		return streamText(slices.Values(chunks))
	default:
		return "", fmt.Errorf("reading answer text: %w: a JSON %s is not a response body", ErrUnknownBody, jsonKind(trimmed))
	}
}

// body is the union of the provider formats AnswerText reads.
type body struct {
	HeliconeMessage json.RawMessage `json:"helicone_message"`
	Object          string          `json:"object"`
	Type            string          `json:"type"`
	Error           json.RawMessage `json:"error"`

	// OpenAI chat completions and legacy completions (and their stream chunks).
	Choices []struct {
		Message *chatMessage `json:"message"`
		Delta   *chatMessage `json:"delta"`
		Text    *string      `json:"text"`
	} `json:"choices"`

	// OpenAI Responses API.
	Output     json.RawMessage `json:"output"`
	OutputText *string         `json:"output_text"`
	// Responses API stream events ("response.output_text.delta").
	DeltaText json.RawMessage `json:"delta"`

	// Anthropic Messages.
	Content    json.RawMessage `json:"content"`
	Completion *string         `json:"completion"`
	// Anthropic stream events.
	ContentBlock *anthropicBlock `json:"content_block"`
	Index        int             `json:"index"`

	// Google Gemini.
	Candidates []struct {
		Content struct {
			Parts []geminiPart `json:"parts"`
		} `json:"content"`
	} `json:"candidates"`
}

type chatMessage struct {
	Content      json.RawMessage `json:"content"`
	Refusal      *string         `json:"refusal"`
	ToolCalls    []toolCall      `json:"tool_calls"`
	FunctionCall *functionCall   `json:"function_call"`
}

type toolCall struct {
	Index    int          `json:"index"`
	Function functionCall `json:"function"`
}

type functionCall struct {
	Name      string `json:"name"`
	Arguments string `json:"arguments"`
}

type anthropicBlock struct {
	Type  string          `json:"type"`
	Text  string          `json:"text"`
	Name  string          `json:"name"`
	Input json.RawMessage `json:"input"`
}

type geminiPart struct {
	Text         *string `json:"text"`
	FunctionCall *struct {
		Name string          `json:"name"`
		Args json.RawMessage `json:"args"`
	} `json:"functionCall"`
}

type responsesItem struct {
	Type      string `json:"type"`
	Name      string `json:"name"`
	Arguments string `json:"arguments"`
	Content   []struct {
		Type    string `json:"type"`
		Text    string `json:"text"`
		Refusal string `json:"refusal"`
	} `json:"content"`
}

func objectText(raw []byte) (string, error) {
	var b body
	if err := json.Unmarshal(raw, &b); err != nil {
		return "", fmt.Errorf("reading answer text: %w: a JSON object whose fields have unexpected types (%v): %s", ErrUnknownBody, err, objectKeys(raw))
	}
	if b.HeliconeMessage != nil {
		var why string
		if json.Unmarshal(b.HeliconeMessage, &why) == nil && strings.TrimSpace(why) != "" && !strings.HasPrefix(why, "fetching body from signed_url") {
			return "", fmt.Errorf("%w: %s", ErrBodyNotAvailable, truncateText(why, 300))
		}
		return "", ErrBodyNotAvailable
	}
	switch {
	case len(b.Choices) > 0:
		c := b.Choices[0]
		switch {
		case c.Message != nil:
			return chatText(c.Message)
		case c.Text != nil:
			return *c.Text, nil
		case c.Delta != nil:
			return chatText(c.Delta)
		}
		return "", fmt.Errorf("reading answer text: %w: choices[0] has neither message nor text", ErrUnknownBody)
	case len(b.Candidates) > 0:
		return geminiText(b.Candidates[0].Content.Parts), nil
	case !isJSONNull(b.Output) && bytes.HasPrefix(bytes.TrimSpace(b.Output), []byte("[")):
		return responsesText(b.Output, b.OutputText)
	case b.OutputText != nil:
		return *b.OutputText, nil
	case !isJSONNull(b.Content) && (b.Type == "message" || bytes.HasPrefix(bytes.TrimSpace(b.Content), []byte("["))):
		return anthropicText(b.Content)
	case b.Completion != nil:
		return *b.Completion, nil
	case !isJSONNull(b.Error):
		return "", &ProviderError{Message: errorMessage(b.Error)}
	case b.Object == "chat.completion" || b.Object == "text_completion":
		return "", fmt.Errorf("reading answer text: %w: an OpenAI %s without choices", ErrUnknownBody, b.Object)
	}
	return "", fmt.Errorf("reading answer text: %w: a JSON object with keys %s is not an OpenAI, Anthropic or Gemini response", ErrUnknownBody, objectKeys(raw))
}

func chatText(m *chatMessage) (string, error) {
	if !isJSONNull(m.Content) {
		var s string
		if err := json.Unmarshal(m.Content, &s); err == nil {
			if s != "" || (len(m.ToolCalls) == 0 && m.FunctionCall == nil) {
				return s, nil
			}
		} else {
			// Content parts: [{"type":"text","text":"..."}, ...].
			var parts []struct {
				Type string `json:"type"`
				Text string `json:"text"`
			}
			if err := json.Unmarshal(m.Content, &parts); err != nil {
				return "", fmt.Errorf("reading answer text: %w: message content is neither text nor content parts: %s", ErrUnknownBody, preview(m.Content))
			}
			var sb strings.Builder
			for _, p := range parts {
				sb.WriteString(p.Text)
			}
			if sb.Len() > 0 || len(m.ToolCalls) == 0 {
				return sb.String(), nil
			}
		}
	}
	if m.Refusal != nil && *m.Refusal != "" {
		return *m.Refusal, nil
	}
	var lines []string
	for _, tc := range m.ToolCalls {
		lines = append(lines, renderToolCall(tc.Function.Name, []byte(tc.Function.Arguments)))
	}
	if m.FunctionCall != nil {
		lines = append(lines, renderToolCall(m.FunctionCall.Name, []byte(m.FunctionCall.Arguments)))
	}
	return strings.Join(lines, "\n"), nil
}

func responsesText(output json.RawMessage, outputText *string) (string, error) {
	var items []responsesItem
	if err := json.Unmarshal(output, &items); err != nil {
		return "", fmt.Errorf("reading answer text: %w: Responses API output is not a list of items: %s", ErrUnknownBody, preview(output))
	}
	var sb strings.Builder
	var calls []string
	for _, it := range items {
		switch it.Type {
		case "message":
			for _, c := range it.Content {
				switch c.Type {
				case "output_text":
					sb.WriteString(c.Text)
				case "refusal":
					sb.WriteString(c.Refusal)
				}
			}
		case "function_call":
			calls = append(calls, renderToolCall(it.Name, []byte(it.Arguments)))
		}
	}
	if sb.Len() == 0 && outputText != nil {
		return *outputText, nil
	}
	if sb.Len() == 0 && len(calls) > 0 {
		return strings.Join(calls, "\n"), nil
	}
	return sb.String(), nil
}

func anthropicText(content json.RawMessage) (string, error) {
	var s string
	if json.Unmarshal(content, &s) == nil {
		return s, nil
	}
	var blocks []anthropicBlock
	if err := json.Unmarshal(content, &blocks); err != nil {
		return "", fmt.Errorf("reading answer text: %w: Anthropic content is neither text nor a list of blocks: %s", ErrUnknownBody, preview(content))
	}
	var sb strings.Builder
	var calls []string
	for _, bl := range blocks {
		switch bl.Type {
		case "text", "":
			sb.WriteString(bl.Text)
		case "tool_use":
			calls = append(calls, renderToolCall(bl.Name, bl.Input))
		}
	}
	if sb.Len() == 0 && len(calls) > 0 {
		return strings.Join(calls, "\n"), nil
	}
	return sb.String(), nil
}

func geminiText(parts []geminiPart) string {
	var sb strings.Builder
	var calls []string
	for _, p := range parts {
		if p.Text != nil {
			sb.WriteString(*p.Text)
		}
		if p.FunctionCall != nil {
			calls = append(calls, renderToolCall(p.FunctionCall.Name, p.FunctionCall.Args))
		}
	}
	if sb.Len() == 0 && len(calls) > 0 {
		return strings.Join(calls, "\n")
	}
	return sb.String()
}

// renderToolCall writes a tool call as `tool_call name(arguments)`, with JSON arguments
// compacted.
func renderToolCall(name string, args []byte) string {
	a := bytes.TrimSpace(args)
	var buf bytes.Buffer
	if len(a) > 0 && json.Compact(&buf, a) == nil {
		a = buf.Bytes()
	}
	return "tool_call " + name + "(" + string(a) + ")"
}

// streamText assembles the answer of a streamed response from its chunks.
func streamText(chunks func(func(json.RawMessage) bool)) (string, error) {
	var sb strings.Builder
	type call struct{ name, args strings.Builder }
	var calls []*call
	callAt := func(i int) *call {
		for len(calls) <= i {
			calls = append(calls, &call{})
		}
		return calls[i]
	}
	n := 0
	var firstErr error
	for raw := range chunks {
		var b body
		if json.Unmarshal(raw, &b) != nil {
			continue
		}
		n++
		switch {
		case b.HeliconeMessage != nil:
			return "", ErrBodyNotAvailable
		case len(b.Choices) > 0:
			c := b.Choices[0]
			switch {
			case c.Delta != nil:
				var s string
				if json.Unmarshal(c.Delta.Content, &s) == nil {
					sb.WriteString(s)
				}
				for _, tc := range c.Delta.ToolCalls {
					if tc.Index < 0 || tc.Index > 1024 {
						continue
					}
					cl := callAt(tc.Index)
					cl.name.WriteString(tc.Function.Name)
					cl.args.WriteString(tc.Function.Arguments)
				}
			case c.Text != nil:
				sb.WriteString(*c.Text)
			case c.Message != nil:
				t, _ := chatText(c.Message)
				sb.WriteString(t)
			}
		case len(b.Candidates) > 0:
			sb.WriteString(geminiText(b.Candidates[0].Content.Parts))
		case b.Type == "response.output_text.delta":
			var s string
			if json.Unmarshal(b.DeltaText, &s) == nil {
				sb.WriteString(s)
			}
		case b.Type == "content_block_start" && b.ContentBlock != nil:
			sb.WriteString(b.ContentBlock.Text)
			if b.ContentBlock.Type == "tool_use" && b.Index >= 0 && b.Index <= 1024 {
				callAt(b.Index).name.WriteString(b.ContentBlock.Name)
			}
		case b.Type == "content_block_delta":
			var d struct {
				Type        string `json:"type"`
				Text        string `json:"text"`
				PartialJSON string `json:"partial_json"`
			}
			if json.Unmarshal(b.DeltaText, &d) == nil {
				sb.WriteString(d.Text)
				if d.PartialJSON != "" && b.Index >= 0 && b.Index <= 1024 {
					callAt(b.Index).args.WriteString(d.PartialJSON)
				}
			}
		case !isJSONNull(b.Error) && firstErr == nil:
			firstErr = &ProviderError{Message: errorMessage(b.Error)}
		}
	}
	if n == 0 {
		return "", fmt.Errorf("reading answer text: %w: an event stream without any JSON chunk", ErrUnknownBody)
	}
	if sb.Len() > 0 {
		return sb.String(), nil
	}
	var lines []string
	for _, c := range calls {
		if c.name.Len() > 0 {
			lines = append(lines, renderToolCall(c.name.String(), []byte(c.args.String())))
		}
	}
	if len(lines) == 0 && firstErr != nil {
		return "", firstErr
	}
	return strings.Join(lines, "\n"), nil
}

// isEventStream reports whether b looks like a server-sent event stream.
func isEventStream(b []byte) bool {
	return bytes.HasPrefix(b, []byte("data:")) || bytes.HasPrefix(b, []byte("event:"))
}

// sseEvents yields the JSON data payloads of a server-sent event stream.
func sseEvents(b []byte) func(func(json.RawMessage) bool) {
	return func(yield func(json.RawMessage) bool) {
		sc := bufio.NewScanner(bytes.NewReader(b))
		sc.Buffer(make([]byte, 0, 64*1024), len(b)+1)
		for sc.Scan() {
			line := bytes.TrimSpace(sc.Bytes())
			data, ok := bytes.CutPrefix(line, []byte("data:"))
			if !ok {
				continue
			}
			data = bytes.TrimSpace(data)
			if len(data) == 0 || data[0] != '{' || !json.Valid(data) {
				continue
			}
			if !yield(json.RawMessage(bytes.Clone(data))) {
				return
			}
		}
	}
}

func allObjects(vs []json.RawMessage) bool {
	for _, v := range vs {
		t := bytes.TrimSpace(v)
		if len(t) == 0 || t[0] != '{' {
			return false
		}
	}
	return true
}

func errorMessage(raw json.RawMessage) string {
	var e struct {
		Message string `json:"message"`
		Type    string `json:"type"`
	}
	if json.Unmarshal(raw, &e) == nil && e.Message != "" {
		if e.Type != "" {
			return e.Type + ": " + e.Message
		}
		return e.Message
	}
	var s string
	if json.Unmarshal(raw, &s) == nil && s != "" {
		return s
	}
	return preview(raw)
}

// objectKeys lists the top-level keys of a JSON object, for error messages.
func objectKeys(raw []byte) string {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return preview(raw)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, fmt.Sprintf("%q", truncateText(k, 40)))
	}
	slices.Sort(keys)
	if len(keys) > 12 {
		keys = append(keys[:12], "…")
	}
	return "[" + strings.Join(keys, ", ") + "]"
}

// preview is the start of a body, for error messages.
func preview(b []byte) string { return fmt.Sprintf("%q", truncateText(string(b), 120)) }

func truncateText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func jsonKind(s []byte) string {
	switch s[0] {
	case '[':
		return "array"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	default:
		return "number"
	}
}

// isJSONNull reports whether raw is empty or the JSON null.
func isJSONNull(raw []byte) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || string(t) == "null"
}
