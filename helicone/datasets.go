package helicone

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/heval-dev/heval/internal/idkey"
	"github.com/heval-dev/heval/internal/jsonscan"
)

// Helicone Datasets (current Helicone): datasets of rows, each a copy of a logged request's
// bodies, under POST /v1/helicone-dataset/... . Every route answers 200 on success and 500
// {"data":null,"error":"<message>"} on any failure.

// datasetRoute is the prefix of the Helicone Datasets routes.
const datasetRoute = "/v1/helicone-dataset"

// MaxDatasetRowsLimit is the largest page of dataset rows the server serves.
const MaxDatasetRowsLimit = 10000

// ErrDatasetNotFound matches a [*DatasetNotFoundError].
var ErrDatasetNotFound = errors.New("dataset not found")

// ErrDatasetsUnavailable matches the error of a Datasets call to a server without the
// Helicone Datasets routes (a legacy self-hosted Helicone).
var ErrDatasetsUnavailable = errors.New("the server does not serve Helicone Datasets")

// HeliconeDataset is one dataset as POST /v1/helicone-dataset/query lists it.
type HeliconeDataset struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// CreatedAt is an ISO timestamp, empty when the server sent null.
	CreatedAt   string `json:"created_at"`
	DatasetType string `json:"dataset_type"`
	// RequestsCount is the number of rows as the list reports it (the server sends it as
	// a string); [Client.CountDatasetRows] asks the count route itself.
	RequestsCount FlexInt         `json:"requests_count"`
	Meta          json.RawMessage `json:"meta,omitempty"`
}

// HeliconeDatasetRow is one row of a Helicone dataset: a copy of the bodies of the logged
// request OriginRequestID, taken when the row was added (or last edited). It carries no
// scores, properties, model or inputs: read those for OriginRequestID with a request query
// ([Client.RequestsByID]), and the bodies from SignedURL ([Client.FetchSignedBody]).
type HeliconeDatasetRow struct {
	// ID is the row's id; runs of the dataset name it in their row property.
	ID string `json:"id"`
	// OriginRequestID is the logged request the row was made from; scores of the row go
	// there.
	OriginRequestID string `json:"origin_request_id"`
	DatasetID       string `json:"dataset_id"`
	CreatedAt       string `json:"created_at"`
	// SignedURL is where the row's bodies can be read, for 24 hours.
	SignedURL SignedURL `json:"signed_url"`
}

// SignedURL is the server's envelope of a presigned URL: URL when signing succeeded, Error
// when it failed.
type SignedURL struct {
	URL   string
	Error string
}

// UnmarshalJSON accepts {"data": url, "error": message} with either side null or absent,
// {}, null, and a bare URL string.
func (s *SignedURL) UnmarshalJSON(b []byte) error {
	*s = SignedURL{}
	if fastSignedURL(b, s) {
		return nil
	}
	*s = SignedURL{}
	return s.unmarshalGeneral(b)
}

var signedURLNames = nameSetOf("data", "error")

// fastSignedURL reads the envelopes the server sends — {"data":"<url>","error":null},
// {"data":null,"error":"<message>"}, {} — and a bare URL, when every name and string in them
// is plain, each member once, without the general decoder's four passes (8 µs a row of a
// dataset page, most of the page's decoding); it reports false for anything else, which
// unmarshalGeneral decides. b is one JSON value, as UnmarshalJSON is given.
func fastSignedURL(b []byte, s *SignedURL) bool {
	i := jsonscan.Space(b, 0)
	if i == len(b) {
		return false
	}
	var end int
	switch b[i] {
	case '"':
		u, j, ok := plainString(b, i)
		if !ok {
			return false
		}
		s.URL, end = string(u), j
	case '{':
		var mask uint32
		j, ok := scan(b, i, func(name []byte, v int) (int, bool) {
			switch string(name) {
			case "data":
				return plainStrOnce(b, v, &s.URL, &mask, 0)
			case "error":
				if !seen(&mask, 1) {
					return v, false
				}
				if j, null := isNull(b, v); null {
					return j, true
				}
				e, j, ok := plainString(b, v)
				if ok {
					s.Error = cmp.Or(string(e), signingFailed)
				}
				return j, ok
			}
			// Another case of "data" or "error" is the general decoder's.
			return skip(b, v), unknown(name, signedURLNames)
		})
		if !ok {
			return false
		}
		end = j
	default:
		return false
	}
	return jsonscan.Space(b, end) == len(b)
}

