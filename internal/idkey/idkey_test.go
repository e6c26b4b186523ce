package idkey_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"

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

	It("formats a packed UUID back to its text, in the same order", func() {
		r := rand.New(rand.NewPCG(7, 9))
		var prev string
		var prevKey [16]byte
		for i := range 500 {
			var k [16]byte
			for j := range k {
				k[j] = byte(r.UintN(256))
			}
			id := idkey.Format(k)
			back, ok := idkey.Pack(id)
			Expect(ok).To(BeTrue(), id)
			Expect(back).To(Equal(k))
			if i > 0 {
				// Text order is byte order.
				Expect(strings.Compare(prev, id)).To(Equal(bytes.Compare(prevKey[:], k[:])), id)
			}
			prev, prevKey = id, k
		}
		Expect(idkey.Format([16]byte{0: 0xab, 15: 0x01})).To(Equal("ab000000-0000-0000-0000-000000000001"))
	})

	It("packs only lower-case UUIDs", func() {
		k, ok := idkey.Pack("00000000-0000-4000-8000-0000000000ff")
		Expect(ok).To(BeTrue())
		Expect(k[15]).To(Equal(byte(0xff)))
		Expect(k[6]).To(Equal(byte(0x40)))
		for _, id := range []string{"", "x", "00000000-0000-4000-8000-0000000000fg", "00000000+0000-4000-8000-0000000000ff",
			"00000000-0000-4000-8000-0000000000fF", "A0000000-0000-4000-8000-000000000000", "0000000--0000-4000-8000-000000000000",
			"00000000-0000-4000-8000-00000000000\xff", "00000000-0000-4000-8000-0000000000000", " 0000000-0000-4000-8000-000000000000"} {
			_, ok := idkey.Pack(id)
			Expect(ok).To(BeFalse(), id)
		}
	})
})

var _ = Describe("Index", func() {
	uuid := func(i int) string { return fmt.Sprintf("%08x-0000-4000-8000-%012x", i*2654435761%(1<<32), i) }

	It("returns the last value set for each id, whatever the order of sets and gets", func() {
		rng := rand.New(rand.NewPCG(3, 4))
		var x idkey.Index
		want := map[string]int64{}
		check := func() {
			GinkgoHelper()
			for id, v := range want {
				got, ok := x.Get(id)
				Expect(ok).To(BeTrue(), id)
				Expect(got).To(Equal(v), id)
			}
			Expect(x.Len()).To(Equal(len(want)))
		}
		// Rows first, some ids twice and some not UUIDs, then lookups, then more sets.
		for i := range 20_000 {
			id := uuid(rng.IntN(15_000))
			if i%97 == 0 {
				id = fmt.Sprintf("row-%d", i%500)
			}
			x.Set(id, int64(i))
			want[id] = int64(i)
		}
		for _, id := range []string{uuid(15_001), "row-x", "", "3B2E4A9C-1F1A-4A43-9C3E-0F1D8F4B7A10"} {
			_, ok := x.Get(id)
			Expect(ok).To(BeFalse(), id)
		}
		check()
		for i := range 3_000 {
			id := uuid(rng.IntN(20_000))
			x.Set(id, int64(-i))
			want[id] = int64(-i)
			if i%100 == 0 {
				check()
			}
		}
		check()
	})
})

var _ = Describe("Set", func() {
	It("holds exactly the ids added, UUIDs and other ids alike, across many merges", func() {
		r := rand.New(rand.NewPCG(11, 13))
		var s idkey.Set
		want := map[string]bool{}
		id := func() string {
			n := r.UintN(30_000) // repeats come back often
			if n%7 == 0 {
				return fmt.Sprintf("row-%d", n)
			}
			return fmt.Sprintf("%08x-0000-4000-8000-%012x", n*2654435761%(1<<32), n)
		}
		for range 60_000 {
			x := id()
			Expect(s.Add(x)).To(Equal(!want[x]), x)
			want[x] = true
			y := id()
			Expect(s.Has(y)).To(Equal(want[y]), y)
		}
		Expect(s.Len()).To(Equal(len(want)))
		for x := range want {
			Expect(s.Has(x)).To(BeTrue(), x)
			Expect(s.Add(x)).To(BeFalse(), x)
		}
		Expect(s.Has("3B2E4A9C-1F1A-4A43-9C3E-0F1D8F4B7A10")).To(BeFalse())
		Expect(s.Add("3B2E4A9C-1F1A-4A43-9C3E-0F1D8F4B7A10")).To(BeTrue(), "upper case is another id")
		Expect(s.Has("3b2e4a9c-1f1a-4a43-9c3e-0f1d8f4b7a10")).To(BeFalse())
	})

	It("takes about 20 bytes a UUID", func() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		var s idkey.Set
		const n = 500_000
		for i := range n {
			s.Add(fmt.Sprintf("%08x-0000-4000-8000-%012x", uint32(i)*2654435761, i))
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		perID := float64(after.HeapAlloc-before.HeapAlloc) / n
		Expect(perID).To(BeNumerically("<", 26), "bytes a UUID")
		runtime.KeepAlive(&s)
	})
})

var _ = Describe("IsUUID", func() {
	It("takes the canonical 8-4-4-4-12 form in either case, of any version, and nothing else", func() {
		for _, s := range []string{"0b7e3a52-6c1d-4f7e-9a0b-1c2d3e4f5a6b", "0B7E3A52-6C1D-4F7E-9A0B-1C2D3E4F5A6B", "00000000-0000-0000-0000-000000000000", "0b7e3a52-6c1d-7f7e-0a0b-1c2d3e4f5a6b"} {
			Expect(idkey.IsUUID(s)).To(BeTrue(), s)
		}
		for _, s := range []string{"", "0b7e3a526c1d4f7e9a0b1c2d3e4f5a6b", "0b7e3a52-6c1d-4f7e-9a0b-1c2d3e4f5a6", "0b7e3a52-6c1d-4f7e-9a0b-1c2d3e4f5a6bc", "0b7e3a52_6c1d-4f7e-9a0b-1c2d3e4f5a6b", "0g7e3a52-6c1d-4f7e-9a0b-1c2d3e4f5a6b", "{0b7e3a52-6c1d-4f7e-9a0b-1c2d3e4f5a6}"} {
			Expect(idkey.IsUUID(s)).To(BeFalse(), s)
		}
	})
})
