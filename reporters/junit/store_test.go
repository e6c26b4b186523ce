package junit

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSortChunkOrdersAsComparingWhole checks the chunk's sort by packed keys against
// sorting the entries by comparing them whole, on names made of few characters (so that
// keys, prefixes and names are often equal, and runs of digits long or zero-led).
func TestSortChunkOrdersAsComparingWhole(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	parts := []string{"0", "00", "1", "9", "10", "a", " ", "row ", "·", "\x00", "\xff", "999999999999"}
	for round := range 300 {
		c := newCaseStore()
		suites := 1 + rng.IntN(3)
		if round%50 == 0 {
			suites = 70000 // too many suite bits: the entries are sorted whole
		}
		common := ""
		if round%2 == 0 {
			common = "row 12"
		}
		for range 1 + rng.IntN(400) {
			start := len(c.arena)
			c.arena = append(c.arena, common...)
			for range rng.IntN(6) {
				c.arena = append(c.arena, parts[rng.IntN(len(parts))]...)
			}
			mid := len(c.arena)
			c.arena = append(c.arena, parts[rng.IntN(3)]...)
			if err := c.add(rng.IntN(suites), start, mid); err != nil {
				t.Fatal(err)
			}
		}
		want := slices.Clone(c.ents)
		c.sortChunk()
		for i := range want {
			want[i].key = c.ents[0].key // the keys are compared only where they differ
		}
		slices.SortFunc(want, func(a, b entry) int {
			if a.suite != b.suite {
				return int(a.suite - b.suite)
			}
			return compareCase(c.entryName(&a), c.entryText(&a), c.entryName(&b), c.entryText(&b))
		})
		for i := range want {
			got := c.ents[i]
			if got.suite != want[i].suite || string(c.entryName(&got)) != string(c.entryName(&want[i])) || string(c.entryText(&got)) != string(c.entryText(&want[i])) {
				t.Fatalf("round %d: entry %d is %q (suite %d); comparing whole puts %q (suite %d) there", round, i,
					c.entryName(&got), got.suite, c.entryName(&want[i]), want[i].suite)
			}
		}
		c.close()
	}
}
