package evals

import (
	"errors"
	"fmt"
	"math"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/heval-dev/heval/internal/textdist"

	"github.com/heval-dev/heval"
)

// ErrUnknownEvaluator is wrapped by the error of [Registry.Lookup] for a name it does not know.
var ErrUnknownEvaluator = errors.New("unknown evaluator")

// KeyInfo describes one score key an evaluator produces.
type KeyInfo struct {
	// Key is the score key. For the evaluator's own (unnamed) value it is the evaluator's
	// name, which [Registry.Lookup] may replace with an alias.
	Key string
	// Type is "int" or "bool".
	Type string
	// Range describes the values, for example "0–100" or "≥ 0"; empty for booleans.
	Range string
	// Direction says which values are better: higher (the default, when empty), lower
	// (latency, cost, refusals) or neutral (a word count: neither is better). Reports
	// take their verdicts and worst samples from it.
	Direction heval.Direction
}

// CatalogEntry describes an evaluator that can be used by name (see [Registry.Lookup]).
// Other packages provide entries of their own (for example the LLM judge's, in package
// [github.com/heval-dev/heval/evals/judge]) to combine with [Builtin] in a [Registry].
type CatalogEntry struct {
	// Name is what to write on the command line: lower case letters, digits and "_".
	Name string
	// Arg describes the argument written after "=", empty when it takes none. An argument
	// in brackets is optional.
	Arg string
	// ArgRequired makes a spec without an argument (or with an empty one) an error.
	ArgRequired bool
	// Keys are the score keys it produces.
	Keys []KeyInfo
	// Doc says what it does, in one sentence.
	Doc string
	// Network is true for evaluators that call an external API (the LLM judge).
	Network bool
	// Build returns the evaluator for arg, which is empty when the spec gives none. Its
	// error says what is wrong with the argument or the configuration, and fails the
	// lookup, so that a bad spec is a usage error before any sample is evaluated.
	Build func(arg string) (heval.Func, error)
}

// Registry looks evaluators up by name from a fixed list of entries. Build one with
// [NewRegistry], for example from [Builtin] and the judge's entry. A Registry is immutable
// and safe for concurrent use.
type Registry struct {
	entries []CatalogEntry // sorted by name
}

var entryNameRE = regexp.MustCompile(`^[a-z0-9_]+$`)

// NewRegistry returns a registry of entries. Two entries with one name, a name that is not
// lower case letters, digits and "_", or an entry without Build are programming errors,
// and NewRegistry panics on them with a message naming the entry.
func NewRegistry(entries ...CatalogEntry) *Registry {
	out := slices.Clone(entries)
	slices.SortFunc(out, func(a, b CatalogEntry) int { return strings.Compare(a.Name, b.Name) })
	for i, e := range out {
		switch {
		case !entryNameRE.MatchString(e.Name):
			panic(fmt.Sprintf("evals.NewRegistry: the entry name %q is not lower case letters, digits and _", e.Name))
		case e.Build == nil:
			panic(fmt.Sprintf("evals.NewRegistry: the entry %q has no Build function", e.Name))
		case i > 0 && out[i-1].Name == e.Name:
			panic(fmt.Sprintf("evals.NewRegistry: two entries are named %q; give one another name", e.Name))
		}
	}
	return &Registry{entries: out}
}

// builtin is the registry of [Builtin], built once.
var builtin = sync.OnceValue(func() *Registry { return NewRegistry(Builtin()...) })

// Catalog returns the evaluators of this package that [Lookup] knows, sorted by name.
func Catalog() []CatalogEntry { return builtin().Catalog() }

// Lookup looks spec up among the evaluators of this package; see [Registry.Lookup].
func Lookup(spec string) (name string, f heval.Func, err error) { return builtin().Lookup(spec) }

// Catalog returns every evaluator that the registry knows, sorted by name.
func (r *Registry) Catalog() []CatalogEntry {
	out := slices.Clone(r.entries)
	for i := range out {
		out[i].Keys = slices.Clone(out[i].Keys)
	}
	return out
}

var specAliasRE = regexp.MustCompile(`^([A-Za-z0-9_.-]+):`)

