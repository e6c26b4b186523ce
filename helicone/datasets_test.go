package helicone_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/helicone"
)

const (
	datasetID  = "6a1f0c2e-5b3d-4e8f-9a7b-0c1d2e3f4a5b"
	datasetID2 = "7b2a1d3f-6c4e-4f9a-8b8c-1d2e3f4a5b6c"
)

func rowJSON(i int, signed string) string {
	return fmt.Sprintf(`{"id":%q,"origin_request_id":%q,"dataset_id":%q,"created_at":"2026-11-01T09:00:00.000Z","signed_url":%s}`,
		uuidN(1000+i), uuidN(i), datasetID, signed)
}

func rowsJSON(from, to int) string {
	rows := make([]string, 0, to-from)
	for i := from; i < to; i++ {
		rows = append(rows, rowJSON(i, `{"data":"https://bucket.example/rows/`+fmt.Sprint(i)+`?X-Amz-Signature=abc","error":null}`))
	}
	return `{"data":[` + strings.Join(rows, ",") + `],"error":null}`
}

const datasetList = `{"data":[
  {"id":"` + datasetID + `","name":"support-golden","created_at":"2026-10-01T00:00:00Z","dataset_type":"helicone","requests_count":"12","meta":null,"signed_url":{}},
  {"id":"` + datasetID2 + `","name":"Coding Set","created_at":null,"dataset_type":"helicone","requests_count":"3","meta":{"k":1}}
],"error":null}`

