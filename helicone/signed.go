package helicone

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	jsonv2 "github.com/go-json-experiment/json"
)

// SignedBody is what a signed body URL serves: the request and response bodies of a logged
// request (provider JSON), as a dataset row's snapshot or an S3-stored request row. Either
// may be absent, or {} for a request past Helicone's body retention.
type SignedBody struct {
	Request  json.RawMessage `json:"request"`
	Response json.RawMessage `json:"response"`
}

// maxSignedBytes bounds a signed body, compressed and decompressed.
const maxSignedBytes = 256 << 20

// gzipMagic starts every gzip stream.
var gzipMagic = []byte{0x1f, 0x8b}

// DecodeSignedBody decodes what a signed body URL served: gzip JSON {"request": ...,
// "response": ...}, or the same JSON already decompressed (Go's HTTP client gunzips an
// answer with Content-Encoding: gzip only when it asked for gzip itself).
func DecodeSignedBody(raw []byte) (SignedBody, error) {
	for range 3 {
		if !bytes.HasPrefix(raw, gzipMagic) {
			break
		}
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return SignedBody{}, fmt.Errorf("the body looks gzip-compressed but is not: %w", err)
		}
		out, err := io.ReadAll(io.LimitReader(zr, maxSignedBytes+1))
		if err != nil {
			return SignedBody{}, fmt.Errorf("decompressing the body: %w", err)
		}
		if len(out) > maxSignedBytes {
			return SignedBody{}, fmt.Errorf("the body decompresses to more than %d MiB", maxSignedBytes>>20)
		}
		raw = out
	}
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || t[0] != '{' {
		return SignedBody{}, fmt.Errorf("the body is not a JSON object {request, response}: %s", snippet(t))
	}
	var b SignedBody
	if err := jsonv2.Unmarshal(t, &b, decodeOptions); err != nil {
		return SignedBody{}, fmt.Errorf("the body is not a JSON object {request, response}: %w", err)
	}
	return b, nil
}

// SignedURLError is a signed body URL that could not be read. It never holds the URL's
// query, which carries the signature.
type SignedURLError struct {
	// URL is the signed URL without its query.
	URL string
	// Status is the HTTP status (0 when the answer could not be decoded).
	Status int
	// Message is the storage's own error code and message, when it sent one.
	Message string
	// Err is why a 2xx body could not be decoded.
	Err error
}

func (e *SignedURLError) Error() string {
	switch {
	case e.Err != nil:
		return fmt.Sprintf("helicone: the signed body at %s could not be read: %v", e.URL, e.Err)
	case e.Expired():
		return fmt.Sprintf("helicone: GET %s (a signed body URL): %d %s: the signed URL has expired (they are valid for 24 hours) or was altered; query the rows again for a fresh one", e.URL, e.Status, e.Message)
	case e.Status == 404:
		return fmt.Sprintf("helicone: GET %s (a signed body URL): 404 %s: Helicone stored no body there", e.URL, e.Message)
	}
	return fmt.Sprintf("helicone: GET %s (a signed body URL): %d %s", e.URL, e.Status, e.Message)
}

// Expired reports whether the storage refused the URL (403), as it does once a signed URL
// has expired.
func (e *SignedURLError) Expired() bool { return e.Status == 403 }

