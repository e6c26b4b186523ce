package heliconetest

import (
	"encoding/json"
	"regexp"
	"strings"
)

// textOps are the operators on text columns.
var textOps = map[string]bool{"equals": true, "not-equals": true, "like": true, "ilike": true, "contains": true, "not-contains": true}

// numberOps are the operators on number columns.
var numberOps = map[string]bool{"equals": true, "not-equals": true, "gte": true, "lte": true, "gt": true, "lt": true}

// timeOps are the operators on timestamp columns.
var timeOps = map[string]bool{"gte": true, "lte": true, "gt": true, "lt": true}

// boolOps are the operators on boolean columns.
var boolOps = map[string]bool{"equals": true}

// maxFilterDepth is the nesting depth past which a filter fails in ClickHouse, which the
// server turns into an empty answer (inferred: ClickHouse's expression depth limits).
const maxFilterDepth = 200

// matcher is a compiled filter over items of type T.
type matcher[T any] func(T) bool

func matchAll[T any](T) bool { return true }

// filterFault is how a valid filter fails when the server builds or runs its query.
type filterFault int

const (
	faultNone filterFault = iota
	// faultEmpty: the query fails in ClickHouse, and the server answers 201 [].
	faultEmpty
	// faultInternal: building the query throws, and the server answers the generic 500.
	faultInternal
)

// issues are validation errors by path, as tsoa reports them.
type issues map[string]map[string]any

func (is issues) add(path, msg string, value any) {
	d := map[string]any{"message": msg}
	if value != nil {
		d["value"] = value
	}
	is[path] = d
}

func (is issues) excess(path, key string) {
	is.add(path+"."+key, `"`+key+`" is an excess property and therefore is not allowed`, key)
}

// leafRules validate and compile a filter leaf of one kind.
type leafRules[T any] struct {
	// validate adds the leaf's validation errors.
	validate func(is issues, path string, leaf []entry)
	// compile turns a valid leaf into a matcher, or says how its query fails.
	compile func(leaf []entry) (matcher[T], filterFault)
	// ids, when set, returns the request ids a leaf can only match (nil: any).
	ids func(leaf []entry) []string
	// prop, when set, returns the property a leaf requires to equal a value (ok false: none).
	prop func(leaf []entry) (p propPair, ok bool)
}

// propPair is a property name and a value of it.
type propPair struct{ name, value string }

// checkFilter validates a filter as the server's union does: "all", a leaf or a branch
// {left, operator, right}. A failure is one error at path whose message holds each member's
// errors.
func checkFilter[T any](is issues, path string, raw json.RawMessage, rules leafRules[T]) {
	if s, ok := jsonString(raw); ok && s == "all" {
		return
	}
	leafIss, branchIss := issues{}, issues{}
	if ents, ok := objectEntries(raw); ok {
		rules.validate(leafIss, path, ents)
		checkBranch(branchIss, path, ents, rules)
	} else {
		leafIss.add(path, "invalid object", rawValue(raw))
		branchIss.add(path, "invalid object", rawValue(raw))
	}
	if len(leafIss) == 0 || len(branchIss) == 0 {
		return
	}
	allIss := issues{}
	allIss.add(path, "should be one of the following; ['all']", rawValue(raw))
	is.add(path, unionMessage([]map[string]any{leafIss.plain(), branchIss.plain(), allIss.plain()}), rawValue(raw))
}

func (is issues) plain() map[string]any {
	out := make(map[string]any, len(is))
	for k, v := range is {
		out[k] = v
	}
	return out
}

func checkBranch[T any](is issues, path string, ents []entry, rules leafRules[T]) {
	var left, right, op json.RawMessage
	for _, e := range ents {
		switch e.key {
		case "left":
			left = e.val
		case "right":
			right = e.val
		case "operator":
			op = e.val
		default:
			is.excess(path, e.key)
		}
	}
	if left == nil {
		is.add(path+".left", "'left' is required", nil)
	} else {
		checkFilter(is, path+".left", left, rules)
	}
	if op == nil {
		is.add(path+".operator", "'operator' is required", nil)
	} else if s, _ := jsonString(op); s != "and" && s != "or" {
		is.add(path+".operator", "should be one of the following; ['or','and']", rawValue(op))
	}
	if right == nil {
		is.add(path+".right", "'right' is required", nil)
	} else {
		checkFilter(is, path+".right", right, rules)
	}
}

