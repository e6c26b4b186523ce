package helicone

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"time"
)

// Timeouts bound the phases of one HTTP attempt instead of the whole call, so that an
// answer of any size downloads as long as bytes keep coming. A zero field takes its
// default.
type Timeouts struct {
	// Dial bounds connecting, TLS handshake included (default 10 s). It applies to the
	// client's own transport, not to one given with [WithHTTPClient].
	Dial time.Duration
	// Header bounds the wait from sending the request to the answer's headers (default
	// 60 s): the server's own work, such as a query over many requests.
	Header time.Duration
	// Idle bounds the wait for each read of the answer's body (default 60 s); the time
	// between reads, while the caller handles what it has read, does not count.
	Idle time.Duration
}

// The default phase timeouts.
const (
	DefaultDialTimeout   = 10 * time.Second
	DefaultHeaderTimeout = 60 * time.Second
	DefaultIdleTimeout   = 60 * time.Second
)

func (t Timeouts) withDefaults() Timeouts {
	if t.Dial <= 0 {
		t.Dial = DefaultDialTimeout
	}
	if t.Header <= 0 {
		t.Header = DefaultHeaderTimeout
	}
	if t.Idle <= 0 {
		t.Idle = DefaultIdleTimeout
	}
	return t
}

// WithTimeouts sets the phase timeouts of every HTTP attempt (see [Timeouts]).
func WithTimeouts(t Timeouts) Option {
	return func(c *Client) error { c.timeouts = t.withDefaults(); return nil }
}

// idleConnsPerHost is how many idle connections to the server the client's own transport
// keeps for reuse: more than the calls a run makes at once (its score writers, verifiers
// and request-query pages), so that each call reuses a connection instead of opening one
// and leaving it in TIME_WAIT, which net/http's default of two does past two callers.
const idleConnsPerHost = 64

// defaultHTTPClient is the client's own: per-phase timeouts, no timeout of the whole call,
// connections kept alive for every concurrent caller.
func (c *Client) defaultHTTPClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = max(tr.MaxIdleConns, 2*idleConnsPerHost)
	tr.MaxIdleConnsPerHost = idleConnsPerHost
	tr.DialContext = (&net.Dialer{Timeout: c.timeouts.Dial, KeepAlive: 30 * time.Second}).DialContext
	tr.TLSHandshakeTimeout = c.timeouts.Dial
	return &http.Client{Transport: tr, CheckRedirect: c.checkRedirect}
}

// PhaseTimeoutError is the cause of an attempt abandoned because one of its phases took
// longer than its [Timeouts] allow. The attempt is retried as any transport error is.
type PhaseTimeoutError struct {
	// Phase is "headers" (no answer yet) or "body" (the answer stalled).
	Phase   string
	Timeout time.Duration
}

func (e *PhaseTimeoutError) Error() string {
	if e.Phase == "body" {
		return fmt.Sprintf("the answer stalled: no data for %s (the idle timeout; raise it with helicone.WithTimeouts)", e.Timeout)
	}
	return fmt.Sprintf("no answer within %s of sending the request (the header timeout; raise it with helicone.WithTimeouts)", e.Timeout)
}

// send performs req with the phase timeouts: the headers must arrive within Header, and
// then each read of the body must return within Idle. The returned body must be closed.
// One timer serves both phases.
func (c *Client) send(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithCancelCause(req.Context())
	to := c.timeouts.withDefaults()
	b := &idleBody{ctx: ctx, cancel: cancel, idle: to.Idle,
		phases: [2]PhaseTimeoutError{{Phase: "headers", Timeout: to.Header}, {Phase: "body", Timeout: to.Idle}}}
	b.phase.Store(&b.phases[0])
	b.timer = time.AfterFunc(to.Header, func() { cancel(b.phase.Load()) })
	resp, err := c.http.Do(req.WithContext(ctx))
	b.timer.Stop()
	if err != nil {
		var pt *PhaseTimeoutError
		if errors.As(context.Cause(ctx), &pt) && req.Context().Err() == nil {
			err = pt
		}
		cancel(nil)
		return nil, err
	}
	b.phase.Store(&b.phases[1])
	b.rc = resp.Body
	b.timer.Reset(to.Idle)
	resp.Body = b
	return resp, nil
}

// idleBody cancels its request when no read returns within idle.
type idleBody struct {
	rc     io.ReadCloser
	ctx    context.Context
	cancel context.CancelCauseFunc
	timer  *time.Timer
	idle   time.Duration
	// phase is the cause the timer cancels with: one of phases.
	phase  atomic.Pointer[PhaseTimeoutError]
	phases [2]PhaseTimeoutError
}

func (b *idleBody) Read(p []byte) (int, error) {
	// Only the wait inside a read counts: a reader that hands each part of a streamed
	// answer on before reading the next may take its time between reads.
	b.timer.Reset(b.idle)
	n, err := b.rc.Read(p)
	b.timer.Stop()
	if err != nil && err != io.EOF {
		var pt *PhaseTimeoutError
		if errors.As(context.Cause(b.ctx), &pt) {
			return n, pt
		}
	}
	return n, err
}

func (b *idleBody) Close() error {
	b.timer.Stop()
	err := b.rc.Close()
	b.cancel(nil)
	return err
}
