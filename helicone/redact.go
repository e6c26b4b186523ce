package helicone

import (
	"bytes"
	"strings"
)

// MinSecretRun is the shortest run of a key's secret characters that [Redactor] removes.
const MinSecretRun = 8

// Redacted replaces what a [Redactor] removes.
const Redacted = "[REDACTED]"

// Redactor removes API keys from text: the whole key, and every run of [MinSecretRun] or
// more consecutive characters of its secret part (the key without its "sk-helicone-" or
// "sk-helicone-eu-" prefix) that holds at least four different characters, whatever the
// case. A server that echoes a key cut short,
// lower-cased or split over two lines therefore leaves nothing of it behind. The zero or nil
// Redactor removes nothing.
type Redactor struct {
	keys  []string
	grams map[string]struct{}
}

// NewRedactor returns a redactor of keys; empty keys are ignored.
func NewRedactor(keys ...string) *Redactor {
	r := &Redactor{grams: map[string]struct{}{}}
	for _, k := range keys {
		if k == "" {
			continue
		}
		r.keys = append(r.keys, k)
		secret := strings.ToLower(k)
		for _, p := range []string{"sk-helicone-eu-", "sk-helicone-", "pk-helicone-eu-", "pk-helicone-"} {
			if s, ok := strings.CutPrefix(secret, p); ok {
				secret = s
				break
			}
		}
		for i := 0; i+MinSecretRun <= len(secret); i++ {
			if g := secret[i : i+MinSecretRun]; distinct(g) >= minDistinct {
				r.grams[g] = struct{}{}
			}
		}
	}
	return r
}

// minDistinct is how many different characters a run must hold to count as a part of the
// key: a run such as "0000000-" (in placeholder keys like the emulator's) says nothing of
// a key and would match every UUID.
const minDistinct = 4

func distinct(s string) int {
	var seen [256]bool
	n := 0
	for i := 0; i < len(s); i++ {
		if !seen[s[i]] {
			seen[s[i]] = true
			n++
		}
	}
	return n
}

// String returns s without the keys.
func (r *Redactor) String(s string) string {
	if !r.active() || len(s) < MinSecretRun && !r.containsKey(s) {
		return s
	}
	spans := r.spans([]byte(s))
	if spans == nil {
		return s
	}
	return string(apply([]byte(s), spans))
}

// Bytes returns b without the keys; b itself is not modified.
func (r *Redactor) Bytes(b []byte) []byte {
	if !r.active() {
		return b
	}
	spans := r.spans(b)
	if spans == nil {
		return b
	}
	return apply(b, spans)
}

// Contains reports whether s holds a key or a run of one's secret part.
func (r *Redactor) Contains(s string) bool { return r.active() && r.spans([]byte(s)) != nil }

func (r *Redactor) active() bool { return r != nil && (len(r.grams) > 0 || len(r.keys) > 0) }

func (r *Redactor) containsKey(s string) bool {
	for _, k := range r.keys {
		if strings.Contains(s, k) {
			return true
		}
	}
	return false
}

// spans returns the byte ranges of b to remove, merged and in order, or nil.
func (r *Redactor) spans(b []byte) [][2]int {
	var out [][2]int
	add := func(from, to int) {
		if n := len(out); n > 0 && from <= out[n-1][1] {
			out[n-1][1] = max(out[n-1][1], to)
			return
		}
		out = append(out, [2]int{from, to})
	}
	for _, k := range r.keys {
		for off := 0; ; {
			i := bytes.Index(b[off:], []byte(k))
			if i < 0 {
				break
			}
			add(off+i, off+i+len(k))
			off += i + len(k)
		}
	}
	if len(out) > 1 {
		sortSpans(out)
	}
	if len(r.grams) > 0 && len(b) >= MinSecretRun {
		var low [MinSecretRun]byte
		var grams [][2]int
		for i := 0; i+MinSecretRun <= len(b); i++ {
			for j := range MinSecretRun {
				c := b[i+j]
				if 'A' <= c && c <= 'Z' {
					c += 'a' - 'A'
				}
				low[j] = c
			}
			if _, ok := r.grams[string(low[:])]; ok {
				grams = append(grams, [2]int{i, i + MinSecretRun})
			}
		}
		if len(grams) > 0 {
			out = append(out, grams...)
			sortSpans(out)
			merged := out[:1]
			for _, s := range out[1:] {
				if last := &merged[len(merged)-1]; s[0] <= last[1] {
					last[1] = max(last[1], s[1])
				} else {
					merged = append(merged, s)
				}
			}
			out = merged
		}
	}
	return out
}

func sortSpans(s [][2]int) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j][0] < s[j-1][0]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func apply(b []byte, spans [][2]int) []byte {
	var out bytes.Buffer
	out.Grow(len(b))
	last := 0
	for _, s := range spans {
		out.Write(b[last:s[0]])
		out.WriteString(Redacted)
		last = s[1]
	}
	out.Write(b[last:])
	return out.Bytes()
}