// Lookup parses an evaluator spec and returns the evaluator with the name its scores are
// recorded under. A spec is [KEY:]NAME[=ARG]:
//
//	word_count
//	min_length=200
//	contains=refund
//	regex=^(Hi|Hello)\b
//	max_latency=2s
//	refund_ok:contains=refund   (recorded as "refund_ok" instead of "contains")
//
// NAME is case-insensitive and "-" may stand for "_". Everything after the first "=" is
// the argument, taken literally. Without an alias the evaluator's name is NAME, so give an
// alias to use one evaluator twice. See [Registry.Catalog] for the names and their
// arguments. An unknown name is an error wrapping [ErrUnknownEvaluator].
func (r *Registry) Lookup(spec string) (name string, f heval.Func, err error) {
	spec = strings.TrimSpace(spec)
	body, arg, hasArg := strings.Cut(spec, "=")
	alias := ""
	if m := specAliasRE.FindStringSubmatch(body); m != nil {
		alias = m[1]
		body = body[len(m[0]):]
	}
	canon := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(body)), "-", "_")
	if canon == "" {
		return "", nil, fmt.Errorf("evaluator spec %q has no name; write NAME or NAME=ARG (run `heval evals` for the list)", spec)
	}
	for _, e := range r.entries {
		if e.Name != canon {
			continue
		}
		switch {
		case e.Arg == "" && hasArg:
			return "", nil, fmt.Errorf("evaluator %s takes no argument, but %q gives one", e.Name, spec)
		case e.ArgRequired && (!hasArg || arg == ""):
			return "", nil, fmt.Errorf("evaluator %s needs an argument: %s=%s", e.Name, e.Name, e.Arg)
		}
		f, err := e.Build(arg)
		if err != nil {
			return "", nil, fmt.Errorf("evaluator %q: %w", spec, err)
		}
		name = e.Name
		if alias != "" {
			if err := heval.CheckKey(alias); err != nil {
				return "", nil, fmt.Errorf("evaluator spec %q: the alias is the score key, and %w", spec, err)
			}
			name = alias
		}
		return name, f, nil
	}
	hint := ""
	if s := r.suggest(canon); s != "" {
		hint = fmt.Sprintf(" (did you mean %s?)", s)
	}
	return "", nil, fmt.Errorf("%w %q%s; run `heval evals` for the list", ErrUnknownEvaluator, canon, hint)
}

// EntryFor returns the catalog entry that an evaluator spec (as [Registry.Lookup] takes it)
// names, with the keys renamed as Lookup names the evaluator: the entry's own key (its
// name) becomes the spec's alias when it gives one. ok is false for an unknown name.
func (r *Registry) EntryFor(spec string) (e CatalogEntry, ok bool) {
	body, _, _ := strings.Cut(strings.TrimSpace(spec), "=")
	alias := ""
	if m := specAliasRE.FindStringSubmatch(body); m != nil {
		alias = m[1]
		body = body[len(m[0]):]
	}
	canon := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(body)), "-", "_")
	for _, c := range r.entries {
		if c.Name != canon {
			continue
		}
		c.Keys = slices.Clone(c.Keys)
		if alias != "" {
			for i := range c.Keys {
				if c.Keys[i].Key == c.Name {
					c.Keys[i].Key = alias
				}
			}
		}
		return c, true
	}
	return CatalogEntry{}, false
}

func (r *Registry) suggest(name string) string {
	var names []string
	for _, e := range r.entries {
		names = append(names, e.Name)
	}
	return textdist.Nearest(name, names)
}

// finiteNonNegative reports whether x is a number ≥ 0 (not NaN, not infinite).
func finiteNonNegative(x float64) bool { return x >= 0 && !math.IsInf(x, 0) }

func noArg(f heval.Func) func(string) (heval.Func, error) {
	return func(string) (heval.Func, error) { return f, nil }
}

func boolKey(name string, dir heval.Direction) []KeyInfo {
	return []KeyInfo{{Key: name, Type: "bool", Direction: dir}}
}

func intKey(name, rng string, dir heval.Direction) []KeyInfo {
	return []KeyInfo{{Key: name, Type: "int", Range: rng, Direction: dir}}
}

// The directions of the catalog's keys, named for the reader.
const (
	higher  = heval.HigherIsBetter
	lower   = heval.LowerIsBetter
	neutral = heval.Neutral
)

// splitList splits a comma-separated argument, dropping empty items.
func splitList(arg string) ([]string, error) {
	var out []string
	for _, p := range strings.Split(arg, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("the list is empty; separate the texts with commas")
	}
	return out, nil
}

