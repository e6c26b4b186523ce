package datasets

import (
	"math/rand/v2"
	"slices"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/internal/idkey"
)

var _ = Describe("a Helicone dataset's row keys", func() {
	It("order rows by creation time, then by id as text, whether the id is packed or kept as text", func() {
		rowKeyOrder()
	})
})

func rowKeyOrder() {
	rng := rand.New(rand.NewPCG(3, 5))
	type row struct {
		sec int64
		id  string
	}
	var rows []row
	for i := range 400 {
		var k [16]byte
		for j := range k {
			k[j] = []byte{0x00, 0x0a, 0xa0, 0xff}[rng.UintN(4)] // few distinct bytes: many shared prefixes
		}
		id := idkey.Format(k)
		switch i % 5 {
		case 1:
			id = strings.ToUpper(id) // not packed
		case 2:
			id = "row-" + id[:rng.IntN(36)]
		}
		rows = append(rows, row{sec: int64(rng.IntN(3)), id: id})
	}
	r := &datasetReader{}
	keys := make([]rowKey, len(rows))
	for i, x := range rows {
		k := rowKey{sec: x.sec, at: int64(i)}
		if id, ok := idkey.Pack(x.id); ok {
			k.id = id
		} else {
			if r.plainIDs == nil {
				r.plainIDs = map[int64]string{}
			}
			k.plain, r.plainIDs[k.at] = true, x.id
		}
		keys[i] = k
	}
	r.sortKeys(keys)
	want := slices.Clone(rows)
	slices.SortStableFunc(want, func(a, b row) int {
		if a.sec != b.sec {
			return int(a.sec - b.sec)
		}
		return strings.Compare(a.id, b.id)
	})
	Expect(r.plainIDs).To(HaveLen(160))
	for i, k := range keys {
		Expect(k.sec).To(Equal(want[i].sec), "row %d", i)
		Expect(r.keyID(&k)).To(Equal(want[i].id), "row %d", i)
	}
}
