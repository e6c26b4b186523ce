// Package textdist measures how far apart two texts are, for the evaluators that compare
// answers and for "did you mean" suggestions in error messages.
package textdist

import "strings"

// Levenshtein is the edit distance of a and b in runes, computed with one row of
// min(m, n)+1 cells after dropping their common prefix and suffix. ok is false, and the
// distance is not computed, when the remaining texts need more than maxCells cells.
func Levenshtein(a, b []rune, maxCells float64) (d int, ok bool) {
	for len(a) > 0 && len(b) > 0 && a[0] == b[0] {
		a, b = a[1:], b[1:]
	}
	for len(a) > 0 && len(b) > 0 && a[len(a)-1] == b[len(b)-1] {
		a, b = a[:len(a)-1], b[:len(b)-1]
	}
	if len(a) < len(b) {
		a, b = b, a
	}
	if len(b) == 0 {
		return len(a), true
	}
	if float64(len(a))*float64(len(b)) > maxCells {
		return 0, false
	}
	row := make([]int, len(b)+1)
	for j := range row {
		row[j] = j
	}
	for i := 1; i <= len(a); i++ {
		diag := row[0]
		row[0] = i
		for j := 1; j <= len(b); j++ {
			up := row[j]
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			row[j] = min(up+1, row[j-1]+1, diag+cost)
			diag = up
		}
	}
	return row[len(b)], true
}

// Nearest returns the candidate closest to name (ignoring case), or "" when none is within
// a third of name's length (at least one edit, at most three): a plausible typo. An edit is
// an insertion, a deletion, a substitution or a swap of two neighbouring characters
// ("modle" is one edit from "model").
func Nearest(name string, candidates []string) string {
	low := []rune(strings.ToLower(name))
	limit := min(3, max(1, len(low)/3))
	best, bestD := "", limit+1
	for _, c := range candidates {
		if c == name {
			continue
		}
		cand := []rune(strings.ToLower(c))
		if len(low)*len(cand) > 1<<20 {
			continue
		}
		if d := swapDistance(low, cand); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// swapDistance is the edit distance of a and b where swapping two neighbouring runes is one
// edit (the optimal string alignment distance).
func swapDistance(a, b []rune) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