var _ = Describe("Helicone Datasets", func() {
	It("lists datasets, with the count sent as a string", func() {
		s := newScript(reply(200, datasetList))
		list, err := newClient(s).ListDatasets(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(list).To(HaveLen(2))
		Expect(list[0].ID).To(Equal(datasetID))
		Expect(list[0].Name).To(Equal("support-golden"))
		Expect(list[0].RequestsCount).To(Equal(helicone.FlexInt(12)))
		Expect(list[1].CreatedAt).To(BeEmpty())
		Expect(string(list[1].Meta)).To(MatchJSON(`{"k":1}`))
		r := s.requests()[0]
		Expect(r.Method).To(Equal("POST"))
		Expect(r.Path).To(Equal("/v1/helicone-dataset/query"))
		Expect(r.Body).To(MatchJSON(`{}`))
		Expect(r.ContentType).To(Equal("application/json"))
	})

	It("lists datasets by id, keeping only those asked for", func() {
		s := newScript(reply(200, datasetList))
		list, err := newClient(s).ListDatasets(ctx, datasetID2)
		Expect(err).NotTo(HaveOccurred())
		Expect(list).To(HaveLen(1))
		Expect(list[0].Name).To(Equal("Coding Set"))
		Expect(s.requests()[0].Body).To(MatchJSON(`{"datasetIds":["` + datasetID2 + `"]}`))
	})

	DescribeTable("finds a dataset by id or name",
		func(query, wantID string) {
			s := newScript(reply(200, datasetList))
			d, err := newClient(s).FindDataset(ctx, query)
			Expect(err).NotTo(HaveOccurred())
			Expect(d.ID).To(Equal(wantID))
		},
		Entry("id", datasetID2, datasetID2),
		Entry("exact name", "support-golden", datasetID),
		Entry("name in another case, with spaces", "  coding set ", datasetID2),
	)

	It("says which datasets exist when none matches, and which share an ambiguous name", func() {
		s := newScript(reply(200, datasetList))
		_, err := newClient(s).FindDataset(ctx, "nightly")
		Expect(err).To(MatchError(helicone.ErrDatasetNotFound))
		Expect(err.Error()).To(ContainSubstring(`no Helicone dataset "nightly" on ` + s.srv.URL))
		Expect(err.Error()).To(ContainSubstring(`"support-golden", "Coding Set"`))

		s = newScript(reply(200, `{"data":[],"error":null}`))
		_, err = newClient(s).FindDataset(ctx, datasetID)
		Expect(err).To(MatchError(helicone.ErrDatasetNotFound))
		Expect(err.Error()).To(ContainSubstring("it has no datasets"))

		s = newScript(reply(200, `{"data":[{"id":"`+datasetID+`","name":"dup"},{"id":"`+datasetID2+`","name":"dup"}],"error":null}`))
		_, err = newClient(s).FindDataset(ctx, "dup")
		var amb *helicone.AmbiguousDatasetError
		Expect(errors.As(err, &amb)).To(BeTrue())
		Expect(err.Error()).To(ContainSubstring(datasetID + ", " + datasetID2))
	})

	It("queries a page of rows and decodes the signed URL envelope", func() {
		s := newScript(reply(200, `{"data":[`+rowJSON(0, `{"data":"https://bucket.example/r0?sig=1","error":null}`)+`,`+
			rowJSON(1, `{"data":null,"error":"Failed to sign"}`)+`],"error":null}`))
		rows, err := newClient(s).DatasetRows(ctx, datasetID, 20, 10)
		Expect(err).NotTo(HaveOccurred())
		Expect(rows).To(HaveLen(2))
		Expect(rows[0].ID).To(Equal(uuidN(1000)))
		Expect(rows[0].OriginRequestID).To(Equal(uuidN(0)))
		Expect(rows[0].SignedURL).To(Equal(helicone.SignedURL{URL: "https://bucket.example/r0?sig=1"}))
		Expect(rows[1].SignedURL).To(Equal(helicone.SignedURL{Error: "Failed to sign"}))
		r := s.requests()[0]
		Expect(r.Path).To(Equal("/v1/helicone-dataset/" + datasetID + "/query"))
		Expect(r.Body).To(MatchJSON(`{"offset":20,"limit":10}`))
	})

	DescribeTable("checks row queries before sending",
		func(id string, offset, limit int, arg string) {
			s := newScript(reply(200, `{"data":[],"error":null}`))
			_, err := newClient(s).DatasetRows(ctx, id, offset, limit)
			var ia *helicone.InvalidArgumentError
			Expect(errors.As(err, &ia)).To(BeTrue())
			Expect(ia.Arg).To(Equal(arg))
			Expect(s.requests()).To(BeEmpty())
		},
		Entry("a name for an id", "support-golden", 0, 10, "datasetID"),
		Entry("limit 0", datasetID, 0, 0, "limit"),
		Entry("limit above 10000", datasetID, 0, 10001, "limit"),
		Entry("negative offset", datasetID, -1, 10, "offset"),
	)

	DescribeTable("counts rows, whether the count comes as a string or a number",
		func(body string, want int) {
			s := newScript(reply(200, body))
			n, err := newClient(s).CountDatasetRows(ctx, datasetID)
			Expect(err).NotTo(HaveOccurred())
			Expect(n).To(Equal(want))
			Expect(s.requests()[0].Path).To(Equal("/v1/helicone-dataset/" + datasetID + "/count"))
		},
		Entry("string", `{"data":"12","error":null}`, 12),
		Entry("number", `{"data":7,"error":null}`, 7),
	)

	It("refuses a count that is not a number", func() {
		s := newScript(reply(200, `{"data":"many","error":null}`))
		_, err := newClient(s).CountDatasetRows(ctx, datasetID)
		var de *helicone.DecodeError
		Expect(errors.As(err, &de)).To(BeTrue())
	})

	It("reports a route's 500 message, retrying it once", func() {
		s := newScript(reply(500, `{"data":null,"error":"Failed to get dataset rows"}`))
		_, err := newClient(s).DatasetRows(ctx, datasetID, 0, 10)
		Expect(err).To(MatchError(helicone.ErrServer))
		Expect(err.Error()).To(ContainSubstring("Failed to get dataset rows"))
		Expect(s.requests()).To(HaveLen(2))
	})

	It("says when the server has no Datasets routes", func() {
		s := newScript(reply(404, expressNotFound, "Content-Type", "text/html"))
		_, err := newClient(s).FindDataset(ctx, "support-golden")
		Expect(err).To(MatchError(helicone.ErrDatasetsUnavailable))
		Expect(err).To(MatchError(helicone.ErrRouteNotFound))
		Expect(err.Error()).To(ContainSubstring("--experiment"))
	})
})

var _ = Describe("EachDatasetRow", func() {
	It("hands each distinct row on as its page arrives, and stops at the first error of the callback", func() {
		page := `{"data":[` + rowJSON(0, `{}`) + `,` + rowJSON(1, `{}`) + `,` + rowJSON(0, `{}`) + `,` + rowJSON(2, `{}`) + `],"error":null}`
		s := newScript(reply(200, `{"data":"3","error":null}`), reply(200, page))
		var ids []string
		err := newClient(s).EachDatasetRow(ctx, datasetID, func(r helicone.HeliconeDatasetRow) error {
			ids = append(ids, r.ID)
			return nil
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(ids).To(HaveLen(3))
		distinct := map[string]bool{}
		for _, id := range ids {
			distinct[id] = true
		}
		Expect(distinct).To(HaveLen(3), "no row handed on twice: %v", ids)

		stop := errors.New("disk full")
		s = newScript(reply(200, `{"data":"3","error":null}`), reply(200, page))
		n := 0
		err = newClient(s).EachDatasetRow(ctx, datasetID, func(helicone.HeliconeDatasetRow) error {
			n++
			if n == 2 {
				return stop
			}
			return nil
		})
		Expect(err).To(MatchError(stop))
		Expect(n).To(Equal(2))
	})
})

var _ = Describe("AllDatasetRows", func() {
	It("reads one page of 10000, removes repeated rows and checks the count", func() {
		page := `{"data":[` + rowJSON(0, `{}`) + `,` + rowJSON(1, `{}`) + `,` + rowJSON(0, `{}`) + `],"error":null}`
		s := newScript(reply(200, `{"data":"2","error":null}`), reply(200, page))
		rows, err := newClient(s).AllDatasetRows(ctx, datasetID)
		Expect(err).NotTo(HaveOccurred())
		Expect(rows).To(HaveLen(2))
		Expect(s.requests()).To(HaveLen(2))
		Expect(s.requests()[1].Body).To(MatchJSON(`{"offset":0,"limit":10000}`))
	})

	It("fails rather than return part of a dataset", func() {
		s := newScript(reply(200, `{"data":"3","error":null}`), reply(200, rowsJSON(0, 2)), reply(200, `{"data":"3","error":null}`))
		_, err := newClient(s).AllDatasetRows(ctx, datasetID)
		var inc *helicone.DatasetIncompleteError
		Expect(errors.As(err, &inc)).To(BeTrue())
		Expect(err.Error()).To(ContainSubstring("counts 3 rows but 2 distinct rows"))
	})

	It("accepts a shortfall that a second count explains", func() {
		s := newScript(reply(200, `{"data":"3","error":null}`), reply(200, rowsJSON(0, 2)), reply(200, `{"data":"2","error":null}`))
		rows, err := newClient(s).AllDatasetRows(ctx, datasetID)
		Expect(err).NotTo(HaveOccurred())
		Expect(rows).To(HaveLen(2))
	})

	It("re-reads the pages after the first until rows skipped at a page boundary are found", func() {
		// 10003 rows; the page at offset 10000 first repeats a row of the first page instead
		// of row 10002, then comes back whole.
		first := rowsJSON(0, 10000)
		skipping := `{"data":[` + rowJSON(10000, `{}`) + `,` + rowJSON(10001, `{}`) + `,` + rowJSON(9999, `{}`) + `],"error":null}`
		s := newScript(reply(200, `{"data":"10003","error":null}`), reply(200, first), reply(200, skipping), reply(200, rowsJSON(10000, 10003)))
		rows, err := newClient(s).AllDatasetRows(ctx, datasetID)
		Expect(err).NotTo(HaveOccurred())
		Expect(rows).To(HaveLen(10003))
		var offsets []int
		for _, r := range s.requests()[1:] {
			var q struct{ Offset, Limit int }
			Expect(json.Unmarshal([]byte(r.Body), &q)).To(Succeed())
			Expect(q.Limit).To(Equal(10000))
			offsets = append(offsets, q.Offset)
		}
		Expect(offsets).To(Equal([]int{0, 10000, 10000}))
	})
})

func gzipped(s string) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	_, _ = zw.Write([]byte(s))
	Expect(zw.Close()).To(Succeed())
	return b.Bytes()
}

const signedJSON = `{"request":{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]},"response":{"choices":[{"message":{"role":"assistant","content":"hello"}}]}}`

// storage serves signed bodies the way S3 does: gzip JSON with Content-Encoding: gzip, and
// a refusal of any second credential.
func storage(body []byte, encoding string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			reply(400, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>InvalidArgument</Code><Message>Only one auth mechanism allowed</Message></Error>`)(w, r)
			return
		}
		if encoding != "" {
			w.Header().Set("Content-Encoding", encoding)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}
}

var _ = Describe("FetchSignedBody", func() {
	DescribeTable("decodes the body, gunzipped by net/http or not, sending no API key to a host of its own",
		func(body []byte, encoding string, opts ...helicone.Option) {
			api := newScript(reply(500, `{}`))
			bucket := newScript(storage(body, encoding))
			b, err := newClient(api, opts...).FetchSignedBody(ctx, bucket.srv.URL+"/rows/r0?X-Amz-Signature=s3cr3t&X-Amz-Expires=86400")
			Expect(err).NotTo(HaveOccurred())
			Expect(string(b.Request)).To(MatchJSON(`{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}`))
			Expect(string(b.Response)).To(ContainSubstring(`"hello"`))
			Expect(api.requests()).To(BeEmpty())
			Expect(bucket.requests()).To(HaveLen(1))
			Expect(bucket.requests()[0].Auth).To(BeEmpty())
		},
		Entry("gzip with Content-Encoding: gzip, gunzipped by net/http", gzipped(signedJSON), "gzip"),
		Entry("gzip with Content-Encoding: gzip through a client that does not gunzip", gzipped(signedJSON), "gzip",
			helicone.WithHTTPClient(&http.Client{Transport: &http.Transport{DisableCompression: true}})),
		Entry("gzip without Content-Encoding", gzipped(signedJSON), ""),
		Entry("plain JSON", []byte(signedJSON), ""),
	)

	It("says that an expired URL needs a fresh query, never showing the signature", func() {
		bucket := newScript(reply(403, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>`, "Content-Type", "application/xml"))
		_, err := newClient(bucket).FetchSignedBody(ctx, bucket.srv.URL+"/rows/r0?X-Amz-Signature=s3cr3t")
		var se *helicone.SignedURLError
		Expect(errors.As(err, &se)).To(BeTrue())
		Expect(se.Expired()).To(BeTrue())
		Expect(err.Error()).To(ContainSubstring("AccessDenied: Request has expired"))
		Expect(err.Error()).To(ContainSubstring("query the rows again"))
		Expect(err.Error()).To(ContainSubstring(bucket.srv.URL + "/rows/r0"))
		Expect(err.Error()).NotTo(ContainSubstring("s3cr3t"))
		Expect(bucket.requests()).To(HaveLen(1))
	})

	It("retries a storage 503 and a dropped connection", func() {
		bucket := newScript(reply(503, `<Error><Code>SlowDown</Code></Error>`), hangup(), storage(gzipped(signedJSON), "gzip"))
		_, err := newClient(bucket).FetchSignedBody(ctx, bucket.srv.URL+"/rows/r0?sig=s3cr3t")
		Expect(err).NotTo(HaveOccurred())
		Expect(bucket.requests()).To(HaveLen(3))
	})

	It("keeps the signature out of transport errors", func() {
		bucket := newScript(hangup())
		_, err := newClient(bucket, helicone.WithRetry(helicone.NoRetry())).FetchSignedBody(ctx, bucket.srv.URL+"/rows/r0?sig=s3cr3t")
		Expect(err).To(HaveOccurred())
		Expect(err.Error()).NotTo(ContainSubstring("s3cr3t"))
	})

	It("reports a body that is not {request, response}", func() {
		bucket := newScript(storage(gzipped(`[1,2]`), "gzip"))
		_, err := newClient(bucket).FetchSignedBody(ctx, bucket.srv.URL+"/r")
		Expect(err).To(MatchError(ContainSubstring("not a JSON object {request, response}")))
	})

	DescribeTable("refuses what is not an http(s) URL, sending nothing",
		func(raw string) {
			s := newScript(reply(200, `{}`))
			_, err := newClient(s).FetchSignedBody(ctx, raw)
			Expect(err).To(MatchError(helicone.ErrInvalidArgument))
			Expect(s.requests()).To(BeEmpty())
		},
		Entry("empty", ""), Entry("file", "file:///etc/passwd"), Entry("no host", "https:///x"),
		Entry("credentials", "https://user:pw@127.0.0.1/x"),
	)
})

