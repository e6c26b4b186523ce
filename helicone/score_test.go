package helicone

import (
	"bytes"
	"encoding/json"
	"testing"
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
