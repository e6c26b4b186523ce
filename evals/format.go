package evals

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/heval-dev/heval"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// ValidJSON reports whether the whole answer, with surrounding white space trimmed, is
// one valid JSON value. An answer wrapped in a Markdown code fence is not valid JSON; the
// reason says where parsing failed.
//
// Score: one bool under the evaluator's name.
func ValidJSON(_ context.Context, s heval.Sample) (heval.Score, error) {
	t, err := Answer(s)
	if err != nil {
		return heval.Score{}, err
	}
	if why := jsonProblem(t); why != "" {
		return heval.Bool(false).Because(why), nil
	}
	return heval.Bool(true), nil
}

// jsonProblem says why t is not one JSON value, or "" when it is.
func jsonProblem(t string) string {
	t = strings.TrimSpace(t)
	if t == "" {
		return "the answer is empty"
	}
	if json.Valid([]byte(t)) {
		return ""
	}
	var v any
	dec := json.NewDecoder(strings.NewReader(t))
	if err := dec.Decode(&v); err != nil {
		return "not JSON: " + err.Error()
	}
	return fmt.Sprintf("not JSON: text follows the JSON value at byte %d", dec.InputOffset())
}

// maxViolations is how many schema violations a reason lists.
const maxViolations = 10

// JSONSchema returns an evaluator that reports whether the answer is JSON conforming to
// schema (a JSON Schema document; drafts 4, 6, 7, 2019-09 and 2020-12 are understood, the
// default is 2020-12). A schema that does not compile is an error here, when the evaluator
// is declared. The schema cannot load other documents: external $refs are an error.
//
// Score: one bool under the evaluator's name; the reason lists up to ten violations as
// "<JSON pointer>: <message>", or says why the answer is not JSON.
func JSONSchema(schema []byte) (heval.Func, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schema))
	if err != nil {
		return nil, fmt.Errorf("evals.JSONSchema: the schema is not JSON: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.UseLoader(noLoader{})
	const loc = "heval:///schema.json"
	if err := c.AddResource(loc, doc); err != nil {
		return nil, fmt.Errorf("evals.JSONSchema: %w", err)
	}
	sch, err := c.Compile(loc)
	if err != nil {
		return nil, fmt.Errorf("evals.JSONSchema: the schema does not compile: %w", err)
	}
	return func(_ context.Context, s heval.Sample) (heval.Score, error) {
		t, err := Answer(s)
		if err != nil {
			return heval.Score{}, err
		}
		if why := jsonProblem(t); why != "" {
			return heval.Bool(false).Because(why), nil
		}
		inst, err := jsonschema.UnmarshalJSON(strings.NewReader(t))
		if err != nil {
			return heval.Bool(false).Because("not JSON: " + err.Error()), nil
		}
		err = sch.Validate(inst)
		if err == nil {
			return heval.Bool(true), nil
		}
		var ve *jsonschema.ValidationError
		if !errors.As(err, &ve) {
			return heval.Score{}, fmt.Errorf("evals.JSONSchema: validating the answer: %w", err)
		}
		return heval.Bool(false).Because(violations(ve)), nil
	}, nil
}

// MustJSONSchema is [JSONSchema] for package-level declarations: it panics when the schema
// does not compile.
func MustJSONSchema(schema []byte) heval.Func {
	f, err := JSONSchema(schema)
	if err != nil {
		panic(err)
	}
	return f
}

// violations lists the leaf errors of ve.
func violations(ve *jsonschema.ValidationError) string {
	var out []string
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			loc := "/" + strings.Join(e.InstanceLocation, "/")
			out = append(out, loc+": "+e.ErrorKind.LocalizedString(english))
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	n := len(out)
	if n > maxViolations {
		out = append(out[:maxViolations], fmt.Sprintf("and %d more", n-maxViolations))
	}
	return fmt.Sprintf("%d schema violation(s): %s", n, strings.Join(out, "; "))
}

var english = message.NewPrinter(language.English)

// noLoader refuses to load any document, so a schema never reaches the network or disk.
type noLoader struct{}

func (noLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("the schema refers to %s; heval loads no external schema documents, inline it under $defs", url)
}
