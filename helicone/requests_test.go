package helicone_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/helicone"
)

var _ = Describe("request filters", func() {
	DescribeTable("build leaves under request_response_rmt",
		func(f helicone.Filter, want string) {
			Expect(f.Err()).NotTo(HaveOccurred())
			Expect(json.Marshal(f)).To(MatchJSON(want))
		},
		Entry("text", helicone.RequestText("model", helicone.Equals, "gpt-4o-mini"), `{"request_response_rmt":{"model":{"equals":"gpt-4o-mini"}}}`),
		Entry("text ilike", helicone.RequestText("user_id", helicone.ILike, "%bob%"), `{"request_response_rmt":{"user_id":{"ilike":"%bob%"}}}`),
		Entry("number", helicone.RequestNumber("latency", helicone.Gte, 1000), `{"request_response_rmt":{"latency":{"gte":1000}}}`),
		Entry("fractional cost", helicone.RequestNumber("cost", helicone.Lt, 0.01), `{"request_response_rmt":{"cost":{"lt":0.01}}}`),
		Entry("created_at", helicone.CreatedAt(helicone.Gte, time.Date(2026, 11, 1, 2, 0, 0, 0, time.FixedZone("x", 3600))),
			`{"request_response_rmt":{"request_created_at":{"gte":"2026-11-01T01:00:00.000Z"}}}`),
		Entry("property", helicone.Property("Variant", helicone.Equals, "B"), `{"request_response_rmt":{"properties":{"Variant":{"equals":"B"}}}}`),
		Entry("score", helicone.Score("accuracy", helicone.Equals, "80"), `{"request_response_rmt":{"scores":{"accuracy":{"equals":"80"}}}}`),
		Entry("and", helicone.And(helicone.Property("Variant", helicone.Equals, "B"), helicone.RequestNumber("status", helicone.Equals, 200)),
			`{"left":{"request_response_rmt":{"properties":{"Variant":{"equals":"B"}}}},"operator":"and","right":{"request_response_rmt":{"status":{"equals":200}}}}`),
		Entry("and with all", helicone.And(helicone.All(), helicone.RequestText("model", helicone.Equals, "m")), `{"request_response_rmt":{"model":{"equals":"m"}}}`),
		Entry("And of nothing", helicone.And(), `"all"`),
	)

	DescribeTable("refuse what the server would reject",
		func(f helicone.Filter, reason string) {
			err := f.Err()
			Expect(err).To(MatchError(helicone.ErrInvalidFilter))
			Expect(err.Error()).To(ContainSubstring(reason))
			_, merr := json.Marshal(f)
			Expect(merr).To(HaveOccurred())
			Expect(helicone.And(helicone.RequestText("model", helicone.Equals, "m"), f).Err()).To(MatchError(helicone.ErrInvalidFilter))
			Expect(helicone.Or(helicone.All(), f).Err()).To(MatchError(helicone.ErrInvalidFilter))
		},
		Entry("gte on a score", helicone.Score("accuracy", helicone.Gte, "80"), "gte"),
		Entry("contains on a number", helicone.RequestNumber("latency", helicone.Contains, 1), "number column latency"),
		Entry("gt on text", helicone.RequestText("model", helicone.Gt, "a"), "text column model"),
		Entry("number column as text", helicone.RequestText("latency", helicone.Equals, "1"), `"latency" is a number column`),
		Entry("unknown column", helicone.RequestText("colour", helicone.Equals, "1"), `unknown request column "colour"`),
		Entry("NaN", helicone.RequestNumber("cost", helicone.Equals, math.NaN()), "finite"),
		Entry("not-equals on time", helicone.CreatedAt(helicone.NotEquals, time.Now()), "time column"),
		Entry("zero time", helicone.CreatedAt(helicone.Gte, time.Time{}), "zero"),
		Entry("empty property name", helicone.Property(" ", helicone.Equals, "x"), "property name is empty"),
		Entry("empty score key", helicone.Score("", helicone.Equals, "1"), "score key is empty"),
		Entry("like on a property is fine but lt is not", helicone.Property("p", helicone.Lt, "x"), "property"),
	)
})

