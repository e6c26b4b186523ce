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
// The evaluators one entry builds share one [LLM], configured by opts and the environment
// (see [New]) when the entry builds its first evaluator, so that several rubrics of one
// run share one rate budget, cache and [Stats]. A judge that cannot be configured (no API
// key and no base URL, for example) fails the lookup with [New]'s error, so that a command
// line naming the judge is a usage error before any sample is judged.
func Entry(opts ...Option) evals.CatalogEntry {
	shared := sync.OnceValues(func() (*LLM, error) { return New(opts...) })
	return evals.CatalogEntry{
		Name: "judge", Arg: "RUBRIC", ArgRequired: true, Network: true,
		Doc:  "LLM judge on a ready-made rubric (accuracy, relevance, helpfulness, faithfulness, safety), configured by HEVAL_JUDGE_BASE_URL, HEVAL_JUDGE_API_KEY and HEVAL_JUDGE_MODEL.",
		Keys: []evals.KeyInfo{{Key: "judge", Type: "int", Range: "0–100", Direction: heval.HigherIsBetter}},
		Build: func(arg string) (heval.Func, error) {
			r, ok := RubricNamed(strings.TrimSpace(arg))
			if !ok {
				var names []string
				for _, r := range Rubrics() {
					names = append(names, r.Name)
				}
				return nil, fmt.Errorf("no rubric %q; choose one of %s", arg, strings.Join(names, ", "))
			}
			j, err := shared()
			if err != nil {
				return nil, err
			}
			return j.Func(r), nil
		},
	}
}
