package parquet_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/heval-dev/heval/reporters/parquet"
)

// FuzzReadRun feeds arbitrary bytes to the reader as a scores file next to an intact
// samples table, and as a samples table next to an intact scores file: it must never
// panic, and every failure must name the file. The seeds are the two real files.
func FuzzReadRun(f *testing.F) {
	for _, name := range []string{"fuzz-scores.parquet", "fuzz-samples.parquet"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, name == "fuzz-scores.parquet")
	}
	f.Fuzz(func(t *testing.T, data []byte, asScores bool) {
		dir := t.TempDir()
		scores, samples := filepath.Join(dir, "scores.parquet"), filepath.Join(dir, parquet.SamplesFile)
		for _, c := range []struct{ name, path string }{{"fuzz-scores.parquet", scores}, {"fuzz-samples.parquet", samples}} {
			b, err := os.ReadFile(filepath.Join("testdata", c.name))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(c.path, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		target := samples
		if asScores {
			target = scores
		}
		if err := os.WriteFile(target, data, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := parquet.ReadRun(scores)
		if err != nil && !strings.HasPrefix(err.Error(), "reading "+dir) {
			t.Fatalf("the error does not name the file: %v", err)
		}
	})
}