// requestRow renders one request row as the server sends it.
func requestRow(id string, i int) string {
	return fmt.Sprintf(`{"request_id":%q,"request_created_at":"2026-11-01 10:00:%02d","model":"gpt-4o-mini","provider":"OPENAI",
	  "status":200,"request_body":{"messages":[]},"response_body":{"choices":[]},"delay_ms":"%d","prompt_tokens":10,"completion_tokens":null,
	  "cost":"0.0012","properties":{"Variant":"B","n":3,"gone":null},"scores":{"accuracy":"92","speed":7}}`, id, i%60, 100+i)
}

func uuidN(i int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", i) }

// pager serves rows 0..total-1 honouring limit and offset.
func pager(total int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var q struct{ Offset, Limit int }
		_ = json.NewDecoder(r.Body).Decode(&q)
		var rows []string
		for i := q.Offset; i < min(q.Offset+q.Limit, total); i++ {
			rows = append(rows, requestRow(uuidN(i), i))
		}
		reply(201, `{"data":[`+strings.Join(rows, ",")+`],"error":null}`)(w, r)
	}
}

var _ = Describe("Requests: one page", func() {
	It("posts the query and decodes rows with strings, numbers and nulls", func() {
		s := newScript(reply(201, `{"data":[`+requestRow(reqID, 1)+`],"error":null}`), reply(201, `{"data":[],"error":null}`))
		yes := true
		rows, err := queryRows(newClient(s), helicone.RequestQuery{
			Filter: helicone.Property("Variant", helicone.Equals, "B"), Offset: 20, Limit: 10,
			Sort: &helicone.RequestSort{Column: "created_at", Desc: true}, IsScored: &yes,
		})
		Expect(err).NotTo(HaveOccurred())
		r := s.requests()[0]
		Expect(r.Path).To(Equal("/v1/request/query-clickhouse"))
		Expect(r.Body).To(MatchJSON(`{"filter":{"request_response_rmt":{"properties":{"Variant":{"equals":"B"}}}},"offset":20,"limit":10,"sort":{"created_at":"desc"},"isScored":true}`))
		Expect(rows).To(HaveLen(1))
		row := rows[0]
		Expect(row.RequestID).To(Equal(reqID))
		Expect(row.Status).To(Equal(helicone.FlexInt(200)))
		Expect(row.DelayMs).To(Equal(helicone.FlexInt(101)))
		Expect(row.CompletionTokens).To(BeZero())
		Expect(row.Cost.Number).To(Equal(0.0012))
		Expect(row.Properties).To(Equal(helicone.Properties{"Variant": "B", "n": "3"}))
		n, _ := row.Scores["accuracy"].Int64()
		Expect(n).To(Equal(int64(92)))
		n, _ = row.Scores["speed"].Int64()
		Expect(n).To(Equal(int64(7)))
		Expect(string(row.ResponseBody)).To(MatchJSON(`{"choices":[]}`))
	})

	It("fills the short fields from the table's column names", func() {
		s := newScript(reply(201, `{"data":[{"request_id":"x","request_user_id":"bob","response_status":"500","request_properties":{"a":"b"},"latency":12}],"error":null}`), reply(201, `{"data":[],"error":null}`))
		rows, err := queryRows(newClient(s), helicone.RequestQuery{})
		Expect(err).NotTo(HaveOccurred())
		Expect(rows[0].UserID).To(Equal("bob"))
		Expect(rows[0].Status).To(Equal(helicone.FlexInt(500)))
		Expect(rows[0].Properties).To(HaveKeyWithValue("a", "b"))
		Expect(rows[0].DelayMs).To(Equal(helicone.FlexInt(12)))
	})

	It("sends \"all\" and the default page size for the zero query", func() {
		s := newScript(reply(201, `{"data":null,"error":null}`))
		rows, err := queryRows(newClient(s), helicone.RequestQuery{})
		Expect(err).NotTo(HaveOccurred())
		Expect(rows).To(BeEmpty())
		Expect(s.requests()[0].Body).To(MatchJSON(`{"filter":"all","limit":100}`))
	})

	DescribeTable("validates before sending",
		func(q helicone.RequestQuery, arg string) {
			s := newScript(reply(201, `{"data":[],"error":null}`))
			_, err := queryRows(newClient(s), q)
			Expect(err).To(HaveOccurred())
			if arg != "" {
				var ia *helicone.InvalidArgumentError
				Expect(errors.As(err, &ia)).To(BeTrue())
				Expect(ia.Arg).To(Equal(arg))
			}
			Expect(s.requests()).To(BeEmpty())
		},
		Entry("limit above 1000", helicone.RequestQuery{Limit: 1001}, "limit"),
		Entry("negative limit", helicone.RequestQuery{Limit: -1}, "limit"),
		Entry("negative offset", helicone.RequestQuery{Offset: -5}, "offset"),
		Entry("unknown sort column", helicone.RequestQuery{Sort: &helicone.RequestSort{Column: "colour"}}, "sort"),
		Entry("invalid filter", helicone.RequestQuery{Filter: helicone.Score("a", helicone.Gt, "1")}, ""),
	)

	It("explains the limit error", func() {
		err := helicone.RequestQuery{Limit: 5000}.Validate()
		Expect(err.Error()).To(ContainSubstring("1 to 1000"))
		Expect(err.Error()).To(ContainSubstring("5000"))
	})

	It("reports the server's invalid limit 500", func() {
		s := newScript(reply(500, `{"data":null,"error":"invalid limit"}`))
		_, err := queryRows(newClient(s, helicone.WithRetry(helicone.NoRetry())), helicone.RequestQuery{Limit: 10})
		Expect(err).To(MatchError(ContainSubstring("invalid limit")))
	})
})

