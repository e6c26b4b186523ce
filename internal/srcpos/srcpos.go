// Package srcpos names the place in a user's source that declared something (an evaluator,
// a suite), as a path relative to the root of the module that holds it, so that reports
// name the same file on every machine and CI tools can place annotations on it.
package srcpos

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// Caller returns the file and line of the caller skip frames above Caller's own caller
// (skip 0 is the function that calls Caller, 1 its caller), with the file relative to the
// root of its module (the nearest directory above it holding go.mod). A file outside any
// module, or a path the build trimmed (-trimpath), is returned as the runtime gives it.
// It returns "", 0 when the frame is unknown.
func Caller(skip int) (string, int) {
	_, file, line, ok := runtime.Caller(skip + 1)
	if !ok {
		return "", 0
	}
	return Rel(file), line
}

// Rel returns file relative to the root of its module, with forward slashes.
func Rel(file string) string {
	if !filepath.IsAbs(file) {
		return filepath.ToSlash(file)
	}
	dir := filepath.Dir(file)
	root := moduleRoot(dir)
	if root == "" {
		return filepath.ToSlash(file)
	}
	rel, err := filepath.Rel(root, file)
	if err != nil || strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(file)
	}
	return filepath.ToSlash(rel)
}

var roots sync.Map // directory → module root ("" when none)

// moduleRoot returns the nearest directory at or above dir that holds go.mod, or "".
func moduleRoot(dir string) string {
	if r, ok := roots.Load(dir); ok {
		return r.(string)
	}
	root := ""
	for d := dir; ; {
		if st, err := os.Stat(filepath.Join(d, "go.mod")); err == nil && !st.IsDir() {
			root = d
			break
		}
		parent := filepath.Dir(d)
		if parent == d {
			break
		}
		d = parent
	}
	roots.Store(dir, root)
	return root
}

// ModuleRoot returns the root of the module holding dir (the nearest directory at or above
// it with a go.mod), or "" when there is none.
func ModuleRoot(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	return moduleRoot(abs)
}
