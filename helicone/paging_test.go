package helicone_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/helicone"
)

// version is one raw row version of a logged request: every score write re-inserts the
// whole row, so a request has as many versions as it had writes, plus one.
type version struct {
	id      string
	updated int // seconds after a fixed time
	score   int
}

func (v version) json() string {
	at := time.Date(2026, 11, 1, 10, 0, v.updated, 0, time.UTC).Format("2006-01-02T15:04:05.000Z")
	return fmt.Sprintf(`{"request_id":%q,"request_created_at":"2026-11-01T09:00:00.000Z","updated_at":%q,"scores":{"accuracy":"%d"}}`, v.id, at, v.score)
}

// versionedQuery behaves as query-clickhouse does: limit and offset apply to the raw
// versions, in the order given, and only then are the older versions of each request on
// the page removed, so a page can be short while more requests follow.
func versionedQuery(raw []version) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var q struct{ Offset, Limit int }
		Expect(json.NewDecoder(r.Body).Decode(&q)).To(Succeed())
		page := raw[min(q.Offset, len(raw)):min(q.Offset+q.Limit, len(raw))]
		newest := map[string]version{}
		var order []string
		for _, v := range page {
			old, ok := newest[v.id]
			if !ok {
				order = append(order, v.id)
			}
			if !ok || v.updated > old.updated {
				newest[v.id] = v
			}
		}
		rows := make([]string, len(order))
		for i, id := range order {
			rows[i] = newest[id].json()
		}
		reply(201, `{"data":[`+strings.Join(rows, ",")+`],"error":null}`)(w, r)
	}
}

func accuracy(r helicone.Request) int64 {
	n, _ := r.Scores["accuracy"].Int64()
	return n
}

var _ = Describe("Requests on a server that removes row versions after its limit", func() {
	// Six requests; 0, 1 and 3 were scored (new versions), 1 twice.
	raw := []version{
		{uuidN(0), 0, 0}, {uuidN(0), 5, 50},
		{uuidN(1), 0, 0}, {uuidN(1), 3, 30}, {uuidN(1), 9, 90},
		{uuidN(2), 0, 2},
		{uuidN(3), 0, 0}, {uuidN(3), 4, 40},
		{uuidN(4), 0, 4},
		{uuidN(5), 0, 5},
	}

	It("reads every request although pages come back short", func() {
		s := newScript(versionedQuery(raw))
		rows, err := queryRows(newClient(s), helicone.RequestQuery{Limit: 3})
		Expect(err).NotTo(HaveOccurred())
		ids := make([]string, len(rows))
		for i, r := range rows {
			ids[i] = r.RequestID
		}
		Expect(ids).To(Equal([]string{uuidN(0), uuidN(1), uuidN(2), uuidN(3), uuidN(4), uuidN(5)}), "each request once, in the order first sent")

		var offsets []int
		for _, r := range s.requests() {
			var q struct{ Offset int }
			Expect(json.Unmarshal([]byte(r.Body), &q)).To(Succeed())
			offsets = append(offsets, q.Offset)
		}
		Expect(offsets).To(Equal([]int{0, 3, 6, 9, 12}), "the offset advances by the limit, until an empty page")
	})

	It("keeps the newest version of a request whose versions straddle two pages", func() {
		s := newScript(versionedQuery(raw))
		rows, err := queryRows(newClient(s), helicone.RequestQuery{Limit: 3})
		Expect(err).NotTo(HaveOccurred())
		got := map[string]int64{}
		for _, r := range rows {
			got[r.RequestID] = accuracy(r)
		}
		// Request 1's versions lie at raw positions 2, 3 and 4: the page of offset 0 holds
		// the oldest, the page of offset 3 the two newer ones.
		Expect(got).To(Equal(map[string]int64{uuidN(0): 50, uuidN(1): 90, uuidN(2): 2, uuidN(3): 40, uuidN(4): 4, uuidN(5): 5}))
	})

	It("reads every request whatever the page size", func() {
		for limit := 1; limit <= len(raw)+1; limit++ {
			s := newScript(versionedQuery(raw))
			rows, err := queryRows(newClient(s), helicone.RequestQuery{Limit: limit})
			Expect(err).NotTo(HaveOccurred(), "limit %d", limit)
			Expect(rows).To(HaveLen(6), "limit %d", limit)
		}
	})

	It("calls Pace before every page and stops when it fails", func() {
		s := newScript(versionedQuery(raw))
		calls := 0
		stop := errors.New("budget spent")
		_, err := queryRows(newClient(s), helicone.RequestQuery{Limit: 3, Pace: func(context.Context) error {
			if calls++; calls == 3 {
				return stop
			}
			return nil
		}})
		Expect(err).To(MatchError(stop))
		Expect(s.requests()).To(HaveLen(2))
		Expect(s.requests()[0].Body).NotTo(ContainSubstring("Pace"), "Pace is not part of the body")
	})
})

// filterShape walks a decoded filter: its depth and its leaves.
func filterShape(f any) (depth int, leaves []map[string]any) {
	m, ok := f.(map[string]any)
	Expect(ok).To(BeTrue(), "filter %v is an object", f)
	if op, ok := m["operator"]; ok {
		Expect(op).To(BeElementOf("and", "or"))
		dl, ll := filterShape(m["left"])
		dr, lr := filterShape(m["right"])
		return 1 + max(dl, dr), append(ll, lr...)
	}
	return 1, []map[string]any{m}
}

