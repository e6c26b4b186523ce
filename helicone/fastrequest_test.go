package helicone

import (
	"reflect"
	"strings"
	"testing"
)

// seedRequestRow is a request row as the emulator writes it (the current profile).
const seedRequestRow = `{"response_id":"549751c5-c77e-5c28-93e8-a606c37a2b12","response_body":{"id":"chatcmpl-gw","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Thanks \u2192 [1]\n\nSources:\n[1] https://help.acme.example/a","refusal":null},"finish_reason":"stop"}],"usage":{"prompt_tokens":62}},` +
	`"response_created_at":"2026-11-30T14:08:51.978Z","response_status":200,"request_id":"98102ead-180c-4785-8d44-788954f79aa4","request_body":{"model":"m","messages":[{"role":"user","content":"say \"hi\""}],"temperature":0.2},` +
	`"request_created_at":"2026-11-30T14:08:49.544Z","request_user_id":"customer-9694","request_properties":{"heval-hypothesis":"claude","heval-row":"13bb776a"},"provider":"ANTHROPIC","delay_ms":2434,` +
	`"request_model":"m","model":"claude-3-5-haiku-20241022","ai_gateway_body_mapping":"","time_to_first_token":null,"total_tokens":"235","completion_tokens":"173","prompt_tokens":"62","country_code":null,` +
	`"scores":{},"properties":{"heval-hypothesis":"claude","heval-row":"13bb776a"},"asset_ids":[],"cache_enabled":false,"cost":0.0007416,"prompt_id":"","updated_at":"2026-11-30T14:08:49.544Z","storage_location":"clickhouse","feedback_created_at":null}`

var fastRequestSeeds = []string{
	seedRequestRow, `{}`, ` { } `, `null`, `[]`, `"x"`, `{"request_id":null}`, `{"request_id":5}`, `{"request_id":"a","request_id":"b"}`,
	`{"Request_ID":"a"}`, `{"request_id":"caf\u00e9"}`, `{"request_id":"a\"b"}`, "{\"model\":\"a\xffb\"}",
	`{"status":"200","delay_ms":1.9,"prompt_tokens":-3e2,"completion_tokens":true,"response_status":null,"latency":"7"}`,
	`{"status":0,"response_status":404,"delay_ms":0,"latency":12,"user_id":"","request_user_id":"u"}`,
	`{"request_user_id":null,"request_properties":null,"properties":{"a":1,"b":null,"c":true,"d":"x"}}`,
	`{"properties":{"a":"1","a":"2"}}`, `{"properties":{"caf\u00e9":"x"}}`, `{"properties":[]}`, `{"request_properties":{"k":"v"}}`,
	`{"scores":{"a":"1","b":2,"c":null,"d":{"x":1}}}`, `{"scores":{"a":1,"a":2}}`, `{"scores":null}`, `{"scores":[1]}`,
	`{"request_body":null,"response_body":"text"}`, `{"response_body":[1,{"a":"}"}]}`, `{"cost":"0.5"}`, `{"cost":null}`, `{"cost":{}}`,
	`{"signed_body_url":"https://x/y?a=b&c=d","storage_location":"s3","updated_at":"t","request_path":"/v1"}`,
	`{"unknown":{"deep":[{"a":"\\\"}"}]},"k\u212aey":1}`, `{"stat\u0075s":1}`,
}

// FuzzFastRequest checks that a request row the scan reads is exactly what the general
// decoder reads from the same bytes, without error, and that a page of rows reads alike,
// values and errors, with the scan or without.
func FuzzFastRequest(f *testing.F) {
	for _, s := range fastRequestSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if raw, ok := oneValue(s); ok {
			sameAsGeneral(t, raw, fastRequest)
		}
		body := `{"data":[` + seedRequestRow + `,` + s + `,{"request_id":"last"}],"error":null}`
		got, gotErr := decodePage(body)
		var want []Request
		wantErr := withoutScan(func() (err error) { want, err = decodePage(body); return err })
		if !sameFailure(gotErr, wantErr) {
			t.Fatalf("%s\nscanned, the error is\n%v\nwithout the scan\n%v", body, gotErr, wantErr)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s\nscanned\n%#v\nwithout the scan\n%#v", body, got, want)
		}
	})
}

// decodePage reads a page of request rows as the client's request queries do.
func decodePage(body string) ([]Request, error) {
	var rows []Request
	err := fuzzClient().decodeBody("POST", "/v1/request/query-clickhouse", 200, &bodyReader{r: strings.NewReader(body)}, RateLimit{},
		func(a *answer) error { return a.into(&rows) }, 0)
	return rows, err
}

// BenchmarkRequestPage reads a page of 1,000 request rows as the emulator writes them, with
// the scan and with the general decoder alone.
func BenchmarkRequestPage(b *testing.B) {
	body := `{"data":[` + strings.TrimSuffix(strings.Repeat(seedRequestRow+",", 1000), ",") + `],"error":null}`
	for _, mode := range []string{"scan", "general"} {
		b.Run(mode, func(b *testing.B) {
			defer func(was bool) { fastValues = was }(fastValues)
			fastValues = mode == "scan"
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				rows, err := decodePage(body)
				if err != nil || len(rows) != 1000 {
					b.Fatal(len(rows), err)
				}
			}
		})
	}
}
