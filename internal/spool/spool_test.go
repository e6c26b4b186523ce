package spool_test

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/internal/spool"
)

var _ = Describe("File", func() {
	var f *spool.File
	BeforeEach(func() {
		var err error
		f, err = spool.Create(GinkgoT().TempDir())
		Expect(err).NotTo(HaveOccurred())
	})

	It("reads back records by offset and in order, while more are appended", func() {
		var offs []int64
		for i := range 5000 {
			off, err := f.Append([]byte(fmt.Sprintf("record %d %s", i, bytes.Repeat([]byte{'x'}, i%300))))
			Expect(err).NotTo(HaveOccurred())
			offs = append(offs, off)
		}
		r, other := f.NewReader(), f.NewReader()
		rec, next, err := r.Read(offs[0])
		Expect(err).NotTo(HaveOccurred())
		Expect(string(rec)).To(Equal("record 0 "))
		Expect(next).To(Equal(offs[1]))
		for i := 4999; i >= 0; i -= 7 {
			rec, _, err := other.Read(offs[i])
			Expect(err).NotTo(HaveOccurred())
			Expect(string(rec)).To(HavePrefix(fmt.Sprintf("record %d ", i)))
			Expect(rec).To(HaveLen(len(fmt.Sprintf("record %d ", i)) + i%300))
		}
		off, err := f.Append([]byte("late"))
		Expect(err).NotTo(HaveOccurred())
		rec, _, err = r.Read(off)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(rec)).To(Equal("late"))
		_, _, err = r.Read(f.Size())
		Expect(err).To(HaveOccurred())
	})

	It("lets another goroutine read what was flushed while records are appended (run with -race)", func() {
		type batch struct {
			offs  []int64
			limit int64
		}
		batches := make(chan batch, 4)
		read := make(chan error, 1)
		go func() {
			r := f.NewReader()
			n := 0
			for b := range batches {
				for _, off := range b.offs {
					rec, _, err := r.ReadBelow(off, b.limit)
					if err == nil && string(rec) != fmt.Sprintf("record %d %s", n, bytes.Repeat([]byte{'y'}, n%500)) {
						err = fmt.Errorf("record %d reads %.40q", n, rec)
					}
					if err != nil {
						read <- err
						return
					}
					n++
				}
			}
			read <- nil
		}()
		var offs []int64
		for i := range 20_000 {
			off, err := f.Append([]byte(fmt.Sprintf("record %d %s", i, bytes.Repeat([]byte{'y'}, i%500))))
			Expect(err).NotTo(HaveOccurred())
			offs = append(offs, off)
			if len(offs) == 997 || i == 19_999 {
				limit, err := f.Flush()
				Expect(err).NotTo(HaveOccurred())
				Expect(limit).To(Equal(f.Size()))
				batches <- batch{offs, limit}
				offs = nil
			}
		}
		close(batches)
		Expect(<-read).To(Succeed())
		_, _, err := f.NewReader().ReadBelow(0, 0)
		Expect(err).To(MatchError(ContainSubstring("no record at offset 0")))
	})

	It("forgets every record on Reset and removes its file on Close", func() {
		r := f.NewReader()
		_, err := f.Append([]byte("old record"))
		Expect(err).NotTo(HaveOccurred())
		_, _, err = r.Read(0)
		Expect(err).NotTo(HaveOccurred())
		Expect(f.Reset()).To(Succeed())
		Expect(f.Size()).To(BeZero())
		_, err = f.Append([]byte("new"))
		Expect(err).NotTo(HaveOccurred())
		rec, _, err := r.Read(0)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(rec)).To(Equal("new"))
		name := f.Name()
		Expect(f.Close()).To(Succeed())
		_, err = os.Stat(name)
		Expect(os.IsNotExist(err)).To(BeTrue())
	})
})

