// Package judge scores answers with an LLM through any OpenAI-compatible chat completions
// API (OpenAI, the Helicone gateway, Ollama, vLLM, ...): an LLM-as-judge evaluator for the
// harness, kept out of package [github.com/heval-dev/heval/evals] so that only programs
// that use it compile the OpenAI client.
//
// [New] returns an [LLM] configured by options and the environment; [LLM.Func] returns an
// evaluator for one [Rubric], and [Func] is the shorthand for a judge of its own:
//
//	j, err := judge.New(judge.WithModel("gpt-4o-mini"))
//	if err != nil {
//		log.Fatal(err) // not configured: it says what to set
//	}
//	harness.Evaluator("accuracy", j.Func(judge.Accuracy()), harness.Repeat(3))
//	harness.Evaluator("safety", j.Func(judge.Safety()))
//
// # Configuration
//
// A judge needs an API key or a base URL, from options ([WithAPIKey], [WithBaseURL]) or the
// environment (HEVAL_JUDGE_API_KEY or OPENAI_API_KEY, HEVAL_JUDGE_BASE_URL or
// OPENAI_BASE_URL). With a key alone it calls OpenAI at [DefaultBaseURL]; with neither,
// [New] fails with an error that says what to set ([ErrNotConfigured]), so that no endpoint
// is ever called implicitly. HEVAL_JUDGE_MODEL and HEVAL_JUDGE_TIMEOUT set the model and
// the timeout.
//
// # Rubrics
//
// The ready-made rubrics ([Rubrics], [RubricNamed]) score 0–100; [CustomRubric] scores a
// criterion of your own on a scale of your choice.
//
// # Calls
//
// Judge calls are paced by the judge's own request and token budgets ([WithRateLimits]),
// repeated after a 429, a 5xx or a transport error by openai-go's retries, honouring
// Retry-After ([WithRetries]), validated (a malformed answer is asked again,
// [WithMalformedRetries]) and cached on disk ([WithCacheDir]), so an unchanged re-run costs
// nothing. [LLM.Stats] reports calls, retries, cache hits and tokens.
//
// Every attempt has a timeout, 60 seconds unless [WithTimeout] or HEVAL_JUDGE_TIMEOUT says
// otherwise: an endpoint that accepts the connection and never answers ends the judgement
// with an error instead of hanging the run.
//
// # By name
//
// [Entry] is the judge's catalog entry ("judge=accuracy") for an
// [github.com/heval-dev/heval/evals.Registry], as `heval run --eval` uses it.
//
// # Testing
//
// Package [github.com/heval-dev/heval/evals/judge/judgetest] is a fake OpenAI-compatible
// server on 127.0.0.1 that answers deterministically, slowly, malformed, or with 429 and
// 500, for testing judges without a network or a model.
package judge
