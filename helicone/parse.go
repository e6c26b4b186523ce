package helicone

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heval-dev/heval/internal/textdist"
)

// FilterSyntax summarises the text syntax of [ParseFilter], for help texts and errors.
const FilterSyntax = `filter expressions (all must match):
  COLUMN OP VALUE          model=gpt-4o-mini, model~mini, user_id!=bob, provider=openai
  NUMBER_COLUMN OP NUMBER  status=200, latency>=1000, cost<0.01, prompt_tokens>500
  created OP TIME          created>=-24h, created>=-7d, created<2026-11-01T00:00:00Z, created>=2026-11-01
  property:NAME OP VALUE   property:Variant=B, property:Environment!=staging
  score:KEY OP VALUE       score:accuracy=80, score:is_factual-hcone-bool=1
operators: = (equals), != (not equals), ~ (contains), !~ (does not contain) on text, properties and scores;
  = != >= <= > < on numbers; = >= <= > < on times
text columns: ` + "model, provider, request_id, response_id, user_id, request_path, target_url, prompt_id, country_code, cache_reference_id, proxy_key_id, organization_id" + `
number columns: latency (ms), cost (USD), status, prompt_tokens, completion_tokens, total_tokens, time_to_first_token, prompt_cache_read_tokens, prompt_cache_write_tokens
times: -DURATION before now (s, m, h, d, w units: -90m, -24h, -7d), now, RFC 3339 (2026-11-01T00:00:00Z), or a date (2026-11-01, UTC midnight)`

// acceptedForms is the one-line reminder of the syntax that parse errors end with.
const acceptedForms = "accepted forms: COLUMN=TEXT, COLUMN!=TEXT, COLUMN~TEXT, COLUMN!~TEXT, NUMBER_COLUMN>=N (= != >= <= > <), created>=-24h, created>=2026-11-01T00:00:00Z, property:NAME=VALUE, score:KEY=VALUE"

// ParseFilter parses request-filter expressions as a user types them on a command line and
// returns their conjunction (no expressions: every request). Each expression is
// FIELD OP VALUE without spaces needed around OP:
//
//	model=gpt-4o-mini         text column equals (also !=, ~ contains, !~ does not contain)
//	user_id!=bob
//	model~mini
//	status=200                number column (=, !=, >=, <=, >, <)
//	latency>=1000             milliseconds
//	cost<0.01                 US dollars
//	created>=-24h             request_created_at: relative to now (s, m, h, d, w units),
//	created>=2026-11-01T00:00:00Z   an RFC 3339 time, a date (UTC midnight) or "now"
//	property:Variant=B        custom property (Helicone-Property-Variant), text operators
//	score:accuracy=80         stored score, compared as text (=, !=, ~, !~ only)
//
// "created" and "created_at" are aliases of request_created_at, "user" of user_id. The
// value is everything after the operator, so it may contain "=" or spaces. The errors are
// [*FilterError]s that quote the expression, say what is wrong and list the accepted forms
// ([FilterSyntax]).
func ParseFilter(exprs ...string) (Filter, error) {
	return ParseFilterAt(time.Now(), exprs...)
}

// ParseFilterAt is [ParseFilter] with relative times ("-24h") measured back from now.
func ParseFilterAt(now time.Time, exprs ...string) (Filter, error) {
	out := All()
	for _, e := range exprs {
		f, err := parseOne(now, e)
		if err != nil {
			return Filter{}, err
		}
		out = And(out, f)
	}
	return out, nil
}

// syntaxOps are the operators of the text syntax, longest first.
var syntaxOps = []struct {
	tok string
	op  Op
}{{"!=", NotEquals}, {"!~", NotContains}, {">=", Gte}, {"<=", Lte}, {"=", Equals}, {"~", Contains}, {">", Gt}, {"<", Lt}}

