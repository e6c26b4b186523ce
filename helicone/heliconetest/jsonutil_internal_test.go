package heliconetest

import (
	"encoding/json"

	"github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = ginkgo.Describe("objectEntries", func() {
	ginkgo.It("returns each member in document order with the value's own bytes, a repeated name twice", func() {
		got, ok := objectEntries(json.RawMessage(" {\"b\" : [1, {\"x\":2}] ,\"a\":\"\\u00e9\\ud800\", \"a\\u0041\": null, \"e\":{} } "))
		Expect(ok).To(BeTrue())
		Expect(got).To(Equal([]entry{
			{"b", json.RawMessage(`[1, {"x":2}]`)},
			{"a", json.RawMessage(`"\u00e9\ud800"`)},
			{"aA", json.RawMessage(`null`)},
			{"e", json.RawMessage(`{}`)},
		}))
		got, ok = objectEntries(json.RawMessage(`{"a":1,"a":2}`))
		Expect(ok).To(BeTrue())
		Expect(got).To(HaveLen(2))
	})

	ginkgo.It("names invalid UTF-8 as encoding/json does", func() {
		got, ok := objectEntries(json.RawMessage("{\"a\xff\":1}"))
		Expect(ok).To(BeTrue())
		var m map[string]int
		Expect(json.Unmarshal([]byte("{\"a\xff\":1}"), &m)).To(Succeed())
		for k := range m {
			Expect(got[0].key).To(Equal(k))
		}
	})

	ginkgo.It("refuses what is not an object, or breaks off", func() {
		for _, raw := range []string{``, `[]`, `"x"`, `{"a":`, `{"a":1,`, `{"a" 1}`, `{1:2}`} {
			_, ok := objectEntries(json.RawMessage(raw))
			Expect(ok).To(BeFalse(), raw)
		}
		got, ok := objectEntries(json.RawMessage(`{}`))
		Expect(ok).To(BeTrue())
		Expect(got).To(BeEmpty())
	})
})
