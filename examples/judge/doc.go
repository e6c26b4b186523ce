// Package judge is a runnable example: an LLM judge scoring a few hand-made answers against
// a fake OpenAI-compatible server on 127.0.0.1, with its on-disk cache. Run it with
// `go test ./examples/judge`.
package judge
