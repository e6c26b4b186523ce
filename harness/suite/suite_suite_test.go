package suite_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestSuitePackage(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "harness/suite")
}
