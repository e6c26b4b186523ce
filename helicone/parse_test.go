package helicone_test

import (
	"encoding/json"
	"math"
	"strconv"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/helicone"
)

var _ = Describe("ParseFilter", func() {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

	DescribeTable("parses the text syntax",
		func(expr, want string) {
			f, err := helicone.ParseFilterAt(now, expr)
			Expect(err).NotTo(HaveOccurred())
			Expect(json.Marshal(f)).To(MatchJSON(`{"request_response_rmt":` + want + `}`))
		},
		Entry(nil, "property:Variant=B", `{"properties":{"Variant":{"equals":"B"}}}`),
		Entry(nil, "property:Environment!=staging", `{"properties":{"Environment":{"not-equals":"staging"}}}`),
		Entry(nil, "prop:Query~a=b", `{"properties":{"Query":{"contains":"a=b"}}}`),
		Entry(nil, "model=gpt-4o-mini", `{"model":{"equals":"gpt-4o-mini"}}`),
		Entry(nil, "model~mini", `{"model":{"contains":"mini"}}`),
		Entry(nil, "model!~mini", `{"model":{"not-contains":"mini"}}`),
		Entry(nil, "user_id!=bob", `{"user_id":{"not-equals":"bob"}}`),
		Entry(nil, "user=bob", `{"user_id":{"equals":"bob"}}`),
		Entry(nil, " model = gpt 4 ", `{"model":{"equals":"gpt 4"}}`),
		Entry(nil, "status=200", `{"status":{"equals":200}}`),
		Entry(nil, "latency>=1000", `{"latency":{"gte":1000}}`),
		Entry(nil, "latency<=5", `{"latency":{"lte":5}}`),
		Entry(nil, "cost<0.01", `{"cost":{"lt":0.01}}`),
		Entry(nil, "prompt_tokens>500", `{"prompt_tokens":{"gt":500}}`),
		Entry(nil, "status!=200", `{"status":{"not-equals":200}}`),
		Entry(nil, "created>=-24h", `{"request_created_at":{"gte":"2026-11-20T12:00:00.000Z"}}`),
		Entry(nil, "created>=-7d", `{"request_created_at":{"gte":"2026-11-14T12:00:00.000Z"}}`),
		Entry(nil, "created>=-1w1d12h", `{"request_created_at":{"gte":"2026-11-13T00:00:00.000Z"}}`),
		Entry(nil, "created>=-90m", `{"request_created_at":{"gte":"2026-11-21T10:30:00.000Z"}}`),
		Entry(nil, "created<now", `{"request_created_at":{"lt":"2026-11-21T12:00:00.000Z"}}`),
		Entry(nil, "created>=2026-11-01T00:00:00Z", `{"request_created_at":{"gte":"2026-11-01T00:00:00.000Z"}}`),
		Entry(nil, "created_at>2026-11-01T02:00:00+02:00", `{"request_created_at":{"gt":"2026-11-01T00:00:00.000Z"}}`),
		Entry(nil, "created<=2026-11-01", `{"request_created_at":{"lte":"2026-11-01T00:00:00.000Z"}}`),
		Entry(nil, "score:accuracy=80", `{"scores":{"accuracy":{"equals":"80"}}}`),
		Entry(nil, "score:is_factual-hcone-bool=1", `{"scores":{"is_factual-hcone-bool":{"equals":"1"}}}`),
	)

	It("ANDs several expressions", func() {
		f, err := helicone.ParseFilterAt(now, "property:Variant=B", "created>=-24h", "status=200")
		Expect(err).NotTo(HaveOccurred())
		Expect(json.Marshal(f)).To(MatchJSON(`{"left":{"left":{"request_response_rmt":{"properties":{"Variant":{"equals":"B"}}}},"operator":"and",
		  "right":{"request_response_rmt":{"request_created_at":{"gte":"2026-11-20T12:00:00.000Z"}}}},"operator":"and",
		  "right":{"request_response_rmt":{"status":{"equals":200}}}}`))
	})

	It("is \"all\" without expressions", func() {
		f, err := helicone.ParseFilter()
		Expect(err).NotTo(HaveOccurred())
		Expect(f.IsAll()).To(BeTrue())
	})

	DescribeTable("says what is wrong and shows the accepted forms",
		func(expr, reason string) {
			_, err := helicone.ParseFilterAt(now, "model=ok", expr)
			Expect(err).To(MatchError(helicone.ErrInvalidFilter))
			Expect(err.Error()).To(ContainSubstring(`"` + expr + `"`))
			Expect(err.Error()).To(ContainSubstring(reason))
			Expect(err.Error()).To(ContainSubstring("accepted forms"))
		},
		Entry(nil, "model", "no operator"),
		Entry(nil, "=x", "nothing before the operator"),
		Entry(nil, "model=", "no value"),
		Entry(nil, "colour=red", `unknown column "colour"`),
		Entry(nil, "score:accuracy>=80", "server rejects gte/lte/gt/lt on scores"),
		Entry(nil, "property:Variant>B", "compared as text"),
		Entry(nil, "model>=a", "compared as text"),
		Entry(nil, "latency~5", "number column"),
		Entry(nil, "latency>=fast", "takes a number"),
		Entry(nil, "created!=-1h", "time column"),
		Entry(nil, "created>=yesterday", "not a time"),
		Entry(nil, "created>=-24x", "not a duration"),
		Entry(nil, "created>=-0h", "zero"),
		Entry(nil, "score:=5", "needs a name"),
		Entry(nil, "tag:x=5", `unknown prefix "tag"`),
		Entry("a doubled equals sign is a typo, not a value starting with =", "model==gpt", `"==" is not an operator (did you mean =, as in model=gpt?)`),
		Entry("=> is >= mistyped", "latency=>1000", `"=>" is not an operator (did you mean >=, as in latency>=1000?)`),
		Entry("=< is <= mistyped", "created=<2026-11-01", `did you mean <=`),
		Entry("~= is ~ mistyped", "model~=mini", `did you mean ~, as in model~mini?`),
		Entry("a mistyped column is named with the nearest one", "modle=gpt-4o", `unknown column "modle" (did you mean model?)`),
		Entry("a mistyped number column too", "latncy>=3", `(did you mean latency?)`),
	)

	It("documents its syntax", func() {
		for _, form := range []string{"property:NAME", "score:KEY", "created>=-24h", "latency"} {
			Expect(helicone.FilterSyntax).To(ContainSubstring(form))
		}
	})
})

