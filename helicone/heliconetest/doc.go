// Package heliconetest is an in-process emulator of the Helicone REST API, in the style of
// net/http/httptest, so that heval's tests, its demo and `heval serve` need no account and
// no network. It listens on loopback only and never contacts anything else.
//
// # Profiles
//
// The emulator plays one of two servers, chosen at start with [WithProfile] and reported by
// [Handler.Profile] and by the Heval-Emulator-Profile header of every answer:
//
//   - [Current] (the default): hosted Helicone today. The experiment query validates its
//     body, then answers 500 {"data":null,"error":"Not implemented"}; the v2 score route
//     always answers {"data":null,"error":null}; dataset rows come from Helicone Datasets
//     (/v1/helicone-dataset/...), whose rows carry signed_url envelopes pointing at bodies
//     the emulator serves itself; hypothesis runs are logged requests tagged with custom
//     properties (header-set keys stored in lower case, such as "heval-hypothesis"); scores
//     are read back through POST /v1/request/query-clickhouse only.
//   - [Legacy]: a self-hosted server from before the 2025-10 migration. The experiment query
//     answers with the seeded experiments, their dataset rows and hypothesis runs, in the
//     server's field order, written row by row and run by run (the answer is never held
//     whole, so a 1M-sample experiment is served in little memory, and score writes are not
//     held up by a slow reader); a score
//     write also goes synchronously to Postgres score_value (the first value per key wins,
//     see [Handler.PostgresScores]), which both experiment routes read. The Helicone
//     Datasets routes do not exist (Express's 404 page, as for any unknown path).
//
// Everything else is common to both and follows the newest server code:
//
//	POST /v1/request/{requestId}/score       201, applied later (WithWriteDelay), or dropped
//	POST /v1/request/query-clickhouse        filters, sort keys, limit/offset, short pages
//	POST /v1/request/{requestId}/feedback    helicone-score-feedback 1/0
//	GET  /v1/request/{requestId}             the row, cached 24 hours
//	POST /v1/request/query-ids               the same lookup per id
//	PUT  /v1/request/{requestId}/property    a synchronous property merge
//	POST /v1/request/query                   legacy Postgres: an empty list
//	POST /v1/evals/{requestId}               a 201 no-op
//	POST /v1/experiment/query                (per profile)
//	GET  /v2/experiment/{experimentId}/{requestId}/{scoreKey}   (per profile)
//	POST /v1/helicone-dataset[/...]          (current profile: create, mutate, query, count, list, edit, delete)
//
// Bodies are parsed before authentication, as the server's body parsers do: malformed JSON
// or a body over 10 MB is the generic 500 even without a key, and JSON sent with another
// Content-Type is not parsed at all. Authorization is read first ("Bearer " stripped once,
// case-sensitive), then the helicone-authorization JSON header; a key's permissions ("r",
// "w") are checked per method, so a read-only key fails on every POST. An unknown path is
// 401 without a key and Express's 404 page with one.
//
// Each API key belongs to one organization, and a key never sees or changes another
// organization's data. Score writes are acknowledged with 201 before anything is stored; a
// queue consumer applies them [DefaultWriteDelay] later in batches (WithWriteDelay(0)
// applies each before its 201), and within one batch only the newest write of a request is
// applied. Applying a write merges it per key into the newest row version and inserts a new
// version, so query-clickhouse pages, whose limit counts raw versions, can be short while
// more rows exist. Booleans are stored as 1/0 under "<key>-hcone-bool", values follow the
// server's coercion (for example "85" is 85, " 85 " is 422, 95.5 is 500). Writes for an id
// that is not a UUID, unknown, another organization's or older than 30 days are dropped
// after their 201; [Handler.Dropped] says which and why. Request rows have the server's
// keys, ISO timestamps with Z and Int64 columns quoted ([WithNumericScores] sends numbers),
// and a storage_location: clickhouse rows carry their bodies inline, s3 rows a text body
// and a signed_body_url the emulator serves ([SignedURLTTL], no key needed).
//
// Options add the per-organization rate limit with its RateLimit-* headers, a durable store
// of score writes that survives kill -9 ([WithDataDir]; properties and dataset changes are
// not kept), a bound on request bodies, and a latency every request waits before it is
// handled ([WithLatency]: a server as far away as hosted Helicone). [Handler.Inject] makes
// answers fail; [Handler.LoseWrites] acknowledges a request's score writes and never
// applies them, [Handler.FailSigning] answers a dataset row's signed_url with a signing
// error, and [Handler.ExpireSignedURLs] expires every signed URL handed out so far. A signed
// URL sent with an Authorization header is refused, as S3 refuses a second credential.
//
// A test starts a server, points a client at it and reads back what was stored:
//
//	srv := heliconetest.NewServer(heliconetest.WithWriteDelay(0), heliconetest.WithSeed(heliconetest.Seed{
//		Organizations: []heliconetest.SeedOrganization{{
//			ID:   "org-1",
//			Keys: []string{"sk-helicone-test"},
//			Requests: []heliconetest.SeedRequest{{
//				ID: "6f1c1a8e-3b0f-4c1e-9a51-1d2f3e4a5b6c", CreatedAgo: heliconetest.Duration(time.Hour), Model: "gpt-4o",
//			}},
//		}},
//	}))
//	defer srv.Close()
//
//	client, _ := helicone.NewClient(helicone.WithBaseURL(srv.URL), helicone.WithAPIKey(srv.APIKey))
//	_, _ = client.AddScores(ctx, "6f1c1a8e-3b0f-4c1e-9a51-1d2f3e4a5b6c", helicone.Scores{"accuracy": helicone.Int(92)})
//	srv.Scores("6f1c1a8e-3b0f-4c1e-9a51-1d2f3e4a5b6c") // map[accuracy:92]
//
//	srv.Inject(heliconetest.RouteAddScores, heliconetest.Fail(503).Times(2)) // the next two writes fail
//
// The seed format ([Seed]) is also the JSON file format of `heval serve --seed FILE`; it
// holds organizations, keys, logged requests (with properties and Helicone-Property-*
// headers), experiments for the legacy profile and Helicone Datasets for the current one.
// Its times are relative to the moment of seeding ("2 days ago"), and an unknown field is
// an error naming it. [NewHandler] gives the same emulator as an http.Handler for a server
// of one's own.
package heliconetest
