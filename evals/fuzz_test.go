package evals

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/heval-dev/heval"
)

// naiveDistance is the textbook full-matrix Levenshtein distance.
func naiveDistance(a, b []rune) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+c)
		}
	}
	return d[len(a)][len(b)]
}

func FuzzLevenshtein(f *testing.F) {
	f.Add("kitten", "sitting")
	f.Add("", "abc")
	f.Add("日本語", "日本人")
	f.Add("abab", "baba")
	f.Fuzz(func(t *testing.T, a, b string) {
		ra, rb := []rune(a), []rune(b)
		if len(ra) > 200 || len(rb) > 200 {
			return
		}
		got, err := levenshteinDistance(ra, rb)
		if err != nil {
			t.Fatal(err)
		}
		if want := naiveDistance(ra, rb); got != want {
			t.Fatalf("distance(%q, %q) = %d, want %d", a, b, got, want)
		}
		back, _ := levenshteinDistance(rb, ra)
		if back != got {
			t.Fatalf("not symmetric: %d vs %d", got, back)
		}
		sim, err := levenshteinSimilarity(ra, rb)
		if err != nil || sim < 0 || sim > 100 || (a == b && sim != 100) {
			t.Fatalf("similarity(%q, %q) = %d, %v", a, b, sim, err)
		}
	})
}

func FuzzTextEvaluators(f *testing.F) {
	f.Add("Hello [1] ```x``` # T", "42")
	f.Add("", "")
	f.Add("\xff\xfe", "1,234.5e3")
	f.Fuzz(func(t *testing.T, answer, ref string) {
		body, _ := json.Marshal(answer)
		rb, _ := json.Marshal(ref)
		s := heval.Sample{Body: body, Reference: rb}
		for _, e := range Catalog() {
			if e.Network || e.ArgRequired || strings.HasPrefix(e.Name, "max_") {
				continue
			}
			fn, err := e.Build("")
			if err != nil {
				continue
			}
			sc, err := fn(context.Background(), s)
			if err != nil {
				continue
			}
			for _, en := range sc.Entries() {
				key := en.Key
				if key == "" {
					key = e.Name
				}
				if _, err := heval.Normalize(key, en.Value); err != nil {
					t.Fatalf("%s returned a value Helicone cannot store: %v", e.Name, err)
				}
			}
		}
		if _, ok := firstNumber(answer); ok {
			if _, ok := firstNumber(answer + " tail"); !ok {
				t.Fatal("appending text lost the first number")
			}
		}
	})
}
