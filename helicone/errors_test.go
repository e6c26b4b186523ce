package helicone_test

import (
	"errors"
	"net/http"
	"net/url"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/helicone"
)

// expressNotFound is the page Express answers an unknown path with when a key was sent.
const expressNotFound = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Error</title>
</head>
<body>
<pre>Cannot POST /v1/helicone-dataset/query</pre>
</body>
</html>
`

// toLoopback sends every request to the scripted server s, whatever host its URL names,
// so that a client configured for a hosted region is tested without leaving 127.0.0.1.
func toLoopback(s *script) *http.Client {
	target, err := url.Parse(s.srv.URL)
	Expect(err).NotTo(HaveOccurred())
	return &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		r = r.Clone(r.Context())
		r.URL.Scheme, r.URL.Host, r.Host = target.Scheme, target.Host, target.Host
		return http.DefaultTransport.RoundTrip(r)
	})}
}

var _ = Describe("errors users meet", func() {
	It("says that a read-only key cannot POST, and what to do", func() {
		s := newScript(reply(401, `{"error":null,"trace":"isAuthenticated.error"}`))
		_, err := newClient(s).RequestsByID(ctx, helicone.RequestIDQuery{IDs: []string{reqID}})
		Expect(err).To(MatchError(helicone.ErrKeyPermission))
		Expect(err).To(MatchError(helicone.ErrUnauthorized))
		Expect(err.Error()).To(ContainSubstring("write permission ('w')"))
		Expect(err.Error()).To(ContainSubstring("read and write permission"))
		Expect(err.Error()).NotTo(ContainSubstring(testKey))
		Expect(s.requests()).To(HaveLen(1), "a 401 is not retried")
	})

	It("says that a key without read permission cannot GET", func() {
		s := newScript(reply(401, `{"error":null,"trace":"isAuthenticated.error"}`))
		_, err := newClient(s).GetExperimentScore(ctx, expID, reqID, "accuracy")
		Expect(err).To(MatchError(helicone.ErrKeyPermission))
		Expect(err.Error()).To(ContainSubstring("read permission ('r')"))
	})

	It("does not take an empty 401 for a permission problem", func() {
		s := newScript(reply(401, ``))
		_, err := newClient(s).RequestsByID(ctx, helicone.RequestIDQuery{IDs: []string{reqID}})
		Expect(err).To(MatchError(helicone.ErrUnauthorized))
		Expect(errors.Is(err, helicone.ErrKeyPermission)).To(BeFalse())
	})

	DescribeTable("names a key of the other region",
		func(key string, region helicone.Option, wantHost, advice string) {
			s := newScript(reply(401, `{"error":"No API key found","trace":"isAuthenticated.error"}`))
			c, err := helicone.NewClient(helicone.WithAPIKey(key), region, helicone.WithHTTPClient(toLoopback(s)), helicone.WithRetry(helicone.NoRetry()))
			Expect(err).NotTo(HaveOccurred())
			_, err = c.RequestsByID(ctx, helicone.RequestIDQuery{IDs: []string{reqID}})
			Expect(err).To(MatchError(helicone.ErrWrongRegion))
			Expect(err).To(MatchError(helicone.ErrUnauthorized))
			Expect(err.Error()).To(ContainSubstring(wantHost))
			Expect(err.Error()).To(ContainSubstring(advice))
			Expect(err.Error()).NotTo(ContainSubstring(key[len("sk-helicone-eu-"):]), "no long part of the key")
			Expect(s.requests()).To(HaveLen(1))
		},
		Entry("an EU key on the US host", "sk-helicone-eu-abcdef1-2345678-9abcdef-0123456", helicone.WithBaseURL(helicone.USBaseURL),
			"api.helicone.ai", "HELICONE_BASE_URL=https://eu.api.helicone.ai (heval: --eu)"),
		Entry("a US key on the EU host", "sk-helicone-abcdef1-2345678-9abcdef-0123456", helicone.WithEU(),
			"eu.api.helicone.ai", "HELICONE_BASE_URL=https://api.helicone.ai"),
	)

	It("gives the general advice for an unknown key of the right region", func() {
		s := newScript(reply(401, `{"error":"No API key found","trace":"isAuthenticated.error"}`))
		c, err := helicone.NewClient(helicone.WithAPIKey("sk-helicone-abcdef1-2345678-9abcdef-0123456"), helicone.WithHTTPClient(toLoopback(s)), helicone.WithBaseURL(helicone.USBaseURL))
		Expect(err).NotTo(HaveOccurred())
		_, err = c.RequestsByID(ctx, helicone.RequestIDQuery{IDs: []string{reqID}})
		Expect(err).To(MatchError(helicone.ErrUnauthorized))
		Expect(errors.Is(err, helicone.ErrWrongRegion)).To(BeFalse())
		Expect(err.Error()).To(ContainSubstring("No API key found"))
		Expect(err.Error()).To(ContainSubstring("check HELICONE_API_KEY"))
	})

	It("explains Express's HTML 404 for a route the server does not have", func() {
		s := newScript(reply(404, expressNotFound, "Content-Type", "text/html; charset=utf-8"))
		_, err := newClient(s).RequestsByID(ctx, helicone.RequestIDQuery{IDs: []string{reqID}})
		Expect(err).To(MatchError(helicone.ErrRouteNotFound))
		Expect(err.Error()).To(ContainSubstring("404 Cannot POST /v1/helicone-dataset/query"))
		Expect(err.Error()).To(ContainSubstring("no route POST /v1/request/query-clickhouse"))
		Expect(err.Error()).To(ContainSubstring("HELICONE_BASE_URL"))
		Expect(err.Error()).NotTo(ContainSubstring("<html"))
		Expect(s.requests()).To(HaveLen(1), "a 404 is not retried")
	})
})
