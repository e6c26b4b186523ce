package evals_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/heval-dev/heval"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/evals"
)

var _ = Describe("the registry", func() {
	DescribeTable("looks up specs",
		func(spec, wantName, text string, want any) {
			name, f, err := evals.Lookup(spec)
			Expect(err).NotTo(HaveOccurred())
			Expect(name).To(Equal(wantName))
			Expect(value(f, withRef(chat(text), "42"))).To(Equal(want))
		},
		Entry("plain", "word_count", "word_count", "a b c", int64(3)),
		Entry("case and dashes", "Word-Count", "word_count", "a b", int64(2)),
		Entry("min length", "min_length=3", "min_length", "abcd", true),
		Entry("min length default", "min_length", "min_length", "abcd", false),
		Entry("contains", "contains=refund", "contains", "a refund", true),
		Entry("contains keeps = and spaces", "contains=a = b", "contains", "x a = b", true),
		Entry("icontains", "icontains=REFUND", "icontains", "a refund", true),
		Entry("contains_all", "contains_all=a, b", "contains_all", "a b", true),
		Entry("contains_any", "contains_any=x,b", "contains_any", "a b", true),
		Entry("regex", `regex=^Hi\b`, "regex", "Hi there", true),
		Entry("regex with colon", `regex=^a:b$`, "regex", "a:b", true),
		Entry("alias", "refund_ok:contains=refund", "refund_ok", "no", false),
		Entry("numeric absolute", "numeric_closeness=1", "numeric_closeness", "41.5", true),
		Entry("numeric percent", "numeric_closeness=1%", "numeric_closeness", "43", false),
		Entry("json schema inline", `json_schema={"type":"array"}`, "json_schema", "[1]", true),
		Entry("no refusal", "no_refusal", "no_refusal", "Sure", true),
	)

	It("returns every key of seed_checks", func() {
		name, f, err := evals.Lookup("seed_checks")
		Expect(err).NotTo(HaveOccurred())
		Expect(name).To(Equal("seed_checks"))
		sc, err := f(context.Background(), chat("x"))
		Expect(err).NotTo(HaveOccurred())
		Expect(values(sc)).To(HaveLen(6))
	})

	It("reads a schema file", func() {
		p := filepath.Join(GinkgoT().TempDir(), "s.json")
		Expect(os.WriteFile(p, []byte(`{"type":"object"}`), 0o644)).To(Succeed())
		_, f, err := evals.Lookup("json_schema=" + p)
		Expect(err).NotTo(HaveOccurred())
		Expect(value(f, chat("{}"))).To(BeTrue())
	})

	DescribeTable("rejects bad specs with a clear error",
		func(spec, want string) {
			_, _, err := evals.Lookup(spec)
			Expect(err).To(MatchError(ContainSubstring(want)))
		},
		Entry("unknown with suggestion", "word_cont", "did you mean word_count"),
		Entry("empty", "", "has no name"),
		Entry("arg not taken", "word_count=3", "takes no argument"),
		Entry("arg missing", "contains", "needs an argument"),
		Entry("bad regex", "regex=(", "does not compile"),
		Entry("bad latency", "max_latency=soon", "not a positive duration"),
		Entry("bad tokens", "max_tokens=-1", "not a whole number"),
		Entry("bad min length", "min_length=x", "not a whole number"),
		Entry("empty list", "contains_all=,", "list is empty"),
		Entry("missing schema file", "json_schema=/nonexistent/s.json", "reading the schema"),
	)

	It("unknown names wrap ErrUnknownEvaluator", func() {
		_, _, err := evals.Lookup("nope")
		Expect(err).To(MatchError(evals.ErrUnknownEvaluator))
	})

	It("catalogs every evaluator with documented keys, sorted", func() {
		cat := evals.Catalog()
		names := map[string]bool{}
		for i, e := range cat {
			names[e.Name] = true
			Expect(e.Doc).NotTo(BeEmpty(), e.Name)
			Expect(e.Keys).NotTo(BeEmpty(), e.Name)
			for _, k := range e.Keys {
				Expect(k.Type).To(BeElementOf("int", "bool"), e.Name)
				if k.Type == "int" {
					Expect(k.Range).NotTo(BeEmpty(), e.Name)
				}
			}
			if i > 0 {
				Expect(strings.Compare(cat[i-1].Name, e.Name)).To(Equal(-1))
			}
		}
		Expect(names).NotTo(HaveKey("judge"), "the judge's entry belongs to package judge")
		for _, want := range []string{"word_count", "has_citations", "has_code_examples", "starts_with_greeting",
			"exceeds_min_length", "min_length", "contains_markdown", "seed_checks", "exact_match", "normalized_match",
			"contains", "icontains", "contains_all", "contains_any", "regex", "valid_json", "json_schema", "levenshtein",
			"numeric_closeness", "max_latency", "max_tokens", "max_cost", "refusal"} {
			Expect(names).To(HaveKey(want))
		}
	})

	Describe("a registry of explicit entries", func() {
		shout := evals.CatalogEntry{Name: "shout", Arg: "WORD", ArgRequired: true, Doc: "The answer contains WORD in capitals.",
			Keys: []evals.KeyInfo{{Key: "shout", Type: "bool"}},
			Build: func(arg string) (heval.Func, error) {
				if arg == "fail" {
					return nil, errors.New("shout cannot be configured")
				}
				return evals.Contains(strings.ToUpper(arg)), nil
			}}

		It("looks up its own entries next to the built-in ones, sorted", func() {
			reg := evals.NewRegistry(append(evals.Builtin(), shout)...)
			name, f, err := reg.Lookup("loud:Shout=hey")
			Expect(err).NotTo(HaveOccurred())
			Expect(name).To(Equal("loud"))
			Expect(value(f, chat("HEY there"))).To(BeTrue())
			_, _, err = reg.Lookup("word_count")
			Expect(err).NotTo(HaveOccurred())

			cat := reg.Catalog()
			Expect(cat).To(HaveLen(len(evals.Builtin()) + 1))
			Expect(slices.IsSortedFunc(cat, func(a, b evals.CatalogEntry) int { return strings.Compare(a.Name, b.Name) })).To(BeTrue())
			Expect(slices.ContainsFunc(cat, func(e evals.CatalogEntry) bool { return e.Name == "shout" })).To(BeTrue())

			By("not knowing them in the package-level lookup")
			_, _, err = evals.Lookup("shout=hey")
			Expect(err).To(MatchError(evals.ErrUnknownEvaluator))
		})

		It("turns a Build error into a lookup error and checks the argument first", func() {
			reg := evals.NewRegistry(shout)
			_, _, err := reg.Lookup("shout=fail")
			Expect(err).To(MatchError(ContainSubstring(`evaluator "shout=fail": shout cannot be configured`)))
			_, _, err = reg.Lookup("shout")
			Expect(err).To(MatchError(ContainSubstring("needs an argument: shout=WORD")))
			_, _, err = reg.Lookup("shot=x")
			Expect(err).To(MatchError(ContainSubstring("did you mean shout?")))
		})

		It("does not let a caller change its catalog", func() {
			reg := evals.NewRegistry(shout)
			reg.Catalog()[0].Keys[0].Key = "changed"
			reg.Catalog()[0].Name = "changed"
			Expect(reg.Catalog()[0].Name).To(Equal("shout"))
			Expect(reg.Catalog()[0].Keys[0].Key).To(Equal("shout"))
		})

		It("refuses duplicate, malformed and incomplete entries", func() {
			Expect(func() { evals.NewRegistry(shout, shout) }).To(PanicWith(ContainSubstring(`two entries are named "shout"`)))
			bad := shout
			bad.Name = "Shout-Out"
			Expect(func() { evals.NewRegistry(bad) }).To(PanicWith(ContainSubstring("not lower case")))
			bad = shout
			bad.Build = nil
			Expect(func() { evals.NewRegistry(bad) }).To(PanicWith(ContainSubstring("no Build")))
		})
	})
})

var _ = Describe("lookup arguments", func() {
	DescribeTable("refuses numbers that are not finite and non-negative, and aliases Helicone cannot store",
		func(spec, want string) {
			_, _, err := evals.Lookup(spec)
			Expect(err).To(MatchError(ContainSubstring(want)))
		},
		Entry("max_cost NaN", "max_cost=NaN", "not an amount"),
		Entry("max_cost Inf", "max_cost=+Inf", "not an amount"),
		Entry("numeric_closeness NaN", "numeric_closeness=NaN", "not a number"),
		Entry("numeric_closeness NaN%", "numeric_closeness=NaN%", "not a percentage"),
		Entry("an alias with the boolean suffix", "safe-hcone-bool:word_count", "-hcone-bool"),
	)
})
