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
// The same content serves the current profile (hosted Helicone, without Experiments): each
// experiment has a twin Helicone Dataset ([SupportDatasetID], [CodeDatasetID]) whose rows
// have the experiment's row ids and origin requests, and every hypothesis run is a logged
// request tagged with the headers Helicone-Property-Heval-Hypothesis (the hypothesis label)
// and Helicone-Property-Heval-Row (the dataset row id), stored as the properties
// [PropertyHypothesis] and [PropertyRow], so a client can pair runs with rows per dataset
// row exactly as for the experiments.
//
// The data is generated from a fixed seed with math/rand/v2's PCG, so every call returns the
// same set; [Generate] scales it (for benchmarks) with the same shapes. The experiments'
// meta carries a "hypothesis_labels" object naming each hypothesis ("baseline",
// "candidate", ...), which the datasets package uses as the sample's hypothesis label.
package demo
