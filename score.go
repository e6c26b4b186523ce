package heval

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Func is an evaluator: a plain Go function that judges one sample. It returns a [Score]
// (one value, or several named values) or an error. A returned error, a panic, a timeout
// and a value Helicone cannot store are each recorded as a failure of this evaluator on
// this sample; the run goes on.
type Func func(ctx context.Context, s Sample) (Score, error)

// Score is what an evaluator returns: one or more named values and an optional reason.
// The value built by [Int], [Bool] or [Any] has the empty key, which stands for the
// evaluator's own name; [Score.With] adds more values under their own keys.
type Score struct {
	entries []Entry
	reason  string
}

// Entry is one named value of a Score. Value is whatever the evaluator produced; it is
// checked by [Normalize] before anything is sent.
type Entry struct {
	Key   string
	Value any
}

// Int is an integer score.
func Int(v int64) Score { return Score{entries: []Entry{{Value: v}}} }

// Bool is a boolean score (stored by Helicone as 1/0 under "<key>-hcone-bool").
func Bool(v bool) Score { return Score{entries: []Entry{{Value: v}}} }

// Any is a score of any Go value; it is checked when the run records it. Integers of any
// Go type within int64 and booleans are accepted; floats (even whole ones), NaN, ±Inf,
// strings and integers outside int64 are recorded as failures with a message that says how
// to fix them. Use [Percent] or [Scale] to turn a fraction into an integer.
func Any(v any) Score { return Score{entries: []Entry{{Value: v}}} }

// Scores builds a score of several named values, for example
// heval.Scores("accuracy", 92, "is_factual", true). Keys and values alternate; a key that is
// not a string, or is empty, is recorded as a failure.
func Scores(kv ...any) Score {
	var s Score
	for i := 0; i < len(kv); i += 2 {
		key, ok := kv[i].(string)
		if !ok {
			key = fmt.Sprintf("%v", kv[i])
			s.entries = append(s.entries, Entry{Key: key, Value: badKey{kv[i]}})
			continue
		}
		if key == "" {
			s.entries = append(s.entries, Entry{Value: emptyKey{}})
			continue
		}
		var v any
		if i+1 < len(kv) {
			v = kv[i+1]
		} else {
			v = missingValue{}
		}
		s.entries = append(s.entries, Entry{Key: key, Value: v})
	}
	return s
}

type badKey struct{ k any }
type emptyKey struct{}
type missingValue struct{}

// With returns s with one more named value; an empty key is recorded as a failure.
func (s Score) With(key string, v any) Score {
	e := Entry{Key: key, Value: v}
	if key == "" {
		e.Value = emptyKey{}
	}
	s.entries = append(append([]Entry(nil), s.entries...), e)
	return s
}

// ErrNotApplicable is returned by an evaluator that does not apply to a sample. The
// harness records such an outcome as skipped, not as a failure, and sends no value for it.
// Wrap it to give a reason: fmt.Errorf("%w: no context input", heval.ErrNotApplicable).
var ErrNotApplicable = errors.New("evaluator not applicable to this sample")

// Because returns s with a reason (for example an LLM judge's explanation). The reason is
// kept in the reports; it is not sent to Helicone.
func (s Score) Because(reason string) Score {
	s.reason = reason
	return s
}

// Entries returns the values of s; an empty key stands for the evaluator's name.
func (s Score) Entries() []Entry { return s.entries }

// Reason returns the reason given with [Score.Because].
func (s Score) Reason() string { return s.reason }

// IsZero reports whether s holds no value.
func (s Score) IsZero() bool { return len(s.entries) == 0 }

// InvalidValueError says why a value cannot be sent to Helicone and what to do.
type InvalidValueError struct {
	Key   string
	Value any
	Why   string
	Fix   string
}

func (e *InvalidValueError) Error() string {
	msg := fmt.Sprintf("score %q = %s cannot be sent to Helicone: %s", e.Key, formatValue(e.Value), e.Why)
	if e.Fix != "" {
		msg += "; " + e.Fix
	}
	return msg
}

func formatValue(v any) string {
	switch x := v.(type) {
	case badKey:
		return fmt.Sprintf("(key %v)", x.k)
	case missingValue:
		return "(missing)"
	case emptyKey:
		return "(empty key)"
	case string:
		return fmt.Sprintf("%q", x)
	case nil:
		return "nil"
	}
	return fmt.Sprintf("%v", v)
}

// BoolSuffix is appended by Helicone to the key of a boolean score: {"is_safe": true} is
// stored as is_safe-hcone-bool = 1.
const BoolSuffix = "-hcone-bool"

// MaxKeyLength is the longest score key accepted, in bytes.
const MaxKeyLength = 256

// CheckKey reports why key cannot name a score, or nil. A key must be valid UTF-8 of at
// most [MaxKeyLength] bytes without control characters, must not be empty, blank, "." or
// "..", must not start or end with white space, and must not end in [BoolSuffix] (where
// Helicone stores booleans): such keys would be stored under another name, or could not be
// read back.
func CheckKey(key string) error {
	why := ""
	switch {
	case strings.TrimSpace(key) == "":
		why = "the score key is empty"
	case !utf8.ValidString(key):
		why = "the score key is not valid UTF-8 (JSON would send it as another key)"
	case len(key) > MaxKeyLength:
		why = fmt.Sprintf("the score key is %d bytes long; at most %d are accepted", len(key), MaxKeyLength)
	case key == "." || key == "..":
		why = "the score key cannot be . or .. (it names no score in a request path)"
	case strings.TrimSpace(key) != key:
		why = "the score key starts or ends with white space"
	case strings.HasSuffix(key, BoolSuffix):
		why = "keys ending in " + BoolSuffix + " are where Helicone stores booleans"
	default:
		for _, r := range key {
			if unicode.IsControl(r) {
				why = fmt.Sprintf("the score key holds the control character %U", r)
				break
			}
		}
	}
	if why == "" {
		return nil
	}
	return &InvalidKeyError{Key: key, Why: why}
}

