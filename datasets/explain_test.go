package datasets_test

import (
	"context"
	"errors"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/datasets"
	"github.com/heval-dev/heval/helicone"
	"github.com/heval-dev/heval/helicone/heliconetest"
	"github.com/heval-dev/heval/helicone/heliconetest/demo"
)

var _ = Describe("sources that match nothing, or group by a property nobody has", func() {
	var env datasets.Env
	BeforeEach(func() {
		srv := heliconetest.NewServer(heliconetest.WithSeed(demo.Seed()))
		DeferCleanup(srv.Close)
		c, err := helicone.NewClient(helicone.WithBaseURL(srv.URL), helicone.WithAPIKey(srv.APIKey))
		Expect(err).NotTo(HaveOccurred())
		env = datasets.Env{Client: c}
	})
	filter := func(exprs ...string) helicone.Filter {
		f, err := helicone.ParseFilter(exprs...)
		Expect(err).NotTo(HaveOccurred())
		return f
	}

	It("fails a misspelt --group-by property with the properties the requests have, before yielding any", func() {
		yielded := 0
		var err error
		for _, e := range datasets.Requests(filter("property:Variant=B"), datasets.HypothesisProperty("Varient")).Samples(context.Background(), env) {
			if e != nil {
				err = e
				break
			}
			yielded++
		}
		Expect(yielded).To(BeZero())
		Expect(err).To(MatchError(datasets.ErrUnknownProperty))
		var upe *datasets.UnknownPropertyError
		Expect(errors.As(err, &upe)).To(BeTrue())
		Expect(upe.Nearest).To(Equal("Variant"))
		Expect(upe.Seen).To(ContainElement("Environment"))
		Expect(err.Error()).To(ContainSubstring(`has the property "Varient"`))
	})

	It("groups by a property given in another case, as Helicone stores header names lower-cased", func() {
		samples, err := datasets.Collect(context.Background(), datasets.Requests(filter("property:Variant=B"), datasets.HypothesisProperty("variant")), env)
		Expect(err).NotTo(HaveOccurred())
		Expect(samples).NotTo(BeEmpty())
		for _, s := range samples {
			Expect(s.Hypothesis).To(Equal("B"))
		}
	})

	It("says which models and property values there are", func() {
		src := datasets.Requests(filter("model=gpt-4o-mini", "property:Variant=C"))
		samples, err := datasets.Collect(context.Background(), src, env)
		Expect(err).NotTo(HaveOccurred())
		Expect(samples).To(BeEmpty())
		hint := datasets.ExplainEmpty(context.Background(), src, env)
		Expect(hint).To(ContainSubstring("model~gpt-4o-mini"))
		Expect(hint).To(ContainSubstring("no recent request has Variant=C; its values are A ×"))
	})

	It("says when no request carries the hypothesis property of tagged runs", func() {
		src := datasets.TaggedRuns(filter("created>=-1h"), datasets.HypothesisProperty("heval-hypothesys"))
		hint := datasets.ExplainEmpty(context.Background(), src, env)
		Expect(hint).To(ContainSubstring("none of them carries the property heval-hypothesys"))
		Expect(hint).To(ContainSubstring("did you mean heval-hypothesis?"))
	})

	It("explains local files and combinations", func() {
		src := datasets.Concat(datasets.JSONL("a.jsonl"), datasets.Slice())
		Expect(datasets.ExplainEmpty(context.Background(), src, env)).To(Equal("the file a.jsonl holds no samples (it is empty, or has blank lines only); write one JSON object per line, such as {\"request_id\": \"…\", \"output\": \"the answer\"}\nthe slice of samples is empty"))
	})
})
