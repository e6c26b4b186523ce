package heliconetest

import (
	"cmp"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// row is one row version of a request, the unit request queries filter, sort and page.
type row struct {
	r *request
	v *rowVersion
}

// requestTable is the filter leaf key of request_response_rmt.
const requestTable = "request_response_rmt"

// otherTables are the other leaf keys the server's filter type knows; a query on one fails
// in ClickHouse and answers [] (inferred).
var otherTables = map[string]bool{
	"request": true, "response": true, "feedback": true, "properties": true, "values": true,
	"properties_table": true, "request_response_log": true, "request_response_search": true,
	"sessions_request_response_rmt": true, "users_view": true, "user_metrics": true,
	"cache_hits": true, "rate_limit_log": true, "job": true, "job_node": true, "prompt_v2": true,
	"prompts_versions": true, "experiment": true, "experiment_hypothesis_run": true,
	"score_value": true, "organization": true,
}

// defaultUUID is ClickHouse's zero UUID, the cache_reference_id of an uncached request.
const defaultUUID = "00000000-0000-0000-0000-000000000000"

// providerBase gives the target URL of a seeded path by provider.
var providerBase = map[string]string{
	"OPENAI":    "https://api.openai.com",
	"ANTHROPIC": "https://api.anthropic.com",
	"GOOGLE":    "https://generativelanguage.googleapis.com",
}

func targetURL(r *request) string {
	p := r.seed.Path
	if strings.HasPrefix(p, "http://") || strings.HasPrefix(p, "https://") {
		return p
	}
	if p == "" {
		p = "/v1/chat/completions"
	}
	return cmpOr(providerBase[provider(r)], "https://api.openai.com") + p
}

func provider(r *request) string { return cmpOr(r.seed.Provider, "OPENAI") }

func status(r *request) int { return cmp.Or(r.seed.Status, 200) }

func totalTokens(r *request) int64 {
	return r.seed.PromptTokens + r.seed.CompletionTokens + r.seed.ReasoningTokens
}

func responseCreatedAt(r *request) time.Time {
	return r.createdAt.Add(time.Duration(r.seed.LatencyMs) * time.Millisecond)
}

// textColumns are the text columns of request_response_rmt (packages/filters/filterDefs.ts).
var textColumns = map[string]func(row) string{
	"country_code":       func(x row) string { return x.r.seed.CountryCode },
	"provider":           func(x row) string { return provider(x.r) },
	"model":              func(x row) string { return x.r.seed.Model },
	"user_id":            func(x row) string { return x.r.userID },
	"organization_id":    func(x row) string { return x.r.orgID },
	"node_id":            func(row) string { return "" },
	"job_id":             func(row) string { return "" },
	"request_id":         func(x row) string { return x.r.id },
	"target_url":         func(x row) string { return targetURL(x.r) },
	"request_body":       func(x row) string { return string(x.r.seed.RequestBody) },
	"response_body":      func(x row) string { return string(x.r.seed.ResponseBody) },
	"cache_reference_id": func(row) string { return defaultUUID },
	"assets":             func(row) string { return "[]" },
	"prompt_id":          func(x row) string { return x.v.promptID },
	"prompt_version":     func(x row) string { return x.v.promptVersion },
	"request_referrer":   func(row) string { return "" },
	"scores_column": func(x row) string {
		b, _ := json.Marshal(x.v.scores)
		return string(b)
	},
}

// uuidColumns compare as UUIDs: in any case.
var uuidColumns = map[string]bool{"request_id": true, "organization_id": true, "cache_reference_id": true}

// numberColumns are the number columns of request_response_rmt.
var numberColumns = map[string]func(row) float64{
	"latency":                   func(x row) float64 { return float64(x.r.seed.LatencyMs) },
	"cost":                      func(x row) float64 { return x.r.seed.Cost },
	"time_to_first_token":       func(x row) float64 { return float64(x.r.seed.TimeToFirstTokenMs) },
	"status":                    func(x row) float64 { return float64(status(x.r)) },
	"prompt_tokens":             func(x row) float64 { return float64(x.r.seed.PromptTokens) },
	"completion_tokens":         func(x row) float64 { return float64(x.r.seed.CompletionTokens) },
	"prompt_cache_read_tokens":  func(x row) float64 { return float64(x.r.seed.PromptCacheReadTokens) },
	"prompt_cache_write_tokens": func(x row) float64 { return float64(x.r.seed.PromptCacheWriteTokens) },
	"total_tokens":              func(x row) float64 { return float64(totalTokens(x.r)) },
}

// timeColumns are the timestamp columns of request_response_rmt.
var timeColumns = map[string]func(row) time.Time{
	"request_created_at":  func(x row) time.Time { return x.r.createdAt },
	"response_created_at": func(x row) time.Time { return responseCreatedAt(x.r) },
}

// boolColumns are the boolean columns of request_response_rmt.
var boolColumns = map[string]func(row) bool{
	"threat":                 func(row) bool { return false },
	"cache_enabled":          func(x row) bool { return x.r.seed.CacheEnabled },
	"cached":                 func(row) bool { return false },
	"is_passthrough_billing": func(row) bool { return false },
	FeedbackKey:              func(x row) bool { return x.v.scores[FeedbackKey] == 1 },
}

// mapColumns hold named values filtered with text operators.
var mapColumns = map[string]bool{"properties": true, "search_properties": true, "scores": true}

// leafPriority is the order in which a leaf's columns decide: the first present wins, else
// the leaf's first column.
var leafPriority = []string{"property_key", "properties", "search_properties", "scores", "cached", "cost"}

// requestRules are the leaf rules of request queries.
var requestRules = leafRules[row]{validate: validateRequestLeaf, compile: compileRequestLeaf, ids: requestLeafIDs, prop: requestLeafProp}

func validateRequestLeaf(is issues, path string, leaf []entry) {
	for _, t := range leaf {
		if t.key != requestTable {
			if otherTables[t.key] {
				if _, ok := objectEntries(t.val); !ok {
					is.add(path+"."+t.key, "invalid object", rawValue(t.val))
				}
				continue
			}
			is.excess(path, t.key)
			continue
		}
		tp := path + "." + requestTable
		cols, ok := objectEntries(t.val)
		if !ok {
			is.add(tp, "invalid object", rawValue(t.val))
			continue
		}
		for _, c := range cols {
			validateColumn(is, tp, c)
		}
	}
}

func numberValue(raw json.RawMessage) string {
	switch jsonKind(raw) {
	case "number":
		return ""
	case "string":
		if s, _ := jsonString(raw); s != "" && numericText.MatchString(s) {
			return ""
		}
	}
	return "invalid float number"
}

func boolValue(raw json.RawMessage) string {
	if jsonKind(raw) == "bool" {
		return ""
	}
	if s, ok := jsonString(raw); ok && (strings.EqualFold(s, "true") || strings.EqualFold(s, "false")) {
		return ""
	}
	return "invalid boolean value"
}

func timeValue(raw json.RawMessage) string {
	s, ok := jsonString(raw)
	if !ok {
		return "invalid string value"
	}
	if _, ok := parseTime(s); !ok {
		return "invalid ISO 8601 datetime format, i.e. YYYY-MM-DDTHH:mm:ss"
	}
	return ""
}

func validateColumn(is issues, path string, c entry) {
	p := path + "." + c.key
	switch {
	case textColumns[c.key] != nil:
		checkOps(is, p, c.val, textOps, stringValue)
	case numberColumns[c.key] != nil:
		checkOps(is, p, c.val, numberOps, numberValue)
	case timeColumns[c.key] != nil:
		checkOps(is, p, c.val, timeOps, timeValue)
	case boolColumns[c.key] != nil:
		checkOps(is, p, c.val, boolOps, boolValue)
	case c.key == "property_key":
		checkOps(is, p, c.val, boolOps, stringValue)
	case mapColumns[c.key]:
		named, ok := objectEntries(c.val)
		if !ok {
			is.add(p, "invalid object", rawValue(c.val))
			return
		}
		for _, n := range named {
			checkOps(is, p+"."+n.key, n.val, textOps, stringValue)
		}
	default:
		is.excess(path, c.key)
	}
}

// compileRequestLeaf compiles a valid leaf: the first table decides, and within
// request_response_rmt one column (see leafPriority) with its first operator.
func compileRequestLeaf(leaf []entry) (matcher[row], filterFault) {
	if len(leaf) == 0 {
		return matchAll[row], faultNone
	}
	if leaf[0].key != requestTable {
		return nil, faultEmpty
	}
	cols, _ := objectEntries(leaf[0].val)
	if len(cols) == 0 {
		return nil, faultInternal
	}
	c := cols[0]
	for _, k := range leafPriority {
		if i := indexEntry(cols, k); i >= 0 {
			c = cols[i]
			break
		}
	}
	return compileColumn(c)
}

func indexEntry(ents []entry, key string) int {
	for i, e := range ents {
		if e.key == key {
			return i
		}
	}
	return -1
}

func compileColumn(c entry) (matcher[row], filterFault) {
	if mapColumns[c.key] {
		named, _ := objectEntries(c.val)
		if len(named) == 0 {
			return nil, faultInternal
		}
		name := named[0].key
		op, val, ok := firstOp(named[0].val)
		if !ok {
			return nil, faultInternal
		}
		s, _ := jsonString(val)
		if c.key == "scores" {
			return compileScoreCond(name, op, s)
		}
		cond := textCondition(op, s)
		return func(x row) bool { return cond(x.v.props[name]) }, faultNone
	}
	op, val, ok := firstOp(c.val)
	if !ok {
		return nil, faultInternal
	}
	switch {
	case c.key == "property_key":
		name, _ := jsonString(val)
		return func(x row) bool { _, ok := x.v.props[name]; return ok }, faultNone
	case textColumns[c.key] != nil:
		get := textColumns[c.key]
		s, _ := jsonString(val)
		if uuidColumns[c.key] && (op == "equals" || op == "not-equals") {
			s = strings.ToLower(s)
		}
		cond := textCondition(op, s)
		return func(x row) bool { return cond(get(x)) }, faultNone
	case numberColumns[c.key] != nil:
		get := numberColumns[c.key]
		n, _ := number(val)
		return func(x row) bool { return compareOp(op, cmp.Compare(get(x), n)) }, faultNone
	case timeColumns[c.key] != nil:
		get := timeColumns[c.key]
		s, _ := jsonString(val)
		t, _ := parseTime(s)
		return func(x row) bool { return compareOp(op, get(x).Compare(t)) }, faultNone
	case boolColumns[c.key] != nil:
		get := boolColumns[c.key]
		want := strings.EqualFold(strings.Trim(string(val), `"`), "true")
		return func(x row) bool { return get(x) == want }, faultNone
	}
	return nil, faultInternal
}

// compileScoreCond compiles a condition on one score: equals and not-equals compare the
// Int64 with the text's number, and never match a request lacking the key; the pattern
// operators fail in ClickHouse (inferred), as does text that is no integer.
func compileScoreCond(name, op, s string) (matcher[row], filterFault) {
	if op != "equals" && op != "not-equals" {
		return nil, faultEmpty
	}
	want, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return nil, faultEmpty
	}
	eq := op == "equals"
	return func(x row) bool {
		got, ok := x.v.scores[name]
		return ok && (got == want) == eq
	}, faultNone
}