// InvalidKeyError says why a string cannot be a score key.
type InvalidKeyError struct {
	Key, Why string
}

func (e *InvalidKeyError) Error() string {
	return fmt.Sprintf("score key %q cannot be sent to Helicone: %s; rename the key (letters, digits, _ and - are safe)", e.Key, e.Why)
}

// Normalize checks one named value and turns it into a value Helicone stores. key is the
// final key (the evaluator's name for an unnamed value). The error is an
// [*InvalidKeyError] or an [*InvalidValueError] that says what to do.
func Normalize(key string, v any) (Value, error) {
	bad := func(why, fix string) (Value, error) {
		return Value{}, &InvalidValueError{Key: key, Value: v, Why: why, Fix: fix}
	}
	if err := CheckKey(key); err != nil {
		return Value{}, err
	}
	num := func(n int64) (Value, error) { return Value{Key: key, Value: n, Type: Number}, nil }
	const fracFix = "Helicone stores only integers and booleans: return heval.Int(heval.Percent(x)) for a 0–1 fraction, or round it"
	switch x := v.(type) {
	case bool:
		b := Value{Key: key, Type: Boolean}
		if x {
			b.Value = 1
		}
		return b, nil
	case int:
		return num(int64(x))
	case int8:
		return num(int64(x))
	case int16:
		return num(int64(x))
	case int32:
		return num(int64(x))
	case int64:
		return num(x)
	case uint8:
		return num(int64(x))
	case uint16:
		return num(int64(x))
	case uint32:
		return num(int64(x))
	case uint:
		return fromUint(key, v, uint64(x))
	case uint64:
		return fromUint(key, v, x)
	case float32:
		return fromFloat(key, v, float64(x), fracFix)
	case float64:
		return fromFloat(key, v, x, fracFix)
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return num(n)
		}
		return bad("it is not an integer within int64", fracFix)
	case *big.Int:
		if x != nil && x.IsInt64() {
			return num(x.Int64())
		}
		return bad("it is outside the int64 range", "clamp or rescale it")
	case badKey:
		return bad("the key is not a string", "pass keys and values alternately to heval.Scores")
	case missingValue:
		return bad("the key has no value", "pass keys and values alternately to heval.Scores")
	case emptyKey:
		return bad("the key given with the value is empty", "name the value, or return heval.Int or heval.Bool to use the evaluator's own name")
	case nil:
		return bad("it is nil", "return an integer or a boolean")
	case string:
		return bad("it is a string", "return an integer or a boolean (the server's coercion of numeric strings is not relied on)")
	}
	return bad(fmt.Sprintf("a %T is neither an integer nor a boolean", v), "return an integer or a boolean")
}

func fromUint(key string, v any, u uint64) (Value, error) {
	if u > math.MaxInt64 {
		return Value{}, &InvalidValueError{Key: key, Value: v, Why: "it is outside the int64 range", Fix: "clamp or rescale it"}
	}
	return Value{Key: key, Value: int64(u), Type: Number}, nil
}

func fromFloat(key string, v any, f float64, fix string) (Value, error) {
	switch {
	case math.IsNaN(f):
		return Value{}, &InvalidValueError{Key: key, Value: v, Why: "it is NaN", Fix: "return an error from the evaluator when there is no score"}
	case math.IsInf(f, 0):
		return Value{}, &InvalidValueError{Key: key, Value: v, Why: "it is infinite", Fix: "clamp it, or return an error"}
	}
	return Value{}, &InvalidValueError{Key: key, Value: v, Why: "it is a float", Fix: fix}
}

// Percent scales a fraction in [0, 1] to an integer percentage 0–100, rounding half away
// from zero (0.925 → 93) and clamping out-of-range values. NaN becomes 0.
func Percent(f float64) int64 { return Scale(f, 0, 1) }

// Scale maps f from [lo, hi] onto 0–100, rounding half away from zero and clamping.
// NaN and an empty range give 0.
func Scale(f, lo, hi float64) int64 {
	if math.IsNaN(f) || hi <= lo {
		return 0
	}
	x := (f - lo) / (hi - lo) * 100
	x = math.Max(0, math.Min(100, x))
	return int64(math.Round(x))
}

// Direction says which values of a score key are better. It decides what counts as a
// regression, an improvement and a worst sample.
type Direction string

// The directions.
const (
	// HigherIsBetter: larger values are better (accuracy, pass rates). The zero Direction
	// means the same.
	HigherIsBetter Direction = "higher"
	// LowerIsBetter: smaller values are better (latency, cost, error counts).
	LowerIsBetter Direction = "lower"
	// Neutral: neither is better (a word count, a length): comparisons report differences
	// without calling them regressions or improvements.
	Neutral Direction = "neutral"
)

// ParseDirection reads "higher", "lower" or "neutral" (also "" for higher).
func ParseDirection(s string) (Direction, error) {
	switch d := Direction(strings.ToLower(strings.TrimSpace(s))); d {
	case "", HigherIsBetter:
		return HigherIsBetter, nil
	case LowerIsBetter, Neutral:
		return d, nil
	}
	return "", fmt.Errorf("direction %q: write higher, lower or neutral", s)
}

// Better reports whether a is better than b in direction d; always false for Neutral.
func (d Direction) Better(a, b float64) bool {
	switch d {
	case LowerIsBetter:
		return a < b
	case Neutral:
		return false
	}
	return a > b
}
