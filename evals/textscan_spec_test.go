package evals_test

import (
	"math/rand/v2"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/evals"
)

var _ = Describe("the fast text scanners", func() {
	It("decide Markdown exactly as the reference regular expression does", func() {
		check := func(s string) {
			Expect(evals.ContainsMarkdownScan(s)).To(Equal(evals.MarkdownReference.MatchString(s)), "text %q", s)
		}
		for _, s := range evals.MarkdownSamples {
			check(s)
		}
		// Random short texts over the characters the constructs are made of.
		pieces := []string{" ", "\t", "\n", "\r", "\f", "#", "*", "_", "-", "+", ">", "|", "[", "]",
			"(", ")", "`", "~", ".", "1", "9", "a", "Z", "é", "\xff", "\u00a0"}
		rng := rand.New(rand.NewPCG(1, 2))
		var sb strings.Builder
		for range 200_000 {
			sb.Reset()
			for range rng.IntN(12) {
				sb.WriteString(pieces[rng.IntN(len(pieces))])
			}
			if evals.ContainsMarkdownScan(sb.String()) != evals.MarkdownReference.MatchString(sb.String()) {
				check(sb.String())
			}
		}
	})

	It("find citations exactly as the reference regular expression does", func() {
		for _, s := range append(evals.MarkdownSamples, "[1]", "[]", "[12a]", "see [3", "(2024)", "(202)", "(20245)", "((2024))", "[[7]]", "(１２３４)", "[٣]") {
			Expect(evals.HasCitationScan(s)).To(Equal(evals.CitationReference.MatchString(s)), "text %q", s)
		}
		pieces := []string{"[", "]", "(", ")", "1", "2024", "a", " ", "٣", "\xff"}
		rng := rand.New(rand.NewPCG(5, 6))
		var sb strings.Builder
		for range 100_000 {
			sb.Reset()
			for range rng.IntN(10) {
				sb.WriteString(pieces[rng.IntN(len(pieces))])
			}
			Expect(evals.HasCitationScan(sb.String())).To(Equal(evals.CitationReference.MatchString(sb.String())), "text %q", sb.String())
		}
	})

	It("count words exactly as strings.Fields splits them", func() {
		check := func(s string) {
			Expect(evals.CountWords(s)).To(Equal(len(strings.Fields(s))), "text %q", s)
		}
		for _, s := range evals.WordSamples {
			check(s)
		}
		runes := []rune(" \t\n\v\f\r\u0085\u00a0\u2003\u3000\u200bxé日\xff")
		rng := rand.New(rand.NewPCG(3, 4))
		var sb strings.Builder
		for range 100_000 {
			sb.Reset()
			for range rng.IntN(10) {
				sb.WriteRune(runes[rng.IntN(len(runes))])
			}
			if rng.IntN(4) == 0 {
				sb.WriteByte(byte(0x80 + rng.IntN(0x80)))
			}
			if evals.CountWords(sb.String()) != len(strings.Fields(sb.String())) {
				check(sb.String())
			}
		}
	})
})
