package judge_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"

	"github.com/heval-dev/heval"
	"github.com/heval-dev/heval/evals/judge"
	"github.com/heval-dev/heval/evals/judge/judgetest"
)

func ExampleNew() {
	// A fake OpenAI-compatible server; use a real base URL, key and model in practice.
	srv := judgetest.NewServer(judgetest.Options{})
	defer srv.Close()
	dir, _ := os.MkdirTemp("", "judge-cache")
	defer os.RemoveAll(dir)

	j, err := judge.New(judge.WithBaseURL(srv.URL), judge.WithModel("judge"), judge.WithCacheDir(dir))
	if err != nil {
		fmt.Println(err) // for example: no API key and no base URL
		return
	}
	accuracy := j.Func(judge.Accuracy())
	body, _ := json.Marshal("Paris is the capital of France.")
	ref, _ := json.Marshal("Paris")
	s := heval.Sample{Body: body, Reference: ref}

	ctx := context.Background()
	first, _ := accuracy(ctx, s)
	second, _ := accuracy(ctx, s) // from the disk cache
	v := first.Entries()[0].Value.(int64)
	fmt.Println(v >= 0 && v <= 100, second.Entries()[0].Value == v)
	st := j.Stats()
	fmt.Println(st.Calls, st.CacheHits, st.CompletionTokens)
	// Output:
	// true true
	// 1 1 20
}

func ExampleCustomRubric() {
	tone := judge.CustomRubric("tone", "Is the tone friendly and professional? 5: very; 0: rude.", 5)
	fmt.Println(tone.Name, tone.Min, tone.Max)
	keys := []string{}
	for _, r := range judge.Rubrics() {
		keys = append(keys, r.Name)
	}
	sort.Strings(keys)
	fmt.Println(keys)
	// Output:
	// tone 0 5
	// [accuracy faithfulness helpfulness relevance safety]
}
