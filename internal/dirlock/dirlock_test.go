package dirlock_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/internal/dirlock"
)

func TestDirlock(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "dirlock")
}

// TestHolder holds a lock until its stdin closes, for the spec below.
func TestHolder(t *testing.T) {
	dir := os.Getenv("DIRLOCK_HOLD")
	if dir == "" {
		return
	}
	if _, err := dirlock.Acquire(dir, "the test directory"); err != nil {
		t.Fatal(err)
	}
	os.Stdout.WriteString("held\n")
	b := make([]byte, 1)
	os.Stdin.Read(b)
}

var _ = Describe("directory locks", func() {
	It("refuses a second holder, naming the first, and is free again once released", func() {
		dir := GinkgoT().TempDir()
		l, err := dirlock.Acquire(dir, "the output directory")
		Expect(err).NotTo(HaveOccurred())
		_, err = dirlock.Acquire(dir, "the output directory")
		Expect(err).To(MatchError(dirlock.ErrLocked))
		Expect(err.Error()).To(ContainSubstring("the output directory " + dir))
		Expect(l.Release()).To(Succeed())
		l2, err := dirlock.Acquire(dir, "the output directory")
		Expect(err).NotTo(HaveOccurred())
		Expect(l2.Release()).To(Succeed())
	})

	It("is held against another process and freed when that process is killed", func() {
		dir := GinkgoT().TempDir()
		cmd := exec.Command(os.Args[0], "-test.run=^TestHolder$")
		cmd.Env = append(os.Environ(), "DIRLOCK_HOLD="+dir)
		stdin, err := cmd.StdinPipe()
		Expect(err).NotTo(HaveOccurred())
		out, err := cmd.StdoutPipe()
		Expect(err).NotTo(HaveOccurred())
		Expect(cmd.Start()).To(Succeed())
		buf := make([]byte, 5)
		_, err = out.Read(buf)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(buf)).To(Equal("held\n"))
		_, err = dirlock.Acquire(dir, "the data directory")
		Expect(err).To(MatchError(dirlock.ErrLocked))
		Expect(err.Error()).To(ContainSubstring("process "))
		Expect(cmd.Process.Kill()).To(Succeed())
		cmd.Wait()
		stdin.Close()
		l, err := dirlock.Acquire(dir, "the data directory")
		Expect(err).NotTo(HaveOccurred())
		Expect(l.Release()).To(Succeed())
		b, _ := os.ReadFile(filepath.Join(dir, dirlock.FileName))
		Expect(strings.TrimSpace(string(b))).NotTo(BeEmpty())
	})
})
