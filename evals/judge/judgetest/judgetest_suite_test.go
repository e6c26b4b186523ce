package judgetest_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/evals/judge/judgetest"
)

func TestJudgetest(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "judgetest")
}

func post(srv *judgetest.Server, system, user string) (*http.Response, map[string]any) {
	GinkgoHelper()
	body, _ := json.Marshal(map[string]any{"model": "m", "messages": []any{
		map[string]any{"role": "system", "content": system}, map[string]any{"role": "user", "content": user},
	}})
	resp, err := http.Post(srv.URL+"/chat/completions", "application/json", bytes.NewReader(body))
	Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	var out map[string]any
	Expect(json.NewDecoder(resp.Body).Decode(&out)).To(Succeed())
	return resp, out
}

func content(out map[string]any) string {
	return out["choices"].([]any)[0].(map[string]any)["message"].(map[string]any)["content"].(string)
}

var _ = Describe("the fake judge server", func() {
	It("derives a stable score within the announced range", func() {
		for _, u := range []string{"a", "b", "c", "d", "e"} {
			n := judgetest.DeriveScore("Score range: 1 to 5 (integers)", u)
			Expect(n).To(BeNumerically(">=", 1))
			Expect(n).To(BeNumerically("<=", 5))
			Expect(judgetest.DeriveScore("Score range: 1 to 5 (integers)", u)).To(Equal(n))
		}
		Expect(judgetest.DeriveScore("", "x")).To(BeNumerically("<=", 100))
	})

	It("listens on 127.0.0.1, answers well and counts calls", func() {
		srv := judgetest.NewServer(judgetest.Options{})
		DeferCleanup(srv.Close)
		Expect(srv.URL).To(HavePrefix("http://127.0.0.1:"))
		resp, out := post(srv, "Score range: 0 to 100.", "answer")
		Expect(resp.StatusCode).To(Equal(http.StatusOK))
		var v struct {
			Score  int    `json:"score"`
			Reason string `json:"reason"`
		}
		Expect(json.Unmarshal([]byte(content(out)), &v)).To(Succeed())
		Expect(v.Score).To(Equal(judgetest.DeriveScore("Score range: 0 to 100.", "answer")))
		Expect(out["usage"]).To(HaveKeyWithValue("completion_tokens", BeNumerically("==", 20)))
		Expect(srv.Calls()).To(Equal(1))
		Expect(srv.Requests()[0].Model).To(Equal("m"))
	})

	It("scripts 429, 500 and malformed answers before its mode", func() {
		srv := judgetest.NewServer(judgetest.Options{RateLimitFirst: 1, ServerErrorFirst: 1, MalformedFirst: 1})
		DeferCleanup(srv.Close)
		resp, _ := post(srv, "", "x")
		Expect(resp.StatusCode).To(Equal(http.StatusTooManyRequests))
		Expect(resp.Header.Get("Retry-After-Ms")).To(Equal("10"))
		Expect(resp.Header.Get("Retry-After")).To(Equal("0.01"))
		resp, _ = post(srv, "", "x")
		Expect(resp.StatusCode).To(Equal(http.StatusInternalServerError))
		resp, out := post(srv, "", "x")
		Expect(resp.StatusCode).To(Equal(http.StatusOK))
		Expect(json.Valid([]byte(content(out)))).To(BeFalse(), "the third call's malformed answer is a truncated object")
		resp, _ = post(srv, "", "x")
		Expect(resp.StatusCode).To(Equal(http.StatusOK))
		Expect(srv.Calls()).To(Equal(4))
	})

	It("answers 400 in BadRequest mode", func() {
		srv := judgetest.NewServer(judgetest.Options{Mode: judgetest.BadRequest})
		DeferCleanup(srv.Close)
		resp, out := post(srv, "", "x")
		Expect(resp.StatusCode).To(Equal(http.StatusBadRequest))
		Expect(out).To(HaveKey("error"))
	})
})
