package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/heval-dev/heval/helicone"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit codes, documented in `heval help`.
const (
	exitOK          = 0
	exitFailed      = 1
	exitUsage       = 2
	exitError       = 3
	exitInterrupted = 130
)

// command is one subcommand: it parses its own flags from args.
type command interface {
	Run(ctx context.Context, args []string) error
}

// stdio bundles the standard streams of a command.
type stdio struct {
	out, err io.Writer
	// termOut and termErr are the streams themselves, for the progress display and the
	// console summary, which need to know whether they write to a terminal; they carry only
	// counts and already redacted messages.
	termOut, termErr io.Writer
	// redact removes the API keys of the invocation from a message.
	redact *helicone.Redactor
}

// Main runs heval with args (without the program name) and returns the exit code.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	red := helicone.NewRedactor(append(flagValues(args, "api-key"), os.Getenv(helicone.EnvAPIKey))...)
	rout, rerr := newRedactingWriter(stdout, red), newRedactingWriter(stderr, red)
	defer rout.Flush()
	defer rerr.Flush()
	stdout, stderr = rout, rerr
	s := stdio{out: stdout, err: stderr, termOut: rout.w, termErr: rerr.w, redact: red}
	if len(args) == 0 {
		fmt.Fprint(stderr, usageText)
		return exitUsage
	}
	cmds := map[string]command{
		"demo":    &demoCmd{stdio: s},
		"run":     &runCmd{stdio: s},
		"serve":   &serveCmd{stdio: s},
		"report":  &reportCmd{stdio: s},
		"merge":   &mergeCmd{stdio: s},
		"export":  &exportCmd{stdio: s},
		"evals":   &evalsCmd{stdio: s},
		"version": &versionCmd{stdio: s},
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usageText)
		return exitOK
	}
	cmd, ok := cmds[name]
	if !ok {
		fmt.Fprintf(stderr, "heval: unknown command %q\n\n%s", name, usageText)
		return exitUsage
	}
	err := cmd.Run(ctx, args[1:])
	return exitCode(err, stderr)
}

// flagValues returns the values given to the flag name in args (-name V, --name=V, ...).
func flagValues(args []string, name string) []string {
	var out []string
	for i, a := range args {
		f := strings.TrimLeft(a, "-")
		if f == a {
			continue
		}
		if v, ok := strings.CutPrefix(f, name+"="); ok {
			out = append(out, v)
		} else if f == name && i+1 < len(args) {
			out = append(out, args[i+1])
		}
	}
	return out
}

// usageError is a mistake in the command line or configuration (exit 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{fmt.Sprintf(format, a...)} }

// failedError means the run completed but a threshold failed or scores are missing (exit 1).
type failedError struct{ msg string }

func (e *failedError) Error() string { return e.msg }

func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	if errors.Is(err, errHelp) {
		return exitOK
	}
	fmt.Fprintf(stderr, "heval: %v\n", err)
	var ue *usageError
	var fe *failedError
	switch {
	case errors.As(err, &ue):
		return exitUsage
	case errors.As(err, &fe):
		return exitFailed
	case errors.Is(err, context.Canceled), errors.Is(err, errInterrupted):
		return exitInterrupted
	}
	return exitError
}

var (
	errHelp        = errors.New("help requested")
	errInterrupted = errors.New("interrupted")
)

const usageText = `heval evaluates LLM answers logged to Helicone.

Usage:

  heval <command> [flags]

Commands:

  demo      run the whole job against a built-in Helicone emulator with demo data
  run       evaluate a Helicone dataset and its tagged runs, logged requests, an
            experiment (self-hosted Helicone before 2025-10) or a local file
  serve     serve the Helicone emulator (demo data, or a seed file) on loopback
  report    print the summary of a Parquet file, optionally compared with a baseline
  merge     join the Parquet and JUnit files of several runs or shards into one
  export    write scores already stored in Helicone to the Parquet schema
  evals     list the built-in evaluators and their score keys
  version   print heval's version
  help      print this text

Run 'heval <command> -h' for a command's flags.

Environment:

  HELICONE_API_KEY    the API key (never printed, logged or written to reports)
  HELICONE_BASE_URL   the API base URL (default https://api.helicone.ai;
                      https://eu.api.helicone.ai for the EU, http://localhost:8585 self-hosted)

Exit codes:

  0    success: every score delivered and every threshold (--require) holds
  1    the run finished but a threshold failed or scores did not land (--verify)
  2    usage or configuration error (bad flag, missing API key, bad filter, a source
       this Helicone does not serve: --experiment on hosted Helicone)
  3    the run could not finish (server unreachable, experiment not found, I/O error)
  130  interrupted (SIGINT/SIGTERM); what was computed was flushed, rerun with --resume
`