// FetchSignedBody reads a signed body URL: a dataset row's SignedURL or a request row's
// SignedBodyURL. The URL may point at any host (S3 on hosted Helicone); it is sent no API
// key, only what the URL itself carries, and its query (the signature) never appears in an
// error. Transport errors, 408, 429 and 5xx are retried as API calls are.
func (c *Client) FetchSignedBody(ctx context.Context, signedURL string) (SignedBody, error) {
	u, err := url.Parse(strings.TrimSpace(signedURL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return SignedBody{}, &InvalidArgumentError{Arg: "signedURL", Value: shownURL(u, signedURL), Reason: "not an http(s) URL without credentials"}
	}
	shown := shownURL(u, signedURL)
	var out SignedBody
	send := func(ctx context.Context) (RateLimit, int, bool, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
		if err != nil {
			return RateLimit{}, 0, false, &SignedURLError{URL: shown, Err: err}
		}
		// No Authorization: the URL is its own credential, and storage refuses a second one.
		req.Header.Set("User-Agent", userAgent)
		resp, err := c.send(req)
		if err != nil {
			if ctx.Err() != nil {
				return RateLimit{}, 0, false, fmt.Errorf("helicone: GET %s: %w", shown, context.Cause(ctx))
			}
			return RateLimit{}, 0, true, &TransportError{Method: "GET", Path: shown, Err: hideQuery(err, u)}
		}
		defer resp.Body.Close()
		raw, err := io.ReadAll(io.LimitReader(resp.Body, maxSignedBytes+1))
		if err != nil {
			if ctx.Err() != nil {
				return RateLimit{}, resp.StatusCode, false, fmt.Errorf("helicone: GET %s: %w", shown, context.Cause(ctx))
			}
			return RateLimit{}, resp.StatusCode, true, &TransportError{Method: "GET", Path: shown, Err: hideQuery(err, u)}
		}
		if resp.StatusCode < 200 || resp.StatusCode > 299 {
			st := resp.StatusCode
			return RateLimit{}, st, st == 408 || st == 429 || st >= 500, &SignedURLError{URL: shown, Status: st, Message: storageMessage(raw)}
		}
		if len(raw) > maxSignedBytes {
			return RateLimit{}, resp.StatusCode, false, &SignedURLError{URL: shown, Status: resp.StatusCode, Err: fmt.Errorf("the body is larger than %d MiB", maxSignedBytes>>20)}
		}
		b, err := DecodeSignedBody(raw)
		if err != nil {
			return RateLimit{}, resp.StatusCode, false, &SignedURLError{URL: shown, Status: resp.StatusCode, Err: err}
		}
		out = b
		return RateLimit{}, resp.StatusCode, false, nil
	}
	if _, err := c.withRetries(ctx, call{method: "GET", path: shown, send: send}); err != nil {
		return SignedBody{}, c.scrubErr(err)
	}
	return out, nil
}

// shownURL is a URL as errors may show it: without its query and fragment.
func shownURL(u *url.URL, raw string) string {
	if u == nil {
		if i := strings.IndexAny(raw, "?#"); i >= 0 {
			raw = raw[:i]
		}
		return truncate(redactURL(raw), 200)
	}
	c := *u
	c.RawQuery, c.Fragment, c.User = "", "", nil
	return c.String()
}

// hideQuery removes a signed URL's query from an error's text.
func hideQuery(err error, u *url.URL) error {
	if u.RawQuery == "" || !strings.Contains(err.Error(), u.RawQuery) {
		return err
	}
	text := strings.ReplaceAll(err.Error(), "?"+u.RawQuery, "")
	return errors.New(strings.ReplaceAll(text, u.RawQuery, "…"))
}

// RequestBodies returns the bodies of a logged request row: the ones inline in the row
// when its response body is provider JSON (rows stored in ClickHouse), else the ones at its
// SignedBodyURL (rows stored in S3, whose inline bodies are text or a placeholder). A row
// with neither gets its inline values as they are; reading a placeholder's answer text
// then says that the body is not available.
func (c *Client) RequestBodies(ctx context.Context, r *Request) (SignedBody, error) {
	inline := SignedBody{Request: r.RequestBody, Response: r.ResponseBody}
	if r.SignedBodyURL == "" || usableBody(r.ResponseBody) {
		return inline, nil
	}
	return c.FetchSignedBody(ctx, r.SignedBodyURL)
}

// usableBody reports whether an inline body is provider JSON: an object that is not
// Helicone's {"helicone_message": ...} placeholder.
func usableBody(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || t[0] != '{' {
		return false
	}
	var probe struct {
		Message json.RawMessage `json:"helicone_message"`
	}
	return json.Unmarshal(t, &probe) == nil && probe.Message == nil
}

// storageMessage reads the code and message of a storage error answer (S3's XML), else
// the start of the answer.
func storageMessage(raw []byte) string {
	var x struct {
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	}
	if xml.Unmarshal(raw, &x) == nil && (x.Code != "" || x.Message != "") {
		return strings.TrimSpace(x.Code + ": " + x.Message)
	}
	return snippet(raw)
}
