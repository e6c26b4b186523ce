package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/heval-dev/heval/internal/textdist"
)

// listFlag collects a repeatable flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	*l = append(*l, v)
	return nil
}

// commandHelp describes a command in `heval help` and in its own help text.
type commandHelp struct {
	name string
	// summary is one line: what the command does.
	summary string
	// synopsis is what follows "heval NAME" in the usage line.
	synopsis string
	// examples are complete command lines.
	examples []string
}

// commandHelps are the commands in the order `heval help` lists them.
var commandHelps = []commandHelp{
	{name: "demo", summary: "run the whole job against a built-in Helicone emulator with demo data", synopsis: "[flags]",
		examples: []string{"heval demo", "heval demo --dry-run --require 'has_citations:pass_rate>=0.5@support/candidate'"}},
	{name: "run", summary: "evaluate a Helicone dataset and its runs, logged requests, an experiment or a local file",
		synopsis: "(--dataset ID|NAME | --filter EXPR... | --experiment ID | --prompt NAME | --jsonl FILE | --parquet FILE) [flags]",
		examples: []string{
			"heval run --dataset support-golden --verify --require 'has_citations:pass_rate>=0.8@candidate'",
			"heval run --filter 'property:Variant=B' --filter 'created>=-24h' --group-by Variant",
			"heval run --jsonl samples.jsonl --dry-run --eval word_count",
		}},
	{name: "serve", summary: "serve the Helicone emulator (demo data, or a seed file) on loopback",
		synopsis: "[--addr HOST:PORT] [--profile current|legacy] [--api-key KEY] [--seed FILE] [--data DIR] [flags]",
		examples: []string{"heval serve --profile legacy", "heval serve --no-demo --seed docs/seed-example.json -v", "heval serve --profile legacy --demo-samples 100000 --write-delay 0 --addr 127.0.0.1:0"}},
	{name: "report", summary: "print the summary of a Parquet file, optionally compared with a baseline",
		synopsis: "FILE.parquet [--baseline OLD.parquet] [--compare BASE:CANDIDATE] [--html FILE] [--markdown FILE]",
		examples: []string{"heval report heval-out/scores.parquet --compare baseline:candidate", "heval report tonight.parquet --baseline last-night.parquet --markdown summary.md"}},
	{name: "merge", summary: "join the reports of several runs or shards into one report set",
		synopsis: "--out DIR RUN_DIR...",
		examples: []string{"heval merge --out heval-merged shard-1 shard-2 shard-3"}},
	{name: "export", summary: "write scores already stored in Helicone to the Parquet schema",
		synopsis: "(--dataset ID|NAME... | --filter EXPR... | --experiment ID...) [--out FILE]",
		examples: []string{"heval export --dataset support-golden --out stored.parquet"}},
	{name: "evals", summary: "list the built-in evaluators and their score keys", synopsis: "",
		examples: []string{"heval evals"}},
	{name: "version", summary: "print heval's version", synopsis: "", examples: []string{"heval version"}},
}

func helpOf(name string) commandHelp {
	for _, h := range commandHelps {
		if h.name == name {
			return h
		}
	}
	return commandHelp{name: name}
}

// usageLine is the one-line usage of a command.
func (h commandHelp) usageLine() string {
	return strings.TrimSpace("heval " + h.name + " " + h.synopsis)
}

// flagSet is a command's flags with its help.
type flagSet struct {
	*flag.FlagSet
	help commandHelp
	out  io.Writer
}

// newFlagSet returns the flag set of the command name: its errors are returned, never
// printed, and -h prints the command's help to s.out.
func newFlagSet(s stdio, name string) *flagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return &flagSet{FlagSet: fs, help: helpOf(name), out: s.out}
}

// parse parses args: -h prints the help and returns errHelp; a mistake is a usage error
// that says what is wrong, suggests the nearest flag and ends with the one-line usage.
func (fs *flagSet) parse(args []string) error {
	err := fs.FlagSet.Parse(args)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, flag.ErrHelp):
		fs.printHelp(fs.out)
		return errHelp
	}
	return usagef("%s: %s\nusage: %s ('heval %s -h' lists every flag)", fs.Name(), fs.explain(err), fs.help.usageLine(), fs.Name())
}

var (
	undefinedFlag = regexp.MustCompile(`^flag provided but not defined: -+(.*)$`)
	missingValue  = regexp.MustCompile(`^flag needs an argument: -+(.*)$`)
	invalidValue  = regexp.MustCompile(`^invalid (?:boolean )?value "(.*)" for (?:flag )?-+([^:]*): (.*)$`)
)