var _ = Describe("RequestsByID", func() {
	It("asks for at most 100 ids per query, as a balanced or of request_id leaves after a creation bound", func() {
		var ids []string
		for i := range 250 {
			ids = append(ids, uuidN(i))
		}
		ids = append(ids, "req_abc123def456", uuidN(7)) // not a UUID; a duplicate
		oldest := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
		s := newScript(func(w http.ResponseWriter, r *http.Request) {
			var q struct {
				Filter any
				Offset int
			}
			Expect(json.NewDecoder(r.Body).Decode(&q)).To(Succeed())
			if q.Offset > 0 {
				reply(201, `{"data":[],"error":null}`)(w, r)
				return
			}
			_, leaves := filterShape(q.Filter)
			var rows []string
			for _, l := range leaves {
				if id, ok := l["request_response_rmt"].(map[string]any)["request_id"]; ok {
					rows = append(rows, version{id: id.(map[string]any)["equals"].(string), score: 1}.json())
				}
			}
			reply(201, `{"data":[`+strings.Join(rows, ",")+`],"error":null}`)(w, r)
		})
		got, err := newClient(s).RequestsByID(ctx, helicone.RequestIDQuery{IDs: ids, CreatedAfter: oldest})
		Expect(err).NotTo(HaveOccurred())
		Expect(got).To(HaveLen(250))
		Expect(got).NotTo(HaveKey("req_abc123def456"))

		var asked []string
		queries := 0
		for _, r := range s.requests() {
			var q struct {
				Filter map[string]any
				Offset int
				Limit  int
				Sort   map[string]string
			}
			Expect(json.Unmarshal([]byte(r.Body), &q)).To(Succeed())
			Expect(q.Limit).To(Equal(1000))
			Expect(q.Sort).To(Equal(map[string]string{"created_at": "desc"}))
			if q.Offset > 0 {
				Expect(q.Offset).To(Equal(1000), "each query is paged until an empty page")
				continue
			}
			queries++
			Expect(q.Filter["operator"]).To(Equal("and"))
			Expect(q.Filter["left"]).To(Equal(map[string]any{"request_response_rmt": map[string]any{
				"request_created_at": map[string]any{"gte": "2026-11-01T08:55:00.000Z"}}}), "oldest minus 5 minutes")
			depth, leaves := filterShape(q.Filter["right"])
			Expect(len(leaves)).To(BeNumerically("<=", 100))
			Expect(depth).To(BeNumerically("<=", 8), "a balanced tree of up to 100 leaves is at most 8 deep")
			for _, l := range leaves {
				asked = append(asked, l["request_response_rmt"].(map[string]any)["request_id"].(map[string]any)["equals"].(string))
			}
		}
		Expect(queries).To(Equal(3))
		slices.Sort(asked)
		Expect(asked).To(HaveLen(250))
		Expect(slices.Compact(asked)).To(HaveLen(250))
	})

	It("keeps the newest version of each request across pages", func() {
		raw := []version{{uuidN(1), 0, 0}, {uuidN(2), 0, 2}, {uuidN(1), 8, 80}, {uuidN(1), 4, 40}}
		s := newScript(versionedQuery(raw))
		got, err := newClient(s).RequestsByID(ctx, helicone.RequestIDQuery{IDs: []string{uuidN(1), uuidN(2), uuidN(3)}})
		Expect(err).NotTo(HaveOccurred())
		Expect(got).To(HaveLen(2))
		Expect(accuracy(got[uuidN(1)])).To(Equal(int64(80)))
		Expect(s.requests()[0].Body).NotTo(ContainSubstring("request_created_at"), "no creation bound when none is known")
	})

	It("sends nothing for no ids", func() {
		s := newScript(reply(500, `{}`))
		got, err := newClient(s).RequestsByID(ctx, helicone.RequestIDQuery{IDs: []string{"not-a-uuid"}})
		Expect(err).NotTo(HaveOccurred())
		Expect(got).To(BeEmpty())
		Expect(s.requests()).To(BeEmpty())
	})
})

var _ = Describe("HasProperty", func() {
	It("is a property_key leaf", func() {
		Expect(json.Marshal(helicone.HasProperty("heval-hypothesis"))).To(MatchJSON(`{"request_response_rmt":{"property_key":{"equals":"heval-hypothesis"}}}`))
		Expect(helicone.HasProperty(" ").Err()).To(MatchError(helicone.ErrInvalidFilter))
	})
})

var _ = Describe("ParseTime", func() {
	DescribeTable("reads the server's timestamps, UTC when no zone is given",
		func(s string, want time.Time) {
			Expect(helicone.ParseTime(s).Equal(want)).To(BeTrue(), "%q gave %v", s, helicone.ParseTime(s))
		},
		Entry("ISO with Z", "2026-11-01T10:00:05.250Z", time.Date(2026, 11, 1, 10, 0, 5, 250e6, time.UTC)),
		Entry("ISO with an offset", "2026-11-01T11:00:05+01:00", time.Date(2026, 11, 1, 10, 0, 5, 0, time.UTC)),
		Entry("ISO without a zone", "2026-11-01T10:00:05", time.Date(2026, 11, 1, 10, 0, 5, 0, time.UTC)),
		Entry("ClickHouse", "2026-11-01 10:00:05.5", time.Date(2026, 11, 1, 10, 0, 5, 500e6, time.UTC)),
		Entry("empty", " ", time.Time{}),
		Entry("garbage", "yesterday", time.Time{}),
	)
})

var _ = Describe("Loopback", func() {
	It("tells a local server from a remote one", func() {
		s := newScript(reply(201, `{}`))
		Expect(newClient(s).Loopback()).To(BeTrue())
		remote, err := helicone.NewClient(helicone.WithAPIKey(testKey), helicone.WithEU())
		Expect(err).NotTo(HaveOccurred())
		Expect(remote.Loopback()).To(BeFalse())
	})
})
