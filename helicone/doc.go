// Package helicone is a typed client for the parts of the Helicone REST API that an
// evaluation harness needs: querying experiments with their dataset rows and hypothesis
// runs, querying logged requests, writing scores to a request and reading them back.
//
// # Calls
//
//   - [Client.QueryExperiments]: POST /v1/experiment/query (filters [ExperimentID],
//     [ExperimentPrompt]; include flags [ExperimentInclude]).
//   - [Client.QueryRequests] and the paging iterator [Client.Requests]: POST
//     /v1/request/query-clickhouse, with filters built by [RequestText], [RequestNumber],
//     [CreatedAt], [Property] and [Score], combined with [And] and [Or], or
//     parsed from command-line text by [ParseFilter].
//   - [Client.AddScores]: POST /v1/request/{id}/score, every key of one request in one call.
//   - [Client.GetExperimentScore]: GET /v2/experiment/{experimentId}/{requestId}/{scoreKey}.
//
// # What the client copes with
//
// The client copes with what the real server does beyond its published reference: any 2xx
// is success, runs and scores may be null, score values arrive as numbers or strings, max
// and min may be missing, a score write is acknowledged with 201 even when the server later
// drops it, and rate limits are announced with the IETF RateLimit-* headers and
// Retry-After. When the experiment query answers the 500 "Not implemented" that hosted
// Helicone sends since Experiments were deprecated, the error is an
// [*ExperimentsUnavailableError] that points to request queries.
//
// Transport errors, 408, 429 and 5xx other than 501 are retried per a [RetryPolicy]:
// capped exponential backoff with jitter, Retry-After (seconds or an HTTP date) honoured up
// to a cap, and every wait cancellable through the context. [WithObserver] reports every
// attempt, for retry and rate-limit statistics.
//
// # Checks before sending
//
// A score value is a [ScoreValue], which can hold only an int64 or a bool: Helicone stores
// nothing else, and a float sent by mistake is rejected by the server with a bare 500.
// Request ids must be UUIDs and score keys non-empty ([ValidateScores]); filters are
// checked against the columns and operators the server accepts ([FilterError]).
//
// # The API key
//
// The API key is sent only in the Authorization header, only over HTTPS unless the host is
// loopback or [WithInsecure] is given, and never appears in an error message, a log line or
// an observed [Attempt]: answers that echo it are scrubbed before they are kept.
package helicone
