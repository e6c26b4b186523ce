package idkey_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/internal/idkey"
)

var _ = Describe("Map", func() {
	It("keeps UUIDs and other ids apart and exactly", func() {
		var m idkey.Map[int]
		m.Set("3b2e4a9c-1f1a-4a43-9c3e-0f1d8f4b7a10", 1)
		m.Set("3B2E4A9C-1F1A-4A43-9C3E-0F1D8F4B7A10", 2) // not lower case: kept as text
		m.Set("row-7", 3)
		m.Set("3b2e4a9c-1f1a-4a43-9c3e-0f1d8f4b7a11", 4)
		Expect(m.Len()).To(Equal(4))
		for id, want := range map[string]int{
			"3b2e4a9c-1f1a-4a43-9c3e-0f1d8f4b7a10": 1, "3B2E4A9C-1F1A-4A43-9C3E-0F1D8F4B7A10": 2,
			"row-7": 3, "3b2e4a9c-1f1a-4a43-9c3e-0f1d8f4b7a11": 4,
		} {
			v, ok := m.Get(id)
			Expect(ok).To(BeTrue(), id)
			Expect(v).To(Equal(want), id)
		}
		_, ok := m.Get("3b2e4a9c-1f1a-4a43-9c3e-0f1d8f4b7a12")
		Expect(ok).To(BeFalse())
		_, ok = m.Get("3b2e4a9c-1f1a-4a43-9c3e-0f1d8f4b7a1")
		Expect(ok).To(BeFalse())
	})

	It("packs only lower-case UUIDs", func() {
		k, ok := idkey.Pack("00000000-0000-4000-8000-0000000000ff")
		Expect(ok).To(BeTrue())
		Expect(k[15]).To(Equal(byte(0xff)))
		Expect(k[6]).To(Equal(byte(0x40)))
		for _, id := range []string{"", "x", "00000000-0000-4000-8000-0000000000fg", "00000000+0000-4000-8000-0000000000ff"} {
			_, ok := idkey.Pack(id)
			Expect(ok).To(BeFalse(), id)
		}
	})
})
