package idkey_test

import (
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/heval-dev/heval/internal/idkey"
)

// BenchmarkIndexGet looks up ids in an Index of 25,000 UUIDs (an experiment's dataset rows
// in the order its runs join them): in the order they were set, and in another order.
func BenchmarkIndexGet(b *testing.B) {
	const n = 25_000
	ids := make([]string, n)
	var x idkey.Index
	for i := range ids {
		ids[i] = fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", uint32(i*2654435761), i%65536, i%4096, (i*7)%4096, i*31)
		x.Set(ids[i], int64(i))
	}
	for _, order := range []string{"set", "strided"} {
		b.Run(order, func(b *testing.B) {
			k := 0
			for b.Loop() {
				i := k % n
				if order == "strided" {
					i = (k * 7919) % n
				}
				if v, ok := x.Get(ids[i]); !ok || v != int64(i) {
					b.Fatalf("Get(%s) = %d, %v", ids[i], v, ok)
				}
				k++
			}
		})
	}
}

// FuzzPack checks Pack against the definition: 36 bytes, dashes at 8, 13, 18 and 23, and
// lower-case hex digits everywhere else, which encoding/hex decodes to the key.
func FuzzPack(f *testing.F) {
	for _, s := range []string{"00000000-0000-4000-8000-0000000000ff", "5e0b7c1a-3f2d-4a8e-9b61-2c4d8f0a1e01",
		"5E0B7C1A-3F2D-4A8E-9B61-2C4D8F0A1E01", "5e0b7c1a-3f2d-4a8e-9b61-2c4d8f0a1e0g", "5e0b7c1a03f2d-4a8e-9b61-2c4d8f0a1e01", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		got, ok := idkey.Pack(id)
		var want [16]byte
		wantOK := len(id) == 36 && id[8] == '-' && id[13] == '-' && id[18] == '-' && id[23] == '-' &&
			strings.Trim(strings.ReplaceAll(id, "-", ""), "0123456789abcdef") == "" && strings.Count(id, "-") == 4
		if wantOK {
			b, err := hex.DecodeString(strings.ReplaceAll(id, "-", ""))
			if err != nil || len(b) != 16 {
				t.Fatalf("%q: %v", id, err)
			}
			copy(want[:], b)
		}
		if ok != wantOK || got != want {
			t.Fatalf("Pack(%q) = %x, %v; want %x, %v", id, got, ok, want, wantOK)
		}
	})
}
