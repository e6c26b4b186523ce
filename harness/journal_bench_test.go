package harness

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/heval-dev/heval"
	"github.com/heval-dev/heval/helicone"
)

// BenchmarkJournalAck measures journaling one acknowledged write of the six seed checks:
// encoding its line, queueing it and writing it to the file (without fsync).
func BenchmarkJournalAck(b *testing.B) {
	j, err := openJournal(filepath.Join(b.TempDir(), JournalFile), false)
	if err != nil {
		b.Fatal(err)
	}
	smp := &heval.Sample{RequestID: "0a26e182-e9cc-4191-a4a1-8dfc24406b6f", Kind: heval.KindDatasetRow, DatasetRowID: "853ddda8-36a6-47b4-b0e0-52c55ea910fd"}
	keys := []string{"word_count", "has_citations", "has_code_examples", "starts_with_greeting", "exceeds_min_length", "contains_markdown"}
	recs := make([]heval.Record, len(keys))
	for i, k := range keys {
		typ := heval.Boolean
		if i == 0 {
			typ = heval.Number
		}
		recs[i] = heval.Record{Sample: smp, Evaluator: k, Values: []heval.Value{{Key: k, Value: 1, Type: typ}}, Duration: time.Duration(1000 + i)}
	}
	sent := helicone.Scores{"word_count": helicone.Int(75)}
	for _, k := range keys[1:] {
		sent[k] = helicone.Bool(true)
	}
	b.ReportAllocs()
	for b.Loop() {
		j.appendAck("7661a99b-1094-42f5-9bbc-e070c79f12df", smp, sent, recs, time.Now())
	}
	if err := j.close(); err != nil {
		b.Fatal(err)
	}
}
