package harness

import (
	"maps"
	"math"
	"strconv"
	"testing"

	"github.com/heval-dev/heval"
	"github.com/heval-dev/heval/helicone"
)

// coalesceByMap is the rule of coalesce written plainly, with a map of every key: the
// oracle of FuzzCoalesce.
func coalesceByMap(recs []heval.Record) helicone.Scores {
	type acc struct {
		ev            string
		sum, n, trues int64
		boolean       bool
	}
	accs := map[string]*acc{}
	for _, r := range recs {
		for _, v := range r.Values {
			a := accs[v.Key]
			if a == nil || a.ev != r.Evaluator {
				a = &acc{ev: r.Evaluator}
				accs[v.Key] = a
			}
			a.boolean = v.Type == heval.Boolean
			a.n++
			a.sum += v.Value
			if v.Value != 0 {
				a.trues++
			}
		}
	}
	if len(accs) == 0 {
		return nil
	}
	out := helicone.Scores{}
	for k, a := range accs {
		switch {
		case a.boolean:
			out[k] = helicone.Bool(a.trues*2 > a.n)
		case a.n == 1:
			out[k] = helicone.Int(a.sum)
		default:
			out[k] = helicone.Int(int64(math.Round(float64(a.sum) / float64(a.n))))
		}
	}
	return out
}

// FuzzCoalesce builds records from the input, three bytes a value (evaluator, key, value
// and type), with up to 40 keys so that both the slice and the map lookup are used.
func FuzzCoalesce(f *testing.F) {
	f.Add([]byte{0, 0, 5, 1, 1, 0x81, 0, 0, 7})
	f.Add([]byte{0, 0, 1, 1, 0, 2, 0, 0, 3, 2, 2, 0x80})
	var many []byte
	for i := range 30 {
		many = append(many, byte(i%3), byte(i), byte(i*7))
	}
	f.Add(many)
	f.Fuzz(func(t *testing.T, b []byte) {
		var recs []heval.Record
		for i := 0; i+2 < len(b); i += 3 {
			ev := "ev" + strconv.Itoa(int(b[i]%4))
			if len(recs) == 0 || recs[len(recs)-1].Evaluator != ev || b[i]&0x80 != 0 {
				recs = append(recs, heval.Record{Evaluator: ev})
			}
			v := heval.Value{Key: "k" + strconv.Itoa(int(b[i+1]%40)), Value: int64(b[i+2] & 0x7f), Type: heval.Number}
			if b[i+2]&0x80 != 0 {
				v.Type, v.Value = heval.Boolean, int64(b[i+2]&1)
			}
			r := &recs[len(recs)-1]
			r.Values = append(r.Values, v)
		}
		got, want := coalesce(recs), coalesceByMap(recs)
		if (got == nil) != (want == nil) || !maps.Equal(got, want) {
			t.Fatalf("coalesce gives %v; want %v", got, want)
		}
	})
}