var _ = Describe("FlexValue", func() {
	DescribeTable("reads integers exactly, as numbers or strings",
		func(raw string, want int64) {
			var v helicone.FlexValue
			Expect(json.Unmarshal([]byte(raw), &v)).To(Succeed())
			n, ok := v.Int64()
			Expect(ok).To(BeTrue())
			Expect(n).To(Equal(want))
			out, err := json.Marshal(v)
			Expect(err).NotTo(HaveOccurred())
			Expect(string(out)).To(Equal(strconv.FormatInt(want, 10)))
		},
		Entry("int64 max", `9223372036854775807`, int64(math.MaxInt64)),
		Entry("int64 max quoted", `"9223372036854775807"`, int64(math.MaxInt64)),
		Entry("near int64 max", `"9223372036854775300"`, int64(9223372036854775300)),
		Entry("int64 min", `-9223372036854775808`, int64(math.MinInt64)),
		Entry("an exponent", `"1e2"`, int64(100)),
		Entry("a whole float", `85.0`, int64(85)),
	)

	It("refuses what is not a whole number within int64", func() {
		for _, raw := range []string{`"9223372036854775808"`, `95.5`, `"abc"`, `null`, `1e300`} {
			var v helicone.FlexValue
			Expect(json.Unmarshal([]byte(raw), &v)).To(Succeed())
			_, ok := v.Int64()
			Expect(ok).To(BeFalse(), raw)
		}
	})
})
