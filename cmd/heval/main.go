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
	"github.com/heval-dev/heval/internal/textdist"
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
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) (code int) {
	red := helicone.NewRedactor(append(flagValues(args, "api-key"), os.Getenv(helicone.EnvAPIKey))...)
	rout, rerr := newRedactingWriter(stdout, red), newRedactingWriter(stderr, red)
	defer rout.Flush()
	defer rerr.Flush()
	stdout, stderr = rout, rerr
	s := stdio{out: stdout, err: stderr, termOut: rout.w, termErr: rerr.w, redact: red}
	stopProfile, err := startCPUProfile(os.Getenv(envCPUProfile))
	if err != nil {
		return exitCode(usagef("%w", err), stderr)
	}
	defer func() {
		if err := stopProfile(); err != nil {
			fmt.Fprintf(stderr, "heval: %v\n", err)
			if code == exitOK {
				code = exitError
			}
		}
	}()
	if len(args) == 0 {
		fmt.Fprint(stderr, usageText())
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
		if len(args) > 1 && name == "help" {
			if cmd, ok := cmds[args[1]]; ok {
				return exitCode(cmd.Run(ctx, []string{"-h"}), stderr)
			}
			return exitCode(unknownCommand(args[1]), stderr)
		}
		fmt.Fprint(stdout, usageText())
		return exitOK
	}
	cmd, ok := cmds[name]
	if !ok {
		return exitCode(unknownCommand(name), stderr)
	}
	return exitCode(cmd.Run(ctx, args[1:]), stderr)
}

// unknownCommand is the usage error for a command heval does not have.
func unknownCommand(name string) error {
	var names []string
	for _, h := range commandHelps {
		names = append(names, h.name)
	}
	msg := fmt.Sprintf("unknown command %q", name)
	if near := textdist.Nearest(name, names); near != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", near)
	}
	return usagef("%s; the commands are %s ('heval help' describes them)", msg, strings.Join(names, ", "))
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
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }

// Unwrap returns the error the message was made from, so that errors.Is sees through it.
func (e *usageError) Unwrap() error { return e.err }

// usagef is a usage error formatted as by fmt.Errorf (%w wraps).
func usagef(format string, a ...any) error { return &usageError{fmt.Errorf(format, a...)} }

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

// usageText is the text of `heval help`.
func usageText() string {
	var cmds strings.Builder
	for _, h := range commandHelps {
		fmt.Fprintf(&cmds, "  %-9s %s\n", h.name, h.summary)
	}
	fmt.Fprintf(&cmds, "  %-9s %s\n", "help", "print this text, or a command's help: heval help run")
	return usageHead + cmds.String() + usageTail
}

const usageHead = `heval evaluates LLM answers logged to Helicone.

Usage:

  heval <command> [flags]

Commands:

`

const usageTail = `
Run 'heval <command> -h' or 'heval help <command>' for a command's flags and examples.

Environment:

  HELICONE_API_KEY    the API key (never printed, logged or written to reports)
  HELICONE_BASE_URL   the API base URL (default https://api.helicone.ai;
                      https://eu.api.helicone.ai for the EU, http://localhost:8585 self-hosted)
  HEVAL_CPUPROFILE    write a CPU profile of the whole heval process to this file, for
                      go tool pprof

Exit codes:

  0    success: every score delivered and every threshold (--require) holds
  1    the run finished but a threshold failed or scores did not land (--verify), or it
       matched no samples (unless --allow-empty)
  2    usage or configuration error (bad flag, missing or refused API key, bad filter, a
       source this Helicone does not serve: --experiment on hosted Helicone)
  3    the run could not finish (server unreachable, experiment not found, I/O error)
  130  interrupted (SIGINT/SIGTERM); what was computed was flushed, rerun with --resume
`