// signingFailed is the Error of an envelope whose error says nothing.
const signingFailed = "signing failed"

// unmarshalGeneral decodes any JSON value as UnmarshalJSON documents.
func (s *SignedURL) unmarshalGeneral(b []byte) error {
	var raw json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	if IsJSONNull(raw) {
		return nil
	}
	var str string
	if json.Unmarshal(raw, &str) == nil {
		s.URL = str
		return nil
	}
	var env struct {
		Data  json.RawMessage `json:"data"`
		Error json.RawMessage `json:"error"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return fmt.Errorf("helicone: a signed URL is a string or {data, error}, not %s", snippet(raw))
	}
	if !IsJSONNull(env.Data) && json.Unmarshal(env.Data, &s.URL) != nil {
		return fmt.Errorf("helicone: the signed URL's data is not a string: %s", snippet(env.Data))
	}
	if !IsJSONNull(env.Error) {
		if json.Unmarshal(env.Error, &s.Error) != nil {
			s.Error = snippet(env.Error)
		}
		if s.Error == "" {
			s.Error = signingFailed
		}
	}
	return nil
}

// MarshalJSON writes the server's envelope.
func (s SignedURL) MarshalJSON() ([]byte, error) {
	env := struct {
		Data  *string `json:"data"`
		Error *string `json:"error"`
	}{}
	if s.URL != "" {
		env.Data = &s.URL
	}
	if s.Error != "" {
		env.Error = &s.Error
	}
	return json.Marshal(env)
}

// datasetCall makes one call to a Datasets route. A server without the routes (Express's
// HTML 404) gives an error matching [ErrDatasetsUnavailable]. A 500 with the handler's own
// message is a deterministic failure and is retried only once.
func (c *Client) datasetCall(ctx context.Context, path string, body, out any) error {
	cl := call{method: "POST", path: path, out: out,
		retryAPI: func(e *APIError, attempt int) bool { return !handlerMessage(e) || attempt < 2 }}
	_, err := c.doCall(ctx, cl, body)
	if errors.Is(err, ErrRouteNotFound) {
		return &DatasetsUnavailableError{Err: err}
	}
	return err
}

// handlerMessage reports whether e is a 500 carrying a handler's own message, rather than
// the generic "Internal Server Error" of an exception.
func handlerMessage(e *APIError) bool {
	return e.Status == 500 && e.Message != "" && !strings.EqualFold(e.Message, "Internal Server Error")
}

// DatasetsUnavailableError is a Datasets call to a server that has no such routes.
type DatasetsUnavailableError struct{ Err error }

func (e *DatasetsUnavailableError) Error() string {
	return "helicone: this server does not serve Helicone Datasets (" + strings.TrimPrefix(e.Err.Error(), "helicone: ") +
		"): a self-hosted Helicone from before the Datasets routes serves experiments instead; evaluate those with --experiment ID (datasets.Experiment)"
}

// Unwrap matches ErrDatasetsUnavailable and the underlying error.
func (e *DatasetsUnavailableError) Unwrap() []error { return []error{ErrDatasetsUnavailable, e.Err} }

// ListDatasets lists the organization's Helicone datasets (POST /v1/helicone-dataset/query),
// all of them, or those with the given ids. The server does not page the list.
func (c *Client) ListDatasets(ctx context.Context, ids ...string) ([]HeliconeDataset, error) {
	body := map[string]any{}
	if len(ids) > 0 {
		body["datasetIds"] = ids
	}
	var out []HeliconeDataset
	if err := c.datasetCall(ctx, datasetRoute+"/query", body, &out); err != nil {
		return nil, err
	}
	if len(ids) > 0 {
		// Keep what was asked for, whatever else the server sent.
		out = slices.DeleteFunc(out, func(d HeliconeDataset) bool { return !slices.Contains(ids, d.ID) })
	}
	return out, nil
}

// DatasetNotFoundError is a dataset the organization does not have.
type DatasetNotFoundError struct {
	// Query is the id or name asked for.
	Query string
	// BaseURL is the server that was asked.
	BaseURL string
	// Available are the names (or ids, for unnamed datasets) of up to 20 datasets it has.
	Available []string
}

func (e *DatasetNotFoundError) Error() string {
	there := "it has no datasets"
	if len(e.Available) > 0 {
		there = "its datasets include " + strings.Join(e.Available, ", ")
	}
	return fmt.Sprintf("helicone: no Helicone dataset %q on %s (%s): check the name or pass the dataset's id; datasets belong to one organization in one region, and the API key decides which", e.Query, e.BaseURL, there)
}

// Is matches ErrDatasetNotFound.
func (e *DatasetNotFoundError) Is(target error) bool { return target == ErrDatasetNotFound }

// AmbiguousDatasetError is a name that several datasets share.
type AmbiguousDatasetError struct {
	Name string
	// IDs are the ids of the datasets of that name.
	IDs []string
}

func (e *AmbiguousDatasetError) Error() string {
	return fmt.Sprintf("helicone: %d Helicone datasets are named %q (ids %s): pass the id of the one to use", len(e.IDs), e.Name, strings.Join(e.IDs, ", "))
}

// FindDataset returns the dataset with the given id, or else the one with that name (the
// exact name, else ignoring case and surrounding spaces). A name shared by several
// datasets is an [*AmbiguousDatasetError]; no match a [*DatasetNotFoundError].
func (c *Client) FindDataset(ctx context.Context, idOrName string) (HeliconeDataset, error) {
	q := strings.TrimSpace(idOrName)
	if q == "" {
		return HeliconeDataset{}, &InvalidArgumentError{Arg: "dataset", Value: idOrName, Reason: "give a dataset id or name"}
	}
	var list []HeliconeDataset
	var err error
	if IsUUID(q) {
		list, err = c.ListDatasets(ctx, q)
	} else {
		list, err = c.ListDatasets(ctx)
	}
	if err != nil {
		return HeliconeDataset{}, err
	}
	if IsUUID(q) {
		for _, d := range list {
			if strings.EqualFold(d.ID, q) {
				return d, nil
			}
		}
		return HeliconeDataset{}, &DatasetNotFoundError{Query: q, BaseURL: c.BaseURL()}
	}
	for _, match := range []func(d HeliconeDataset) bool{
		func(d HeliconeDataset) bool { return d.Name == idOrName },
		func(d HeliconeDataset) bool { return strings.EqualFold(strings.TrimSpace(d.Name), q) },
	} {
		var found []HeliconeDataset
		for _, d := range list {
			if match(d) {
				found = append(found, d)
			}
		}
		switch len(found) {
		case 0:
			continue
		case 1:
			return found[0], nil
		}
		ids := make([]string, len(found))
		for i, d := range found {
			ids[i] = d.ID
		}
		return HeliconeDataset{}, &AmbiguousDatasetError{Name: q, IDs: ids}
	}
	nf := &DatasetNotFoundError{Query: q, BaseURL: c.BaseURL()}
	for _, d := range list {
		if len(nf.Available) == 20 {
			break
		}
		nf.Available = append(nf.Available, strconv.Quote(cmpOr(d.Name, d.ID)))
	}
	return HeliconeDataset{}, nf
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func checkDatasetID(id string) error {
	if !IsUUID(id) {
		return &InvalidArgumentError{Arg: "datasetID", Value: id, Reason: "not a UUID; dataset ids are UUIDs (look a dataset up by name with FindDataset)"}
	}
	return nil
}

// DatasetRows returns one page of a dataset's rows (POST /v1/helicone-dataset/{id}/query),
// newest first: limit rows (1 to [MaxDatasetRowsLimit]) from offset on. An unknown dataset
// has no rows. Use [Client.AllDatasetRows] to read every row.
func (c *Client) DatasetRows(ctx context.Context, datasetID string, offset, limit int) ([]HeliconeDatasetRow, error) {
	if err := checkDatasetID(datasetID); err != nil {
		return nil, err
	}
	if limit < 1 || limit > MaxDatasetRowsLimit {
		return nil, &InvalidArgumentError{Arg: "limit", Value: strconv.Itoa(limit), Reason: fmt.Sprintf("the dataset row query serves pages of 1 to %d rows", MaxDatasetRowsLimit)}
	}
	if offset < 0 {
		return nil, &InvalidArgumentError{Arg: "offset", Value: strconv.Itoa(offset), Reason: "the offset must be 0 or more"}
	}
	var out []HeliconeDatasetRow
	body := map[string]int{"offset": offset, "limit": limit}
	if err := c.datasetCall(ctx, datasetRoute+"/"+url.PathEscape(datasetID)+"/query", body, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// CountDatasetRows returns the number of rows of a dataset (POST
// /v1/helicone-dataset/{id}/count, which answers the number as a string).
func (c *Client) CountDatasetRows(ctx context.Context, datasetID string) (int, error) {
	if err := checkDatasetID(datasetID); err != nil {
		return 0, err
	}
	var v FlexValue
	path := datasetRoute + "/" + url.PathEscape(datasetID) + "/count"
	if err := c.datasetCall(ctx, path, nil, &v); err != nil {
		return 0, err
	}
	n, ok := v.Int64()
	if !ok || n < 0 {
		return 0, &DecodeError{Method: "POST", Path: path, Status: 200, Body: truncate(v.Raw, 100), Err: errors.New("the row count is not a whole number")}
	}
	return int(n), nil
}

// rowPasses bounds how often AllDatasetRows re-reads the pages after the first.
const rowPasses = 5

// DatasetIncompleteError says that fewer distinct rows were read than the dataset counts.
type DatasetIncompleteError struct {
	DatasetID   string
	Count, Read int
}

func (e *DatasetIncompleteError) Error() string {
	return fmt.Sprintf("helicone: dataset %s counts %d rows but %d distinct rows could be read: the server pages rows by creation time, and rows added together share it, so pages can skip rows; rather than a part of the dataset, nothing is returned: try again, or keep datasets at %d rows or fewer (one page)", e.DatasetID, e.Count, e.Read, MaxDatasetRowsLimit)
}

// AllDatasetRows reads every row of a dataset: pages of [MaxDatasetRowsLimit] (one page for
// most datasets), de-duplicated by row id and checked against the dataset's count. Rows
// added in one call share their creation time, which the server pages by, so a page
// boundary can skip or repeat rows: the pages after the first are read again (up to
// rowPasses times) until every counted row is there. A shortfall that a second count does
// not explain (rows removed meanwhile) is a [*DatasetIncompleteError]. Rows come newest
// first. [Client.EachDatasetRow] reads them without collecting them.
func (c *Client) AllDatasetRows(ctx context.Context, datasetID string) ([]HeliconeDatasetRow, error) {
	var rows []HeliconeDatasetRow
	err := c.EachDatasetRow(ctx, datasetID, func(r HeliconeDatasetRow) error {
		rows = append(rows, r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return rows, nil
}

// EachDatasetRow reads every row of a dataset as [Client.AllDatasetRows] does, handing each
// distinct row to fn as its page arrives instead of collecting them, so that the caller can
// keep them where it likes (the rows of a large dataset, with their signed URLs, are
// hundreds of bytes each; the read itself keeps about 20 bytes a row id). An error from fn stops
// the read and is returned. When the read ends in an error, a [*DatasetIncompleteError]
// among them, the rows fn was given are not the dataset: the caller must drop them.
func (c *Client) EachDatasetRow(ctx context.Context, datasetID string, fn func(HeliconeDatasetRow) error) error {
	count, err := c.CountDatasetRows(ctx, datasetID)
	if err != nil {
		return err
	}
	var seen idkey.Set
	read := 0
	add := func(page []HeliconeDatasetRow) error {
		for _, r := range page {
			if r.ID != "" && !seen.Add(r.ID) {
				continue
			}
			read++
			if err := fn(r); err != nil {
				return err
			}
		}
		return nil
	}
	first, err := c.DatasetRows(ctx, datasetID, 0, MaxDatasetRowsLimit)
	if err != nil {
		return err
	}
	if err := add(first); err != nil {
		return err
	}
	for pass := 0; len(first) == MaxDatasetRowsLimit && pass < rowPasses && read < count; pass++ {
		for offset := MaxDatasetRowsLimit; ; offset += MaxDatasetRowsLimit {
			page, err := c.DatasetRows(ctx, datasetID, offset, MaxDatasetRowsLimit)
			if err != nil {
				return err
			}
			if err := add(page); err != nil {
				return err
			}
			if len(page) < MaxDatasetRowsLimit {
				break
			}
		}
	}
	if read < count {
		// Rows removed since the count was taken?
		if count, err = c.CountDatasetRows(ctx, datasetID); err != nil {
			return err
		}
		if read < count {
			return &DatasetIncompleteError{DatasetID: datasetID, Count: count, Read: read}
		}
	}
	return nil
}
