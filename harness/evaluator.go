package harness

import (
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/heval-dev/heval"
	"github.com/heval-dev/heval/internal/srcpos"
)

// EvaluatorSpec is a declared evaluator: a name, a function and its options. Build one with
// [Evaluator]; a spec is immutable and may be shared by several runs.
type EvaluatorSpec struct {
	name    string
	fn      heval.Func
	repeat  int
	timeout time.Duration
	checks  []check
	labels  []string
	spec    string
	dir     heval.Direction
	keyDirs map[string]heval.Direction
	file    string
	line    int
}

// Evaluator declares an evaluator named name that runs fn on every sample. An unnamed value
// of the returned score is stored under name.
//
// The options are any of:
//   - [Repeat](k): run fn k times per sample (for nondeterministic judges);
//   - [Timeout](d): give each call at most d;
//   - [Expect], [AtLeast], [AtMost]: per-sample checks recorded as failures of the sample;
//   - [Labels]("judge"), or any []string type such as Ginkgo's Label("judge"): labels
//     that select evaluators (the Ginkgo DSL in harness/suite runs only the evaluators
//     matching ginkgo's --label-filter);
//   - [Direction](d, keys...), or a [heval.Direction] such as heval.LowerIsBetter: which
//     values are better, for verdicts, worst samples and comparisons (default: higher);
//   - [Spec](s): what configures it beyond its name.
//
// Evaluator records the file and line that called it, for the reports (JUnit's file=
// attribute, "at FILE:LINE" in failures); [DeclaredAt] overrides them.
//
// A declaration mistake (an empty name, a nil function, an option of another type) is a
// programming error and panics at once, as Ginkgo does for its own declarations.
func Evaluator(name string, fn heval.Func, opts ...any) *EvaluatorSpec {
	if strings.TrimSpace(name) == "" {
		panic("harness.Evaluator: the evaluator name is empty")
	}
	if fn == nil {
		panic(fmt.Sprintf("harness.Evaluator(%q): the evaluator function is nil", name))
	}
	spec := &EvaluatorSpec{name: name, fn: fn, repeat: 1}
	spec.file, spec.line = srcpos.Caller(1)
	for i, o := range opts {
		switch o := o.(type) {
		case EvaluatorOption:
			o.apply(spec)
		case heval.Direction:
			Direction(o).apply(spec)
		case []string:
			spec.labels = append(spec.labels, o...)
		case nil:
			panic(fmt.Sprintf("harness.Evaluator(%q): option %d is nil", name, i+1))
		default:
			if ls, ok := stringSlice(o); ok {
				spec.labels = append(spec.labels, ls...)
				continue
			}
			panic(fmt.Sprintf("harness.Evaluator(%q): option %d has type %T; use harness.Repeat, harness.Timeout, harness.Expect, harness.AtLeast, harness.AtMost, harness.Spec, harness.Direction, harness.Labels or Ginkgo's Label(...)", name, i+1, o))
		}
	}
	return spec
}

// Name is the evaluator's name.
func (e *EvaluatorSpec) Name() string { return e.name }

// Spec is what identifies the evaluator's configuration: the string given with [Spec], else
// its name. Two runs whose evaluators of one name have different specs judge different
// things: a resumed run refuses such a journal, and reports refuse to compare them.
func (e *EvaluatorSpec) Spec() string {
	if e.spec == "" {
		return e.name
	}
	return e.spec
}

// Spec records what configures the evaluator beyond its name, for example
// "min_length=1000" or "judge=accuracy model=gpt-4o": `heval run --eval min_length=1000`
// sets it to the flag's value. Change it whenever the evaluator starts judging differently.
func Spec(spec string) EvaluatorOption {
	return EvaluatorOption{func(s *EvaluatorSpec) { s.spec = strings.TrimSpace(spec) }}
}

// Direction says which values of the evaluator's scores are better: with no keys, of its
// own value and of every key not named otherwise; with keys, of those score keys. It
// decides what the reports call a regression or an improvement, which samples are the
// worst (the lowest for [heval.HigherIsBetter], the highest for [heval.LowerIsBetter],
// the furthest from the median for [heval.Neutral]) and the default of NotBeWorseThan.
// An unknown direction panics at declaration.
func Direction(d heval.Direction, keys ...string) EvaluatorOption {
	if d == "" {
		d = heval.HigherIsBetter
	}
	if _, err := heval.ParseDirection(string(d)); err != nil {
		panic("harness.Direction: " + err.Error())
	}
	return EvaluatorOption{func(s *EvaluatorSpec) {
		if len(keys) == 0 {
			s.dir = d
			return
		}
		if s.keyDirs == nil {
			s.keyDirs = map[string]heval.Direction{}
		}
		for _, k := range keys {
			s.keyDirs[k] = d
		}
	}}
}

// DeclaredAt sets the file and line the reports name as the evaluator's declaration,
// replacing the caller of [Evaluator]; an empty file says the evaluator has none (one
// named on a command line).
func DeclaredAt(file string, line int) EvaluatorOption {
	return EvaluatorOption{func(s *EvaluatorSpec) {
		s.file, s.line = file, line
		if file == "" {
			s.line = 0
		}
	}}
}

