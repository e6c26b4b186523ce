package heliconetest_test

import (
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/helicone/heliconetest"
)

// The page's table of envelopes and errors, row by row: each row's answer pinned by its
// golden file.
var _ = Describe("the envelope and error table", func() {
	DescribeTable("answers each case with its status and body",
		func(golden string, call func(srv *heliconetest.Server) answer) {
			srv, _ := newServer(heliconetest.WithRateLimit(time.Minute, 2))
			expectGolden(golden, call(srv))
		},
		Entry("no Authorization header", "401-no-authorization-header", func(srv *heliconetest.Server) answer {
			return queryRequests(srv, "", `{"filter":"all"}`)
		}),
		Entry("unknown key", "401-unknown-key", func(srv *heliconetest.Server) answer {
			return queryRequests(srv, "sk-helicone-nobody", `{"filter":"all"}`)
		}),
		Entry("key lacks r/w", "401-key-lacks-permission", func(srv *heliconetest.Server) answer {
			return queryRequests(srv, keyAR, `{"filter":"all"}`)
		}),
		Entry("schema validation", "422-score-scores-missing", func(srv *heliconetest.Server) answer {
			return score(srv, keyA, reqA1, `{}`)
		}),
		Entry("schema validation: an unknown property", "422-score-excess-property", func(srv *heliconetest.Server) answer {
			return score(srv, keyA, reqA1, `{"scores":{"a":1},"x":1}`)
		}),
		Entry("malformed JSON, even without a key", "500-internal", func(srv *heliconetest.Server) answer {
			return sendBody(http.MethodPost, srv.URL+"/v1/request/query-clickhouse", "", "application/json", `{"filter":`)
		}),
		Entry("a top-level primitive", "500-internal", func(srv *heliconetest.Server) answer {
			return sendBody(http.MethodPost, srv.URL+"/v1/request/query-clickhouse", keyA, "application/json", `true`)
		}),
		Entry("a body over 10 MB, no 413", "500-internal", func(srv *heliconetest.Server) answer {
			return sendBody(http.MethodPost, srv.URL+"/v1/request/query-clickhouse", keyA, "application/json", `{"filter":"`+strings.Repeat("a", heliconetest.DefaultMaxBodyBytes)+`"}`)
		}),
		Entry("an exception in a handler", "500-internal", func(srv *heliconetest.Server) answer {
			return score(srv, keyA, reqA1, `{"scores":{"accuracy":95.5}}`)
		}),
		Entry("rate limited", "429-rate-limited", func(srv *heliconetest.Server) answer {
			score(srv, keyA, reqA1, `{"scores":{}}`)
			score(srv, keyA, reqA1, `{"scores":{}}`)
			a := score(srv, keyA, reqA1, `{"scores":{}}`)
			Expect(a.Header.Get("Retry-After")).To(Equal("60"))
			return a
		}),
		Entry("success of a query: 201 with data", "201-requests-empty", func(srv *heliconetest.Server) answer {
			return queryRequests(srv, keyA, `{"filter":`+rmt("model", "equals", "none")+`}`)
		}),
		Entry("success of a score write: 201 with null", "201-score-write", func(srv *heliconetest.Server) answer {
			return score(srv, keyA, reqA1, `{"scores":{"a":1}}`)
		}),
	)
})
