package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/heval-dev/heval/helicone"
	"github.com/heval-dev/heval/helicone/heliconetest"
	"github.com/heval-dev/heval/helicone/heliconetest/demo"
)

// serveCmd serves the Helicone emulator until interrupted.
type serveCmd struct{ stdio }

func (c *serveCmd) Run(ctx context.Context, args []string) error {
	fs := newFlagSet(c.stdio, "serve")
	addr := fs.String("addr", "127.0.0.1:8585", "`HOST:PORT` to listen on")
	profile := fs.String("profile", string(heliconetest.Current), "the Helicone to play (`PROFILE`): 'current' (hosted Helicone today: Helicone Datasets, runs as property-tagged requests, no experiment query) or 'legacy' (self-hosted before the 2025-10 migration: experiments)")
	key := fs.String("api-key", "", "API `KEY` of the default organization (default: the demo key, or a random one with --no-demo)")
	seed := fs.String("seed", "", "load organizations, requests, experiments and Helicone Datasets from a seed `FILE` (JSON, see helicone/heliconetest and docs/seed-example.json)")
	noDemo := fs.Bool("no-demo", false, "do not load the built-in demo data")
	demoSamples := fs.Int("demo-samples", 0, "instead of the built-in demo data, serve one support-bot demo set of `N` samples (a multiple of 4): N/4 dataset rows with three hypothesis runs each, as an experiment (legacy) or a Helicone Dataset and its tagged runs (current), with no other requests; for benchmarks")
	data := fs.String("data", "", "keep every acknowledged score in `DIR`, so a restart (even after kill -9) keeps them")
	rateLimit := fs.String("rate-limit", "", "enable the per-organization rate limit: `BUDGET/WINDOW` (e.g. 1000/5m) or 'tiers' for the tier budgets")
	writeDelay := fs.Duration("write-delay", heliconetest.DefaultWriteDelay, "apply score writes `DURATION` after acknowledging them, as Helicone's queue does (0: at once)")
	latency := fs.Duration("latency", 0, "make every request wait `DURATION` before it is handled, signed body downloads included: the round trip to hosted Helicone and its storage that loopback lacks (0: at once)")
	deprecated := fs.Bool("deprecated-experiments", false, "answer every valid experiment query with 500 \"Not implemented\": the current profile (kept for old scripts)")
	verbose := fs.Bool("v", false, "log every request on stderr: method, path, status and organization")
	numeric := fs.Bool("numeric-scores", false, "send the Int64 columns of request rows (scores, token counts) as JSON numbers instead of strings, as ClickHouse 25.8 does")
	if err := fs.parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("serve: unexpected argument %q", fs.Arg(0))
	}
	p, err := heliconetest.ParseProfile(*profile)
	if err != nil {
		return usagef("--profile %s: choose current (hosted Helicone today) or legacy (self-hosted, before the 2025-10 migration)", *profile)
	}
	if *deprecated {
		if flagGiven(fs.FlagSet, "profile") && p != heliconetest.Current {
			return usagef("--deprecated-experiments is the current profile; it cannot go with --profile %s", p)
		}
		p = heliconetest.Current
	}
	if *writeDelay < 0 {
		return usagef("--write-delay %s: give a duration of 0 or more", *writeDelay)
	}
	if *latency < 0 {
		return usagef("--latency %s: give a duration of 0 or more", *latency)
	}
	if flagGiven(fs.FlagSet, "demo-samples") {
		switch {
		case *noDemo:
			return usagef("--demo-samples %d serves demo data; it cannot go with --no-demo", *demoSamples)
		case *demoSamples < 4 || *demoSamples%4 != 0:
			return usagef("--demo-samples %d: give a multiple of 4 (each dataset row has three hypothesis runs), at least 4", *demoSamples)
		}
	}
	opts := []heliconetest.Option{heliconetest.WithProfile(p), heliconetest.WithWriteDelay(*writeDelay), heliconetest.WithLatency(*latency)}
	switch {
	case *demoSamples > 0:
		opts = append(opts, heliconetest.WithSeed(demo.Generate(demoSetOptions(*demoSamples))))
	case !*noDemo:
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
	if *numeric {
		opts = append(opts, heliconetest.WithNumericScores())
	}
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelDebug
	}
	opts = append(opts, heliconetest.WithLogger(slog.New(slog.NewTextHandler(c.err, &slog.HandlerOptions{Level: level}))))
	h, err := heliconetest.NewHandler(opts...)
	if err != nil {
		return usagef("serve: %w", err)
	}
	defer h.Close()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("serve: listening on %s: %w", *addr, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(c.out, "HELICONE_BASE_URL=http://%s\nHELICONE_API_KEY=%s\n", ln.Addr(), h.DefaultAPIKey())
	printServed(c.out, h, *writeDelay)
	fmt.Fprintln(c.out, "# serving the Helicone emulator until interrupted (Ctrl-C)")
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	why := "interrupted"
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	case <-parentGone():
		why = "the go run that started it ended"
	}
	defer func() {
		kept := "the scores it held are gone (--data DIR keeps them across restarts)"
		if *data != "" {
			kept = "the scores it acknowledged are kept in " + *data
		}
		fmt.Fprintf(c.out, "# heval serve: stopped (%s) after %d requests; %s\n", why, len(h.Log()), kept)
	}()
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

