package testutil

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/onsi/gomega"
)

// update is the -update flag of every test binary that imports this package.
var update = flag.Bool("update", false, "rewrite the golden files from the outputs the tests produce")

// Updating reports whether the tests run with -update.
func Updating() bool { return *update }

// ExpectGolden compares got with the golden file at path (relative to the test's package
// directory); with -update it rewrites the file first. A golden file never holds an API
// key: got may not contain "sk-helicone".
func ExpectGolden(path string, got []byte) {
	if *update {
		gomega.ExpectWithOffset(1, os.MkdirAll(filepath.Dir(path), 0o755)).To(gomega.Succeed())
		gomega.ExpectWithOffset(1, os.WriteFile(path, got, 0o644)).To(gomega.Succeed())
	}
	want, err := os.ReadFile(path)
	gomega.ExpectWithOffset(1, err).NotTo(gomega.HaveOccurred(), "golden file %s is missing: run the package's tests with -args -update to create it", path)
	gomega.ExpectWithOffset(1, string(got)).To(gomega.Equal(string(want)), "the output differs from %s (run with -args -update to accept the change, then read the diff)", path)
	gomega.ExpectWithOffset(1, bytes.Contains(got, []byte("sk-helicone"))).To(gomega.BeFalse(), "a golden file must never hold an API key")
}

// SyncBuffer is a bytes.Buffer that writers and readers in different goroutines may share.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns everything written so far.
func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// JUnitXSD is the path of the Jenkins xunit JUnit schema (MIT, its licence inside the file)
// that every junit.xml heval writes must satisfy; it is kept beside this file.
func JUnitXSD() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "junit-10.xsd")
}

// ExpectValidJUnit checks the JUnit document at path against [JUnitXSD] with xmllint, a
// reader heval did not write. A machine without xmllint fails with how to install it.
func ExpectValidJUnit(path string) {
	lint, err := exec.LookPath("xmllint")
	gomega.ExpectWithOffset(1, err).NotTo(gomega.HaveOccurred(), "xmllint checks junit.xml against the JUnit schema: apt-get install -y libxml2-utils (.ci/run installs it)")
	out, err := exec.Command(lint, "--noout", "--schema", JUnitXSD(), path).CombinedOutput()
	gomega.ExpectWithOffset(1, err).NotTo(gomega.HaveOccurred(), "%s is not valid against the JUnit schema:\n%s", path, out)
}
