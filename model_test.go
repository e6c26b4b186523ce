package heval_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval"
)

var _ = Describe("score keys", func() {
	DescribeTable("refuses keys Helicone would store under another name or could not read back",
		func(key, why string) {
			err := heval.CheckKey(key)
			var ke *heval.InvalidKeyError
			Expect(errors.As(err, &ke)).To(BeTrue(), "key %q", key)
			Expect(err.Error()).To(ContainSubstring(why))
			Expect(err.Error()).To(ContainSubstring("rename the key"))
		},
		Entry("empty", "", "empty"),
		Entry("blank", "  ", "empty"),
		Entry("invalid UTF-8", "k\xff", "UTF-8"),
		Entry("a control character", "k\x01ey", "control character"),
		Entry("a newline", "a\nb", "control character"),
		Entry("dot", ".", ". or .."),
		Entry("dot dot", "..", ". or .."),
		Entry("surrounding space", " accuracy", "white space"),
		Entry("the boolean suffix", "safe-hcone-bool", "-hcone-bool"),
		Entry("too long", string(make([]byte, 300)), "bytes long"),
	)

	It("accepts ordinary keys, Unicode letters included", func() {
		for _, k := range []string{"accuracy", "word_count", "has-citations", "précision", "k.v", "a b"} {
			Expect(heval.CheckKey(k)).To(Succeed(), k)
		}
	})

	It("uses Helicone's boolean suffix", func() {
		Expect(heval.BoolSuffix).To(Equal("-hcone-bool"))
	})
})

var _ = Describe("Normalize", func() {
	DescribeTable("stores integers of every Go type and booleans",
		func(v any, want heval.Value) {
			got, err := heval.Normalize("k", v)
			Expect(err).NotTo(HaveOccurred())
			Expect(got).To(Equal(want))
		},
		Entry("int", 7, heval.Value{Key: "k", Value: 7, Type: heval.Number}),
		Entry("int8", int8(-5), heval.Value{Key: "k", Value: -5, Type: heval.Number}),
		Entry("uint32", uint32(9), heval.Value{Key: "k", Value: 9, Type: heval.Number}),
		Entry("int64 max", int64(math.MaxInt64), heval.Value{Key: "k", Value: math.MaxInt64, Type: heval.Number}),
		Entry("json.Number", json.Number("42"), heval.Value{Key: "k", Value: 42, Type: heval.Number}),
		Entry("big.Int", big.NewInt(-3), heval.Value{Key: "k", Value: -3, Type: heval.Number}),
		Entry("true", true, heval.Value{Key: "k", Value: 1, Type: heval.Boolean}),
		Entry("false", false, heval.Value{Key: "k", Value: 0, Type: heval.Boolean}),
	)

	DescribeTable("explains every value it refuses and says what to do",
		func(v any, why, fix string) {
			_, err := heval.Normalize("accuracy", v)
			var ve *heval.InvalidValueError
			Expect(errors.As(err, &ve)).To(BeTrue())
			Expect(err.Error()).To(ContainSubstring(why))
			Expect(err.Error()).To(ContainSubstring(fix))
		},
		Entry("a float", 95.5, "float", "heval.Percent"),
		Entry("a whole float", 1.0, "float", "heval.Percent"),
		Entry("NaN", math.NaN(), "NaN", "return an error"),
		Entry("+Inf", math.Inf(1), "infinite", "clamp"),
		Entry("uint64 above int64", uint64(math.MaxUint64), "outside the int64 range", "rescale"),
		Entry("a huge big.Int", new(big.Int).Lsh(big.NewInt(1), 70), "outside the int64 range", "rescale"),
		Entry("a string", "85", "string", "integer or a boolean"),
		Entry("nil", nil, "nil", "integer or a boolean"),
		Entry("a struct", struct{}{}, "neither an integer nor a boolean", "integer or a boolean"),
	)

	It("refuses an invalid key before looking at the value", func() {
		_, err := heval.Normalize("k\xff", 1)
		var ke *heval.InvalidKeyError
		Expect(errors.As(err, &ke)).To(BeTrue())
	})
})

var _ = Describe("Score", func() {
	It("keeps named values in order, with a reason", func() {
		s := heval.Scores("accuracy", 92, "is_factual", true).With("extra", 1).Because("why")
		Expect(s.Entries()).To(Equal([]heval.Entry{{Key: "accuracy", Value: 92}, {Key: "is_factual", Value: true}, {Key: "extra", Value: 1}}))
		Expect(s.Reason()).To(Equal("why"))
		Expect(heval.Int(3).Entries()).To(Equal([]heval.Entry{{Value: int64(3)}}))
		Expect(heval.Score{}.IsZero()).To(BeTrue())
	})

	It("records an empty key, a key that is not a string and a missing value as failures", func() {
		for _, s := range []heval.Score{heval.Scores("", 5), heval.Int(1).With("", 2), heval.Scores(7, 5), heval.Scores("a")} {
			var failed int
			for _, e := range s.Entries() {
				key := e.Key
				if key == "" {
					key = "evaluator"
				}
				if _, err := heval.Normalize(key, e.Value); err != nil {
					failed++
				}
			}
			Expect(failed).To(Equal(1), "%v", s.Entries())
		}
	})

	It("scales fractions to integer percentages", func() {
		Expect(heval.Percent(0.925)).To(Equal(int64(93)))
		Expect(heval.Percent(1.7)).To(Equal(int64(100)))
		Expect(heval.Percent(math.NaN())).To(Equal(int64(0)))
		Expect(heval.Scale(5, 0, 10)).To(Equal(int64(50)))
	})
})

