package helicone

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
)

// fuzzKey is planted in every fuzzed body to prove it never reaches an error.
const fuzzKey = "sk-helicone-fuzz-SECRET"

func fuzzClient() *Client {
	return &Client{apiKey: fuzzKey, redactor: NewRedactor(fuzzKey), limits: &rateLimitState{}}
}

// checkErr fails when an error leaks the key.
func checkErr(t *testing.T, err error) {
	t.Helper()
	if err != nil && strings.Contains(err.Error(), fuzzKey) {
		t.Fatalf("error leaks the key: %v", err)
	}
}

var envelopeSeeds = []string{
	`{"data":null,"error":null}`,
	`{"data":[],"error":null}`,
	`{"data":null,"error":"Not implemented"}`,
	`{"data":{"value":92,"valueType":"number"},"error":null}`,
	`{"data":{"value":"92","valueType":"number","max":"100","min":null},"error":null}`,
	`[]`, `[{"id":1}]`, ``, `null`, `"x"`, `{`, `<html>`, `{"data":`,
	`{"error":{"nested":[1,2]}}`,
	`{"data":[{"id":"e","dataset":{"rows":[{"rowId":null,"inputRecord":null,"rowIndex":"1e400","scores":null}]},"hypotheses":[{"runs":null}]}],"error":null}`,
	`{"data":[{"hypotheses":[{"runs":[{"scores":{"a":{"value":true},"b":{"value":[1]},"c":{"value":{"x":1}}}}]}]}],"error":null}`,
	`{"data":[{"request_id":"x","status":"200","delay_ms":1.5e300,"cost":"NaN","properties":{"a":1,"b":null,"c":[1]},"scores":{"a":"92","b":-1e309}}],"error":null}`,
	`{"data":[{"request_user_id":null,"response_status":"abc","request_properties":null,"latency":"-9223372036854775809"}]}`,
}

// FuzzEnvelope feeds arbitrary 2xx bodies to the decoder of every route.
func FuzzEnvelope(f *testing.F) {
	for _, s := range envelopeSeeds {
		f.Add(s)
		f.Add(strings.ReplaceAll(s, `"x"`, `"`+fuzzKey+`"`))
	}
	c := fuzzClient()
	f.Fuzz(func(t *testing.T, body string) {
		for _, out := range []any{new([]Experiment), new(*StoredScore), new([]Request), nil} {
			data, err := c.decodeEnvelope("POST", "/p", 200, []byte(body), RateLimit{}, out != nil)
			checkErr(t, err)
			if err == nil && data != nil && out != nil {
				_ = json.Unmarshal(data, out)
			}
		}
	})
}

// FuzzExperiments decodes arbitrary experiment lists.
func FuzzExperiments(f *testing.F) {
	for _, s := range envelopeSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var exps []Experiment
		_ = json.Unmarshal([]byte(body), &exps)
		var env struct{ Data []Experiment }
		_ = json.Unmarshal([]byte(body), &env)
	})
}

// FuzzRequests decodes arbitrary request rows.
func FuzzRequests(f *testing.F) {
	for _, s := range envelopeSeeds {
		f.Add(s)
	}
	f.Add(`{"request_id":"a","properties":{"k":"v"},"scores":{"s":"1"}}`)
	f.Fuzz(func(t *testing.T, body string) {
		var r Request
		_ = json.Unmarshal([]byte(body), &r)
		var rs []Request
		_ = json.Unmarshal([]byte(body), &rs)
		var env struct{ Data []Request }
		_ = json.Unmarshal([]byte(body), &env)
	})
}

// FuzzScoreAnswer decodes arbitrary answers of the score route.
func FuzzScoreAnswer(f *testing.F) {
	for _, s := range []string{`{"value":92,"valueType":"number"}`, `{"value":"2026-11-01T00:00:00Z","valueType":"string","max":1,"min":"0"}`,
		`{"value":null}`, `null`, `{"max":"abc","min":[]}`, `{"valueType":5}`, `[]`, `{`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var s *StoredScore
		_ = json.Unmarshal([]byte(body), &s)
		var m ScoreMap
		_ = json.Unmarshal([]byte(body), &m)
	})
}

