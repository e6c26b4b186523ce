package helicone_test

import (
	"context"
	"errors"
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/helicone"
)

var _ = Describe("NewClient", func() {
	BeforeEach(func() {
		GinkgoT().Setenv(helicone.EnvAPIKey, "")
		GinkgoT().Setenv(helicone.EnvBaseURL, "")
	})

	It("needs an API key", func() {
		_, err := helicone.NewClient()
		Expect(err).To(MatchError(helicone.ErrNoAPIKey))
		Expect(err.Error()).To(ContainSubstring(helicone.EnvAPIKey))
	})

	It("reads the key and base URL from the environment", func() {
		GinkgoT().Setenv(helicone.EnvAPIKey, testKey)
		GinkgoT().Setenv(helicone.EnvBaseURL, "http://127.0.0.1:8585/")
		c, err := helicone.NewClient()
		Expect(err).NotTo(HaveOccurred())
		Expect(c.BaseURL()).To(Equal("http://127.0.0.1:8585"))
	})

	It("defaults to the US region and switches to the EU one", func() {
		c, err := helicone.NewClient(helicone.WithAPIKey(testKey))
		Expect(err).NotTo(HaveOccurred())
		Expect(c.BaseURL()).To(Equal(helicone.USBaseURL))
		c, err = helicone.NewClient(helicone.WithAPIKey(testKey), helicone.WithEU())
		Expect(err).NotTo(HaveOccurred())
		Expect(c.BaseURL()).To(Equal(helicone.EUBaseURL))
	})

	It("refuses a key with spaces inside without echoing it", func() {
		_, err := helicone.NewClient(helicone.WithAPIKey("sk-helicone SECRETPART"))
		Expect(err).To(MatchError(helicone.ErrInvalidAPIKey))
		Expect(err.Error()).NotTo(ContainSubstring("SECRETPART"))
	})

	DescribeTable("plain HTTP is allowed only to loopback or with WithInsecure",
		func(url string, insecure bool, ok bool) {
			opts := []helicone.Option{helicone.WithAPIKey(testKey), helicone.WithBaseURL(url)}
			if insecure {
				opts = append(opts, helicone.WithInsecure())
			}
			_, err := helicone.NewClient(opts...)
			if ok {
				Expect(err).NotTo(HaveOccurred())
			} else {
				Expect(err).To(MatchError(helicone.ErrInsecureURL))
				Expect(err.Error()).To(ContainSubstring("WithInsecure"))
			}
		},
		Entry("https anywhere", "https://helicone.example.com", false, true),
		Entry("http to 127.0.0.1", "http://127.0.0.1:8585", false, true),
		Entry("http to 127.1.2.3", "http://127.1.2.3:8585", false, true),
		Entry("http to localhost", "http://localhost:8585", false, true),
		Entry("http to ::1", "http://[::1]:8585", false, true),
		Entry("http to a remote host", "http://helicone.example.com", false, false),
		Entry("http to a LAN address", "http://10.0.0.5:8585", false, false),
		Entry("http to a remote host with WithInsecure", "http://helicone.example.com", true, true),
	)

	DescribeTable("rejects base URLs that are not http(s)",
		func(url string) {
			_, err := helicone.NewClient(helicone.WithAPIKey(testKey), helicone.WithBaseURL(url))
			Expect(err).To(HaveOccurred())
			Expect(err.Error()).To(ContainSubstring("not an http(s) URL"))
		},
		Entry("no scheme", "api.helicone.ai"),
		Entry("ftp", "ftp://api.helicone.ai"),
		Entry("empty", ""),
	)

	It("does not repeat credentials of a base URL in its error", func() {
		_, err := helicone.NewClient(helicone.WithAPIKey(testKey), helicone.WithBaseURL("https://user:hunter2@api.helicone.ai"))
		Expect(err).To(HaveOccurred())
		Expect(err.Error()).NotTo(ContainSubstring("hunter2"))
	})

	It("rejects a nil HTTP client", func() {
		_, err := helicone.NewClient(helicone.WithAPIKey(testKey), helicone.WithHTTPClient(nil))
		Expect(err).To(MatchError(ContainSubstring("WithHTTPClient(nil)")))
	})

	It("sends requests through a caller-supplied HTTP client", func() {
		s := newScript(reply(201, `{"data":null,"error":null}`))
		used := false
		hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			used = true
			return http.DefaultTransport.RoundTrip(r)
		})}
		c := newClient(s, helicone.WithHTTPClient(hc))
		_, err := c.AddScores(context.Background(), reqID, helicone.Scores{"a": helicone.Int(1)})
		Expect(err).NotTo(HaveOccurred())
		Expect(used).To(BeTrue())
	})

	It("refuses to follow a redirect from HTTPS to plain HTTP", func() {
		var c *helicone.Client
		redirect := newScript(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://helicone.example.com"+r.URL.Path, http.StatusTemporaryRedirect)
		})
		var err error
		c, err = helicone.NewClient(helicone.WithAPIKey(testKey), helicone.WithBaseURL(redirect.srv.URL), helicone.WithRetry(helicone.NoRetry()))
		Expect(err).NotTo(HaveOccurred())
		_, err = c.AddScores(context.Background(), reqID, helicone.Scores{"a": helicone.Int(1)})
		Expect(err).To(MatchError(ContainSubstring("refusing a redirect to plain HTTP")))
		Expect(redirect.requests()).To(HaveLen(1))
	})
})

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

var _ = Describe("errors", func() {
	It("match their sentinels", func() {
		Expect(errors.Is(&helicone.APIError{Status: 401}, helicone.ErrUnauthorized)).To(BeTrue())
		Expect(errors.Is(&helicone.APIError{Status: 429}, helicone.ErrRateLimited)).To(BeTrue())
		Expect(errors.Is(&helicone.APIError{Status: 422}, helicone.ErrValidation)).To(BeTrue())
		Expect(errors.Is(&helicone.APIError{Status: 503}, helicone.ErrServer)).To(BeTrue())
		Expect(errors.Is(&helicone.APIError{Status: 404}, helicone.ErrServer)).To(BeFalse())
	})

	DescribeTable("retryable statuses",
		func(status int, want bool) {
			Expect((&helicone.APIError{Status: status}).Retryable()).To(Equal(want))
		},
		Entry("408", 408, true), Entry("429", 429, true), Entry("500", 500, true),
		Entry("502", 502, true), Entry("503", 503, true), Entry("504", 504, true),
		Entry("501", 501, false), Entry("400", 400, false), Entry("401", 401, false),
		Entry("404", 404, false), Entry("413", 413, false), Entry("422", 422, false),
	)
})

var _ = Describe("plain HTTP", func() {
	It("says when the key would travel in clear text", func() {
		c, err := helicone.NewClient(helicone.WithAPIKey(testKey), helicone.WithBaseURL("http://192.0.2.10:8585"), helicone.WithInsecure())
		Expect(err).NotTo(HaveOccurred())
		Expect(c.SendsKeyInClear()).To(BeTrue())
		c, err = helicone.NewClient(helicone.WithAPIKey(testKey), helicone.WithBaseURL("http://127.0.0.1:8585"))
		Expect(err).NotTo(HaveOccurred())
		Expect(c.SendsKeyInClear()).To(BeFalse())
		c, err = helicone.NewClient(helicone.WithAPIKey(testKey), helicone.WithBaseURL("https://api.helicone.ai"))
		Expect(err).NotTo(HaveOccurred())
		Expect(c.SendsKeyInClear()).To(BeFalse())
	})
})
