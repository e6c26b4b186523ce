package heliconetest

import (
	"encoding/json"
	"regexp"
	"strings"
)

// textOps are the operators on text columns.
var textOps = map[string]bool{"equals": true, "not-equals": true, "like": true, "ilike": true, "contains": true, "not-contains": true}

// numberOps are the operators on number and time columns.
var numberOps = map[string]bool{"equals": true, "not-equals": true, "gte": true, "lte": true, "gt": true, "lt": true}

// matcher is a compiled filter over items of type T.
type matcher[T any] func(T) bool

func matchAll[T any](T) bool { return true }

// leafCompiler compiles a leaf object (its first member counts); path names it in 422
// details. It returns nil and records a validation error when the leaf is invalid.
type leafCompiler[T any] func(v validation, path string, leaf []entry) matcher[T]

// compileFilter compiles a filter: "all", {}, a leaf or a branch {left, operator, right}.
func compileFilter[T any](v validation, path string, raw json.RawMessage, leaf leafCompiler[T]) matcher[T] {
	switch jsonKind(raw) {
	case "string":
		var s string
		_ = json.Unmarshal(raw, &s)
		if s == "all" {
			return matchAll[T]
		}
		v.add(path, `Could not match the union against any of the items. Issues: [{"`+path+`":{"message":"should be one of the following; ['all']"}}]`, s)
		return nil
	case "object":
	default:
		v.add(path, "Could not match the union against any of the items: a filter is \"all\", a leaf object or a branch {left, operator, right}", rawValue(raw))
		return nil
	}
	ents, _ := objectEntries(raw)
	if len(ents) == 0 {
		return matchAll[T]
	}
	if isBranch(ents) {
		var left, right json.RawMessage
		op := ""
		haveOp := false
		for _, e := range ents {
			switch e.key {
			case "left":
				left = e.val
			case "right":
				right = e.val
			case "operator":
				haveOp = json.Unmarshal(e.val, &op) == nil
			default:
				v.excess(path, e.key)
			}
		}
		if left == nil {
			v.required(path, "left")
		}
		if right == nil {
			v.required(path, "right")
		}
		if !haveOp || (op != "and" && op != "or") {
			v.add(path+".operator", "should be one of the following; ['or','and']", rawValue(opRaw(ents)))
		}
		if len(v) > 0 {
			return nil
		}
		l := compileFilter(v, path+".left", left, leaf)
		r := compileFilter(v, path+".right", right, leaf)
		if l == nil || r == nil {
			return nil
		}
		if op == "and" {
			return func(x T) bool { return l(x) && r(x) }
		}
		return func(x T) bool { return l(x) || r(x) }
	}
	return leaf(v, path, ents)
}

func isBranch(ents []entry) bool {
	for _, e := range ents {
		if e.key == "left" || e.key == "right" || e.key == "operator" {
			return true
		}
	}
	return false
}

func opRaw(ents []entry) json.RawMessage {
	for _, e := range ents {
		if e.key == "operator" {
			return e.val
		}
	}
	return json.RawMessage("null")
}

// textCond is a compiled condition on a text value.
type textCond func(string) bool

// compileTextOp compiles the first operator of ops (an object {op: "string"}); it records
// a 422 detail when an operator is unknown or its value is not a string.
func compileTextOp(v validation, path string, raw json.RawMessage) textCond {
	ents, ok := objectEntries(raw)
	if !ok {
		v.add(path, "invalid object", rawValue(raw))
		return nil
	}
	var first textCond
	bad := false
	for _, e := range ents {
		if !textOps[e.key] {
			v.excess(path, e.key)
			bad = true
			continue
		}
		var s string
		if jsonKind(e.val) != "string" || json.Unmarshal(e.val, &s) != nil {
			v.add(path+"."+e.key, "invalid string value", rawValue(e.val))
			bad = true
			continue
		}
		if first == nil {
			first = textCondition(e.key, s)
		}
	}
	if bad {
		return nil
	}
	if first == nil {
		return func(string) bool { return true }
	}
	return first
}

// textCondition builds the condition of one text operator.
func textCondition(op, val string) textCond {
	switch op {
	case "equals":
		return func(s string) bool { return s == val }
	case "not-equals":
		return func(s string) bool { return s != val }
	case "like":
		re := likeRegexp(val, false)
		return re.MatchString
	case "ilike":
		re := likeRegexp(val, true)
		return re.MatchString
	case "contains":
		lv := strings.ToLower(val)
		return func(s string) bool { return strings.Contains(strings.ToLower(s), lv) }
	default: // not-contains
		lv := strings.ToLower(val)
		return func(s string) bool { return !strings.Contains(strings.ToLower(s), lv) }
	}
}

// likeRegexp turns an SQL LIKE pattern (% any run, _ one character, \ escapes) into an
// anchored regular expression.
func likeRegexp(pat string, fold bool) *regexp.Regexp {
	var sb strings.Builder
	sb.WriteString(`(?s)`)
	if fold {
		sb.WriteString(`(?i)`)
	}
	sb.WriteString(`\A`)
	esc := false
	for _, r := range pat {
		switch {
		case esc:
			sb.WriteString(regexp.QuoteMeta(string(r)))
			esc = false
		case r == '\\':
			esc = true
		case r == '%':
			sb.WriteString(`.*`)
		case r == '_':
			sb.WriteString(`.`)
		default:
			sb.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	if esc {
		sb.WriteString(`\\`)
	}
	sb.WriteString(`\z`)
	return regexp.MustCompile(sb.String())
}
