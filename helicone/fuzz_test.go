package helicone

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"slices"
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

// validateScoresByKey is ValidateScores's rule, key by key in sorted order, with nothing
// skipped: the reference its quick acceptance is checked against.
func validateScoresByKey(scores Scores) (string, bool) {
	keys := slices.Sorted(maps.Keys(scores))
	for _, k := range keys {
		v := scores[k]
		switch {
		case k == "", strings.TrimSpace(k) != k,
			strings.ContainsFunc(k, func(r rune) bool { return r < ' ' || r == 0x7f }):
			return k, false
		}
		if other, ok := scores[k+BoolSuffix]; v.IsBool() && ok && !other.IsBool() {
			return k, false
		}
	}
	return "", true
}

// FuzzValidateScores checks that ValidateScores accepts exactly the writes whose every key
// passes, and that a refused write names its first faulty key in sorted order.
func FuzzValidateScores(f *testing.F) {
	const rid = "0a26e182-e9cc-4191-a4a1-8dfc24406b6f"
	for _, s := range [][3]string{
		{"word_count", "has_citations", "x"}, {"", "a", "b"}, {" a", "b ", "c"}, {"a\x00b", "a\u00a0", "\u2003a"}, {"a\u00a0", "b", "c"}, {"\u2003a", "b", "c"},
		{"ok", "ok" + BoolSuffix, "z"}, {"a\x7f", "\xff", "é"}, {"\u0085x", "x\u0085", "\t"},
	} {
		f.Add(s[0], s[1], s[2], uint8(5))
	}
	f.Fuzz(func(t *testing.T, a, b, c string, bools uint8) {
		scores := Scores{}
		for i, k := range []string{a, b, c} {
			if bools&(1<<i) != 0 {
				scores[k] = Bool(true)
			} else {
				scores[k] = Int(int64(i))
			}
		}
		bad, ok := validateScoresByKey(scores)
		err := ValidateScores(rid, scores)
		if ok != (err == nil) {
			t.Fatalf("%q: ValidateScores says %v, the key-by-key rule says valid=%v", scores, err, ok)
		}
		var ie *InvalidScoreError
		if err != nil && (!errors.As(err, &ie) || ie.Key != bad) {
			t.Fatalf("%q: the error %v names another key than %q", scores, err, bad)
		}
	})
}

// FuzzRequestURL checks that a request's address is the one URL.JoinPath makes, for every
// base URL the client accepts and every path, whether it takes the quick way or not.
func FuzzRequestURL(f *testing.F) {
	for _, s := range [][2]string{
		{"http://127.0.0.1:8585", "/v1/request/0a26e182-e9cc-4191-a4a1-8dfc24406b6f/score"},
		{"https://api.helicone.ai/", "/v1/experiment/query"},
		{"https://h.example/prefix/./a/../b/", "/v2/x/y"},
		{"https://h.example/a%20b/", "/v1/./x"}, {"https://h.example/a%2Fb", "/v1//x/"},
		{"https://h.example/%zz", "/v1/.../x"}, {"https://h.example:443/?q=1#f", "/v1/x/../../.."},
		{"https://h.example/a/", "v1/x"}, {"https://h.example/a/", "/v1/%41"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, base, path string) {
		u, err := parseBaseURL(base)
		if err != nil {
			return
		}
		c := &Client{baseURL: u, base: plainBase(u)}
		if got, want := c.url(path), u.JoinPath(path).String(); got != want {
			t.Fatalf("base %q, path %q: %q, URL.JoinPath makes %q", base, path, got, want)
		}
	})
}

// FuzzFastSignedURL holds the signed URL's fast path to the general decoder: on every JSON
// value it takes, it decodes what the general decoder does.
func FuzzFastSignedURL(f *testing.F) {
	for _, s := range []string{
		`{"data":"https://b/x?sig=1&e=2","error":null}`, `{"data":null,"error":"Failed to sign"}`, `{}`, `null`,
		`"https://b/x"`, `{"data":null,"error":""}`, `{"data":null,"error":{}}`, `{"Data":"u","ERROR":null}`,
		`{"data":"a","data":"b"}`, `{"data":"a","data":null}`, `{"error":"x","error":null}`, `{"data":5}`, `[1]`,
		`{"data":"h\u0074tps"}`, `{"dat\u0061":"u"}`, ` {"data" : "u" , "error" : null} `, `{"other":[1,{"data":2}],"data":"u"}`,
	} {
		f.Add([]byte(s))
	}
	// The server's three envelopes take the fast path.
	for _, s := range []string{`{"data":"https://b/x?sig=1&e=2","error":null}`, `{"data":null,"error":"Failed to sign"}`, `{}`} {
		if !fastSignedURL([]byte(s), new(SignedURL)) {
			f.Fatalf("%s is left to the general decoder", s)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if !json.Valid(b) {
			return
		}
		var fast SignedURL
		if !fastSignedURL(b, &fast) {
			return
		}
		var general SignedURL
		if err := general.unmarshalGeneral(b); err != nil || general != fast {
			t.Fatalf("%q: the fast path decodes %+v, the general decoder %+v (%v)", b, fast, general, err)
		}
	})
}
