package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

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

func (c *evalsCmd) Run(_ context.Context, args []string) error {
	fs := newFlagSet(c.stdio, "evals")
	if err := fs.parse(args); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(c.out, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "EVALUATOR\tARGUMENT\tSCORE KEYS\tDESCRIPTION")
	for _, e := range evaluatorRegistry().Catalog() {
		var keys []string
		for _, k := range e.Keys {
			s := k.Key + " (" + k.Type
			if k.Range != "" {
				s += " " + k.Range
			}
			keys = append(keys, s+")")
		}
		arg := e.Arg
		if arg == "" {
			arg = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", e.Name, arg, strings.Join(keys, ", "), firstSentence(e.Doc))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(c.out, "\nUse one with 'heval run --eval NAME[=ARG]' (repeatable); 'alias:NAME=ARG' renames its score key.")
	return err
}

func firstSentence(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if i := strings.Index(s, ". "); i >= 0 {
		return s[:i+1]
	}
	return s
}
