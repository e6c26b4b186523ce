package judge

import (
	"fmt"
	"strings"
	"sync"

	"github.com/heval-dev/heval"
	"github.com/heval-dev/heval/evals"
)

// Entry returns the catalog entry "judge" (spec judge=RUBRIC, a ready-made rubric's name)
// for [evals.NewRegistry], next to [evals.Builtin]:
//
//	reg := evals.NewRegistry(append(evals.Builtin(), judge.Entry())...)
//	name, f, err := reg.Lookup("judge=accuracy")
//
// The evaluators one entry builds share one [LLM], configured from the environment and
// opts when the entry builds its first evaluator, so that several rubrics of one run
// share one rate budget, cache and [Stats].
func Entry(opts ...Option) evals.CatalogEntry {
	shared := sync.OnceValue(func() *LLM { return New(opts...) })
	return evals.CatalogEntry{
		Name: "judge", Arg: "RUBRIC", ArgRequired: true, Network: true,
		Doc:  "LLM judge on a ready-made rubric (accuracy, relevance, helpfulness, faithfulness, safety), configured by HEVAL_JUDGE_BASE_URL, HEVAL_JUDGE_API_KEY and HEVAL_JUDGE_MODEL.",
		Keys: []evals.KeyInfo{{Key: "judge", Type: "int", Range: "0–100"}},
		Build: func(arg string) (heval.Func, error) {
			r, ok := RubricNamed(strings.TrimSpace(arg))
			if !ok {
				var names []string
				for _, r := range Rubrics() {
					names = append(names, r.Name)
				}
				return nil, fmt.Errorf("no rubric %q; choose one of %s", arg, strings.Join(names, ", "))
			}
			return shared().Func(r), nil
		},
	}
}
