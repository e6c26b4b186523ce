package helicone

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// requestTable is the leaf key of request filters.
const requestTable = "request_response_rmt"

// CreatedAtColumn is the timestamp column of a request's creation.
const CreatedAtColumn = "request_created_at"

// RequestTextColumns are the text columns of request filters ([RequestText]).
var RequestTextColumns = []string{
	"model", "provider", "request_id", "response_id", "user_id", "request_path", "target_url",
	"prompt_id", "country_code", "cache_reference_id", "proxy_key_id", "organization_id",
}

// RequestNumberColumns are the number columns of request filters ([RequestNumber]).
var RequestNumberColumns = []string{
	"latency", "cost", "status", "prompt_tokens", "completion_tokens", "total_tokens",
	"time_to_first_token", "prompt_cache_read_tokens", "prompt_cache_write_tokens",
}

// RequestTimeColumns are the timestamp columns of request filters ([RequestTime]).
var RequestTimeColumns = []string{CreatedAtColumn, "response_created_at"}

func requestLeaf(column string, ops map[string]any) Filter {
	return Filter{leaf: map[string]any{requestTable: map[string]any{column: ops}}}
}

// RequestText filters requests on a text column (see [RequestTextColumns]) with a text
// operator ([TextOps]).
func RequestText(column string, op Op, v string) Filter {
	if !slices.Contains(RequestTextColumns, column) {
		return badFilter(column, op, "%s; the text columns are %s", columnHint(column), strings.Join(RequestTextColumns, ", "))
	}
	if err := checkOp(column, op, TextOps, "the text column "+column); err != nil {
		return Filter{err: err}
	}
	return requestLeaf(column, map[string]any{string(op): v})
}

// RequestNumber filters requests on a number column (see [RequestNumberColumns]) with a
// number operator ([NumberOps]). Latency is in milliseconds, cost in US dollars.
func RequestNumber(column string, op Op, v float64) Filter {
	if !slices.Contains(RequestNumberColumns, column) {
		return badFilter(column, op, "%s; the number columns are %s", columnHint(column), strings.Join(RequestNumberColumns, ", "))
	}
	if err := checkOp(column, op, NumberOps, "the number column "+column); err != nil {
		return Filter{err: err}
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return badFilter(column, op, "the value must be a finite number, not %v", v)
	}
	return requestLeaf(column, map[string]any{string(op): v})
}

// RequestTime filters requests on a timestamp column (see [RequestTimeColumns]) with a
// time operator ([TimeOps]); the time is sent in UTC as ISO-8601 with milliseconds.
func RequestTime(column string, op Op, t time.Time) Filter {
	if !slices.Contains(RequestTimeColumns, column) {
		return badFilter(column, op, "%s; the time columns are %s", columnHint(column), strings.Join(RequestTimeColumns, ", "))
	}
	if err := checkOp(column, op, TimeOps, "the time column "+column); err != nil {
		return Filter{err: err}
	}
	if t.IsZero() {
		return badFilter(column, op, "the time is zero")
	}
	return requestLeaf(column, map[string]any{string(op): t.UTC().Format("2006-01-02T15:04:05.000Z")})
}

// CreatedAt filters requests on when they were made: CreatedAt(Gte, time.Now().Add(-24*time.Hour))
// selects the last day's requests.
func CreatedAt(op Op, t time.Time) Filter { return RequestTime(CreatedAtColumn, op, t) }

// Property filters requests on a custom property (a Helicone-Property-<name> header) with
// a text operator.
func Property(name string, op Op, v string) Filter {
	if strings.TrimSpace(name) == "" {
		return badFilter("properties", op, "the property name is empty")
	}
	if err := checkOp("properties."+name, op, TextOps, "a property"); err != nil {
		return Filter{err: err}
	}
	return requestLeaf("properties", map[string]any{name: map[string]any{string(op): v}})
}

// HasProperty filters requests that carry the custom property name, whatever its value
// (the property_key column). Property names are matched exactly: a property set with a
// Helicone-Property-<Name> header is stored lower-cased.
func HasProperty(name string) Filter {
	if strings.TrimSpace(name) == "" {
		return badFilter("property_key", Equals, "the property name is empty")
	}
	return requestLeaf("property_key", map[string]any{string(Equals): name})
}

