package harness

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/heval-dev/heval"
	"github.com/heval-dev/heval/helicone"
)

// referenceEntry is the journalEntry of an acknowledged write, built field by field: what
// appendAckJSON must read back as.
func referenceEntry(run string, s *heval.Sample, sent helicone.Scores, recs []heval.Record, at time.Time) *journalEntry {
	e := &journalEntry{Run: run, RequestID: s.RequestID, Kind: string(s.Kind), Hypothesis: s.HypothesisID,
		Row: s.DatasetRowID, Sent: sent, At: at.UTC()}
	if recs != nil {
		e.Records = make([]journalRecord, len(recs))
	}
	for i, r := range recs {
		jr := journalRecord{Evaluator: r.Evaluator, Repeat: r.Repeat, Reason: r.Reason, Err: r.Err,
			ErrKind: string(r.ErrKind), Failures: r.Failures, Nanos: int64(r.Duration)}
		for _, v := range r.Values {
			jr.Values = append(jr.Values, journalValue{Key: v.Key, Value: v.Value, Bool: v.Type == heval.Boolean})
		}
		e.Records[i] = jr
	}
	return e
}

// FuzzJournalEntryJSON checks that the line appendAckJSON writes for an acknowledged write
// reads back, through encoding/json, into the same entry as the encoding/json encoding of
// that entry does.
func FuzzJournalEntryJSON(f *testing.F) {
	f.Add("run-1", "1a000000-0000-4000-8000-000000000009", "run", "hyp", "row", "word_count", "k", "reason", "", "", "fail", 0, int64(7), int64(1500), false, int64(1700000000123456789))
	f.Add("", "", "", "", "", "", "", "", "", "", "", 3, int64(-9223372036854775808), int64(0), true, int64(0))
	f.Add("r\u2028<&>", "\xff\xfe", "k\x00", "\"quoted\"", "\\", "e\u00e9", "key\t", "\x7f", "err\n", "panic", "a\xc3", -1, int64(9223372036854775807), int64(-5), true, int64(-62135596800000000))
	f.Fuzz(func(t *testing.T, run, rid, kind, hyp, row, ev, key, reason, errText, errKind, failure string, repeat int, value, nanos int64, boolean bool, at int64) {
		smp := &heval.Sample{RequestID: rid, Kind: heval.Kind(kind), HypothesisID: hyp, DatasetRowID: row}
		sent := helicone.Scores{key: helicone.Int(value), key + "-hcone-bool": helicone.Bool(boolean)}
		typ := heval.Number
		if boolean {
			typ = heval.Boolean
		}
		recs := []heval.Record{
			{Sample: smp, Evaluator: ev, Repeat: repeat, Values: []heval.Value{{Key: key, Value: value, Type: typ}}, Reason: reason,
				Err: errText, ErrKind: heval.ErrorKind(errKind), Failures: []string{failure, ""}, Duration: time.Duration(nanos)},
			{Sample: smp, Evaluator: ev},
		}
		if nanos%3 == 0 {
			recs, sent = nil, nil
		}
		when := time.Unix(0, at)
		e := referenceEntry(run, smp, sent, recs, when)
		want, err := json.Marshal(e)
		if err != nil {
			t.Skip("encoding/json refuses the entry")
		}
		got := appendAckJSON(nil, run, smp, sent, recs, when)
		if !json.Valid(got) {
			t.Fatalf("not JSON: %s", got)
		}
		var a, b journalEntry
		if err := json.Unmarshal(want, &a); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(got, &b); err != nil {
			t.Fatalf("%v: %s", err, got)
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("read back differently:\nencoding/json %s\nappendAckJSON %s", want, got)
		}
	})
}