func parseOne(now time.Time, expr string) (Filter, error) {
	fail := func(format string, args ...any) (Filter, error) {
		return Filter{}, &FilterError{Expr: expr, Reason: fmt.Sprintf(format, args...) + "; " + acceptedForms}
	}
	i := strings.IndexAny(expr, "=!~<>")
	if i < 0 {
		return fail("no operator (one of = != ~ !~ >= <= > <)")
	}
	field := strings.TrimSpace(expr[:i])
	var tok string
	var op Op
	for _, o := range syntaxOps {
		if strings.HasPrefix(expr[i:], o.tok) {
			tok, op = o.tok, o.op
			break
		}
	}
	if tok == "" {
		return fail("%q is not an operator", expr[i:i+1])
	}
	value := strings.TrimSpace(expr[i+len(tok):])
	if rest := expr[i+len(tok):]; rest != "" && strings.ContainsRune("=!~<>", rune(rest[0])) {
		typed := tok + rest[:1]
		msg := fmt.Sprintf("%q is not an operator", typed)
		if fix, ok := operatorTypos[typed]; ok {
			msg += fmt.Sprintf(" (did you mean %s, as in %s%s%s?)", fix, field, fix, strings.TrimSpace(rest[1:]))
		}
		return fail("%s; the operators are = != ~ !~ >= <= > < (a value cannot start with one of = ! ~ < >)", msg)
	}
	if field == "" {
		return fail("nothing before the operator %s: name a column, property:NAME or score:KEY", tok)
	}
	if value == "" {
		return fail("no value after the operator %s", tok)
	}
	textOp := func(what string) (Op, error) {
		if slices.Contains(TextOps, op) {
			return op, nil
		}
		return "", fmt.Errorf("%s is compared as text: use =, !=, ~ or !~, not %s", what, tok)
	}

	kind, name, hasPrefix := strings.Cut(field, ":")
	if hasPrefix {
		name = strings.TrimSpace(name)
		if name == "" {
			return fail("%s: needs a name, as in property:Variant=B or score:accuracy=80", kind)
		}
		switch strings.ToLower(strings.TrimSpace(kind)) {
		case "property", "prop", "properties":
			o, err := textOp("a property")
			if err != nil {
				return fail("%v", err)
			}
			return checked(expr, Property(name, o, value))
		case "score", "scores":
			o, err := textOp("a score")
			if err != nil {
				return fail("%v (the server rejects gte/lte/gt/lt on scores)", err)
			}
			return checked(expr, Score(name, o, value))
		}
		return fail("unknown prefix %q: use property:NAME or score:KEY", kind)
	}

	column := strings.ToLower(field)
	switch column {
	case "created", "created_at", "time":
		column = CreatedAtColumn
	case "user":
		column = "user_id"
	}
	switch {
	case slices.Contains(RequestTextColumns, column):
		o, err := textOp("the column " + column)
		if err != nil {
			return fail("%v", err)
		}
		return checked(expr, RequestText(column, o, value))
	case slices.Contains(RequestNumberColumns, column):
		if !slices.Contains(NumberOps, op) {
			return fail("%s is a number column: use = != >= <= > <, not %s", column, tok)
		}
		n, err := strconv.ParseFloat(value, 64)
		if err != nil {
			return fail("%s takes a number, not %q", column, value)
		}
		return checked(expr, RequestNumber(column, op, n))
	case slices.Contains(RequestTimeColumns, column):
		if !slices.Contains(TimeOps, op) {
			return fail("%s is a time column: use = >= <= > <, not %s", column, tok)
		}
		t, err := parseFilterTime(now, value)
		if err != nil {
			return fail("%v", err)
		}
		return checked(expr, RequestTime(column, op, t))
	}
	msg := fmt.Sprintf("unknown column %q", field)
	if near := textdist.Nearest(column, filterFields()); near != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", near)
	}
	return fail("%s", msg)
}

// operatorTypos maps two-character operators people type to the operator they meant.
var operatorTypos = map[string]string{
	"==": "=", "=>": ">=", "=<": "<=", "=~": "~", "~=": "~", "=!": "!=", "<>": "!=", "!!": "!=",
	">>": ">", "<<": "<", "~~": "~", "!=": "!=",
}

// filterFields are the names a filter expression may start with, for suggestions.
func filterFields() []string {
	out := []string{"created", "user", "property:NAME", "score:KEY"}
	out = append(out, RequestTextColumns...)
	out = append(out, RequestNumberColumns...)
	return out
}

// checked turns a builder's construction error into a FilterError naming the expression.
func checked(expr string, f Filter) (Filter, error) {
	if err := f.Err(); err != nil {
		var fe *FilterError
		if errors.As(err, &fe) {
			cp := *fe
			cp.Expr = expr
			return Filter{}, &cp
		}
		return Filter{}, err
	}
	return f, nil
}

// parseFilterTime reads -DURATION, now, RFC 3339 or a date.
func parseFilterTime(now time.Time, v string) (time.Time, error) {
	if strings.EqualFold(v, "now") {
		return now, nil
	}
	if strings.HasPrefix(v, "-") {
		d, err := parseAgo(v[1:])
		if err != nil {
			return time.Time{}, fmt.Errorf("%q is not a duration before now such as -90m, -24h or -7d: %v", v, err)
		}
		return now.Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time: use -DURATION (-24h, -7d), now, RFC 3339 (2026-11-01T00:00:00Z) or a date (2026-11-01)", v)
}

// parseAgo is time.ParseDuration plus whole days (d) and weeks (w), which may be combined
// with the usual units ("1d12h").
func parseAgo(s string) (time.Duration, error) {
	var total time.Duration
	rest := s
	for _, unit := range []struct {
		suffix string
		d      time.Duration
	}{{"w", 7 * 24 * time.Hour}, {"d", 24 * time.Hour}} {
		j := strings.Index(rest, unit.suffix)
		if j < 0 {
			continue
		}
		n, err := strconv.Atoi(rest[:j])
		if err != nil || n < 0 || n > 100000 {
			return 0, fmt.Errorf("%q before %q is not a whole number", rest[:j], unit.suffix)
		}
		total += time.Duration(n) * unit.d
		rest = rest[j+1:]
	}
	if rest != "" {
		d, err := time.ParseDuration(rest)
		if err != nil {
			return 0, errors.New("use units s, m, h, d or w")
		}
		if d < 0 {
			return 0, errors.New("write a single leading minus")
		}
		total += d
	}
	if total <= 0 {
		return 0, errors.New("the duration is zero")
	}
	return total, nil
}