// demoSetOptions sizes the demo set of --demo-samples n: one support-bot experiment (and its
// Helicone Dataset) of n/4 rows, each answered by three hypotheses, and no plain requests, so
// that a request query matching every request of the organization yields the same n samples.
func demoSetOptions(n int) demo.Options {
	return demo.Options{Experiments: 1, Rows: n / 4, Hypotheses: 3, Requests: -1}
}

// parentGone is closed when heval runs as the child of `go run` and that process ends: go
// run does not pass SIGTERM on (kill $! kills go run alone), so a server started with
// `go run ./cmd/heval serve &` would otherwise keep listening. A heval built with go build
// or go install never stops on its own.
func parentGone() <-chan struct{} {
	gone := make(chan struct{})
	exe, err := os.Executable()
	if err != nil || !isGoRunBinary(exe) {
		return gone
	}
	parent := os.Getppid()
	go func() {
		for range time.Tick(500 * time.Millisecond) {
			if os.Getppid() != parent {
				close(gone)
				return
			}
		}
	}()
	return gone
}

// isGoRunBinary reports whether exe is a binary that `go run` built: one in the go
// command's temporary work directory ($GOTMPDIR/go-buildNNN/b001/exe/heval), or, as go run
// caches the executables it links, one in the build cache ($GOCACHE/5b/5b5b…-d/heval).
func isGoRunBinary(exe string) bool {
	dir := filepath.Dir(exe)
	if filepath.Base(dir) == "exe" && strings.HasPrefix(filepath.Base(filepath.Dir(filepath.Dir(dir))), "go-build") {
		return true
	}
	return cachedExeDir.MatchString(filepath.Base(dir)) && strings.HasPrefix(filepath.Base(dir), filepath.Base(filepath.Dir(dir)))
}

// cachedExeDir is the name of a directory of the build cache that holds an executable.
var cachedExeDir = regexp.MustCompile(`^[0-9a-f]{64}-d$`)

// printServed says which Helicone the emulator plays and what it serves, organization by
// organization: its API keys, and its experiments (legacy) or Helicone Datasets (current).
func printServed(w io.Writer, h *heliconetest.Handler, writeDelay time.Duration) {
	legacy := h.Profile() == heliconetest.Legacy
	if legacy {
		fmt.Fprintln(w, "# profile legacy: a self-hosted Helicone from before the 2025-10 migration (experiments, the v2 score route)")
	} else {
		fmt.Fprintln(w, "# profile current: hosted Helicone today (Helicone Datasets, hypothesis runs as property-tagged requests; the experiment query answers 500 \"Not implemented\")")
	}
	exps, dsets := h.Experiments(), h.Datasets()
	for _, o := range h.Organizations() {
		name := o.ID
		if o.Name != "" {
			name = fmt.Sprintf("%q (%s)", o.Name, o.ID)
		}
		fmt.Fprintf(w, "# organization %s, API keys: %s\n", name, strings.Join(o.Keys, ", "))
		n := 0
		if legacy {
			for _, e := range exps {
				if e.OrgID == o.ID {
					fmt.Fprintf(w, "# experiment %s: %d dataset rows, %d hypotheses\n", e.ID, e.Rows, e.Hypotheses)
					n++
				}
			}
		} else {
			for _, d := range dsets {
				if d.OrgID == o.ID && !d.Deleted {
					fmt.Fprintf(w, "# dataset %s %q: %d rows\n", d.ID, d.Name, d.Rows)
					n++
				}
			}
		}
		if n == 0 {
			what := "Helicone Datasets (the seed's helicone_datasets)"
			if legacy {
				what = "experiments (the seed's experiments)"
			}
			fmt.Fprintf(w, "#   no %s; its logged requests can be judged with --filter\n", what)
		}
	}
	if writeDelay > 0 {
		fmt.Fprintf(w, "# score writes are applied %s after their 201 (--write-delay 0: at once)\n", writeDelay)
	}
	if d := h.Latency(); d > 0 {
		fmt.Fprintf(w, "# every request waits %s before it is handled (--latency)\n", d)
	}
}

// flagGiven reports whether the flag name was given on the command line.
func flagGiven(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
