package datasets

import (
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/helicone"
	"github.com/heval-dev/heval/internal/idkey"
)

var _ = Describe("a Helicone dataset's row keys", func() {
	It("order rows by creation time, then by id as text, whether the id is packed or kept as text", func() {
		rowKeyOrder()
	})

	It("find a row's key by its creation time and id, for a refresh of the rows' signed URLs", func() {
		r, rows, keys := mixedRowKeys()
		for _, x := range rows {
			row := helicone.HeliconeDatasetRow{ID: x.id, CreatedAt: time.Unix(x.sec, 0).UTC().Format(time.RFC3339Nano)}
			i, ok := r.findKey(keys, &row)
			Expect(ok).To(BeTrue(), "row %s", x.id)
			Expect(keys[i].sec).To(Equal(x.sec))
			Expect(r.keyID(&keys[i])).To(Equal(x.id))
		}
		for _, missing := range []helicone.HeliconeDatasetRow{
			{ID: "row-not-there", CreatedAt: time.Unix(1, 0).UTC().Format(time.RFC3339Nano)},
			{ID: rows[0].id, CreatedAt: time.Unix(7, 0).UTC().Format(time.RFC3339Nano)},
		} {
			_, ok := r.findKey(keys, &missing)
			Expect(ok).To(BeFalse(), "row %s", missing.ID)
		}
	})
})

type keyedRow struct {
	sec int64
	id  string
}

// mixedRowKeys returns 400 rows of three creation times, of packed ids, upper-case UUIDs
// and other ids, with their keys sorted.
func mixedRowKeys() (*datasetReader, []keyedRow, []rowKey) {
	rng := rand.New(rand.NewPCG(3, 5))
	var rows []keyedRow
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
		rows = append(rows, keyedRow{sec: int64(rng.IntN(3)), id: id})
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
	return r, rows, keys
}

func rowKeyOrder() {
	r, rows, keys := mixedRowKeys()
	want := slices.Clone(rows)
	slices.SortStableFunc(want, func(a, b keyedRow) int {
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
