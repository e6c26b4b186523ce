package heliconetest_test

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/helicone/heliconetest"
)

// Requests of the storage specs, one per storage location and age.
const (
	reqCH      = "5c000000-0000-4000-8000-000000000001"
	reqCHOld   = "5c000000-0000-4000-8000-000000000002"
	reqS3      = "5c000000-0000-4000-8000-000000000003"
	reqS3Old   = "5c000000-0000-4000-8000-000000000004"
	reqNoStore = "5c000000-0000-4000-8000-000000000005"
	keyS       = "sk-helicone-sssssss-sssssss-sssssss-sssssss"
)

func storageServer(opts ...heliconetest.Option) (*heliconetest.Server, *testClock) {
	clock := newClock()
	mk := func(id string, ago heliconetest.Duration, storage string) heliconetest.SeedRequest {
		return heliconetest.SeedRequest{
			ID: id, CreatedAgo: ago, Model: "gpt-4o", StorageLocation: storage,
			RequestBody:  json.RawMessage(`{"model":"gpt-4o","messages":[{"role":"user","content":"Où est la gare? \u00e9"}]}`),
			ResponseBody: chat("The station is north [1]."),
		}
	}
	days := func(n int) heliconetest.Duration { return heliconetest.Duration(time.Duration(n) * 24 * time.Hour) }
	seed := heliconetest.Seed{Organizations: []heliconetest.SeedOrganization{{
		ID: "org-s", Keys: []string{keyS},
		Requests: []heliconetest.SeedRequest{
			mk(reqCH, days(1), ""), mk(reqCHOld, days(100), heliconetest.StorageClickhouse),
			mk(reqS3, days(2), heliconetest.StorageS3), mk(reqS3Old, days(120), heliconetest.StorageS3),
			mk(reqNoStore, days(3), heliconetest.StorageNotStoredFree),
		},
	}}}
	srv := heliconetest.NewServer(append([]heliconetest.Option{heliconetest.WithSeed(seed), heliconetest.WithClock(clock.Now), heliconetest.WithWriteDelay(0)}, opts...)...)
	DeferCleanup(srv.Close)
	return srv, clock
}

func rowOf(srv *heliconetest.Server, id string) map[string]any {
	rows := rowsOf(queryRequests(srv, keyS, `{"filter":`+rmt("request_id", "equals", id)+`}`))
	ExpectWithOffset(1, rows).To(HaveLen(1))
	return rows[0]
}

// fetchBody GETs a signed URL without any key, as a client would, and gunzips the body.
func fetchBody(u string) (int, http.Header, map[string]any) {
	req, err := http.NewRequest(http.MethodGet, u, nil)
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	req.Header.Set("Accept-Encoding", "gzip") // set by hand, so net/http leaves the body compressed
	resp, err := httpClient.Do(req)
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, resp.Header, map[string]any{"raw": string(raw)}
	}
	zr, err := gzip.NewReader(strings.NewReader(string(raw)))
	ExpectWithOffset(1, err).NotTo(HaveOccurred(), "the body is gzip")
	plain, err := io.ReadAll(zr)
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	var m map[string]any
	ExpectWithOffset(1, json.Unmarshal(plain, &m)).To(Succeed())
	return resp.StatusCode, resp.Header, m
}

const placeholder = `{"helicone_message": "fetching body from signed_url... contact engineering@helicone.ai for more information"}`

