package heliconetest

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = ginkgo.Describe("a Helicone Dataset's rows query page", func() {
	ginkgo.It("is the page of every row sorted newest first, ties by the page's hash, as one sort of them all orders it", func() {
		rng := rand.New(rand.NewPCG(5, 6))
		base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
		for round := range 30 {
			d := &heliconeDataset{}
			n := 1 + rng.IntN(400)
			for i := range n {
				// Few distinct times, so that pages start, end and lie inside ties.
				at := base.Add(time.Duration(rng.IntN(1+round%7)) * time.Second)
				id := fmt.Sprintf("%08x-0000-4000-8000-%012x", round, i)
				if i%50 == 7 {
					id = fmt.Sprintf("%08x-0000-4000-8000-%012x", round, i-1) // a repeated id
				}
				d.addRows(&datasetRow{id: id, createdAt: at})
			}
			if round%3 == 0 {
				d.removeRows(func(r *datasetRow) bool { return r.id[len(r.id)-1] == '3' })
			}
			for range 40 {
				off, limit := rng.IntN(len(d.rows)+3), 1+rng.IntN(120)
				window := strconv.Itoa(off + limit)
				want := slices.Clone(d.rows)
				slices.SortStableFunc(want, func(a, b *datasetRow) int {
					if c := b.createdAt.Compare(a.createdAt); c != 0 {
						return c
					}
					return cmp.Compare(tieHash(a.id, window), tieHash(b.id, window))
				})
				want = want[min(off, len(want)):min(len(want), off+limit)]
				got := d.page(off, limit, window)
				Expect(got).To(HaveLen(len(want)))
				for i := range want {
					Expect(got[i]).To(BeIdenticalTo(want[i]), "round %d, offset %d, limit %d, row %d", round, off, limit, i)
				}
			}
		}
	})
})
