package evals

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// asciiSpace marks the ASCII bytes strings.Fields treats as white space.
var asciiSpace = [256]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

// countWords returns len(strings.Fields(t)) without allocating.
func countWords(t string) int {
	n := 0
	inWord := false
	for i := 0; i < len(t); {
		c := t[i]
		var space bool
		if c < utf8.RuneSelf {
			space = asciiSpace[c]
			i++
		} else {
			r, size := utf8.DecodeRuneInString(t[i:])
			space = unicode.IsSpace(r)
			i += size
		}
		if space {
			inWord = false
		} else if !inWord {
			inWord = true
			n++
		}
	}
	return n
}

// isRESpace reports whether c is in the regexp class \s ([\t\n\f\r ]).
func isRESpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}

// isWordOrStar reports whether c is in [\w*] (ASCII word characters and '*').
func isWordOrStar(c byte) bool {
	return c == '_' || c == '*' || ('0' <= c && c <= '9') || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

// containsMarkdown reports whether t uses Markdown (see [ContainsMarkdown]): a heading,
// list item, block quote or code fence at the start of a line, inline code, strong or
// plain emphasis, a link, or a table row. It scans the text without a regular expression.
func containsMarkdown(t string) bool {
	return hasLineMarkdown(t) || hasCodeSpan(t) || hasStrong(t, '*') ||
		hasStrong(t, '_') || hasEmphasis(t) || hasLink(t)
}

// hasLineMarkdown checks the line-start constructs: heading, list items, block quote, code
// fence and table row. Lines end at '\n' only, like the regexp's (?m) anchors.
func hasLineMarkdown(t string) bool {
	for start := 0; start <= len(t); {
		end := strings.IndexByte(t[start:], '\n')
		if end < 0 {
			end = len(t)
		} else {
			end += start
		}
		if lineMarkdown(t[start:end]) {
			return true
		}
		start = end + 1
	}
	return false
}

// blankTail reports whether s, after a run of at least one space or tab, continues with a
// character outside \s: the regexp `[ \t]+\S`.
func blankTail(s string) bool {
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i > 0 && i < len(s) && !isRESpace(s[i])
}

func lineMarkdown(line string) bool {
	p := 0
	for p < len(line) && p < 4 && line[p] == ' ' {
		p++
	}
	if p > 3 || p == len(line) {
		return false
	}
	s := line[p:]
	switch c := s[0]; {
	case c == '#':
		n := 1
		for n < len(s) && s[n] == '#' {
			n++
		}
		return n <= 6 && blankTail(s[n:])
	case c == '-' || c == '*' || c == '+':
		return blankTail(s[1:])
	case '0' <= c && c <= '9':
		n := 1
		for n < len(s) && '0' <= s[n] && s[n] <= '9' {
			n++
		}
		if n <= 9 && n < len(s) && (s[n] == '.' || s[n] == ')') && blankTail(s[n+1:]) {
			return true
		}
	case c == '>':
		r := s[1:]
		if len(r) > 0 && (r[0] == ' ' || r[0] == '\t') {
			r = r[1:]
		}
		return len(r) > 0 && !isRESpace(r[0])
	case c == '|':
		r := strings.TrimRight(s, " \t")
		return len(r) >= 2 && r[len(r)-1] == '|'
	}
	return strings.HasPrefix(s, "```") || strings.HasPrefix(s, "~~~")
}

// hasCodeSpan reports whether t matches "`[^`\n]+`".
func hasCodeSpan(t string) bool {
	const delim = '`'
	i := strings.IndexByte(t, delim)
	for i >= 0 {
		j := strings.IndexByte(t[i+1:], delim)
		if j < 0 {
			return false
		}
		j += i + 1
		if j > i+1 && strings.IndexByte(t[i+1:j], '\n') < 0 {
			return true
		}
		i = j
	}
	return false
}

// hasStrong reports whether t matches `\*\*[^*\n]+\*\*` (or the same with d for '*').
func hasStrong(t string, d byte) bool {
	i := strings.IndexByte(t, d)
	for i >= 0 && i+1 < len(t) {
		if t[i+1] != d {
			k := strings.IndexByte(t[i+1:], d)
			if k < 0 {
				return false
			}
			i += 1 + k
			continue
		}
		// "dd" at i; the content runs to the next d.
		j := strings.IndexByte(t[i+2:], d)
		if j < 0 {
			return false
		}
		j += i + 2
		if j > i+2 && j+1 < len(t) && t[j+1] == d && strings.IndexByte(t[i+2:j], '\n') < 0 {
			return true
		}
		// The next opening "dd" can start at i+1 at the earliest.
		i++
	}
	return false
}

// hasEmphasis reports whether t matches `(^|[^\w*])\*[^*\s][^*\n]*\*($|[^\w*])` with
// multi-line anchors.
func hasEmphasis(t string) bool {
	i := strings.IndexByte(t, '*')
	for i >= 0 {
		next := strings.IndexByte(t[i+1:], '*')
		if next >= 0 {
			next += i + 1
		}
		if (i == 0 || !isWordOrStar(t[i-1])) && i+1 < len(t) && t[i+1] != '*' && !isRESpace(t[i+1]) && next >= 0 {
			j := next
			if strings.IndexByte(t[i+1:j], '\n') < 0 && (j+1 == len(t) || !isWordOrStar(t[j+1])) {
				return true
			}
		}
		i = next
	}
	return false
}

// hasLink reports whether t matches `\[[^\]\n]+\]\([^)\s]+\)`.
func hasLink(t string) bool {
	failEnd := -1
	i := strings.IndexByte(t, '[')
	for i >= 0 {
		k := strings.IndexAny(t[i+1:], "]\n")
		if k < 0 {
			return false
		}
		k += i + 1
		if t[k] == ']' && k >= i+2 && k+1 < len(t) && t[k+1] == '(' && k+2 >= failEnd {
			m := k + 2
			for m < len(t) && t[m] != ')' && !isRESpace(t[m]) {
				m++
			}
			if m > k+2 && m < len(t) && t[m] == ')' {
				return true
			}
			failEnd = m
		}
		n := strings.IndexByte(t[k+1:], '[')
		if n < 0 {
			return false
		}
		i = k + 1 + n
	}
	return false
}

// hasCitation reports whether t contains a bracketed number ("[1]", "[12]") or a
// parenthesised four-digit year ("(2024)"): the pattern `\[\d+\]|\(\d{4}\)`, scanned in one
// pass without the regexp engine.
func hasCitation(t string) bool {
	for i := 0; i < len(t); i++ {
		switch t[i] {
		case '[':
			j := i + 1
			for j < len(t) && isASCIIDigit(t[j]) {
				j++
			}
			if j > i+1 && j < len(t) && t[j] == ']' {
				return true
			}
		case '(':
			if i+5 < len(t) && isASCIIDigit(t[i+1]) && isASCIIDigit(t[i+2]) && isASCIIDigit(t[i+3]) && isASCIIDigit(t[i+4]) && t[i+5] == ')' {
				return true
			}
		}
	}
	return false
}

func isASCIIDigit(c byte) bool { return c >= '0' && c <= '9' }
