package suite_test

import (
	"os"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/harness/suite"
)

var _ = Describe("the default output directory", func() {
	It("is heval-out/PACKAGE at the root of the module being tested", func() {
		wd, err := os.Getwd()
		Expect(err).NotTo(HaveOccurred())
		root := filepath.Dir(filepath.Dir(wd)) // this package is harness/suite
		Expect(filepath.Join(root, "go.mod")).To(BeARegularFile())
		Expect(suite.DefaultOutDir()).To(Equal(filepath.Join(root, "heval-out", "harness", "suite")))
	})

	It("is heval-out in the working directory outside a module", func() {
		dir := GinkgoT().TempDir()
		GinkgoT().Chdir(dir)
		Expect(suite.DefaultOutDir()).To(Equal(filepath.Join(dir, "heval-out")))
	})
})
