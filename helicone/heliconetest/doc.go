// Package heliconetest is an in-process emulator of the Helicone REST API, in the style of
// net/http/httptest, so that heval's tests, its demo and `heval serve` need no account and
// no network.
//
// It serves, per organization and with the statuses and bodies of the real server:
//
//	POST /v1/request/{requestId}/score                         (201, then stored or dropped)
//	POST /v1/experiment/query                                  (filters, include flags)
//	GET  /v2/experiment/{experimentId}/{requestId}/{scoreKey}  (always 200)
//	POST /v1/request/query-clickhouse                          (filters, limit/offset, 201)
//	POST /v1/request/query                                     (legacy: an empty list)
//
// Each API key belongs to one organization, and a key never sees or changes another
// organization's data. Score writes are acknowledged with 201 and then stored (booleans as
// 1/0 under "<key>-hcone-bool", merged per key) or dropped when the request id is unknown,
// not a UUID, another organization's or older than 30 days; [Handler.Dropped] says which
// and why. Options add the per-organization rate limit with its RateLimit-* headers, the
// post-deprecation experiment answer, a delay before writes land, a durable store that
// survives kill -9, and a bound on request bodies; [Handler.Inject] makes answers fail.
//
// A test starts a server, points a client at it and reads back what was stored:
//
//	srv := heliconetest.NewServer(heliconetest.WithSeed(heliconetest.Seed{
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
// The seed format ([Seed]) is also the JSON file format of `heval serve --seed FILE`; its
// times are relative to the moment of seeding. [NewHandler] gives the same emulator as an
// http.Handler for a server of one's own.
package heliconetest
