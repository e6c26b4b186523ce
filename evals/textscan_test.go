package evals

import (
	"regexp"
	"strings"
	"testing"
)

// markdownReference is the regular expression ContainsMarkdown is defined by; the scanner
// in containsMarkdown must agree with it on every input.
var markdownReference = regexp.MustCompile(strings.Join([]string{
	`(?m)^ {0,3}#{1,6}[ \t]+\S`,             // heading
	`(?m)^ {0,3}[-*+][ \t]+\S`,              // bullet list item
	`(?m)^ {0,3}\d{1,9}[.)][ \t]+\S`,        // numbered list item
	`(?m)^ {0,3}>[ \t]?\S`,                  // block quote
	"(?m)^ {0,3}(```|~~~)",                  // code fence
	"`[^`\n]+`",                             // inline code
	`\*\*[^*\n]+\*\*|__[^_\n]+__`,           // strong emphasis
	`(^|[^\w*])\*[^*\s][^*\n]*\*($|[^\w*])`, // emphasis with *
	`\[[^\]\n]+\]\([^)\s]+\)`,               // link
	`(?m)^ {0,3}\|.*\|[ \t]*$`,              // table row
}, "|"))

var markdownSamples = []string{
	"# Title\ntext", "intro\n- item", "1. first", "this is **bold**", "this is *it* ok",
	"run `ls`", "[docs](https://x.y)", "> quoted", "| a | b |", "use snake_case names",
	"5 * 3 = 15", "#hashtag", "", "Hello [1] ```x``` # T", "\xff\xfe",
	"####### seven", "###### six", "    # indented", "   # three", "#\tx", "# \r", "# \f",
	"-x", "- ", "-  \n", "+ y", "* z", "*\tz", "1234567890. ten", "123456789. nine", "1) a",
	"1.x", ">", "> ", ">x", ">\t\tx", ">  x", "```", " ~~~go", "~~", "``", "` `", "`\n`",
	"a **b** c", "****", "** **", "**a\nb**", "__x__", "___", "a_b_c", "*a*", "**a*",
	"x*a*", "*a*x", "é*a*é", "\n*a*\n", "*a* ", "* a*", "*a *", "*\xff*", "\xff*a*\xff",
	"[a](b)", "[](b)", "[a]()", "[a](b c)", "[a]\n(b)", "[a\n](b)", "[[a](b)", "[a](b",
	"[a](b(c))", "|a|", "||", "|", "| a |\t ", "| a |\r", "   |x|", "    |x|", "|a|\n|b",
	"x\n# h", "x\r\n# h", "\t# h", "1.\tx", "10) \u00a0", "# \u00a0", "- \xff",
	strings.Repeat("[", 1000) + "](" + strings.Repeat("a", 1000),
	strings.Repeat("[a](", 500), strings.Repeat("*a", 500), strings.Repeat("**", 500) + "a",
	strings.Repeat("Some *text* with [1] and words. ", 50),
}

func FuzzContainsMarkdown(f *testing.F) {
	for _, s := range markdownSamples {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := containsMarkdown(s), markdownReference.MatchString(s); got != want {
			t.Fatalf("containsMarkdown(%q) = %v, the regexp says %v", s, got, want)
		}
	})
}

var wordSamples = []string{
	"", "  \n\t ", "hello", "a  b   c", "a\nb\tc\r\nd", "héllo wörld 日本語 テキスト",
	"a\vb", "a\u0085b", "a\u00a0b", "a\u2003b", "a\u3000b", "\xff \xfe", "a\xffb", "\u200bx",
	" x ", "x\u1680y\u2028z\u2029", "\xe2\x80", "日本\u3000語",
}

func FuzzCountWords(f *testing.F) {
	for _, s := range wordSamples {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := countWords(s), len(strings.Fields(s)); got != want {
			t.Fatalf("countWords(%q) = %d, strings.Fields gives %d", s, got, want)
		}
	})
}

// Exported for the Ginkgo specs of package evals_test.
var (
	ContainsMarkdownScan = containsMarkdown
	HasCitationScan      = hasCitation
	CitationReference    = regexp.MustCompile(`\[\d+\]|\(\d{4}\)`)
	CountWords           = countWords
	MarkdownReference    = markdownReference
	MarkdownSamples      = markdownSamples
	WordSamples          = wordSamples
)
