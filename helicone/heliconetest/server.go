package heliconetest

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// Server is an emulated Helicone API listening on a random loopback port, in the style of
// httptest.Server. Its embedded [Handler] seeds, injects faults and inspects.
type Server struct {
	*Handler
	// URL is the base URL, "http://127.0.0.1:<port>", to give to a client.
	URL string
	// APIKey is a key of the default organization.
	APIKey string
	// Listener is the server's listener.
	Listener net.Listener

	srv  *http.Server
	done chan struct{}
}

// NewServer starts an emulator on 127.0.0.1 with a random port. It panics when the
// options are invalid (an unreadable seed file, a seed that contradicts itself, an
// unusable data directory) or no port is free; use [StartServer] to get an error instead.
// Call Close when done.
func NewServer(opts ...Option) *Server {
	s, err := StartServer("127.0.0.1:0", opts...)
	if err != nil {
		panic(err)
	}
	return s
}

// StartServer starts an emulator listening on addr (for example "127.0.0.1:8585").
func StartServer(addr string, opts ...Option) (*Server, error) {
	h, err := NewHandler(opts...)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		h.Close()
		return nil, fmt.Errorf("heliconetest: listening on %s: %w", addr, err)
	}
	s := &Server{
		Handler:  h,
		URL:      "http://" + ln.Addr().String(),
		APIKey:   h.DefaultAPIKey(),
		Listener: ln,
		srv: &http.Server{
			Handler:           h,
			ReadHeaderTimeout: 10 * time.Second,
			MaxHeaderBytes:    64 << 10,
			ErrorLog:          nil,
		},
		done: make(chan struct{}),
	}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			h.cfg.logger.Error("helicone emulator: serving stopped", "error", err)
		}
	}()
	return s, nil
}

// Close stops the server, closes every connection and the durable store.
func (s *Server) Close() {
	_ = s.srv.Close()
	<-s.done
	_ = s.Handler.Close()
}