// Direction is the direction of the score key key (the evaluator's name for its own value).
func (e *EvaluatorSpec) Direction(key string) heval.Direction { return e.Info().DirectionOf(key) }

// Info describes the declaration for the run's [heval.RunInfo].
func (e *EvaluatorSpec) Info() heval.EvaluatorInfo {
	info := heval.EvaluatorInfo{Name: e.name, Spec: e.Spec(), Direction: e.dir, File: e.file, Line: e.line}
	if info.Direction == "" {
		info.Direction = heval.HigherIsBetter
	}
	if len(e.keyDirs) > 0 {
		info.Keys = maps.Clone(e.keyDirs)
	}
	return info
}

// File and Line are where the evaluator was declared (see [Evaluator]).
func (e *EvaluatorSpec) File() string { return e.file }

// Line is the line of [EvaluatorSpec.File] that declared the evaluator.
func (e *EvaluatorSpec) Line() int { return e.line }

// Func is the evaluator's function.
func (e *EvaluatorSpec) Func() heval.Func { return e.fn }

// Repeats is how many times the evaluator runs per sample (at least 1).
func (e *EvaluatorSpec) Repeats() int { return e.repeat }

// Timeout is the limit of one call; zero means none.
func (e *EvaluatorSpec) Timeout() time.Duration { return e.timeout }

// Labels are the Ginkgo labels the evaluator was declared with.
func (e *EvaluatorSpec) Labels() []string { return slices.Clone(e.labels) }

// Labels labels an evaluator, for selecting evaluators by label (see [Evaluator]).
func Labels(labels ...string) EvaluatorOption {
	return EvaluatorOption{func(s *EvaluatorSpec) { s.labels = append(s.labels, labels...) }}
}

// stringSlice reads a value of any named []string type, such as ginkgo.Labels, without
// importing the package that declares it.
func stringSlice(o any) ([]string, bool) {
	v := reflect.ValueOf(o)
	if v.Kind() != reflect.Slice || v.Type().Elem().Kind() != reflect.String {
		return nil, false
	}
	out := make([]string, v.Len())
	for i := range out {
		out[i] = v.Index(i).String()
	}
	return out, true
}

// EvaluatorOption configures an evaluator; see [Evaluator].
type EvaluatorOption struct{ apply func(*EvaluatorSpec) }

// Repeat runs the evaluator k times per sample. Every repeat is a record of its own; the
// value sent to Helicone for a key is the repeats' mean rounded half away from zero for
// integers, and true for booleans when more than half of the repeats were true.
func Repeat(k int) EvaluatorOption {
	if k < 1 {
		panic(fmt.Sprintf("harness.Repeat(%d): the number of repeats must be at least 1", k))
	}
	return EvaluatorOption{func(s *EvaluatorSpec) { s.repeat = k }}
}

// Timeout limits each call of the evaluator to d. The call's context is cancelled at the
// deadline; a function that ignores its context is abandoned (it keeps running in the
// background) and recorded as timed out.
func Timeout(d time.Duration) EvaluatorOption {
	if d <= 0 {
		panic(fmt.Sprintf("harness.Timeout(%s): the timeout must be positive", d))
	}
	return EvaluatorOption{func(s *EvaluatorSpec) { s.timeout = d }}
}

// Expect adds a per-sample check: the value of key (the evaluator's name when key is "")
// must satisfy op limit, where op is one of >=, >, <=, <, ==, !=. Booleans compare as 1/0.
// A sample that fails the check gets a Failure sentence in its record, for example
// `word_count = 12, expected >= 50`; the value is still sent.
func Expect(key, op string, limit float64) EvaluatorOption {
	if _, ok := compare(op, 0, 0); !ok {
		panic(fmt.Sprintf("harness.Expect(%q, %q, %v): the operator must be one of >= > <= < == !=", key, op, limit))
	}
	return EvaluatorOption{func(s *EvaluatorSpec) { s.checks = append(s.checks, check{key: key, op: op, limit: limit}) }}
}

// AtLeast checks that the evaluator's own value is at least limit on every sample.
func AtLeast(limit float64) EvaluatorOption { return Expect("", ">=", limit) }

// AtMost checks that the evaluator's own value is at most limit on every sample.
func AtMost(limit float64) EvaluatorOption { return Expect("", "<=", limit) }

type check struct {
	key   string
	op    string
	limit float64
}

// compare reports whether x op y holds; ok is false for an unknown operator.
func compare(op string, x, y float64) (holds, ok bool) {
	switch op {
	case ">=":
		return x >= y, true
	case ">":
		return x > y, true
	case "<=":
		return x <= y, true
	case "<":
		return x < y, true
	case "==", "=":
		return x == y, true
	case "!=":
		return x != y, true
	}
	return false, false
}

func formatLimit(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return fmt.Sprintf("%d", int64(f))
	}
	return fmt.Sprintf("%g", f)
}
