package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/reporters/parquet"
)

var _ = Describe("a server that echoes parts of the API key", func() {
	It("leaves no run of eight characters of the key in any output or log", func() {
		const key = "sk-helicone-s3cr3t9-k3y0000-abcdefg-recognisable"
		secret := strings.TrimPrefix(key, "sk-helicone-")
		echo := []string{
			"invalid key " + key[:len(key)-5],                  // cut short
			"key " + strings.ToUpper(key[12:]),                 // upper-cased
			"key " + key[:24] + "\n" + key[24:],                // split
			"the token " + strings.ToLower(secret[3:20]) + "…", // a long part
		}
		var calls atomic.Int64 // the score writes come side by side
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			n := int(calls.Add(1) - 1)
			// 422 is not retried, which keeps the spec quick; its details echo the key.
			w.WriteHeader(422)
			fmt.Fprintf(w, `{"message":%q,"details":{"requestBody.scores":{"message":%q}}}`, echo[n%len(echo)], echo[(n+1)%len(echo)])
		}))
		DeferCleanup(srv.Close)
		GinkgoT().Setenv("HELICONE_BASE_URL", srv.URL)
		GinkgoT().Setenv("HELICONE_API_KEY", key)
		dir := GinkgoT().TempDir()
		samples := filepath.Join(dir, "samples.jsonl")
		var lines []string
		for i := range 4 {
			lines = append(lines, fmt.Sprintf(`{"request_id":"%08x-0000-4000-8000-000000000000","output":"answer %d"}`, i, i))
		}
		Expect(os.WriteFile(samples, []byte(strings.Join(lines, "\n")), 0o644)).To(Succeed())
		out := filepath.Join(dir, "out")
		md := filepath.Join(dir, "summary.md")
		code, stdout, stderr := runHeval("run", "--jsonl", samples, "--eval", "word_count", "--out", out, "--markdown", md, "--rate", "unlimited", "--quiet")
		Expect(code).NotTo(Equal(exitOK))

		texts := map[string]string{"stdout": stdout, "stderr": stderr}
		entries, err := os.ReadDir(out)
		Expect(err).NotTo(HaveOccurred())
		for _, e := range entries {
			b, err := os.ReadFile(filepath.Join(out, e.Name()))
			Expect(err).NotTo(HaveOccurred())
			texts[e.Name()] = string(b)
		}
		b, err := os.ReadFile(md)
		Expect(err).NotTo(HaveOccurred())
		texts["summary.md"] = string(b)
		// Parquet compresses its pages: read the messages back.
		_, recs, err := parquet.ReadFile(filepath.Join(out, "scores.parquet"))
		Expect(err).NotTo(HaveOccurred())
		var msgs []string
		for _, r := range recs {
			msgs = append(msgs, r.Err, r.DeliveryErr)
		}
		texts["scores.parquet messages"] = strings.Join(msgs, "\n")
		Expect(texts["scores.parquet messages"]).To(ContainSubstring("REDACTED"), "the delivery errors were recorded")

		for name, text := range texts {
			low := strings.ToLower(text)
			for i := 0; i+8 <= len(secret); i++ {
				Expect(low).NotTo(ContainSubstring(secret[i:i+8]), "%s holds %q of the key", name, secret[i:i+8])
			}
		}
	})
})