// FuzzErrorBody builds API errors from arbitrary error bodies.
func FuzzErrorBody(f *testing.F) {
	for _, s := range []string{
		`{"error":"No authorization header","trace":"isAuthenticated.error"}`,
		`{"error":"No API key found","trace":"isAuthenticated.error"}`,
		`{"message":"Validation Failed","details":{"requestBody.scores":{"message":"'scores' is required"}}}`,
		`{"message":"Validation Failed","details":{"a":"plain","b":null,"c":{"message":5}}}`,
		`{"message":"Internal Server Error","details":"Internal Server Error"}`,
		`{"error":"Too many requests, please try again later."}`,
		`{"data":null,"error":"Not implemented"}`,
		`{"error":{"code":1}}`, `{"message":["x"]}`, `[1,2]`, `"s"`, `<html>` + fuzzKey + `</html>`, ``,
		`{"error":null,"trace":"isAuthenticated.error"}`,
		"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<title>Error</title>\n</head>\n<body>\n<pre>Cannot POST /v1/helicone-dataset/query</pre>\n</body>\n</html>\n",
		`<!doctype html><pre>` + fuzzKey + `</pre>`, `<html><title></title><pre>`, `<HTML><PRE>x</PRE>`,
		`{"error":"` + fuzzKey + `","details":{"` + fuzzKey + `":{"message":"` + fuzzKey + `"}}}`,
	} {
		f.Add(s, 422)
	}
	c := fuzzClient()
	f.Fuzz(func(t *testing.T, body string, status int) {
		e := newAPIError("POST", "/p", status, c.scrub([]byte(body)), RateLimit{})
		checkErr(t, e)
		_ = e.Unwrap()
		_ = e.Retryable()
		checkErr(t, c.scrubErr(e))
	})
}

// FuzzFlexValue decodes arbitrary scalars as FlexValue and FlexInt.
func FuzzFlexValue(f *testing.F) {
	for _, s := range []string{`92`, `"92"`, `-1.5`, `"1e400"`, `1e400`, `"NaN"`, `"Inf"`, `true`, `false`, `null`, ``,
		`"2026-11-01T00:00:00Z"`, `{"a":1}`, `[1]`, `"`, `9223372036854775807`, `9223372036854775808`, `-9223372036854775809`, `" 7 "`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var v FlexValue
		if v.UnmarshalJSON([]byte(s)) == nil {
			_, _ = v.Int64()
			if _, err := v.MarshalJSON(); err != nil {
				t.Fatalf("MarshalJSON of %q: %v", s, err)
			}
		}
		// Decoded by go-json-experiment, as encoding/json gives it.
		var viaV1, viaFrom []FlexValue
		if json.Unmarshal([]byte("["+s+"]"), &viaV1) == nil && jsonv2.Unmarshal([]byte("["+s+"]"), &viaFrom, decodeOptions) == nil {
			if len(viaV1) != len(viaFrom) || (len(viaV1) == 1 && viaV1[0] != viaFrom[0]) {
				t.Fatalf("%q: encoding/json gives %+v, go-json-experiment %+v", s, viaV1, viaFrom)
			}
		}
		var n FlexInt
		_ = n.UnmarshalJSON([]byte(s))
		_, _ = n.MarshalJSON()
		var p Properties
		_ = json.Unmarshal([]byte(s), &p)
	})
}

// FuzzScoreValue checks that ScoreValue accepts exactly int64 and bool, and round-trips.
func FuzzScoreValue(f *testing.F) {
	for _, s := range []string{`1`, `-9223372036854775808`, `9223372036854775808`, `true`, `false`, `1.5`, `"1"`, `null`, ``, ` 5 `, `1e3`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var v ScoreValue
		if err := v.UnmarshalJSON([]byte(s)); err != nil {
			return
		}
		b, err := v.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		var back ScoreValue
		if err := back.UnmarshalJSON(b); err != nil || back != v {
			t.Fatalf("%q decoded as %v, which does not round-trip (%s, %v)", s, v, b, err)
		}
	})
}