// Builtin returns the entries of the evaluators of this package, sorted by name; each call
// returns new entries. Combine them with entries of other packages in [NewRegistry].
func Builtin() []CatalogEntry {
	b := func(name, doc string, dir heval.Direction, f heval.Func) CatalogEntry {
		return CatalogEntry{Name: name, Doc: doc, Keys: boolKey(name, dir), Build: noArg(f)}
	}
	e := []CatalogEntry{
		{Name: "word_count", Doc: "Number of white-space separated words of the answer.", Keys: intKey("word_count", "≥ 0", neutral), Build: noArg(WordCount)},
		b("has_citations", "The answer cites a source: [1] or (2021).", higher, HasCitations),
		b("has_code_examples", "The answer contains a ``` code fence.", neutral, HasCodeExamples),
		b("starts_with_greeting", "The answer starts with hello, hi or hey (any case).", neutral, StartsWithGreeting),
		b("exceeds_min_length", "The answer is longer than 100 characters.", higher, ExceedsMinLength),
		{Name: "min_length", Arg: "[N]", Doc: "The answer is longer than N characters (default 100).", Keys: boolKey("min_length", higher),
			Build: func(arg string) (heval.Func, error) {
				if arg == "" {
					return MinLength(DefaultMinLength), nil
				}
				n, err := strconv.Atoi(strings.TrimSpace(arg))
				if err != nil || n < 0 {
					return nil, fmt.Errorf("the minimum length %q is not a whole number of characters ≥ 0", arg)
				}
				return MinLength(n), nil
			}},
		b("contains_markdown", "The answer uses Markdown (headings, lists, emphasis, code, links, tables).", neutral, ContainsMarkdown),
		{Name: "seed_checks", Doc: "The six automated checks of Helicone's scoring guide at once.", Build: noArg(SeedChecks), Keys: []KeyInfo{
			{Key: KeyWordCount, Type: "int", Range: "≥ 0", Direction: neutral}, {Key: KeyHasCitations, Type: "bool", Direction: higher},
			{Key: KeyHasCodeExamples, Type: "bool", Direction: neutral}, {Key: KeyStartsWithGreeting, Type: "bool", Direction: neutral},
			{Key: KeyExceedsMinLength, Type: "bool", Direction: higher}, {Key: KeyContainsMarkdown, Type: "bool", Direction: neutral},
		}},
		b("exact_match", "The answer equals the reference answer exactly.", higher, ExactMatch),
		b("normalized_match", "The answer equals the reference ignoring case and white space.", higher, NormalizedMatch),
		{Name: "levenshtein", Doc: "Edit-distance similarity of the answer to the reference answer.", Keys: intKey("levenshtein", "0–100", higher), Build: noArg(Levenshtein)},
		{Name: "numeric_closeness", Arg: "[TOLERANCE|PERCENT%]", Doc: "The first number of the answer is within TOLERANCE (default 0) or PERCENT% of the reference's.", Keys: boolKey("numeric_closeness", higher),
			Build: func(arg string) (heval.Func, error) {
				arg = strings.TrimSpace(arg)
				if arg == "" {
					return NumericCloseness(0), nil
				}
				if p, ok := strings.CutSuffix(arg, "%"); ok {
					x, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
					if err != nil || !finiteNonNegative(x) {
						return nil, fmt.Errorf("the tolerance %q is not a percentage ≥ 0", arg)
					}
					return NumericClosenessRelative(x / 100), nil
				}
				x, err := strconv.ParseFloat(arg, 64)
				if err != nil || !finiteNonNegative(x) {
					return nil, fmt.Errorf("the tolerance %q is not a number ≥ 0", arg)
				}
				return NumericCloseness(x), nil
			}},
		{Name: "valid_json", Doc: "The whole answer is valid JSON.", Keys: boolKey("valid_json", higher), Build: noArg(ValidJSON)},
		{Name: "json_schema", Arg: "FILE|{inline schema}", ArgRequired: true, Doc: "The answer is JSON conforming to the JSON Schema in FILE (or given inline).", Keys: boolKey("json_schema", higher),
			Build: func(arg string) (heval.Func, error) {
				schema := []byte(arg)
				if t := strings.TrimSpace(arg); !strings.HasPrefix(t, "{") {
					b, err := os.ReadFile(t)
					if err != nil {
						return nil, fmt.Errorf("reading the schema: %w", err)
					}
					schema = b
				}
				return JSONSchema(schema)
			}},
		b("refusal", "The answer refuses or deflects (\"I can't help with that\", \"As an AI\", ...).", lower, Refusal),
		b("no_refusal", "The answer does not refuse (the opposite of refusal).", higher, Not(Refusal)),
		{Name: "max_latency", Arg: "DURATION", ArgRequired: true, Doc: "The request took at most DURATION (for example 2s or 1500ms).", Keys: boolKey("max_latency", higher),
			Build: func(arg string) (heval.Func, error) {
				d, err := time.ParseDuration(strings.TrimSpace(arg))
				if err != nil || d <= 0 {
					return nil, fmt.Errorf("the latency limit %q is not a positive duration such as 2s or 1500ms", arg)
				}
				return MaxLatency(d), nil
			}},
		{Name: "latency_ms", Doc: "The request's latency in milliseconds.", Keys: intKey("latency_ms", "≥ 1", lower), Build: noArg(LatencyMillis)},
		{Name: "max_tokens", Arg: "N", ArgRequired: true, Doc: "The request used at most N tokens (prompt + completion).", Keys: boolKey("max_tokens", higher),
			Build: func(arg string) (heval.Func, error) {
				n, err := strconv.ParseInt(strings.TrimSpace(arg), 10, 64)
				if err != nil || n < 0 {
					return nil, fmt.Errorf("the token limit %q is not a whole number ≥ 0", arg)
				}
				return MaxTokens(n), nil
			}},
		{Name: "total_tokens", Doc: "The request's prompt + completion tokens.", Keys: intKey("total_tokens", "≥ 1", lower), Build: noArg(TotalTokens)},
		{Name: "max_cost", Arg: "USD", ArgRequired: true, Doc: "The request cost at most USD dollars at the built-in list prices (evals.DefaultPrices).", Keys: boolKey("max_cost", higher),
			Build: func(arg string) (heval.Func, error) {
				x, err := strconv.ParseFloat(strings.TrimPrefix(strings.TrimSpace(arg), "$"), 64)
				if err != nil || !finiteNonNegative(x) {
					return nil, fmt.Errorf("the cost limit %q is not an amount of US dollars ≥ 0", arg)
				}
				return MaxCost(x, nil), nil
			}},
		{Name: "cost_micro_usd", Doc: "The request's cost in millionths of a dollar at the built-in list prices.", Keys: intKey("cost_micro_usd", "≥ 0", lower), Build: noArg(CostMicroUSD(nil))},
	}
	for _, c := range []struct {
		name, doc string
		all, fold bool
	}{
		{"contains", "The answer contains TEXT (case-sensitive).", true, false},
		{"icontains", "The answer contains TEXT, ignoring case.", true, true},
		{"contains_all", "The answer contains every comma-separated TEXT.", true, false},
		{"icontains_all", "The answer contains every comma-separated TEXT, ignoring case.", true, true},
		{"contains_any", "The answer contains at least one comma-separated TEXT.", false, false},
		{"icontains_any", "The answer contains at least one comma-separated TEXT, ignoring case.", false, true},
	} {
		arg := "TEXT,..."
		single := c.name == "contains" || c.name == "icontains"
		if single {
			arg = "TEXT"
		}
		e = append(e, CatalogEntry{Name: c.name, Arg: arg, ArgRequired: true, Doc: c.doc, Keys: boolKey(c.name, higher),
			Build: func(a string) (heval.Func, error) {
				subs := []string{a}
				if !single {
					var err error
					if subs, err = splitList(a); err != nil {
						return nil, err
					}
				}
				if c.all {
					return containsAll(subs, c.fold), nil
				}
				return containsAny(subs, c.fold), nil
			}})
	}
	e = append(e, CatalogEntry{Name: "regex", Arg: "PATTERN", ArgRequired: true, Doc: "The answer matches the Go regular expression PATTERN.", Keys: boolKey("regex", higher),
		Build: func(a string) (heval.Func, error) { return Regex(a) }})
	slices.SortFunc(e, func(a, b CatalogEntry) int { return strings.Compare(a.Name, b.Name) })
	return e
}