var _ = Describe("storage_location", func() {
	// The page's table, row by row.
	It("clickhouse: parsed provider JSON inline, no signed_body_url", func() {
		srv, _ := storageServer()
		row := rowOf(srv, reqCH)
		Expect(row["storage_location"]).To(Equal("clickhouse"))
		Expect(row["request_body"]).To(HaveKeyWithValue("model", "gpt-4o"))
		Expect(row["response_body"]).To(HaveKeyWithValue("object", "chat.completion"))
		Expect(row).NotTo(HaveKey("signed_body_url"))
		Expect(row).NotTo(HaveKey("asset_urls"))
	})

	It("clickhouse after the 3-month TTL: the object {\"helicone_message\": ...}", func() {
		srv, _ := storageServer()
		row := rowOf(srv, reqCHOld)
		Expect(row["request_body"]).To(Equal(map[string]any{"helicone_message": "fetching body from signed_url... contact engineering@helicone.ai for more information"}))
		Expect(row["response_body"]).To(Equal(row["request_body"]))
	})

	It("s3: a string body of printable ASCII and a signed_body_url to gzip JSON {request, response}, served without a key", func() {
		srv, _ := storageServer()
		row := rowOf(srv, reqS3)
		Expect(row["storage_location"]).To(Equal("s3"))
		Expect(row["request_body"]).To(BeAssignableToTypeOf(""))
		Expect(row["request_body"]).To(ContainSubstring("O est la gare?"))
		Expect(row["request_body"]).To(MatchRegexp(`^[\x20-\x7e]*$`))
		Expect(row["response_body"]).To(Equal("The station is north [1]."))
		Expect(row["asset_urls"]).To(Equal(map[string]any{}))
		u := row["signed_body_url"].(string)
		Expect(u).To(HavePrefix(srv.URL + "/"))
		status, hdr, obj := fetchBody(u)
		Expect(status).To(Equal(200))
		Expect(hdr.Get("Content-Encoding")).To(Equal("gzip"))
		Expect(obj["request"]).To(HaveKeyWithValue("model", "gpt-4o"))
		Expect(obj["response"]).To(HaveKeyWithValue("object", "chat.completion"))
		Expect(srv.Counts()[heliconetest.RouteSignedBody]).To(Equal(1))
	})

	It("s3 after the TTL: the placeholder string, and the signed URL still serves the body", func() {
		srv, _ := storageServer()
		row := rowOf(srv, reqS3Old)
		Expect(row["request_body"]).To(Equal(placeholder))
		status, _, obj := fetchBody(row["signed_body_url"].(string))
		Expect(status).To(Equal(200))
		Expect(obj).To(HaveKey("request"))
	})

	It("not_stored_exceeded_free: the placeholder string, no signed_body_url", func() {
		srv, _ := storageServer()
		row := rowOf(srv, reqNoStore)
		Expect(row["storage_location"]).To(Equal("not_stored_exceeded_free"))
		Expect(row["request_body"]).To(Equal(placeholder))
		Expect(row["response_body"]).To(Equal(placeholder))
		Expect(row).NotTo(HaveKey("signed_body_url"))
	})

	It("expires a signed URL after 24 hours", func() {
		srv, clock := storageServer()
		u := rowOf(srv, reqS3)["signed_body_url"].(string)
		clock.Advance(heliconetest.SignedURLTTL - time.Second)
		status, _, _ := fetchBody(u)
		Expect(status).To(Equal(200))
		clock.Advance(time.Second)
		status, hdr, body := fetchBody(u)
		Expect(status).To(Equal(http.StatusForbidden))
		Expect(hdr.Get("Content-Type")).To(Equal("application/xml"))
		Expect(body["raw"]).To(ContainSubstring("Request has expired"))
		By("a fresh query signs a fresh URL")
		status, _, _ = fetchBody(rowOf(srv, reqS3)["signed_body_url"].(string))
		Expect(status).To(Equal(200))
	})

	It("refuses a URL whose signature does not match", func() {
		srv, _ := storageServer()
		u, err := url.Parse(rowOf(srv, reqS3)["signed_body_url"].(string))
		Expect(err).NotTo(HaveOccurred())
		u.Path = strings.Replace(u.Path, reqS3, reqCH, 1)
		status, _, body := fetchBody(u.String())
		Expect(status).To(Equal(http.StatusForbidden))
		Expect(body["raw"]).To(ContainSubstring("SignatureDoesNotMatch"))
	})

	It("lets Go's net/http gunzip the body when it asked for gzip itself", func() {
		srv, _ := storageServer()
		resp, err := httpClient.Get(rowOf(srv, reqS3)["signed_body_url"].(string))
		Expect(err).NotTo(HaveOccurred())
		defer resp.Body.Close()
		Expect(resp.Uncompressed).To(BeTrue())
		var obj map[string]any
		Expect(json.NewDecoder(resp.Body).Decode(&obj)).To(Succeed())
		Expect(obj).To(HaveKey("response"))
	})

	It("points signed URLs at the host the query was sent to, on loopback", func() {
		srv, _ := storageServer()
		u, err := url.Parse(rowOf(srv, reqS3)["signed_body_url"].(string))
		Expect(err).NotTo(HaveOccurred())
		Expect(u.Hostname()).To(Equal("127.0.0.1"))
	})
})