var _ = Describe("Sample", func() {
	It("names its group and its unit", func() {
		Expect((&heval.Sample{Hypothesis: "candidate"}).Group()).To(Equal("candidate"))
		Expect((&heval.Sample{Kind: heval.KindRequest}).Group()).To(Equal(heval.GroupRequests))
		Expect((&heval.Sample{DatasetRowID: "r1", RequestID: "q"}).Unit()).To(Equal("row:r1"))
		Expect((&heval.Sample{RequestID: "q"}).Unit()).To(Equal("request:q"))
		Expect((&heval.Sample{}).Unit()).To(BeEmpty())
	})

	It("reads the answer once with its reader and shares it between copies", func() {
		calls := 0
		s := heval.Sample{Body: json.RawMessage(`"x"`), Reference: json.RawMessage(`"ref"`)}.ReadWith(func(b json.RawMessage) (string, error) {
			calls++
			return "read " + string(b), nil
		})
		c := s
		Expect(s.Text()).To(Equal(`read "x"`))
		Expect(c.Text()).To(Equal(`read "x"`))
		Expect(c.ReferenceText()).To(Equal(`read "ref"`))
		Expect(calls).To(Equal(2))
	})

	It("reads the reference only when it is asked for, and then once", func() {
		var read []string
		s := heval.Sample{Body: json.RawMessage(`"x"`), Reference: json.RawMessage(`"ref"`)}.ReadWith(func(b json.RawMessage) (string, error) {
			read = append(read, string(b))
			return "read " + string(b), nil
		})
		c := s
		Expect(s.Answer()).To(Equal(`read "x"`))
		Expect(c.Text()).To(Equal(`read "x"`))
		Expect(read).To(Equal([]string{`"x"`}))
		Expect(c.ReferenceText()).To(Equal(`read "ref"`))
		Expect(s.ReferenceText()).To(Equal(`read "ref"`))
		Expect(read).To(Equal([]string{`"x"`, `"ref"`}))
	})

	It("takes a reference text already read, and still reads the answer with its reader", func() {
		var read []string
		s := heval.Sample{Body: json.RawMessage(`"x"`), Reference: json.RawMessage(`"ref"`)}.ReadWith(func(b json.RawMessage) (string, error) {
			read = append(read, string(b))
			return "read " + string(b), nil
		}).WithReferenceText("the row's answer")
		c := s
		Expect(c.ReferenceText()).To(Equal("the row's answer"))
		Expect(s.Text()).To(Equal(`read "x"`))
		Expect(c.Text()).To(Equal(`read "x"`), "copies share the text")
		Expect(read).To(Equal([]string{`"x"`}), "the reference is not read")
		Expect(heval.Sample{Body: json.RawMessage(`{"choices":[{"message":{"content":"hi"}}]}`)}.WithReferenceText("r").Text()).To(Equal("hi"))
	})

	It("reads a hand-built sample's body with AnswerText", func() {
		s := heval.Sample{Body: json.RawMessage(`{"choices":[{"message":{"content":"hi"}}]}`)}
		Expect(s.Text()).To(Equal("hi"))
		_, err := heval.Sample{}.Answer()
		Expect(err).To(MatchError(heval.ErrNoBody))
	})

	It("restores the text it read with WithText, after its bodies were dropped", func() {
		s := heval.Sample{Body: json.RawMessage(`"[unavailable]"`), Properties: map[string]string{"Variant": "B"}}.
			WithText("the answer", nil, "the reference")
		Expect(s.Text()).To(Equal("the answer"))
		Expect(s.ReferenceText()).To(Equal("the reference"))
		Expect(s.Properties).To(HaveKeyWithValue("Variant", "B"))
		c := s
		c.Body = nil
		Expect(c.Text()).To(Equal("the answer"), "copies share the text")
		_, err := heval.Sample{}.WithText("", fmt.Errorf("reading answer text: %w", heval.ErrBodyNotAvailable), "").Answer()
		Expect(err).To(MatchError(heval.ErrBodyNotAvailable))
	})
})

var _ = Describe("Direction", func() {
	It("parses and compares", func() {
		for in, want := range map[string]heval.Direction{"": heval.HigherIsBetter, "Higher": heval.HigherIsBetter, "lower": heval.LowerIsBetter, "neutral": heval.Neutral} {
			d, err := heval.ParseDirection(in)
			Expect(err).NotTo(HaveOccurred())
			Expect(d).To(Equal(want))
		}
		_, err := heval.ParseDirection("up")
		Expect(err).To(MatchError(ContainSubstring("higher, lower or neutral")))
		Expect(heval.HigherIsBetter.Better(2, 1)).To(BeTrue())
		Expect(heval.LowerIsBetter.Better(2, 1)).To(BeFalse())
		Expect(heval.Neutral.Better(2, 1)).To(BeFalse())
	})
})

var _ = Describe("a placeholder body", func() {
	It("says why the body is not available when the placeholder says it", func() {
		_, err := heval.AnswerText(json.RawMessage(`{"helicone_message":"the signed URL could not be made: AccessDenied"}`))
		Expect(err).To(MatchError(heval.ErrBodyNotAvailable))
		Expect(err.Error()).To(ContainSubstring("AccessDenied"))
		_, err = heval.AnswerText(json.RawMessage(`{"helicone_message":"fetching body from signed_url... contact support"}`))
		Expect(err).To(Equal(heval.ErrBodyNotAvailable))
	})
})
