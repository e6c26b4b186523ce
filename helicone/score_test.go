package helicone

import (
	"bytes"
	"encoding/json"
	"testing"

	jsonv2 "github.com/go-json-experiment/json"
)

// FuzzScoresMarshalJSON checks that Scores encodes exactly as encoding/json encodes the
// same map, alone and inside a score write body.
func FuzzScoresMarshalJSON(f *testing.F) {
	f.Add("word_count", int64(12), "has_citations", true, "")
	f.Add("a<b>&c", int64(-1), "é\u2028\x00\"\\", false, "\xff")
	f.Add("", int64(0), "", false, "x")
	f.Fuzz(func(t *testing.T, k1 string, v1 int64, k2 string, v2 bool, k3 string) {
		s := Scores{k1: Int(v1), k2: Bool(v2), k3: Int(v1 / 3)}
		got, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		want, err := json.Marshal(map[string]ScoreValue(s))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("Scores encodes as %s; encoding/json writes the map as %s", got, want)
		}
		body := struct {
			Scores Scores `json:"scores"`
		}{s}
		got, err = json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, append(append([]byte(`{"scores":`), want...), '}')) {
			t.Fatalf("the write body encodes as %s", got)
		}
	})
}

func TestScoresMarshalJSONNil(t *testing.T) {
	for _, c := range []struct {
		s    Scores
		want string
	}{{nil, "null"}, {Scores{}, "{}"}, {Scores{"b": Bool(true), "a": Int(2)}, `{"a":2,"b":true}`}} {
		got, err := json.Marshal(c.s)
		if err != nil || string(got) != c.want {
			t.Fatalf("json.Marshal(%v) = %s, %v; want %s", c.s, got, err, c.want)
		}
	}
}

// FuzzStoredScore checks that a score read in one pass is the one the general decoding
// gives.
func FuzzStoredScore(f *testing.F) {
	for _, s := range []string{
		`{"value":92,"valueType":"number"}`,
		`{"value":"92","valueType":"number","max":"100","min":null}`,
		`{"value":"2026-01-15T12:00:00Z","valueType":"string"}`,
		`{"value":true,"valueType":"boolean","max":1,"min":0}`,
		`{"value":1.5e2,"valueType":5,"max":" 7 ","min":"x"}`,
		`{"value":"a\"b","valueType":"s"}`,
		`{"value":{"a":1},"valueType":"s"}`,
		`{"Value":1}`, `{"value":1,"value":2}`, `{"value":1} x`, `{"value":"\xff"}`,
		`null`, `[]`, `{}`, `{"value":NaN}`, `{"max":1e999}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var general StoredScore
		generalErr := general.unmarshalGeneral(b)
		var plain StoredScore
		if !plain.scanPlain(b) {
			return
		}
		if generalErr != nil {
			t.Fatalf("%q read in one pass as %+v; the general decoding fails: %v", b, plain, generalErr)
		}
		p, _ := json.Marshal(plain)
		g, _ := json.Marshal(general)
		if plain.Value != general.Value || plain.ValueType != general.ValueType || !bytes.Equal(p, g) ||
			(plain.Max == nil) != (general.Max == nil) || (plain.Min == nil) != (general.Min == nil) {
			t.Fatalf("%q read in one pass as %+v (%s); the general decoding gives %+v (%s)", b, plain, p, general, g)
		}
	})
}

// TestStoredScoreFromDecoder checks that scores decoded from an answer by go-json-experiment
// are those encoding/json gives, in the forms the scan reads and in those it leaves to the
// general decoding.
func TestStoredScoreFromDecoder(t *testing.T) {
	scanned := 0
	for _, s := range []string{
		`{"value":92,"valueType":"number"}`,
		` { "value" : -1.5e-3 , "valueType" : "number" , "max" : 100 , "min" : null } `,
		`{"value":"92","valueType":"number","max":"100","min":"0"}`,
		`{"value":true,"valueType":"boolean","max":1,"min":0}`,
		`{"value":false}`, `{"value":null}`, `{}`, `{"valueType":5}`, `{"value":"2026-01-15T12:00:00Z","valueType":"string"}`,
		`{"value":"a\"b","valueType":"s"}`, `{"value":"café"}`, `{"value":{"a":1},"valueType":"s"}`,
		`{"Value":1}`, `{"value":1,"value":2}`, `{"value":01}`, `{"value":1.}`, `{"value":[1]}`, `{"max":1e999}`,
	} {
		var viaV1 ScoreMap
		errV1 := json.Unmarshal([]byte(`{"k":`+s+`}`), &viaV1)
		var viaFrom ScoreMap
		errFrom := jsonv2.Unmarshal([]byte(`{"k":`+s+`}`), &viaFrom, decodeOptions)
		if (errV1 == nil) != (errFrom == nil) {
			t.Fatalf("%s: encoding/json %v, go-json-experiment %v", s, errV1, errFrom)
		}
		if errV1 != nil {
			continue
		}
		a, _ := json.Marshal(viaV1)
		b, _ := json.Marshal(viaFrom)
		if !bytes.Equal(a, b) || viaV1["k"].Value != viaFrom["k"].Value || viaV1["k"].ValueType != viaFrom["k"].ValueType {
			t.Fatalf("%s: encoding/json gives %+v (%s), go-json-experiment %+v (%s)", s, viaV1["k"], a, viaFrom["k"], b)
		}
		var sc StoredScore
		if sc.scanPlain([]byte(s)) {
			scanned++
		}
	}
	if scanned < 8 {
		t.Fatalf("the scan read %d of the forms; want at least 8", scanned)
	}
}

// BenchmarkStoredScore decodes a score as the server writes it, in one pass and with the
// general decoding.
func BenchmarkStoredScore(b *testing.B) {
	body := []byte(`{"value":92,"valueType":"number"}`)
	b.Run("UnmarshalJSON", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var s StoredScore
			if err := s.UnmarshalJSON(body); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("scanPlain", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var s StoredScore
			if !s.scanPlain(body) {
				b.Fatal("not read")
			}
		}
	})
	b.Run("general", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var s StoredScore
			if err := s.unmarshalGeneral(body); err != nil {
				b.Fatal(err)
			}
		}
	})
}
