package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/heval-dev/heval"
	"github.com/heval-dev/heval/evals"
	"github.com/heval-dev/heval/evals/judge"
)

// evaluatorRegistry is what --eval looks up and `heval evals` lists: the built-in
// evaluators of package evals and the LLM judge. Each call builds a new registry, so a
// judge it builds is configured from the environment of that run.
func evaluatorRegistry() *evals.Registry {
	return evals.NewRegistry(append(evals.Builtin(), judge.Entry())...)
}

// evalsCmd lists the built-in evaluators that `heval run --eval NAME[=ARG]` accepts.
type evalsCmd struct{ stdio }

// evalsNameWidth is the width of the column of evaluator names and arguments.
const evalsNameWidth = 34

func (c *evalsCmd) Run(_ context.Context, args []string) error {
	fs := newFlagSet(c.stdio, "evals")
	if err := fs.parse(args); err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-*s%s\n", evalsNameWidth, "EVALUATOR [ARGUMENT]", "SCORE KEYS")
	for _, e := range evaluatorRegistry().Catalog() {
		var keys []string
		for _, k := range e.Keys {
			s := k.Key + " (" + k.Type
			if k.Range != "" {
				s += " " + k.Range
			}
			switch k.Direction {
			case heval.LowerIsBetter:
				s += ", lower is better"
			case heval.Neutral:
				s += ", neutral"
			}
			keys = append(keys, s+")")
		}
		if slices.Contains(defaultEvals, e.Name) {
			keys[len(keys)-1] += " [default]"
		}
		name := e.Name
		if e.Arg != "" {
			name += " " + e.Arg
		}
		pad := evalsNameWidth - utf8.RuneCountInString(name)
		if pad < 2 {
			b.WriteString(name + "\n")
			pad = evalsNameWidth
		}
		line := wrapWords(strings.Fields(strings.Join(keys, ", ")), strings.Repeat(" ", evalsNameWidth), helpWidth)
		if pad == evalsNameWidth {
			b.WriteString(line)
		} else {
			b.WriteString(name + strings.Repeat(" ", pad) + strings.TrimLeft(line, " "))
		}
		b.WriteString(wrap(firstSentence(e.Doc), "    ", helpWidth))
	}
	b.WriteString("\n" + wrap("[default] marks the six checks 'heval run' runs without --eval, with the keys of seed_checks. Use one with 'heval run --eval NAME[=ARG]' (repeatable); 'alias:NAME=ARG' renames its score key.", "", helpWidth))
	_, err := fmt.Fprint(c.out, b.String())
	return err
}

func firstSentence(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if i := strings.Index(s, ". "); i >= 0 {
		return s[:i+1]
	}
	return s
}
