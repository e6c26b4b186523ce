package heliconetest

import (
	"bytes"
	"compress/gzip"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// SignedURLTTL is how long a signed body URL stays valid.
const SignedURLTTL = 24 * time.Hour

// requestObjectKey is the object key of a request's bodies (an s3 row's signed_body_url).
func requestObjectKey(orgID, requestID string) string {
	return "organizations/" + orgID + "/requests/" + requestID + "/raw_request_response_body"
}

// rowObjectKey is the object key of a Helicone Dataset row's bodies.
func rowObjectKey(orgID, datasetID, rowID string) string {
	return "organizations/" + orgID + "/datasets/" + datasetID + "/requests/" + rowID + "/raw_request_response_body"
}

const amzDate = "20060102T150405Z"

// signURL presigns a GET of an object for [SignedURLTTL], served by the emulator itself at
// host (the scheme and host the answer's request was sent to).
func (h *Handler) signURL(host, key string, now time.Time) string {
	date := now.UTC().Format(amzDate)
	expires := strconv.Itoa(int(SignedURLTTL / time.Second))
	q := url.Values{}
	q.Set("X-Amz-Algorithm", "AWS4-HMAC-SHA256")
	q.Set("X-Amz-Date", date)
	q.Set("X-Amz-Expires", expires)
	q.Set("X-Amz-Signature", h.signature(key, date, expires))
	return host + signedBodyPrefix + key + "?" + q.Encode()
}

func (h *Handler) signature(key, date, expires string) string {
	return h.signer.sign(key + "\n" + date + "\n" + expires)
}

// signer holds the secret that signs body URLs, and the secrets of URLs expired early
// ([Handler.ExpireSignedURLs]).
type signer struct {
	mu      sync.RWMutex
	current [32]byte
	retired [][32]byte
}

func newSigner() *signer {
	s := &signer{}
	_, _ = rand.Read(s.current[:])
	return s
}

func mac(secret [32]byte, msg string) string {
	m := hmac.New(sha256.New, secret[:])
	m.Write([]byte(msg))
	return hex.EncodeToString(m.Sum(nil))
}

func (s *signer) sign(msg string) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return mac(s.current, msg)
}

// check reports whether sig signs msg with the current secret (valid) or with a retired one
// (expired).
func (s *signer) check(msg, sig string) (valid, expired bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if hmac.Equal([]byte(sig), []byte(mac(s.current, msg))) {
		return true, false
	}
	for _, old := range s.retired {
		if hmac.Equal([]byte(sig), []byte(mac(old, msg))) {
			return false, true
		}
	}
	return false, false
}

// rotate retires the current secret: every URL signed so far is expired.
func (s *signer) rotate() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.retired = append(s.retired, s.current)
	_, _ = rand.Read(s.current[:])
}

// s3Error answers as S3 does, with an XML error document.
func s3Error(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<Error><Code>" + code + "</Code><Message>" + msg + "</Message></Error>"))
}

// serveObject answers a GET of a signed body URL: no key is needed, the signature must
// match and be younger than [SignedURLTTL]; the object is gzip JSON
// {"request": ..., "response": ...} with Content-Encoding: gzip.
func (h *Handler) serveObject(w http.ResponseWriter, r *http.Request, key string) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		s3Error(w, http.StatusForbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.")
		return
	}
	if r.Header.Get("Authorization") != "" {
		// A presigned URL is its own credential; S3 refuses a second one.
		s3Error(w, http.StatusBadRequest, "InvalidArgument", "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified")
		return
	}
	q := r.URL.Query()
	date, expires, sig := q.Get("X-Amz-Date"), q.Get("X-Amz-Expires"), q.Get("X-Amz-Signature")
	valid, retired := h.signer.check(key+"\n"+date+"\n"+expires, sig)
	if !valid && !retired {
		s3Error(w, http.StatusForbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.")
		return
	}
	signed, err1 := time.Parse(amzDate, date)
	secs, err2 := strconv.Atoi(expires)
	if retired || err1 != nil || err2 != nil || !h.cfg.clock().Before(signed.Add(time.Duration(secs)*time.Second)) {
		s3Error(w, http.StatusForbidden, "AccessDenied", "Request has expired")
		return
	}
	body, ok := h.object(key)
	if !ok {
		s3Error(w, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
		return
	}
	z := gzipPool.Get().(*gzipBuffer)
	defer gzipPool.Put(z)
	z.buf.Reset()
	z.zw.Reset(&z.buf)
	_, _ = z.zw.Write(body)
	_ = z.zw.Close()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Encoding", "gzip")
	w.Header().Set("Content-Length", strconv.Itoa(z.buf.Len()))
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		_, _ = w.Write(z.buf.Bytes())
	}
}

// gzipBuffer compresses one object; they are pooled, as a gzip writer allocates most of a
// megabyte.
type gzipBuffer struct {
	buf bytes.Buffer
	zw  *gzip.Writer
}

var gzipPool = sync.Pool{New: func() any {
	z := &gzipBuffer{}
	z.zw = gzip.NewWriter(&z.buf)
	return z
}}

// object returns the JSON of the object at key.
func (h *Handler) object(key string) ([]byte, bool) {
	parts := strings.Split(key, "/")
	if len(parts) < 5 || parts[0] != "organizations" {
		return nil, false
	}
	h.mu.RLock()
	o := h.st.orgs[parts[1]]
	h.mu.RUnlock()
	if o == nil {
		return nil, false
	}
	o.mu.RLock()
	defer o.mu.RUnlock()
	switch {
	case len(parts) == 5 && parts[2] == "requests" && parts[4] == "raw_request_response_body":
		req := o.requests[parts[3]]
		if req == nil || req.storage != StorageS3 {
			return nil, false
		}
		return bodiesJSON(req.seed.RequestBody, req.seed.ResponseBody), true
	case len(parts) == 7 && parts[2] == "datasets" && parts[4] == "requests" && parts[6] == "raw_request_response_body":
		d := o.datasets[parts[3]]
		if d == nil {
			return nil, false
		}
		if row := d.byID[parts[5]]; row != nil {
			return row.body.json()
		}
	}
	return nil, false
}

// bodiesJSON is the object {"request": req, "response": resp}.
func bodiesJSON(req, resp json.RawMessage) []byte {
	b, _ := marshalJSON(map[string]json.RawMessage{"request": rawOrNull(req), "response": rawOrNull(resp)})
	return b
}

// copyBodies copies a request's bodies for a dataset row, as adding a request to a Helicone
// Dataset does: from S3, else from ClickHouse; a request past the body TTL gives empty
// objects (inferred). When the copy fails it returns the server's message. Seeded bodies
// never change, so the copy refers to them until the row is edited.
func copyBodies(id string, r *request, now time.Time) (rowBody, string) {
	if r == nil || r.storage == StorageNotStoredFree {
		return rowBody{}, "Request body not found in ClickHouse for request " + id
	}
	if r.storage == StorageClickhouse && now.Sub(r.createdAt) > BodyTTL {
		return rowBody{edited: []byte(`{"request":{},"response":{}}`)}, ""
	}
	return rowBody{src: r}, ""
}

// rowBody is a dataset row's copy of its bodies.
type rowBody struct {
	src    *request // the request copied, whose bodies never change
	edited []byte   // the object once edited (or emptied by the TTL)
}

// json returns the object {"request": ..., "response": ...}, or false when the copy failed.
func (b rowBody) json() ([]byte, bool) {
	switch {
	case b.edited != nil:
		return b.edited, true
	case b.src != nil:
		return bodiesJSON(b.src.seed.RequestBody, b.src.seed.ResponseBody), true
	}
	return nil, false
}