// Score filters requests on a stored score with a text operator; the value is compared as
// text (the server rejects gte/lte/gt/lt on scores). Boolean scores are stored under
// key+[BoolSuffix] with the values "1" and "0".
func Score(key string, op Op, v string) Filter {
	if strings.TrimSpace(key) == "" {
		return badFilter("scores", op, "the score key is empty")
	}
	if err := checkOp("scores."+key, op, TextOps, "a score (compared as text: the server rejects gte, lte, gt and lt on scores)"); err != nil {
		return Filter{err: err}
	}
	return requestLeaf("scores", map[string]any{key: map[string]any{string(op): v}})
}

func columnHint(column string) string {
	switch {
	case slices.Contains(RequestTextColumns, column):
		return fmt.Sprintf("%q is a text column", column)
	case slices.Contains(RequestNumberColumns, column):
		return fmt.Sprintf("%q is a number column", column)
	case slices.Contains(RequestTimeColumns, column):
		return fmt.Sprintf("%q is a time column", column)
	case column == "properties" || column == "scores":
		return fmt.Sprintf("filter on %s with Property or Score", column)
	}
	return fmt.Sprintf("unknown request column %q", column)
}

// MaxRequestLimit is the largest page the request query serves.
const MaxRequestLimit = 1000

// RequestSort orders a request query on one column.
type RequestSort struct {
	// Column is one of created_at, latency, cost, total_tokens, prompt_tokens,
	// completion_tokens, user_id, body_model.
	Column string
	// Desc sorts descending.
	Desc bool
}

// RequestSortColumns are the columns a request query can be sorted on.
var RequestSortColumns = []string{"created_at", "latency", "cost", "total_tokens", "prompt_tokens", "completion_tokens", "user_id", "body_model"}

// MarshalJSON writes {"<column>":"asc"|"desc"}.
func (s RequestSort) MarshalJSON() ([]byte, error) {
	dir := "asc"
	if s.Desc {
		dir = "desc"
	}
	return json.Marshal(map[string]string{s.Column: dir})
}

// RequestQuery is the body of POST /v1/request/query-clickhouse.
type RequestQuery struct {
	Filter Filter
	// Offset skips that many matching row versions (see [Client.Requests]).
	Offset int
	// Limit is the page size, 1 to 1000; 0 sends none and the server uses its default (10).
	Limit int
	// Sort orders the answer; nil is the server's default, newest first.
	Sort *RequestSort
	// IsScored, when set, selects requests that have (or have not) been scored.
	IsScored *bool
	// Pace, when set, is called before every page is requested, and an error from it ends
	// the query; pass a rate limiter's Wait to count the pages against a budget. It is not
	// part of the request body.
	Pace func(context.Context) error
}

// Validate checks q the way the server would, before anything is sent.
func (q RequestQuery) Validate() error {
	if err := q.Filter.Err(); err != nil {
		return err
	}
	if q.Limit < 0 || q.Limit > MaxRequestLimit {
		return &InvalidArgumentError{Arg: "limit", Value: strconv.Itoa(q.Limit), Reason: fmt.Sprintf("the request query serves pages of 1 to %d requests (0 for the server's default of 10); page with Offset or use Client.Requests", MaxRequestLimit)}
	}
	if q.Offset < 0 {
		return &InvalidArgumentError{Arg: "offset", Value: strconv.Itoa(q.Offset), Reason: "the offset must be 0 or more"}
	}
	if q.Sort != nil && !slices.Contains(RequestSortColumns, q.Sort.Column) {
		return &InvalidArgumentError{Arg: "sort", Value: q.Sort.Column, Reason: "requests can be sorted on " + strings.Join(RequestSortColumns, ", ")}
	}
	return nil
}

// MarshalJSON writes the request body, leaving out unset fields.
func (q RequestQuery) MarshalJSON() ([]byte, error) {
	body := struct {
		Filter   Filter       `json:"filter"`
		Offset   int          `json:"offset,omitempty"`
		Limit    int          `json:"limit,omitempty"`
		Sort     *RequestSort `json:"sort,omitempty"`
		IsScored *bool        `json:"isScored,omitempty"`
	}{q.Filter, q.Offset, q.Limit, q.Sort, q.IsScored}
	return json.Marshal(body)
}

