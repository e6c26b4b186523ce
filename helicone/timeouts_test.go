package helicone_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
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

var _ = Describe("the client's own transport", func() {
	It("keeps a connection alive for each of many concurrent callers instead of opening one per call", func() {
		var opened atomic.Int32
		srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(time.Millisecond) // long enough that the callers overlap
			w.WriteHeader(http.StatusCreated)
			fmt.Fprint(w, `{"data":null,"error":null}`)
		}))
		srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
			if s == http.StateNew {
				opened.Add(1)
			}
		}
		srv.Start()
		DeferCleanup(srv.Close)
		c, err := helicone.NewClient(helicone.WithAPIKey(testKey), helicone.WithBaseURL(srv.URL))
		Expect(err).NotTo(HaveOccurred())
		const callers, calls = 16, 40
		var wg sync.WaitGroup
		errs := make(chan error, callers*calls)
		for w := range callers {
			wg.Go(func() {
				for i := range calls {
					id := fmt.Sprintf("%08x-0000-4000-8000-%012x", w, i)
					if _, err := c.AddScores(context.Background(), id, helicone.Scores{"n": helicone.Int(int64(i))}); err != nil {
						errs <- err
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		Expect(errs).To(BeEmpty())
		// About one connection per caller (a connection goes back to the pool just after its
		// answer is read, so a busy machine may open a few more); net/http's default keeps
		// two idle, and the other callers open a new one for nearly every call: hundreds.
		Expect(opened.Load()).To(BeNumerically("<=", 2*callers))
	})
})
