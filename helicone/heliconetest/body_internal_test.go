package heliconetest

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// writtenAsIs reports whether encoding/json writes raw, as a json.RawMessage inside a
// value, unchanged.
func writtenAsIs(raw []byte) bool {
	b, err := json.Marshal(struct{ V json.RawMessage }{raw})
	return err == nil && bytes.Equal(b, append(append([]byte(`{"V":`), raw...), '}'))
}

var _ = ginkgo.Describe("canonicalBody", func() {
	ginkgo.It("takes a body encoding/json writes unchanged, and nothing else", func() {
		asIs := []string{`{"a":"x y","b":[1,2.5e3,true,null]}`, `"\\"`, `"\u2028 \u003c"`, `{"a":"é","b":{}}`, `[]`, `null`}
		changed := []string{`{"a": 1}`, " {}", "{}\n", "[1,\t2]", `{"a":"<b>"}`, `"&"`, "\"\u2028\"", "\"\u2029\""}
		refused := []string{``, `{"a":1`, `{"a" 1}`, `"x`, `{"a":"\"}`, "\"\xff\"", `{"a":1,"a":2}`}
		for _, s := range asIs {
			Expect(canonicalBody([]byte(s))).To(BeTrue(), s)
			Expect(writtenAsIs([]byte(s))).To(BeTrue(), s)
			Expect(encodeBody([]byte(s))).To(BeIdenticalTo(bodyAsIs), s)
		}
		for _, s := range changed {
			Expect(canonicalBody([]byte(s))).To(BeFalse(), s)
			Expect(writtenAsIs([]byte(s))).To(BeFalse(), s)
			e := encodeBody([]byte(s))
			Expect(e.err).NotTo(HaveOccurred(), s)
			Expect(e).NotTo(BeIdenticalTo(bodyAsIs), s)
		}
		for _, s := range refused { // invalid, or valid only to encoding/json
			Expect(canonicalBody([]byte(s))).To(BeFalse(), s)
		}
		Expect(encodeBody([]byte(`{"a":1`)).err).To(HaveOccurred())
	})
})

// FuzzCanonicalBody holds the quick check to encoding/json: a body it takes is one
// encoding/json writes unchanged.
func FuzzCanonicalBody(f *testing.F) {
	for _, s := range []string{`{"choices":[{"message":{"role":"assistant","content":"Hi there"}}]}`, `"\\\""`, `{"a": 1}`, "\"\u2028\"", `"<"`, `[1,2`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if canonicalBody(raw) && !writtenAsIs(raw) {
			t.Fatalf("canonicalBody takes %q, which encoding/json changes", raw)
		}
	})
}