// explain rewrites an error of package flag for people.
func (fs *flagSet) explain(err error) string {
	msg := err.Error()
	if m := undefinedFlag.FindStringSubmatch(msg); m != nil {
		name := m[1]
		var names []string
		fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
		out := "unknown flag --" + name
		if near := textdist.Nearest(name, names); near != "" {
			return out + " (did you mean --" + near + "?)"
		}
		if fs.Name() != "run" && slices.Contains(runFlagNames(), name) {
			return out + fmt.Sprintf(": --%s is a flag of heval run; heval %s takes only its own flags", name, fs.Name())
		}
		return out
	}
	if m := missingValue.FindStringSubmatch(msg); m != nil {
		f := fs.Lookup(m[1])
		if f == nil {
			return msg
		}
		placeholder, _ := flag.UnquoteUsage(f)
		return fmt.Sprintf("--%s needs a value: --%s %s", f.Name, f.Name, placeholder)
	}
	if m := invalidValue.FindStringSubmatch(msg); m != nil {
		f := fs.Lookup(m[2])
		if f == nil {
			return msg
		}
		why := m[3]
		if g, ok := f.Value.(flag.Getter); ok {
			switch g.Get().(type) {
			case bool:
				why = fmt.Sprintf("write --%s alone, or --%s=true or --%s=false", f.Name, f.Name, f.Name)
			case int, int64, uint, uint64:
				why = "not a whole number"
			case float64:
				why = "not a number"
			case time.Duration:
				why = "not a duration such as 500ms, 2s or 5m"
			}
		}
		return fmt.Sprintf("--%s %s: %s", f.Name, m[1], why)
	}
	return msg
}

// runFlagNames are the flags of `heval run`, to tell a user who gives one to another
// command where it belongs.
func runFlagNames() []string {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	var sf sourceFlags
	sf.register(fs)
	var jf jobFlags
	jf.register(fs, "pro")
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	return names
}

// helpWidth is the width the help texts are wrapped to.
const helpWidth = 100

// printHelp writes the command's help: what it does, its usage, examples and flags.
func (fs *flagSet) printHelp(w io.Writer) {
	h := fs.help
	var b strings.Builder
	fmt.Fprintf(&b, "heval %s: %s\n\nUsage:\n  %s\n", h.name, h.summary, h.usageLine())
	if len(h.examples) > 0 {
		b.WriteString("\nExamples:\n")
		for _, e := range h.examples {
			b.WriteString("  " + e + "\n")
		}
	}
	first := true
	fs.VisitAll(func(f *flag.Flag) {
		if first {
			b.WriteString("\nFlags:\n")
			first = false
		}
		placeholder, usage := flag.UnquoteUsage(f)
		line := "  --" + f.Name
		if placeholder != "" {
			line += " " + placeholder
		}
		b.WriteString(line + "\n")
		words := strings.Fields(usage)
		if def := defaultText(f); def != "" {
			words = append(words, "(default "+def+")") // kept on one line
		}
		b.WriteString(wrapWords(words, "      ", helpWidth))
	})
	_, _ = io.WriteString(w, b.String())
}

// defaultText is the flag's default as the help shows it, "" for a zero default.
func defaultText(f *flag.Flag) string {
	switch f.DefValue {
	case "", "0", "false", "0s", "[]":
		return ""
	}
	if g, ok := f.Value.(flag.Getter); ok {
		if _, isString := g.Get().(string); isString {
			return fmt.Sprintf("%q", f.DefValue)
		}
	}
	return f.DefValue
}

// wrap breaks text into lines of at most width columns, each starting with indent.
func wrap(text, indent string, width int) string {
	return wrapWords(strings.Fields(text), indent, width)
}

// wrapWords is wrap of text already split into the words that may not be broken.
func wrapWords(words []string, indent string, width int) string {
	var b strings.Builder
	line, n := indent, utf8.RuneCountInString(indent)
	empty := true
	for _, word := range words {
		wn := utf8.RuneCountInString(word)
		if !empty && n+1+wn > width {
			b.WriteString(line + "\n")
			line, n, empty = indent, utf8.RuneCountInString(indent), true
		}
		if !empty {
			line += " "
			n++
		}
		line += word
		n += wn
		empty = false
	}
	if !empty {
		b.WriteString(line + "\n")
	}
	return b.String()
}
