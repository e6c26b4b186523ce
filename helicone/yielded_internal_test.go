package helicone

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"time"

	. "github.com/onsi/ginkgo/v2"
	gm "github.com/onsi/gomega"
)

// pagedLog is a server's log as an offset query in creation order sees it: raw row
// versions, oldest or newest first, which score writes add to and merges remove from while
// it is paged, and late-ingested requests join in the past.
type pagedLog struct {
	rng    *rand.Rand
	rows   []logRow // raw versions, in the query's order
	n      int      // requests made
	start  time.Time
	newest bool // newest first
}

func newPagedLog(seed uint64, requests int, newestFirst bool) *pagedLog {
	l := &pagedLog{rng: rand.New(rand.NewPCG(seed, 1)), start: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), newest: newestFirst}
	for range requests {
		l.append()
	}
	return l
}

// logRow is a row version of the log: a request id and its creation time.
type logRow struct{ id, created string }

func (l *pagedLog) request(t time.Time) logRow {
	l.n++
	id := fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", l.rng.Uint32(), l.rng.IntN(1<<16), l.rng.IntN(1<<12), l.rng.IntN(1<<12), l.n)
	return logRow{id, t.Format("2006-01-02 15:04:05.000")}
}

// append adds a request at the end of the order, a few milliseconds (or none: ties) from
// the last.
func (l *pagedLog) append() {
	t := l.start
	if len(l.rows) > 0 {
		step := time.Duration(l.rng.IntN(3)) * time.Millisecond
		if l.newest {
			step = -step
		}
		t = ParseTime(l.rows[len(l.rows)-1].created).Add(step)
	}
	l.rows = append(l.rows, l.request(t))
}

// version adds a version of the row at i next to it (a score write).
func (l *pagedLog) version(i int) {
	i = min(i, len(l.rows)-1)
	l.rows = slices.Insert(l.rows, i, l.rows[i])
}

// merge removes up to k of the extra versions before offset.
func (l *pagedLog) merge(offset, k int) {
	kept := l.rows[:0]
	for i, r := range l.rows {
		if k > 0 && i < offset && i+1 < len(l.rows) && l.rows[i+1].id == r.id {
			k--
			continue
		}
		kept = append(kept, r)
	}
	l.rows = kept
}

// late logs a request created at the time of the row at i.
func (l *pagedLog) late(i int) {
	i = min(i, len(l.rows)-1)
	l.rows = slices.Insert(l.rows, i, l.request(ParseTime(l.rows[i].created)))
}

func (l *pagedLog) page(offset, limit int) []Request {
	if offset >= len(l.rows) {
		return nil
	}
	var page []Request
	for _, r := range l.rows[offset:min(offset+limit, len(l.rows))] {
		page = append(page, Request{RequestID: r.id, RequestCreatedAt: r.created})
	}
	return page
}

// checkYielded pages log as Requests does and checks that y answers every lookup as a plain
// set of every id would. It returns the most ids y held in recent at once and the number of
// ids yielded.
func checkYielded(y *yielded, log *pagedLog, limit int, event func(offset int)) (most, total int) {
	ref := map[string]bool{}
	var held []Request // a page's new requests are added once the next page is read
	for offset := 0; ; offset += limit {
		rows := log.page(offset, limit)
		gm.Expect(y.page(rows)).To(gm.Succeed())
		for i := range held {
			y.add(&held[i])
			ref[held[i].RequestID] = true
		}
		held = held[:0]
		if len(rows) == 0 {
			break
		}
		fresh := map[string]bool{}
		for i := range rows {
			got, err := y.has(&rows[i])
			gm.Expect(err).NotTo(gm.HaveOccurred())
			id := rows[i].RequestID
			gm.Expect(got).To(gm.Equal(ref[id]), "request %s at offset %d", id, offset+i)
			if !got && !fresh[id] {
				fresh[id] = true
				held = append(held, rows[i])
			}
		}
		most = max(most, len(y.recent))
		event(offset + limit)
	}
	return most, len(ref)
}

