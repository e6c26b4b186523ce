// Package demo generates heval's demo data: a realistic, deterministic Helicone organization
// with logged requests and experiments, as a [heliconetest.Seed] for the emulator.
//
// The default set ([Seed]) has two experiments, a customer-support bot and a coding
// assistant. Each has a dataset of 120 rows made from production requests and two or three
// hypotheses (different models and prompt versions) with one run per row. Every row and run
// points at a logged request whose response is an OpenAI-style chat completion; the answers
// vary the way real answers do: some cite sources like [1], some contain code blocks, some
// open with a greeting, some are one line, some are Markdown with headings and bullets, and
// a few are refusals. The hypotheses differ measurably (the support candidate cites its
// sources far more often than the baseline; the Claude arm is the most verbose), so demo
// suites can make meaningful assertions. The organization also has plain logged requests
// with Helicone properties (Feature, Variant A/B, Environment) for request queries, a few of
// them with Anthropic, Gemini and Responses API bodies.
//
// The data is generated from a fixed seed with math/rand/v2's PCG, so every call returns the
// same set; [Generate] scales it (for benchmarks) with the same shapes. The experiments'
// meta carries a "hypothesis_labels" object naming each hypothesis ("baseline",
// "candidate", ...), which the datasets package uses as the sample's hypothesis label.
package demo
