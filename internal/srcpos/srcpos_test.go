package srcpos_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/heval-dev/heval/internal/srcpos"
)

func TestCallerIsRelativeToTheModuleRoot(t *testing.T) {
	file, line := srcpos.Caller(0)
	if file != "internal/srcpos/srcpos_test.go" || line != 12 {
		t.Fatalf("Caller(0) = %s:%d, want internal/srcpos/srcpos_test.go:12", file, line)
	}
}

func TestRelOutsideAModule(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "x.go")
	if got := srcpos.Rel(p); got != filepath.ToSlash(p) {
		t.Fatalf("Rel(%s) = %s, want the path unchanged", p, got)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module m\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "a", "b.go")
	if got := srcpos.Rel(sub); got != "a/b.go" {
		t.Fatalf("Rel(%s) = %s, want a/b.go", sub, got)
	}
}
