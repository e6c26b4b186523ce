package spool_test

import (
	"slices"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/internal/spool"
)

var _ = Describe("Offsets", func() {
	It("yields the offsets added, in order, repeats and large gaps included", func() {
		want := []int64{0, 0, 1, 127, 128, 16_511, 16_512, 1 << 40, 1<<40 + 3, 1<<62 + 5}
		var o spool.Offsets
		for _, off := range want {
			o.Add(off)
		}
		Expect(o.Len()).To(Equal(len(want)))
		Expect(slices.Collect(o.All())).To(Equal(want))
		var first []int64
		for off := range o.All() {
			first = append(first, off)
			if len(first) == 3 {
				break
			}
		}
		Expect(first).To(Equal(want[:3]))
	})

	It("is empty as its zero value", func() {
		var o spool.Offsets
		Expect(o.Len()).To(BeZero())
		Expect(slices.Collect(o.All())).To(BeEmpty())
	})

	It("keeps the offsets of records a few hundred bytes apart in about two bytes each", func() {
		f, err := spool.Create(GinkgoT().TempDir())
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(f.Close)
		var o spool.Offsets
		var want []int64
		rec := make([]byte, 400)
		for range 10_000 {
			off, err := f.Append(rec)
			Expect(err).NotTo(HaveOccurred())
			o.Add(off)
			want = append(want, off)
		}
		Expect(slices.Collect(o.All())).To(Equal(want))
		Expect(o.Size()).To(BeNumerically("<=", 2*10_000+1))
	})

	It("refuses an offset below the last one", func() {
		var o spool.Offsets
		o.Add(100)
		Expect(func() { o.Add(99) }).To(PanicWith(ContainSubstring("offset 99 added after 100")))
	})
})
