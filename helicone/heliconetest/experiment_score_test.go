package heliconetest_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("GET /v2/experiment/{experimentId}/{requestId}/{scoreKey}", func() {
	It("answers 200 with the value and its type", func() {
		srv, _ := newServer(legacy)
		expectGolden("200-score-found", get(srv, keyA, "/v2/experiment/"+expAlpha+"/"+reqA2+"/accuracy"))
	})

	It("answers 200 with null data when the score does not exist", func() {
		srv, _ := newServer(legacy)
		expectGolden("200-score-missing", get(srv, keyA, "/v2/experiment/"+expAlpha+"/"+reqA1+"/accuracy"))
	})

	It("finds booleans under -hcone-bool with valueType boolean", func() {
		srv, _ := newServer(legacy)
		expectGolden("200-score-boolean", get(srv, keyA, "/v2/experiment/"+expAlpha+"/"+reqA2+"/is_factual-hcone-bool"))
		expectGolden("200-score-missing", get(srv, keyA, "/v2/experiment/"+expAlpha+"/"+reqA2+"/is_factual"))
	})

	It("ignores the experiment id", func() {
		srv, _ := newServer(legacy)
		expectGolden("200-score-found", get(srv, keyA, "/v2/experiment/anything/"+reqA2+"/accuracy"))
	})

	It("reads back a write at once", func() {
		srv, _ := newServer(legacy)
		score(srv, keyA, reqA1, `{"scores":{"accuracy":92}}`)
		expectGolden("200-score-written", get(srv, keyA, "/v2/experiment/x/"+reqA1+"/accuracy"))
	})

	It("cannot read a key literally named scores (another route shadows it)", func() {
		srv, _ := newServer(legacy)
		score(srv, keyA, reqA1, `{"scores":{"scores":5}}`)
		Expect(srv.Scores(reqA1)).To(HaveKeyWithValue("scores", int64(5)))
		expectGolden("200-score-key-scores-shadowed", get(srv, keyA, "/v2/experiment/"+expAlpha+"/"+reqA1+"/scores"))
		expectGolden("200-score-key-scores-unauthorized", get(srv, keyA, "/v2/experiment/x/"+reqA1+"/scores"))
		expectGolden("200-score-key-scores-unauthorized", get(srv, keyB, "/v2/experiment/"+expAlpha+"/"+reqA1+"/scores"))
	})

	It("answers as if another organization's score did not exist", func() {
		srv, _ := newServer(legacy)
		expectGolden("200-score-missing", get(srv, keyB, "/v2/experiment/"+expAlpha+"/"+reqA2+"/accuracy"))
	})
})
