package jsonscan_test

import (
	"encoding/json"
	"strings"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/internal/jsonscan"
)

var _ = Describe("Number", func() {
	DescribeTable("reads exactly the numbers of JSON",
		func(in string, want int) {
			end, ok := jsonscan.Number([]byte(in), 0)
			if want < 0 {
				Expect(ok).To(BeFalse(), in)
				return
			}
			Expect(ok).To(BeTrue(), in)
			Expect(end).To(Equal(want), in)
		},
		Entry("zero", "0", 1), Entry("negative", "-12", 3), Entry("fraction", "1.25", 4),
		Entry("exponent", "1e-7", 4), Entry("upper exponent with sign", "-0.5E+10", 8),
		Entry("a leading zero ends the number", "01", 1), Entry("up to what follows", "12,", 2),
		Entry("a bare minus", "-", -1), Entry("a point without digits", "1.", -1),
		Entry("an exponent without digits", "1e", -1), Entry("a leading point", ".5", -1),
		Entry("a plus sign", "+1", -1), Entry("not a number", "x", -1),
	)
})

var _ = Describe("Space, Plain and Hex4", func() {
	It("skip whitespace, find the first byte that does not stand for itself, read \\u digits", func() {
		Expect(jsonscan.Space([]byte(" \t\r\nx"), 0)).To(Equal(4))
		Expect(jsonscan.Space([]byte("\v"), 0)).To(Equal(0), "a vertical tab is not JSON whitespace")
		for _, stop := range []string{`"`, `\`, "\x1f", "\x80", "é"} {
			Expect(jsonscan.Plain([]byte("ab"+stop), 0)).To(Equal(2), "%q", stop)
		}
		r, ok := jsonscan.Hex4([]byte("00e9"), 0)
		Expect(ok).To(BeTrue())
		Expect(r).To(Equal('é'))
		_, ok = jsonscan.Hex4([]byte("00g9"), 0)
		Expect(ok).To(BeFalse())
		_, ok = jsonscan.Hex4([]byte("00e"), 0)
		Expect(ok).To(BeFalse())
	})
})

// FuzzNumber checks that a number Number reads whole is one encoding/json accepts.
func FuzzNumber(f *testing.F) {
	for _, s := range []string{"0", "-1.5e3", "01", "1.", "1e+", "12345678901234567890", "0 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		end, ok := jsonscan.Number([]byte(s), 0)
		if ok && end == len(s) && !json.Valid([]byte(s)) {
			t.Fatalf("Number read %q whole; encoding/json refuses it", s)
		}
		if json.Valid([]byte(s)) && strings.TrimSpace(s) == s && len(s) > 0 && (s[0] == '-' || s[0] >= '0' && s[0] <= '9') && (!ok || end != len(s)) {
			t.Fatalf("encoding/json reads %q as a number; Number gives %d, %v", s, end, ok)
		}
	})
}
