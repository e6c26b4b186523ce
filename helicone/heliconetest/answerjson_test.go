package heliconetest_test

import (
	"bytes"
	"fmt"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/helicone/heliconetest"
	"github.com/heval-dev/heval/helicone/heliconetest/demo"
)

var _ = Describe("the experiment answer's rows and runs", func() {
	// oddSeed is a demo set whose strings hold what encoding/json escapes, and whose
	// requests hold scores.
	oddSeed := func() heliconetest.Seed {
		s := demo.Generate(demo.Options{Experiments: 2, Rows: 6, Requests: -1})
		o := &s.Organizations[0]
		odd := []string{"<b>&amp;</b>", "x < y", "x > y", "x & y", "line\nbreak \"quoted\" \\ tab\t", "é ü \u2028 \u2029", "bad \xff byte", ""}
		for i := range o.Requests {
			r := &o.Requests[i]
			r.Model = odd[i%len(odd)]
			if i%3 == 0 {
				r.Provider = odd[(i+1)%len(odd)]
			}
			if i%2 == 0 {
				r.Scores = map[string]int64{"z-key": int64(i), "a<key>": -int64(i), "ok" + heliconetest.BoolSuffix: 1}
			}
		}
		for e := range o.Experiments {
			rows := o.Experiments[e].Dataset.Rows
			for i := range rows {
				rows[i].Inputs = map[string]string{"q": odd[i%len(odd)], odd[(i+2)%len(odd)] + "k": "v"}
				if i == 1 {
					rows[i].Inputs = map[string]string{}
				}
			}
		}
		return s
	}

	DescribeTable("are written byte for byte as go-json-experiment writes them",
		func(include string) {
			srv := heliconetest.NewServer(heliconetest.WithProfile(heliconetest.Legacy), heliconetest.WithSeed(oddSeed()))
			defer srv.Close()
			body := fmt.Sprintf(`{"filter":"all","include":%s}`, include)
			hand := queryExperiments(srv, demo.APIKey, body)
			Expect(hand.Status).To(Equal(200), "body: %s", hand.Body)
			restore := heliconetest.ReflectAnswerPieces()
			reflected := queryExperiments(srv, demo.APIKey, body)
			restore()
			Expect(reflected.Status).To(Equal(200))
			Expect(bytes.Count(hand.Body, []byte(`\u003c`))).To(BeNumerically(">", 0), "the seed's odd strings reach the answer")
			Expect(string(hand.Body)).To(Equal(string(reflected.Body)))
		},
		Entry("everything", `{"inputs":true,"promptVersion":true,"responseBodies":true,"score":true}`),
		Entry("inputs without bodies", `{"inputs":true,"score":true}`),
		Entry("bodies without inputs", `{"responseBodies":true}`),
		Entry("nothing", `{}`),
	)
})
