package spool_test

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"runtime"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/internal/spool"
)

var _ = Describe("Fixed", func() {
	It("reads back records by index, batch after batch, and removes its file on Close", func() {
		dir := GinkgoT().TempDir()
		f, err := spool.CreateFixed(dir, 8)
		Expect(err).NotTo(HaveOccurred())
		for b := range 50 {
			batch := make([]byte, 0, 8*b)
			for i := range b {
				batch = binary.BigEndian.AppendUint64(batch, uint64(1000*b+i))
			}
			Expect(f.Append(batch)).To(Succeed())
		}
		Expect(f.Len()).To(BeEquivalentTo(50 * 49 / 2))
		rec := make([]byte, 8)
		i := int64(0)
		for b := range 50 {
			for j := range b {
				Expect(f.Read(i, rec)).To(Succeed())
				Expect(binary.BigEndian.Uint64(rec)).To(BeEquivalentTo(1000*b + j))
				i++
			}
		}
		Expect(f.Read(i, rec)).To(MatchError(ContainSubstring("no record 1225 of 1225")))
		Expect(f.Read(-1, rec)).To(HaveOccurred())
		Expect(f.Read(0, make([]byte, 3))).To(MatchError(ContainSubstring("8-byte record into 3 bytes")))
		if runtime.GOOS != "windows" {
			entries, _ := os.ReadDir(dir)
			Expect(entries).To(BeEmpty(), "the file has no name while it is open")
		}
		Expect(f.Close()).To(Succeed())
	})

	It("refuses a batch that is not whole records and keeps what it holds", func() {
		f, err := spool.CreateFixed(GinkgoT().TempDir(), 4)
		Expect(err).NotTo(HaveOccurred())
		defer f.Close()
		Expect(f.Append([]byte("abcd"))).To(Succeed())
		Expect(f.Append([]byte("abcdef"))).To(MatchError(ContainSubstring("6 bytes is not made of 4-byte records")))
		Expect(f.Len()).To(BeEquivalentTo(1))
		_, err = spool.CreateFixed(GinkgoT().TempDir(), 0)
		Expect(err).To(HaveOccurred())
	})

	It("says where the temporary files go when it cannot be made", func() {
		_, err := spool.CreateFixed(filepath.Join(GinkgoT().TempDir(), "missing"), 8)
		Expect(err).To(MatchError(ContainSubstring("point TMPDIR at a writable directory")))
	})
})