var _ = Describe("Requests iterator", func() {
	collect := func(c *helicone.Client, f helicone.Filter, size int) ([]string, []error) {
		var ids []string
		var errs []error
		for r, err := range c.Requests(ctx, helicone.RequestQuery{Filter: f, Limit: size}) {
			if err != nil {
				errs = append(errs, err)
				continue
			}
			ids = append(ids, r.RequestID)
		}
		return ids, errs
	}

	DescribeTable("pages with limit and offset until an empty page",
		func(total, size, wantCalls int) {
			s := newScript(pager(total))
			ids, errs := collect(newClient(s), helicone.All(), size)
			Expect(errs).To(BeEmpty())
			Expect(ids).To(HaveLen(total))
			for i, id := range ids {
				Expect(id).To(Equal(uuidN(i)))
			}
			Expect(s.requests()).To(HaveLen(wantCalls))
			for i, r := range s.requests() {
				Expect(r.Body).To(ContainSubstring(fmt.Sprintf(`"limit":%d`, size)))
				if i > 0 {
					Expect(r.Body).To(ContainSubstring(fmt.Sprintf(`"offset":%d`, i*size)))
				}
			}
		},
		Entry("several pages, the last one short", 25, 10, 4),
		Entry("an exact multiple", 20, 10, 3),
		Entry("empty", 0, 10, 1),
		Entry("one big page", 7, 1000, 2),
	)

	It("uses the default page size for 0", func() {
		s := newScript(pager(3))
		ids, _ := collect(newClient(s), helicone.All(), 0)
		Expect(ids).To(HaveLen(3))
		Expect(s.requests()[0].Body).To(ContainSubstring(fmt.Sprintf(`"limit":%d`, helicone.DefaultPageSize)))
	})

	It("stops when the caller breaks, having read one page ahead", func() {
		s := newScript(pager(100))
		n := 0
		for _, err := range newClient(s).Requests(ctx, helicone.RequestQuery{Filter: helicone.All(), Limit: 10}) {
			Expect(err).NotTo(HaveOccurred())
			n++
			if n == 15 {
				break
			}
		}
		// A page's requests are yielded once the next page is read (a newer version of one
		// of them may be there): the 15th request, on page 2, comes after page 3 is read,
		// and page 4 is asked for while page 3 is handled, then cancelled by the stop.
		Expect(s.requests()).To(Or(HaveLen(3), HaveLen(4)))
	})

	It("asks for the next page while the caller judges the requests of one", func() {
		s := newScript(pager(100))
		n := 0
		for _, err := range newClient(s).Requests(ctx, helicone.RequestQuery{Filter: helicone.All(), Limit: 10}) {
			Expect(err).NotTo(HaveOccurred())
			if n++; n == 1 {
				// Page 1's requests come once page 2 is read; page 3 is on its way meanwhile.
				Eventually(s.requests).Should(HaveLen(3))
				Expect(s.requests()[2].Body).To(ContainSubstring(`"offset":20`))
			}
		}
		Expect(n).To(Equal(100))
		Expect(s.requests()).To(HaveLen(11))
	})

	It("has one query in flight at a time, so that each page sees the rows as they were after the page before", func() {
		var mu sync.Mutex
		inFlight, most := 0, 0
		slowPager := func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			inFlight++
			most = max(most, inFlight)
			mu.Unlock()
			time.Sleep(2 * time.Millisecond)
			pager(200)(w, r)
			mu.Lock()
			inFlight--
			mu.Unlock()
		}
		s := newScript(slowPager)
		ids, errs := collect(newClient(s), helicone.All(), 10)
		Expect(errs).To(BeEmpty())
		Expect(ids).To(HaveLen(200))
		Expect(s.requests()).To(HaveLen(21))
		mu.Lock()
		defer mu.Unlock()
		Expect(most).To(Equal(1))
	})

	It("yields the requests read so far, then the error once, and stops", func() {
		s := newScript(pager(100), reply(401, `{"error":"No API key found"}`))
		ids, errs := collect(newClient(s), helicone.All(), 10)
		Expect(ids).To(HaveLen(10))
		Expect(errs).To(HaveLen(1))
		Expect(errs[0]).To(MatchError(helicone.ErrUnauthorized))
	})

	It("yields a filter error without sending anything", func() {
		s := newScript(pager(1))
		_, errs := collect(newClient(s), helicone.Score("a", helicone.Lte, "2"), 10)
		Expect(errs).To(HaveLen(1))
		Expect(errs[0]).To(MatchError(helicone.ErrInvalidFilter))
		_, errs = collect(newClient(s), helicone.All(), 2000)
		Expect(errs[0]).To(MatchError(helicone.ErrInvalidArgument))
		Expect(s.requests()).To(BeEmpty())
	})

	It("yields each request of a long query newest first once, when score writes bring pages back from near and far", func() {
		const total = 3000
		row := func(i int) string {
			t := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC).Add(-time.Duration(i) * time.Second)
			return fmt.Sprintf(`{"request_id":%q,"request_created_at":%q}`, uuidN(i), t.Format("2006-01-02 15:04:05"))
		}
		var mu sync.Mutex
		versions := 0 // raw versions before the offset the server has seen so far
		s := newScript(func(w http.ResponseWriter, r *http.Request) {
			var q struct{ Offset, Limit int }
			_ = json.NewDecoder(r.Body).Decode(&q)
			mu.Lock()
			// Each page's score writes add versions before the next offset: 30 a page, and
			// once 900 at a time (nine pages back).
			versions += 30
			if q.Offset == 1500 {
				versions += 900
			}
			start := max(0, q.Offset-versions)
			mu.Unlock()
			var rows []string
			for i := start; i < min(start+q.Limit, total); i++ {
				rows = append(rows, row(i))
			}
			reply(201, `{"data":[`+strings.Join(rows, ",")+`],"error":null}`)(w, r)
		})
		ids, errs := collect(newClient(s), helicone.All(), 100)
		Expect(errs).To(BeEmpty())
		Expect(ids).To(HaveLen(total))
		for i, id := range ids {
			Expect(id).To(Equal(uuidN(i)))
		}
	})

	It("skips requests seen on an earlier page and stops when a server ignores offset", func() {
		page := func(ids ...int) http.HandlerFunc {
			rows := make([]string, len(ids))
			for i, id := range ids {
				rows[i] = requestRow(uuidN(id), id)
			}
			return reply(201, `{"data":[`+strings.Join(rows, ",")+`],"error":null}`)
		}
		s := newScript(page(0, 1), page(1, 2), page(3), page())
		ids, errs := collect(newClient(s), helicone.All(), 2)
		Expect(errs).To(BeEmpty())
		Expect(ids).To(Equal([]string{uuidN(0), uuidN(1), uuidN(2), uuidN(3)}))

		s = newScript(page(0, 1))
		ids, errs = collect(newClient(s), helicone.All(), 2)
		Expect(ids).To(HaveLen(2))
		Expect(errs).To(HaveLen(1))
		Expect(errs[0].Error()).To(ContainSubstring("ignore offset"))
		// The same page twice stops the paging; the page after it, asked for while the
		// second was handled, may have reached the server before the stop cancelled it.
		reqs := s.requests()
		Expect(len(reqs)).To(BeElementOf(2, 3), "the same page twice, and at most the page asked for ahead")
		Expect(reqs[1].Body).To(ContainSubstring(`"offset":2`))
		if len(reqs) == 3 {
			Expect(reqs[2].Body).To(ContainSubstring(`"offset":4`))
		}
	})
})
