package heliconetest_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/helicone/heliconetest"
)

var _ = Describe("latency", func() {
	const latency = 150 * time.Millisecond

	It("answers at once by default", func() {
		srv, _ := newServer()
		Expect(srv.Latency()).To(BeZero())
	})

	It("makes every request wait before it is handled, side by side", func() {
		srv, _ := newServer(heliconetest.WithLatency(latency))
		Expect(srv.Latency()).To(Equal(latency))
		start := time.Now()
		var wg sync.WaitGroup
		statuses := make([]int, 8)
		for i := range statuses {
			wg.Go(func() { statuses[i] = score(srv, keyA, reqA1, `{"scores":{"a":1}}`).Status })
		}
		wg.Wait()
		took := time.Since(start)
		Expect(statuses).To(HaveEach(201))
		Expect(took).To(BeNumerically(">=", latency))
		// Eight requests one after another would take eight times as long.
		Expect(took).To(BeNumerically("<", 8*latency))
		Expect(srv.Scores(reqA1)).To(Equal(map[string]int64{"a": 1}))
	})

	It("does not handle a request whose client gave up while it waited", func() {
		srv, _ := newServer(heliconetest.WithLatency(time.Hour))
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/v1/request/"+reqA1+"/score", strings.NewReader(`{"scores":{"a":1}}`))
		Expect(err).NotTo(HaveOccurred())
		req.Header.Set("Authorization", "Bearer "+keyA)
		req.Header.Set("Content-Type", "application/json")
		_, err = httpClient.Do(req)
		Expect(errors.Is(err, context.DeadlineExceeded)).To(BeTrue(), "%v", err)
		Consistently(srv.Log, 200*time.Millisecond, 20*time.Millisecond).Should(BeEmpty())
		Expect(srv.Scores(reqA1)).To(BeEmpty())
	})
})
