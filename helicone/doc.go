// Package helicone is a typed client for the parts of the Helicone REST API that an
// evaluation harness needs, on both server profiles: current Helicone (hosted Helicone today,
// and self-hosted servers after the 2025-10 migration) and legacy Helicone (self-hosted,
// before it).
//
// # Calls
//
//   - [Client.Requests]: POST /v1/request/query-clickhouse, every page until an empty one
//     (the server applies its limit before it removes older row versions, so pages come back
//     short while more requests exist), each request once, as its newest version (in a query
//     in creation order, the ids yielded before the last pages wait in a temporary file, so
//     that memory does not grow with the query); filters
//     built by [RequestText], [RequestNumber], [CreatedAt], [Property], [HasProperty] and
//     [Score], combined with [And] and [Or], or parsed from command-line text by
//     [ParseFilter] (which refuses a mistyped operator such as == or => and an unknown
//     column, naming the one meant); [Filter.Leaves] lists a filter's conditions.
//     [Client.QueryRequests] reads one page. [Client.RequestsByID] reads requests by id, in
//     balanced "or" trees of [MaxIDsPerQuery] ids; it is how scores are read back on both
//     profiles.
//   - Helicone Datasets (current): [Client.ListDatasets], [Client.FindDataset] (by id or
//     name), [Client.DatasetRows], [Client.CountDatasetRows], [Client.AllDatasetRows]
//     (every row, de-duplicated, checked against the count) and [Client.EachDatasetRow]
//     (the same rows handed on one by one), and [Client.FetchSignedBody]
//     for a row's bodies: gzip JSON at a presigned URL, read without the API key.
//     [Client.RequestBodies] reads a request row's bodies from wherever they are stored.
//   - [Client.AddScores]: POST /v1/request/{id}/score, every key of one request in one call.
//   - [Client.StreamExperiments] (legacy): POST /v1/experiment/query (filters [ExperimentID],
//     [ExperimentPrompt]; include flags [ExperimentInclude]), each part of the answer (a
//     dataset row, a hypothesis run, a hypothesis's or an experiment's header) yielded as
//     it is read, with the headers read so far, so that memory does not grow with the
//     experiment and the answer has no size bound (each part has one). The server sends
//     the rows before the dataset's name and a hypothesis's runs before its id, and no
//     order is guaranteed. An answer that breaks off is read again past what was yielded
//     ([*ExperimentChangedError] when it no longer begins the same).
//     [Client.QueryExperiments] collects the stream into []Experiment.
//   - [Client.GetExperimentScore] (legacy): GET /v2/experiment/{experimentId}/{requestId}/{scoreKey};
//     on current Helicone it answers null for every score, so its null proves nothing.
//
// # Decoding
//
// Every 2xx answer is decoded as it is read, with go-json-experiment/json's streaming
// decoder (jsontext) from a pool, so that neither the body nor a read buffer is allocated
// per answer: the envelope {data, error, message, details} with its keys in any order and
// any case, a bare array, an empty body or null data (success), and, for calls that expect
// no data, any 2xx body at all. A body that is not JSON (cut off, an HTML page from a
// proxy, data after the answer) is a [*DecodeError] that is retried, and never taken as an
// acknowledgement of a write; a well-formed value of the wrong shape is a DecodeError that
// is not. An answer decoded whole is bounded at 1 GiB.
//
// # What the client copes with
//
// The client copes with what the real server does beyond its published reference: any 2xx
// is success, runs and scores may be null, score values and counts arrive as numbers or
// strings, max and min may be missing, a score write is acknowledged with 201 even when the
// server later drops it, and rate limits are announced with the IETF RateLimit-* headers and
// Retry-After. The errors users meet say what to do: the experiment query's 500 "Not
// implemented" ([*ExperimentsUnavailableError]: use a Helicone dataset or request filters),
// a read-only key on a POST ([ErrKeyPermission]), a key of the other region
// ([ErrWrongRegion]), Express's HTML 404 for a route the server lacks ([ErrRouteNotFound],
// [ErrDatasetsUnavailable]), a dataset that is not there ([*DatasetNotFoundError], listing
// the ones that are).
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
// loopback or [WithInsecure] is given, never to a signed URL, and never appears in an error
// message, a log line or an observed [Attempt]: answers that echo it are scrubbed before they
// are kept. A signed URL's signature never appears in an error either.
package helicone
