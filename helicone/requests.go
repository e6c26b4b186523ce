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
	// Offset skips that many matching requests.
	Offset int
	// Limit is the page size, 1 to 1000; 0 sends none and the server uses its default (10).
	Limit int
	// Sort orders the answer; nil is the server's default, newest first.
	Sort *RequestSort
	// IsScored, when set, selects requests that have (or have not) been scored.
	IsScored *bool
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
	var out []Request
	if _, err := c.do(ctx, "POST", "/v1/request/query-clickhouse", q, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// DefaultPageSize is the page size of [Client.Requests] when the query gives none.
const DefaultPageSize = 100

// Requests iterates over every logged request matching q (POST
// /v1/request/query-clickhouse), fetching pages of q.Limit requests (1 to 1000; 0 means
// [DefaultPageSize]) from q.Offset on; q.Sort and q.IsScored are honoured. A request seen on
// an earlier page (requests logged while paging shift the offsets) is not yielded twice. On
// an error the iterator yields it once and stops.
func (c *Client) Requests(ctx context.Context, q RequestQuery) iter.Seq2[Request, error] {
	return func(yield func(Request, error) bool) {
		if q.Limit == 0 {
			q.Limit = DefaultPageSize
		}
		if err := q.Validate(); err != nil {
			yield(Request{}, err)
			return
		}
		seen := map[string]bool{}
		for {
			page, err := c.queryPage(ctx, q)
			if err != nil {
				yield(Request{}, err)
				return
			}
			fresh := 0
			for _, r := range page {
				if r.RequestID != "" {
					if seen[r.RequestID] {
						continue
					}
					seen[r.RequestID] = true
				}
				fresh++
				if !yield(r, nil) {
					return
				}
			}
			if len(page) < q.Limit {
				return
			}
			if fresh == 0 {
				yield(Request{}, fmt.Errorf("helicone: the request query at offset %d returned only requests already seen; the server may ignore offset, so paging stopped", q.Offset))
				return
			}
			q.Offset += len(page)
		}
	}
}
