package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/heval-dev/heval/helicone"
	"github.com/heval-dev/heval/helicone/heliconetest"
	"github.com/heval-dev/heval/helicone/heliconetest/demo"
)

// serveCmd serves the Helicone emulator until interrupted.
type serveCmd struct{ stdio }

func (c *serveCmd) Run(ctx context.Context, args []string) error {
	fs := newFlagSet("serve", "[--addr 127.0.0.1:8585] [--api-key KEY] [--seed FILE] [--data DIR] [flags]", c.err)
	addr := fs.String("addr", "127.0.0.1:8585", "address to listen on")
	key := fs.String("api-key", "", "API key of the default organization (default: the demo key, or a random one with --no-demo)")
	seed := fs.String("seed", "", "load organizations, requests and experiments from a seed `FILE` (JSON, see helicone/heliconetest)")
	noDemo := fs.Bool("no-demo", false, "do not load the built-in demo data")
	data := fs.String("data", "", "keep every acknowledged score in `DIR`, so a restart (even after kill -9) keeps them")
	rateLimit := fs.String("rate-limit", "", "enable the per-organization rate limit: `BUDGET/WINDOW` (e.g. 1000/5m) or 'tiers' for the tier budgets")
	writeDelay := fs.Duration("write-delay", 0, "store score writes this long after acknowledging them, as hosted Helicone does")
	deprecated := fs.Bool("deprecated-experiments", false, "answer every experiment query with 500 \"Not implemented\", as hosted Helicone may")
	numeric := fs.Bool("numeric-scores", false, "send request-query score values as JSON numbers instead of strings")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("serve: unexpected argument %q", fs.Arg(0))
	}
	var opts []heliconetest.Option
	if !*noDemo {
		opts = append(opts, heliconetest.WithSeed(demo.Seed()))
	}
	if *seed != "" {
		opts = append(opts, heliconetest.WithSeedFile(*seed))
	}
	if *key != "" {
		opts = append(opts, heliconetest.WithAPIKey(*key))
	}
	if *data != "" {
		opts = append(opts, heliconetest.WithDataDir(*data))
	}
	switch *rateLimit {
	case "":
	case "tiers":
		opts = append(opts, heliconetest.WithTierRateLimits())
	default:
		r, err := helicone.ParseRate(*rateLimit)
		if err != nil || r.IsUnlimited() {
			return usagef("--rate-limit %s: write a budget such as 1000/5m or 600/m, a tier (free, pro, enterprise), or 'tiers' for every organization's tier budget", *rateLimit)
		}
		opts = append(opts, heliconetest.WithRateLimit(r.Window, r.Requests))
	}
	if *writeDelay > 0 {
		opts = append(opts, heliconetest.WithWriteDelay(*writeDelay))
	}
	if *deprecated {
		opts = append(opts, heliconetest.WithExperimentsDeprecated())
	}
	if *numeric {
		opts = append(opts, heliconetest.WithNumericScores())
	}
	opts = append(opts, heliconetest.WithLogger(slog.New(slog.NewTextHandler(c.err, &slog.HandlerOptions{Level: slog.LevelWarn}))))
	h, err := heliconetest.NewHandler(opts...)
	if err != nil {
		return usagef("serve: %v", err)
	}
	defer h.Close()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("serve: listening on %s: %w", *addr, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(c.out, "HELICONE_BASE_URL=http://%s\nHELICONE_API_KEY=%s\n", ln.Addr(), h.DefaultAPIKey())
	if !*noDemo {
		for _, id := range demo.ExperimentIDs() {
			fmt.Fprintf(c.out, "# demo experiment %s\n", id)
		}
	}
	fmt.Fprintln(c.out, "# serving the Helicone emulator until interrupted (Ctrl-C)")
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// Let answers under way finish, briefly. Connections a client opened but never used
	// count as busy for a few seconds in net/http's Shutdown, so after the grace period the
	// rest are closed: every acknowledged score is already stored.
	shut, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := srv.Shutdown(shut); err != nil && !errors.Is(err, http.ErrServerClosed) {
		if !errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		if err := srv.Close(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	return nil
}
