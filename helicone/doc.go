// Package helicone is a typed client for the parts of the Helicone REST API that an
// evaluation harness needs: querying experiments with their dataset rows and hypothesis
// runs, querying logged requests, writing scores to a request and reading them back.
//
// The client copes with what the real server does beyond its published reference: any 2xx
// is success, runs and scores may be null, score values arrive as numbers or strings, a
// score write is acknowledged with 201 even when the server later drops it, and rate
// limits are announced with the IETF RateLimit-* headers and Retry-After.
//
// A score value is a [ScoreValue], which can hold only an int64 or a bool: Helicone stores
// nothing else, and a float sent by mistake is rejected by the server with a bare 500.
//
// The API key is sent only in the Authorization header and never appears in an error
// message, a log line or a panic.
package helicone