// requestLeafIDs returns the request ids a leaf can only match: those of a request_id
// equals leaf.
func requestLeafIDs(leaf []entry) []string {
	if len(leaf) == 0 || leaf[0].key != requestTable {
		return nil
	}
	cols, _ := objectEntries(leaf[0].val)
	if len(cols) == 0 {
		return nil
	}
	c := cols[0]
	for _, k := range leafPriority {
		if indexEntry(cols, k) >= 0 {
			return nil
		}
	}
	if c.key != "request_id" {
		return nil
	}
	op, val, ok := firstOp(c.val)
	if !ok || op != "equals" {
		return nil
	}
	s, _ := jsonString(val)
	return []string{strings.ToLower(s)}
}

// requestLeafProp returns the property a leaf requires to equal a value: a properties
// equals leaf, compiled as compileRequestLeaf compiles it.
func requestLeafProp(leaf []entry) (propPair, bool) {
	if len(leaf) == 0 || leaf[0].key != requestTable {
		return propPair{}, false
	}
	cols, _ := objectEntries(leaf[0].val)
	if len(cols) == 0 {
		return propPair{}, false
	}
	c := cols[0]
	for _, k := range leafPriority {
		if i := indexEntry(cols, k); i >= 0 {
			c = cols[i]
			break
		}
	}
	if c.key != "properties" {
		return propPair{}, false
	}
	named, _ := objectEntries(c.val)
	if len(named) == 0 {
		return propPair{}, false
	}
	op, val, ok := firstOp(named[0].val)
	if !ok || op != "equals" {
		return propPair{}, false
	}
	s, _ := jsonString(val)
	return propPair{named[0].key, s}, true
}

func compareOp(op string, c int) bool {
	switch op {
	case "equals":
		return c == 0
	case "not-equals":
		return c != 0
	case "gte":
		return c >= 0
	case "lte":
		return c <= 0
	case "gt":
		return c > 0
	default:
		return c < 0
	}
}

func parseTime(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04:05.000", "2006-01-02 15:04:05.000", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// number reads a JSON number or numeric text (NaN and infinities as text too).
func number(raw json.RawMessage) (float64, bool) {
	switch jsonKind(raw) {
	case "number":
		f, err := strconv.ParseFloat(string(raw), 64)
		return f, err == nil
	case "string":
		s, _ := jsonString(raw)
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		return f, err == nil
	}
	return 0, false
}