var _ = Describe("the ids Requests has yielded", func() {
	It("stay in memory only for the last pages of a query in creation order, and are found in the file when they come back from further away", func() {
		for seed := range uint64(4) {
			newest := seed%2 == 0
			log := newPagedLog(seed, 6000, newest)
			q := RequestQuery{Sort: &RequestSort{Column: "created_at"}}
			if newest {
				q.Sort = nil // the server's default
			}
			y := newYielded(q)
			most, total := checkYielded(y, log, 50, func(offset int) {
				rng := log.rng
				for range rng.IntN(60) { // score writes on the last pages
					log.version(max(0, offset-1-rng.IntN(100)))
				}
				for range rng.IntN(3) {
					log.append()
				}
				switch r := rng.IntN(100); {
				case r < 3: // a burst of score writes while the reader waited: pages come back
					for range 150 + rng.IntN(500) {
						log.version(rng.IntN(max(1, offset)))
					}
				case r < 5: // merges before the offset (rows are skipped)
					log.merge(offset, 25+rng.IntN(500))
				case r < 7:
					log.late(max(0, offset-rng.IntN(2000)))
				}
			})
			gm.Expect(y.file).NotTo(gm.BeNil())
			gm.Expect(y.file.Len()).To(gm.BeNumerically(">", total*9/10), "most ids are in the file")
			// The last pages, the page held back and the one read (ties aside).
			gm.Expect(most).To(gm.BeNumerically("<=", (lagPages+2)*50), "seed %d", seed)
			// Requests first read after the watermark passed them: skipped by a merge, then
			// brought back by a burst, or logged late.
			gm.Expect(y.other.Len()).To(gm.BeNumerically("<", total/10), "seed %d", seed)
			gm.Expect(y.lookups).To(gm.BeNumerically(">", 0), "bursts of writes bring back requests from further than the last pages")
			gm.Expect(y.close()).To(gm.Succeed())
		}
	})

	It("are never looked for in the file when only score writes on the last pages move the offsets", func() {
		log := newPagedLog(7, 10_000, false)
		y := newYielded(RequestQuery{Sort: &RequestSort{Column: "created_at"}})
		checkYielded(y, log, 100, func(offset int) {
			for range log.rng.IntN(150) {
				log.version(max(0, offset-1-log.rng.IntN(100)))
			}
		})
		gm.Expect(y.lookups).To(gm.BeZero())
		gm.Expect(y.close()).To(gm.Succeed())
	})

	It("all stay in memory for a query in another order, or after a page out of creation order", func() {
		log := newPagedLog(3, 3000, false)
		y := newYielded(RequestQuery{Sort: &RequestSort{Column: "latency"}})
		checkYielded(y, log, 100, func(int) {})
		gm.Expect(y.file).To(gm.BeNil())
		gm.Expect(y.other.Len()).To(gm.Equal(3000))

		log = newPagedLog(4, 3000, false)
		y = newYielded(RequestQuery{Sort: &RequestSort{Column: "created_at"}})
		checkYielded(y, log, 100, func(offset int) {
			if offset == 2000 { // the server stops sorting
				log.rows[2050], log.rows[2010] = log.rows[2010], log.rows[2050]
				log.rows[2010].created = "2027-01-01 00:00:00"
			}
		})
		gm.Expect(y.ordered).To(gm.BeFalse())
		gm.Expect(y.file).To(gm.BeNil(), "its ids were read back and the file removed")
		gm.Expect(y.other.Len()).To(gm.Equal(3000))
	})

	It("make a lookup fail with an explained error when the file cannot be read back", func() {
		log := newPagedLog(6, 2000, false)
		y := newYielded(RequestQuery{Sort: &RequestSort{Column: "created_at"}})
		checkYielded(y, log, 100, func(int) {})
		gm.Expect(y.file).NotTo(gm.BeNil())
		gm.Expect(y.file.Close()).To(gm.Succeed()) // what a vanished temporary directory does
		first := log.page(0, 1)[0]
		_, err := y.has(&first)
		gm.Expect(err).To(gm.MatchError(gm.ContainSubstring("helicone: reading back the ids of the requests already yielded, from a temporary file: ")))
		gm.Expect(y.unorder()).To(gm.MatchError(gm.ContainSubstring("from a temporary file")))
	})

	It("all stay in memory when no temporary file can be made", func() {
		GinkgoT().Setenv("TMPDIR", filepath.Join(GinkgoT().TempDir(), "missing"))
		log := newPagedLog(5, 3000, true)
		y := newYielded(RequestQuery{})
		checkYielded(y, log, 100, func(offset int) { log.version(max(0, offset-1)) })
		gm.Expect(y.file).To(gm.BeNil())
		gm.Expect(len(y.recent) + y.other.Len()).To(gm.Equal(3000))
	})
})