var _ = Describe("a spool file's name", func() {
	It("is gone from its directory while the file is in use, so that a process that never closes it leaves nothing behind", func() {
		dir := GinkgoT().TempDir()
		f, err := spool.Create(dir)
		Expect(err).NotTo(HaveOccurred())
		entries, err := os.ReadDir(dir)
		Expect(err).NotTo(HaveOccurred())
		if runtime.GOOS == "windows" {
			// An open file cannot lose its name there: Close removes it.
			Expect(entries).To(HaveLen(1))
		} else {
			Expect(entries).To(BeEmpty())
		}
		off, err := f.Append([]byte("still readable"))
		Expect(err).NotTo(HaveOccurred())
		rec, _, err := f.NewReader().Read(off)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(rec)).To(Equal("still readable"))
		Expect(f.Close()).To(Succeed())
		entries, err = os.ReadDir(dir)
		Expect(err).NotTo(HaveOccurred())
		Expect(entries).To(BeEmpty())
	})
})

var _ = Describe("Encoder and Decoder", func() {
	It("round-trip every field exactly, nil byte strings apart from empty ones", func() {
		var e spool.Encoder
		e.Uint(1 << 60)
		e.Int(-42)
		e.Int(math.MinInt64)
		e.Int(math.MaxInt64)
		e.Bool(true)
		e.String("héllo")
		e.Blob(nil)
		e.Blob([]byte{})
		e.Blob([]byte(` {"a": 1} `))
		d := spool.NewDecoder(e.Bytes())
		Expect(d.Uint()).To(Equal(uint64(1 << 60)))
		Expect(d.Int()).To(Equal(int64(-42)))
		Expect(d.Int()).To(Equal(int64(math.MinInt64)))
		Expect(d.Int()).To(Equal(int64(math.MaxInt64)))
		Expect(d.Bool()).To(BeTrue())
		Expect(d.String()).To(Equal("héllo"))
		Expect(d.Blob()).To(BeNil())
		b := d.Blob()
		Expect(b).NotTo(BeNil())
		Expect(b).To(BeEmpty())
		Expect(string(d.Blob())).To(Equal(` {"a": 1} `))
		Expect(d.Err()).NotTo(HaveOccurred())
	})

	It("hands on the fields not read yet as a record of their own", func() {
		var e spool.Encoder
		e.String("head")
		e.Int(-7)
		e.String("tail")
		d := spool.NewDecoder(e.Bytes())
		Expect(d.String()).To(Equal("head"))
		rest := spool.NewDecoder(d.Rest())
		Expect(rest.Int()).To(Equal(int64(-7)))
		Expect(rest.String()).To(Equal("tail"))
		Expect(rest.Err()).NotTo(HaveOccurred())
		Expect(rest.Rest()).To(BeEmpty())

		bad := spool.NewDecoder(e.Bytes()[:2])
		Expect(bad.String()).To(BeEmpty())
		Expect(bad.Rest()).To(BeNil())
	})

	It("reports a damaged record", func() {
		var e spool.Encoder
		e.String("truncated")
		d := spool.NewDecoder(e.Bytes()[:4])
		Expect(d.String()).To(BeEmpty())
		Expect(d.Err()).To(MatchError(spool.ErrDamaged))
		Expect(d.Int()).To(BeZero())
	})
})

var _ = Describe("a spool whose file fails", func() {
	It("names the file and says where to look when writing or reading fails", func() {
		f, err := spool.Create(GinkgoT().TempDir())
		Expect(err).NotTo(HaveOccurred())
		_, err = f.Append([]byte("held back"))
		Expect(err).NotTo(HaveOccurred())
		r := f.NewReader()
		Expect(f.Close()).To(Succeed())
		_, err = f.Flush()
		Expect(err).To(MatchError(And(ContainSubstring("spool: writing the temporary file "+f.Name()+": "),
			ContainSubstring("(it is in TMPDIR, or the system's temporary directory: check that its disk works and has room)"))))
		_, _, err = r.ReadBelow(0, 10)
		Expect(err).To(MatchError(ContainSubstring("spool: reading at offset 0 of the temporary file ")))

		x, err := spool.CreateFixed(GinkgoT().TempDir(), 4)
		Expect(err).NotTo(HaveOccurred())
		Expect(x.Close()).To(Succeed())
		Expect(x.Append([]byte("abcd"))).To(MatchError(ContainSubstring("check that its disk works and has room")))
	})
})

var _ = Describe("a spool that cannot be made", func() {
	It("says where the temporary files go and what to change", func() {
		_, err := spool.Create(filepath.Join(GinkgoT().TempDir(), "missing"))
		Expect(err).To(MatchError(ContainSubstring("spool: making a temporary file (point TMPDIR at a writable directory with room): ")))
	})
})