// FuzzRateLimitHeaders parses arbitrary RateLimit-* and Retry-After headers; no wait may be
// negative or absurd.
func FuzzRateLimitHeaders(f *testing.F) {
	f.Add("10000", "9812", "137", "10000;w=300", "137")
	f.Add("", "", "", "", "Wed, 21 Oct 2026 07:28:00 GMT")
	f.Add("x", "-1", "99999999999999999999", "w=;w=-5;w=9223372036854775807", "NaN")
	f.Add("1", "1", "1", "1", "Inf")
	f.Add("1", "1", "1", "1", "1e400")
	f.Add("1", "1", "1", "1", "-Inf")
	f.Add("1", "1", "1", "1", "0.5")
	now := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, limit, remaining, reset, policy, retryAfter string) {
		h := http.Header{}
		h.Set("RateLimit-Limit", limit)
		h.Set("RateLimit-Remaining", remaining)
		h.Set("RateLimit-Reset", reset)
		h.Set("RateLimit-Policy", policy)
		h.Set("Retry-After", retryAfter)
		rl := parseRateLimit(h, now)
		for name, d := range map[string]time.Duration{"reset": rl.Reset, "window": rl.Window, "retry-after": rl.RetryAfter} {
			if d < 0 || d > maxHeaderWait {
				t.Fatalf("%s = %v out of range", name, d)
			}
		}
		p := DefaultRetryPolicy()
		if w := p.wait(1, rl, 429); w < 0 || w > p.MaxRetryAfter+p.MaxDelay {
			t.Fatalf("wait %v out of range", w)
		}
	})
}

func gzipBytes(t testing.TB, raw []byte) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write(raw); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// FuzzSignedBody decodes arbitrary signed bodies: compressing a body never changes what
// it decodes to.
func FuzzSignedBody(f *testing.F) {
	for _, s := range []string{
		`{"request":{"messages":[]},"response":{"choices":[]}}`, `{"request":{},"response":{}}`, `{}`, `{"request":null}`,
		`[]`, ``, `null`, `"x"`, `{`, `{"response":"text"}`, "\x1f\x8b", "\x1f\x8b\x08\x00",
	} {
		f.Add([]byte(s))
		f.Add(gzipBytes(f, []byte(s)))
	}
	f.Add(gzipBytes(f, gzipBytes(f, []byte(`{"request":1,"response":2}`))))
	f.Fuzz(func(t *testing.T, raw []byte) {
		b, err := DecodeSignedBody(raw)
		if bytes.HasPrefix(raw, gzipMagic) {
			return
		}
		b2, err2 := DecodeSignedBody(gzipBytes(t, raw))
		if (err == nil) != (err2 == nil) || string(b.Request) != string(b2.Request) || string(b.Response) != string(b2.Response) {
			t.Fatalf("%q decodes to (%s, %s, %v) but its gzip to (%s, %s, %v)", raw, b.Request, b.Response, err, b2.Request, b2.Response, err2)
		}
	})
}

// FuzzDatasetAnswers decodes arbitrary answers of the Datasets routes; a signed URL that
// decodes re-encodes to itself.
func FuzzDatasetAnswers(f *testing.F) {
	for _, s := range []string{
		`{"data":[{"id":"d","name":"n","created_at":null,"requests_count":"12","meta":null,"signed_url":{}}],"error":null}`,
		`{"data":[{"id":"r","origin_request_id":"q","signed_url":{"data":"https://b/x","error":null}}],"error":null}`,
		`{"data":[{"signed_url":{"data":null,"error":"Failed"}}],"error":null}`, `{"data":[{"signed_url":"https://b"}]}`,
		`{"data":[{"signed_url":5,"requests_count":[1]}]}`, `{"data":"12","error":null}`, `{"data":null,"error":"x"}`,
		`{"data":"https://b/x","error":{"m":1}}`, `{}`, `null`, `[]`,
	} {
		f.Add(s)
	}
	c := fuzzClient()
	f.Fuzz(func(t *testing.T, body string) {
		data, err := c.decodeEnvelope("POST", "/v1/helicone-dataset/query", 200, []byte(body), RateLimit{}, true)
		checkErr(t, err)
		for _, out := range []any{new([]HeliconeDataset), new([]HeliconeDatasetRow), new(FlexValue)} {
			if data != nil {
				_ = json.Unmarshal(data, out)
			}
			_ = json.Unmarshal([]byte(body), out)
		}
		var u SignedURL
		if json.Unmarshal([]byte(body), &u) == nil {
			b, err := json.Marshal(u)
			if err != nil {
				t.Fatal(err)
			}
			var back SignedURL
			if err := json.Unmarshal(b, &back); err != nil || back != u {
				t.Fatalf("%q decoded as %+v, which re-encodes as %s and decodes as %+v (%v)", body, u, b, back, err)
			}
		}
	})
}
