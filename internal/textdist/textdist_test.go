package textdist_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/internal/textdist"
)

func TestTextdist(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "textdist")
}

var _ = Describe("text distance", func() {
	DescribeTable("Levenshtein", func(a, b string, want int) {
		d, ok := textdist.Levenshtein([]rune(a), []rune(b), 1e6)
		Expect(ok).To(BeTrue())
		Expect(d).To(Equal(want))
	},
		Entry("equal", "kitten", "kitten", 0),
		Entry("classic", "kitten", "sitting", 3),
		Entry("empty", "", "abc", 3),
		Entry("runes", "héllo", "hello", 1),
	)

	It("refuses texts too long to compare", func() {
		_, ok := textdist.Levenshtein([]rune("abcdef"), []rune("uvwxyz"), 10)
		Expect(ok).To(BeFalse())
	})

	It("suggests the nearest plausible candidate", func() {
		keys := []string{"has_citations", "word_count", "candidate", "baseline"}
		Expect(textdist.Nearest("has_citatons", keys)).To(Equal("has_citations"))
		Expect(textdist.Nearest("candidat", keys)).To(Equal("candidate"))
		Expect(textdist.Nearest("Word_Count", keys)).To(Equal("word_count"))
		Expect(textdist.Nearest("latency", keys)).To(BeEmpty())
		Expect(textdist.Nearest("modle", []string{"model", "provider"})).To(Equal("model"), "a swap of two neighbours is one edit")
		Expect(textdist.Nearest("Varient", []string{"Variant", "environment"})).To(Equal("Variant"))
	})
})
