package helicone_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestHelicone(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "helicone")
}
