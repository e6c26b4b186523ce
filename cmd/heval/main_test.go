package main

import (
	"context"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/heval-dev/heval/helicone/heliconetest"
	"github.com/heval-dev/heval/helicone/heliconetest/demo"
	"github.com/heval-dev/heval/internal/testutil"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"heval": func() {
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			code := Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
			stop()
			os.Exit(code)
		},
	})
}

func TestCLI(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "heval CLI")
}

// waitServe is the script command "waitserve ADDR": it waits until a server answers HTTP
// on ADDR (a background `heval serve` has started), for at most 30 seconds.
func waitServe(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: waitserve ADDR")
	}
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := client.Get("http://" + args[0] + "/")
		if err == nil {
			resp.Body.Close()
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("no server answered on %s within 30s: %v", args[0], err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// ginkgoT runs one testscript script inside a Ginkgo spec.
type ginkgoT struct{ t FullGinkgoTInterface }

func (g ginkgoT) Skip(args ...any)  { g.t.Fatal(append([]any{"scripts may not skip:"}, args...)...) }
func (g ginkgoT) Fatal(args ...any) { g.t.Fatal(args...) }
func (g ginkgoT) Parallel()         {}
func (g ginkgoT) Log(args ...any)   { g.t.Log(args...) }
func (g ginkgoT) FailNow()          { g.t.FailNow() }
func (g ginkgoT) Verbose() bool     { return false }
func (g ginkgoT) Run(_ string, f func(testscript.T)) {
	f(g)
}

var _ = Describe("script tests", func() {
	scripts, _ := filepath.Glob("testdata/script/*.txtar")
	entries := []TableEntry{}
	for _, s := range scripts {
		entries = append(entries, Entry(strings.TrimSuffix(filepath.Base(s), ".txtar"), s))
	}
	It("has scripts", func() { Expect(scripts).NotTo(BeEmpty()) })
	DescribeTable("testdata/script", func(file string) {
		testscript.RunT(ginkgoT{GinkgoT()}, testscript.Params{
			Files:         []string{file},
			UpdateScripts: testutil.Updating(),
			Cmds:          map[string]func(ts *testscript.TestScript, neg bool, args []string){"emulator": emulatorCmd, "waitserve": waitServe},
			Setup: func(env *testscript.Env) error {
				env.Setenv("HELICONE_API_KEY", "")
				env.Setenv("HELICONE_BASE_URL", "")
				env.Setenv("GITHUB_STEP_SUMMARY", "")
				// A loopback address free now, for a script's background heval serve.
				env.Setenv("SERVE_ADDR", freeAddr())
				return nil
			},
		})
	}, entries)
})

// emulatorCmd is the script command "emulator current|legacy [write-delay]": it starts the
// Helicone emulator with the demo data in the test process, playing that profile, sets
// HELICONE_BASE_URL and HELICONE_API_KEY for the commands after it, and stops it when the
// script ends.
func emulatorCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: emulator current|legacy [WRITE_DELAY]")
	}
	p, err := heliconetest.ParseProfile(args[0])
	ts.Check(err)
	delay := time.Duration(0)
	if len(args) == 2 {
		delay, err = time.ParseDuration(args[1])
		ts.Check(err)
	}
	srv := heliconetest.NewServer(heliconetest.WithProfile(p), heliconetest.WithSeed(demo.Seed()), heliconetest.WithWriteDelay(delay))
	ts.Defer(srv.Close)
	ts.Setenv("HELICONE_BASE_URL", srv.URL)
	ts.Setenv("HELICONE_API_KEY", srv.APIKey)
}
