package datasets

import (
	"maps"
	"slices"
	"strings"

	"github.com/heval-dev/heval/helicone"
)

// The two custom properties that make a logged LLM call a hypothesis run on current
// Helicone, where experiments are gone: an application sets the headers on the calls it
// makes for an evaluation, and [TaggedRuns] and [DatasetExperiment] read them back.
const (
	// HypothesisHeader names the hypothesis (the prompt, model or variant) a call belongs to.
	HypothesisHeader = "Helicone-Property-Heval-Hypothesis"
	// RowHeader names the Helicone dataset row whose input the call answered: the row's id.
	RowHeader = "Helicone-Property-Heval-Row"
	// DefaultHypothesisProperty is HypothesisHeader's property as Helicone stores it
	// (header-set property names are stored lower-cased).
	DefaultHypothesisProperty = "heval-hypothesis"
	// DefaultRowProperty is RowHeader's property as Helicone stores it.
	DefaultRowProperty = "heval-row"
	// UntaggedHypothesis is the Hypothesis label of a run whose hypothesis property is empty.
	UntaggedHypothesis = "untagged"
)

// propertyName reads a property name as a user may write it: "Variant",
// "Helicone-Property-Variant", with spaces around it.
func propertyName(name string) string {
	name = strings.TrimSpace(name)
	const prefix = "helicone-property-"
	if len(name) > len(prefix) && strings.EqualFold(name[:len(prefix)], prefix) {
		name = name[len(prefix):]
	}
	return name
}

// storedNames are the names under which Helicone may hold a property: lower-cased when a
// header set it, as written when the property route did.
func storedNames(name string) []string {
	lower := strings.ToLower(name)
	if lower == name {
		return []string{name}
	}
	return []string{lower, name}
}

// hasProperty matches requests that carry the property under any of its stored names.
func hasProperty(name string) helicone.Filter {
	names := storedNames(name)
	fs := make([]helicone.Filter, len(names))
	for i, n := range names {
		fs[i] = helicone.HasProperty(n)
	}
	return helicone.Or(fs...)
}

// propertyEquals matches requests whose property holds one of the values, under any of its
// stored names.
func propertyEquals(name string, values []string) helicone.Filter {
	var fs []helicone.Filter
	for _, n := range storedNames(name) {
		for _, v := range values {
			fs = append(fs, helicone.Property(n, helicone.Equals, v))
		}
	}
	return helicone.Or(fs...)
}

// propertyValue returns the value of a property, matching its name exactly, else ignoring
// case (the first such name in sorted order, so that the choice is stable).
func propertyValue(props map[string]string, name string) string {
	if v, ok := props[name]; ok {
		return v
	}
	for _, k := range slices.Sorted(maps.Keys(props)) {
		if strings.EqualFold(k, name) {
			return props[k]
		}
	}
	return ""
}
