package helicone_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/helicone"
)

// echoKey answers with status and a body that repeats the Authorization header.
func echoKey(status int, shape string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		reply(status, fmt.Sprintf(shape, r.Header.Get("Authorization")), "X-Echo", r.Header.Get("Authorization"))(w, r)
	}
}

var _ = Describe("the API key", func() {
	failures := map[string]http.HandlerFunc{
		"401 echo":          echoKey(401, `{"error":"No API key found: %s"}`),
		"422 echo details":  echoKey(422, `{"message":"Validation Failed","details":{"%s":{"message":"bad"}}}`),
		"500 echo message":  echoKey(500, `{"message":"%s","details":"x"}`),
		"500 echo non-json": echoKey(500, `<html>%s</html>`),
		"502 long echo":     echoKey(502, strings.Repeat("x", 190)+`%s`),
		"429 echo":          echoKey(429, `{"error":"%s"}`),
		"200 envelope echo": echoKey(200, `{"data":null,"error":"%s"}`),
		"200 bad shape":     echoKey(200, `{"data":{"k":"%s"},"error":null}`),
		"200 not json":      echoKey(200, `not json %s`),
		"truncated": func(w http.ResponseWriter, r *http.Request) {
			truncated(200, `{"data":"`+r.Header.Get("Authorization"))(w, r)
		},
		"hang up": hangup(),
		"slow":    func(w http.ResponseWriter, r *http.Request) { time.Sleep(50 * time.Millisecond) },
	}

	It("never appears in an error, an observed attempt or a log line", func() {
		var log strings.Builder
		for name, h := range failures {
			s := newScript(h)
			var obs attempts
			c := newClient(s, helicone.WithObserver(obs.observe), helicone.WithLogger(newTextLogger(&log)),
				helicone.WithHTTPClient(&http.Client{Timeout: 20 * time.Millisecond}))
			var errs []error
			_, err := c.AddScores(ctx, reqID, helicone.Scores{"a": helicone.Int(1)})
			errs = append(errs, err)
			_, err = c.GetExperimentScore(ctx, expID, reqID, "a")
			errs = append(errs, err)
			_, err = c.QueryExperiments(ctx, helicone.ExperimentQuery{})
			errs = append(errs, err)
			_, err = queryRows(c, helicone.RequestQuery{Limit: 5})
			errs = append(errs, err)
			for _, err := range c.Requests(ctx, helicone.RequestQuery{Filter: helicone.All(), Limit: 5}) {
				errs = append(errs, err)
			}
			cctx, cancel := context.WithTimeout(ctx, time.Millisecond)
			_, err = c.AddScores(cctx, reqID, helicone.Scores{"a": helicone.Int(1)})
			cancel()
			errs = append(errs, err)
			for _, a := range obs.all() {
				errs = append(errs, a.Err)
			}
			failed := 0
			for _, err := range errs {
				if err == nil {
					continue
				}
				failed++
				Expect(err.Error()).NotTo(ContainSubstring(testKey), name)
				Expect(fmt.Sprintf("%+v %#v", err, err)).NotTo(ContainSubstring(testKey), name)
			}
			Expect(failed).To(BeNumerically(">", 4), name)
		}
		Expect(log.String()).NotTo(BeEmpty())
		Expect(log.String()).NotTo(ContainSubstring(testKey))
	})

	It("is kept out of client construction errors", func() {
		_, err := helicone.NewClient(helicone.WithAPIKey(testKey), helicone.WithBaseURL("http://helicone.example.com"))
		Expect(err).To(HaveOccurred())
		Expect(err.Error()).NotTo(ContainSubstring(testKey))
	})
})

var _ = Describe("the redactor", func() {
	const key = "sk-helicone-s3cr3t9-k3y0000-abcdefg-recognisable"
	r := helicone.NewRedactor(key)

	DescribeTable("removes the key and every long run of its secret part, whatever the case",
		func(text string) {
			got := r.String(text)
			Expect(got).To(ContainSubstring(helicone.Redacted))
			low := strings.ToLower(got)
			secret := strings.TrimPrefix(key, "sk-helicone-")
			for i := 0; i+helicone.MinSecretRun <= len(secret); i++ {
				Expect(low).NotTo(ContainSubstring(secret[i:i+helicone.MinSecretRun]), "left %q in %q", secret[i:i+helicone.MinSecretRun], got)
			}
		},
		Entry("the whole key", "No API key found: "+key),
		Entry("without its last characters", "bad key sk-helicone-s3cr3t9-k3y0000-abcdefg-recogn…"),
		Entry("upper-cased", "KEY="+strings.ToUpper(key)),
		Entry("split over two lines", "key: sk-helicone-s3cr3t9-k3y0\n000-abcdefg-recognisable"),
		Entry("the secret part only", "token s3cr3t9-k3y0000-abcdefg"),
		Entry("inside JSON", `{"error":"`+key+`","trace":"isAuthenticated.error"}`),
	)

	It("leaves ordinary text and short coincidences alone", func() {
		for _, s := range []string{"score write failed: 500 Internal Server Error", "k3y0000", "recognis", ""} {
			if len(s) < helicone.MinSecretRun {
				Expect(r.String(s)).To(Equal(s))
			}
		}
		Expect(r.String("score write failed: 500 Internal Server Error")).To(Equal("score write failed: 500 Internal Server Error"))
		var none *helicone.Redactor
		Expect(none.String(key)).To(Equal(key))
	})
})
