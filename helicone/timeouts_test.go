package helicone_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/helicone"
)

var _ = Describe("phase timeouts", func() {
	timeouts := helicone.Timeouts{Header: 300 * time.Millisecond, Idle: 150 * time.Millisecond}
	client := func(url string, opts ...helicone.Option) *helicone.Client {
		c, err := helicone.NewClient(append([]helicone.Option{helicone.WithAPIKey(testKey), helicone.WithBaseURL(url), helicone.WithTimeouts(timeouts)}, opts...)...)
		Expect(err).NotTo(HaveOccurred())
		return c
	}

	It("lets an answer that keeps flowing take longer than every timeout together", func() {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var q struct{ Offset int }
			json.NewDecoder(r.Body).Decode(&q)
			w.WriteHeader(201)
			if q.Offset > 0 {
				fmt.Fprint(w, `{"data":[],"error":null}`)
				return
			}
			fmt.Fprint(w, `{"data":[`)
			for i := range 12 { // 12 × 60 ms = 720 ms, more than Header + Idle
				if i > 0 {
					fmt.Fprint(w, ",")
				}
				fmt.Fprintf(w, `{"request_id":"%08x-0000-4000-8000-000000000000"}`, i)
				w.(http.Flusher).Flush()
				time.Sleep(60 * time.Millisecond)
			}
			fmt.Fprint(w, `],"error":null}`)
		}))
		DeferCleanup(srv.Close)
		start := time.Now()
		rows, err := queryRows(client(srv.URL), helicone.RequestQuery{Limit: 100})
		Expect(err).NotTo(HaveOccurred())
		Expect(rows).To(HaveLen(12))
		Expect(time.Since(start)).To(BeNumerically(">", timeouts.Header+timeouts.Idle))
	})

	It("abandons and retries an answer that stalls, saying so", func() {
		var calls atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			w.WriteHeader(201)
			fmt.Fprint(w, `{"data":[`)
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}))
		DeferCleanup(srv.Close)
		_, err := queryRows(client(srv.URL, helicone.WithRetry(helicone.RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond})), helicone.RequestQuery{Limit: 10})
		var pt *helicone.PhaseTimeoutError
		Expect(errors.As(err, &pt)).To(BeTrue(), "%v", err)
		Expect(pt.Phase).To(Equal("body"))
		Expect(err.Error()).To(ContainSubstring("stalled"))
		Expect(calls.Load()).To(Equal(int32(2)))
	})

	It("abandons an attempt whose headers do not come", func() {
		release := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-release:
			}
		}))
		DeferCleanup(srv.Close)
		DeferCleanup(func() { close(release) })
		_, err := client(srv.URL, helicone.WithRetry(helicone.NoRetry())).AddScores(ctx, reqID, helicone.Scores{"a": helicone.Int(1)})
		var pt *helicone.PhaseTimeoutError
		Expect(errors.As(err, &pt)).To(BeTrue(), "%v", err)
		Expect(pt.Phase).To(Equal("headers"))
		Expect(strings.Contains(err.Error(), "no answer within 300ms")).To(BeTrue(), err.Error())
	})
})