// queryPage returns one page of logged requests matching q (POST
// /v1/request/query-clickhouse; the server answers 201).
func (c *Client) queryPage(ctx context.Context, q RequestQuery) ([]Request, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	if q.Pace != nil {
		if err := q.Pace(ctx); err != nil {
			return nil, err
		}
	}
	var out []Request
	if _, err := c.do(ctx, "POST", "/v1/request/query-clickhouse", q, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// DefaultPageSize is the page size of [Client.Requests] when the query gives none.
const DefaultPageSize = 100

// maxStalePages is how many pages in a row may bring no request not seen before until
// paging stops: such pages are normal (the older versions of requests already read), but
// not without end.
const maxStalePages = 100

// pages calls page with every page of q, from q.Offset on, until the server answers an
// empty page or page returns false.
//
// The server applies its limit to raw row versions (every score write re-inserts a row)
// and removes the older versions afterwards, so a page may be short while more requests
// follow: only an empty page ends the query, and the offset advances by the limit, not by
// the rows returned. page reports how many of a page's requests were never seen before; a
// page of nothing new that repeats the previous one exactly means the server ignores the
// offset, and paging stops with an error.
//
// The next page is asked for as soon as a page has arrived, while page handles it (and the
// caller judges what it yields), so that the server computes the next answer meanwhile.
// Only one query is in flight: each page is asked for after the one before it was
// answered, so it sees the server's rows as they were then or later. Rows that score
// writes move while the query pages move to later offsets, onto the same page or the
// next; two pages asked for at once could be answered in the other order and miss the
// rows moved between them. pages returns only once its last query has returned; one that
// a stop made unnecessary is cancelled.
func (c *Client) pages(ctx context.Context, q RequestQuery, page func(rows []Request) (fresh int, more bool)) error {
	if q.Limit == 0 {
		q.Limit = DefaultPageSize
	}
	if err := q.Validate(); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	type answer struct {
		rows []Request
		err  error
	}
	var pending chan answer // the query in flight, nil when none is
	ask := func(q RequestQuery) {
		out := make(chan answer, 1)
		pending = out
		go func() {
			rows, err := c.queryPage(ctx, q)
			out <- answer{rows, err}
		}()
	}
	defer func() {
		cancel()
		if pending != nil {
			<-pending
		}
	}()
	stale := 0
	var last string
	ask(q)
	for {
		a := <-pending
		pending = nil
		if a.err != nil {
			return a.err
		}
		rows := a.rows
		if len(rows) == 0 {
			return nil
		}
		next := q
		next.Offset += q.Limit
		ask(next)
		fresh, more := page(rows)
		if !more {
			return nil
		}
		sig := pageSignature(rows)
		switch {
		case fresh > 0:
			stale = 0
		case sig == last:
			return fmt.Errorf("helicone: the request query answered the same page again at offset %d; the server seems to ignore offset, so paging stopped", q.Offset)
		default:
			if stale++; stale >= maxStalePages {
				return fmt.Errorf("helicone: the request query returned %d pages in a row (up to offset %d) holding only requests already seen, so paging stopped", maxStalePages, q.Offset)
			}
		}
		last = sig
		q = next
	}
}

// pageSignature identifies a page by the request ids and versions it holds.
func pageSignature(rows []Request) string {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(r.RequestID)
		b.WriteByte('@')
		b.WriteString(r.UpdatedAt)
		b.WriteByte(',')
	}
	return b.String()
}

// newer reports whether row version a was written after b (by updated_at).
func newer(a, b *Request) bool {
	ta, tb := ParseTime(a.UpdatedAt), ParseTime(b.UpdatedAt)
	return !ta.IsZero() && ta.After(tb)
}

// Requests iterates over every logged request matching q (POST
// /v1/request/query-clickhouse), fetching pages of q.Limit requests (1 to 1000; 0 means
// [DefaultPageSize]) from q.Offset on; q.Sort, q.IsScored and q.Pace are honoured.
//
// Helicone applies the limit before it removes the older versions of a row (every score
// write adds one), so pages can be short while more requests exist: the iterator pages
// until the server answers an empty page, advancing the offset by the limit. It yields
// each request id once, in the order the server first sent it, as its newest version (by
// updated_at) among the pages read so far: a request is yielded once the page after the
// one that first held it has been read, since versions of one request share its sort key
// and so lie on the same page or the next. Requests logged while paging shift the offsets;
// a request seen before is not yielded again. In a query in creation order (q.Sort nil or
// on created_at), the ids yielded before the last few pages are kept in a temporary file
// (see yielded), so its memory does not grow with the number of requests. On an error the
// iterator yields it once and stops. The next page is asked for while the caller handles
// the requests of one, one query at a time (see pages).
func (c *Client) Requests(ctx context.Context, q RequestQuery) iter.Seq2[Request, error] {
	return func(yield func(Request, error) bool) {
		var held []Request     // read, not yet yielded, in the order first seen
		at := map[string]int{} // request id -> index in held
		done := newYielded(q)  // request ids yielded
		defer done.close()
		var doneErr error
		stopped := false
		release := func(n int) bool {
			for i := range held[:n] {
				r := &held[i]
				delete(at, r.RequestID)
				if r.RequestID != "" {
					done.add(r)
				}
				if !yield(*r, nil) {
					stopped = true
					return false
				}
			}
			held = append(held[:0], held[n:]...)
			for i, r := range held {
				if r.RequestID != "" {
					at[r.RequestID] = i
				}
			}
			return true
		}
		err := c.pages(ctx, q, func(rows []Request) (int, bool) {
			if doneErr = done.page(rows); doneErr != nil {
				return 0, false
			}
			before, fresh := len(held), 0
			for _, r := range rows {
				id := r.RequestID
				if id != "" {
					var seen bool
					if seen, doneErr = done.has(&r); doneErr != nil {
						return 0, false
					} else if seen {
						continue
					}
				}
				switch i, ok := at[id]; {
				case id == "":
				case ok:
					if newer(&r, &held[i]) {
						held[i] = r
					}
					continue
				default:
					at[id] = len(held)
				}
				held = append(held, r)
				fresh++
			}
			return fresh, release(before)
		})
		if doneErr != nil {
			// What was read is yielded, as after a failed page.
			err = doneErr
		}
		if stopped || !release(len(held)) {
			return
		}
		if err != nil {
			yield(Request{}, err)
		}
	}
}

// MaxIDsPerQuery is how many request ids one query of [Client.RequestsByID] asks for: an
// "or" of more request_id leaves risks the server's depth limits.
const MaxIDsPerQuery = 100

// RequestIDQuery selects logged requests by id for [Client.RequestsByID].
type RequestIDQuery struct {
	// IDs are the request ids; ids that are not UUIDs cannot exist and are not sent.
	IDs []string
	// CreatedAfter, when set, is the creation time of the oldest of the requests: only
	// requests created at or after five minutes before it are searched, which keeps the
	// server's scan short.
	CreatedAfter time.Time
	// Pace is called before every page is requested (see [RequestQuery.Pace]).
	Pace func(context.Context) error
}

// createdSlack is how much earlier than the oldest known creation time a query by id
// searches, for clock differences.
const createdSlack = 5 * time.Minute

// RequestsByID reads the newest version (by updated_at) of each of the requests q names,
// by request id, from POST /v1/request/query-clickhouse: [MaxIDsPerQuery] ids per query,
// as a balanced "or" of request_id leaves (and the creation-time bound of
// q.CreatedAfter), pages of 1000 newest first, each query paged until an empty page. Ids
// the server does not return are absent from the map.
func (c *Client) RequestsByID(ctx context.Context, q RequestIDQuery) (map[string]Request, error) {
	ids := make([]string, 0, len(q.IDs))
	seen := make(map[string]bool, len(q.IDs))
	for _, id := range q.IDs {
		if IsUUID(id) && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	out := make(map[string]Request, len(ids))
	for chunk := range slices.Chunk(ids, MaxIDsPerQuery) {
		leaves := make([]Filter, len(chunk))
		for i, id := range chunk {
			leaves[i] = RequestText("request_id", Equals, id)
		}
		f := Or(leaves...)
		if !q.CreatedAfter.IsZero() {
			f = And(CreatedAt(Gte, q.CreatedAfter.Add(-createdSlack)), f)
		}
		query := RequestQuery{Filter: f, Limit: MaxRequestLimit, Sort: &RequestSort{Column: "created_at", Desc: true}, Pace: q.Pace}
		err := c.pages(ctx, query, func(rows []Request) (int, bool) {
			fresh := 0
			for _, r := range rows {
				if !seen[r.RequestID] {
					continue // not asked for
				}
				old, ok := out[r.RequestID]
				if !ok {
					fresh++
				}
				if !ok || newer(&r, &old) {
					out[r.RequestID] = r
				}
			}
			return fresh, true
		})
		if err != nil {
			return out, err
		}
	}
	return out, nil
}
