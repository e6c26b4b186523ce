package harness

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/heval-dev/heval/helicone"
)

// FuzzJournalEntryJSON checks that an entry written by appendJSON reads back, through
// encoding/json, into the same entry as the encoding/json encoding of it does.
func FuzzJournalEntryJSON(f *testing.F) {
	f.Add("run-1", "1a000000-0000-4000-8000-000000000009", "run", "hyp", "row", "word_count", "k", "reason", "", "", "fail", 0, int64(7), int64(1500), false, int64(1700000000123456789))
	f.Add("", "", "", "", "", "", "", "", "", "", "", 3, int64(-9223372036854775808), int64(0), true, int64(0))
	f.Add("r\u2028<&>", "\xff\xfe", "k\x00", "\"quoted\"", "\\", "e\u00e9", "key\t", "\x7f", "err\n", "panic", "a\xc3", -1, int64(9223372036854775807), int64(-5), true, int64(-62135596800000000))
	f.Fuzz(func(t *testing.T, run, rid, kind, hyp, row, ev, key, reason, errText, errKind, failure string, repeat int, value, nanos int64, boolean bool, at int64) {
		e := &journalEntry{Run: run, RequestID: rid, Kind: kind, Hypothesis: hyp, Row: row,
			Sent: helicone.Scores{key: helicone.Int(value), key + "-hcone-bool": helicone.Bool(boolean)},
			At:   time.Unix(0, at).UTC(),
			Records: []journalRecord{
				{Evaluator: ev, Repeat: repeat, Values: []journalValue{{Key: key, Value: value, Bool: boolean}}, Reason: reason,
					Err: errText, ErrKind: errKind, Failures: []string{failure, ""}, Nanos: nanos},
				{Evaluator: ev},
			}}
		if nanos%3 == 0 {
			e.Records = nil
			e.Sent = nil
		}
		want, err := json.Marshal(e)
		if err != nil {
			t.Skip("encoding/json refuses the entry")
		}
		got := e.appendJSON(nil)
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
			t.Fatalf("read back differently:\nencoding/json %s\nappendJSON    %s", want, got)
		}
	})
}