var _ = Describe("RequestBodies", func() {
	It("uses inline bodies of a ClickHouse row, and the signed URL of an S3 row", func() {
		bucket := newScript(storage(gzipped(signedJSON), "gzip"))
		c := newClient(bucket)
		inline := helicone.Request{RequestBody: json.RawMessage(`{"messages":[]}`), ResponseBody: json.RawMessage(`{"choices":[]}`), SignedBodyURL: bucket.srv.URL + "/unused"}
		b, err := c.RequestBodies(ctx, &inline)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(b.Response)).To(Equal(`{"choices":[]}`))
		Expect(bucket.requests()).To(BeEmpty())

		s3 := helicone.Request{StorageLocation: "s3", RequestBody: json.RawMessage(`"user: hi"`), ResponseBody: json.RawMessage(`"assistant: hello"`), SignedBodyURL: bucket.srv.URL + "/r?sig=x"}
		b, err = c.RequestBodies(ctx, &s3)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(b.Response)).To(ContainSubstring(`"hello"`))

		placeholder := helicone.Request{ResponseBody: json.RawMessage(`{"helicone_message":"fetching body from signed_url..."}`)}
		b, err = c.RequestBodies(ctx, &placeholder)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(b.Response)).To(ContainSubstring("helicone_message"))
		Expect(bucket.requests()).To(HaveLen(1))
	})
})

var _ = Describe("SignedURL", func() {
	DescribeTable("decodes every envelope the server sends",
		func(raw string, want helicone.SignedURL) {
			var got helicone.SignedURL
			Expect(json.Unmarshal([]byte(raw), &got)).To(Succeed())
			Expect(got).To(Equal(want))
		},
		Entry("signed", `{"data":"https://b/x","error":null}`, helicone.SignedURL{URL: "https://b/x"}),
		Entry("failed", `{"data":null,"error":"no object"}`, helicone.SignedURL{Error: "no object"}),
		Entry("failed without a message", `{"data":null,"error":{}}`, helicone.SignedURL{Error: "{}"}),
		Entry("empty, as the list sends it", `{}`, helicone.SignedURL{}),
		Entry("null", `null`, helicone.SignedURL{}),
		Entry("a bare string", `"https://b/x"`, helicone.SignedURL{URL: "https://b/x"}),
	)

	It("refuses a URL that is not a string", func() {
		var got helicone.SignedURL
		Expect(json.Unmarshal([]byte(`{"data":5}`), &got)).NotTo(Succeed())
		Expect(json.Unmarshal([]byte(`[1]`), &got)).NotTo(Succeed())
	})
})