// compiledFilter is a valid filter ready to match.
type compiledFilter[T any] struct {
	match matcher[T]
	fault filterFault
	// ids and props, when either is not nil, say which requests the filter can only
	// match: those of ids and those having one of the property values of props.
	ids   map[string]bool
	props map[propPair]bool
}

// restricted reports whether the filter can match only some requests (see ids).
func (f *compiledFilter[T]) restricted() bool { return f.ids != nil || f.props != nil }

// compileFilter compiles a filter checkFilter accepted.
func compileFilter[T any](raw json.RawMessage, rules leafRules[T]) compiledFilter[T] {
	return compileNode(raw, rules, 0)
}

func compileNode[T any](raw json.RawMessage, rules leafRules[T], depth int) compiledFilter[T] {
	if depth > maxFilterDepth {
		return compiledFilter[T]{fault: faultEmpty}
	}
	if _, ok := jsonString(raw); ok {
		return compiledFilter[T]{match: matchAll[T]}
	}
	ents, _ := objectEntries(raw)
	if len(ents) == 0 {
		return compiledFilter[T]{match: matchAll[T]}
	}
	if !isBranch(ents) {
		m, f := rules.compile(ents)
		out := compiledFilter[T]{match: m, fault: f}
		if rules.ids != nil {
			if ids := rules.ids(ents); ids != nil {
				out.ids = map[string]bool{}
				for _, id := range ids {
					out.ids[id] = true
				}
			}
		}
		if rules.prop != nil && out.ids == nil {
			if p, ok := rules.prop(ents); ok {
				out.props = map[propPair]bool{p: true}
			}
		}
		return out
	}
	var left, right json.RawMessage
	op := ""
	for _, e := range ents {
		switch e.key {
		case "left":
			left = e.val
		case "right":
			right = e.val
		case "operator":
			op, _ = jsonString(e.val)
		}
	}
	l := compileNode(left, rules, depth+1)
	r := compileNode(right, rules, depth+1)
	out := compiledFilter[T]{fault: max(l.fault, r.fault)}
	if out.fault != faultNone {
		return out
	}
	lm, rm := l.match, r.match
	if op == "and" {
		out.match = func(x T) bool { return lm(x) && rm(x) }
		switch {
		case !l.restricted():
			out.ids, out.props = r.ids, r.props
		case !r.restricted():
			out.ids, out.props = l.ids, l.props
		case l.props == nil && r.props == nil:
			out.ids = map[string]bool{}
			for id := range l.ids {
				if r.ids[id] {
					out.ids[id] = true
				}
			}
		default:
			// Either side's requests hold all that both match.
			out.ids, out.props = l.ids, l.props
		}
		return out
	}
	out.match = func(x T) bool { return lm(x) || rm(x) }
	if l.restricted() && r.restricted() {
		out.ids, out.props = union(l.ids, r.ids), union(l.props, r.props)
	}
	return out
}

// union adds b to a (either may be nil; the result is nil only when both are).
func union[K comparable](a, b map[K]bool) map[K]bool {
	if a == nil {
		return b
	}
	for k := range b {
		a[k] = true
	}
	return a
}

func isBranch(ents []entry) bool {
	for _, e := range ents {
		if e.key == "left" || e.key == "right" || e.key == "operator" {
			return true
		}
	}
	return false
}

// jsonString decodes raw when it is a JSON string.
func jsonString(raw json.RawMessage) (string, bool) {
	if jsonKind(raw) != "string" {
		return "", false
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

// textCond is a compiled condition on a text value.
type textCond func(string) bool

// checkOps validates an operator object {op: value}: allowed names the operators and
// checkValue the value of each (it returns the message of a bad value, or "").
func checkOps(is issues, path string, raw json.RawMessage, allowed map[string]bool, checkValue func(json.RawMessage) string) {
	ents, ok := objectEntries(raw)
	if !ok {
		is.add(path, "invalid object", rawValue(raw))
		return
	}
	for _, e := range ents {
		if !allowed[e.key] {
			is.excess(path, e.key)
			continue
		}
		if msg := checkValue(e.val); msg != "" {
			is.add(path+"."+e.key, msg, rawValue(e.val))
		}
	}
}

func stringValue(raw json.RawMessage) string {
	if _, ok := jsonString(raw); !ok {
		return "invalid string value"
	}
	return ""
}

// firstOp returns the first operator of an operator object and its value.
func firstOp(raw json.RawMessage) (string, json.RawMessage, bool) {
	ents, ok := objectEntries(raw)
	if !ok || len(ents) == 0 {
		return "", nil, false
	}
	return ents[0].key, ents[0].val, true
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
