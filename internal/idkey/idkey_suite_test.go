package idkey_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestIDKey(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "idkey")
}
