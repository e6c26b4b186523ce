package datasets

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/heval-dev/heval/helicone"
	"github.com/heval-dev/heval/internal/idkey"
	"github.com/heval-dev/heval/internal/spool"
)

// A dataset row's signed URL is valid for 24 hours, and a long read outlives it. The first
// chunk of rows to find URLs expired reads the dataset's rows again, once for all the rows
// not fetched yet: those of the chunks being fetched take their fresh URLs from that read
// when they find theirs expired, the rows not loaded yet are spooled again with theirs. URLs
// that expire later are refreshed again. Once a fresh URL has expired too, the server's
// fresh URLs do not serve the bodies, and the rows are not read again.

// urlRefreshes is what a dataset's read knows of its URLs' refreshes; datasetReader.mu
// guards it.
type urlRefreshes struct {
	// done counts the refreshes so far: a row whose urls is below it was loaded before the
	// last one, which read its fresh URL.
	done int
	// stopped is set once a fresh URL had expired too.
	stopped bool
	// inFlight are the chunks loaded and not settled, by their first row's index; fresh the
	// URLs the last refresh read for their rows, by row index.
	inFlight map[int][]*datasetRow
	fresh    map[int]helicone.SignedURL
	enc      spool.Encoder
}

// pending notes a loaded chunk, until settled.
func (u *urlRefreshes) pending(rows []*datasetRow) {
	if u.inFlight == nil {
		u.inFlight = map[int][]*datasetRow{}
	}
	u.inFlight[rows[0].index] = rows
}

// settled forgets a chunk fetchBodies is done with.
func (r *datasetReader) settled(rows []*datasetRow) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.urls.inFlight, rows[0].index)
	if len(r.urls.fresh) > 0 {
		for _, row := range rows {
			delete(r.urls.fresh, row.index)
		}
	}
}

// freshURLs gives the expired rows of a chunk fresh URLs, reading the dataset's rows again
// unless a refresh since they were loaded read them already, and returns the rows to fetch
// again. A row without a fresh URL is marked unavailable.
func (r *datasetReader) freshURLs(ctx context.Context, expired []*datasetRow) ([]*datasetRow, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.urls.stopped {
		markExpiredTwice(expired)
		return nil, nil
	}
	if slices.ContainsFunc(expired, func(row *datasetRow) bool { return row.urls == r.urls.done }) {
		if err := r.refresh(ctx); err != nil {
			return nil, err
		}
	}
	retry := expired[:0:0]
	for _, row := range expired {
		u, ok := r.urls.fresh[row.index]
		if !ok {
			row.unavailable = "the row's signed body URL had expired, and reading the dataset's rows again gave none for it (was the row removed?)"
			continue
		}
		row.SignedURL, row.urls = u, r.urls.done
		retry = append(retry, row)
	}
	return retry, nil
}

// gaveUp marks the rows whose fresh URLs had expired too, and stops the refreshes: the
// server's fresh URLs do not serve the bodies either, so reading the rows again for more of
// them would not help.
func (r *datasetReader) gaveUp(rows []*datasetRow) {
	r.mu.Lock()
	r.urls.stopped = true
	r.mu.Unlock()
	markExpiredTwice(rows)
}

func markExpiredTwice(rows []*datasetRow) {
	for _, row := range rows {
		row.unavailable = "the row's signed body URL had expired, and so had a fresh one: the storage refuses the URLs the server signs (check the server's clock and its storage settings, then run again)"
	}
}

// refresh reads the dataset's rows again for fresh signed URLs: those of the rows being
// fetched go to urls.fresh, those of the rows not loaded yet to the list spool, their keys
// pointing at the new records. r.mu is held.
func (r *datasetReader) refresh(ctx context.Context) error {
	byID := map[string]int{}
	for _, rows := range r.urls.inFlight {
		for _, row := range rows {
			byID[row.ID] = row.index
		}
	}
	fresh := make(map[int]helicone.SignedURL, len(byID))
	rest := r.keys[r.loaded:]
	err := r.client.EachDatasetRow(ctx, r.datasetID, func(row helicone.HeliconeDatasetRow) error {
		if i, ok := byID[row.ID]; ok {
			fresh[i] = row.SignedURL
			return nil
		}
		i, ok := r.findKey(rest, &row)
		if !ok {
			return nil
		}
		k := &rest[i]
		encodeListRow(&r.urls.enc, &row)
		at, err := r.list.Append(r.urls.enc.Bytes())
		if err != nil {
			return fmt.Errorf("holding the dataset's rows: %w", err)
		}
		if k.plain {
			r.plainIDs[at] = r.plainIDs[k.at]
			delete(r.plainIDs, k.at)
		}
		k.at = at
		return nil
	})
	if err != nil {
		return fmt.Errorf("reading the dataset's rows again for fresh signed URLs: %w", err)
	}
	r.urls.fresh = fresh
	r.urls.done++
	return nil
}

// encodeListRow encodes what the list spool keeps of a row: what its samples need later
// (its creation time is in its key).
func encodeListRow(enc *spool.Encoder, row *helicone.HeliconeDatasetRow) {
	enc.Reset()
	for _, v := range []string{row.ID, row.OriginRequestID, row.SignedURL.URL, row.SignedURL.Error} {
		enc.String(v)
	}
}

// findKey finds the key of row among keys, sorted as sortKeys sorts them.
func (r *datasetReader) findKey(keys []rowKey, row *helicone.HeliconeDatasetRow) (int, bool) {
	t := helicone.ParseTime(row.CreatedAt)
	sec, nsec := t.Unix(), int32(t.Nanosecond())
	id, packed := idkey.Pack(row.ID)
	return slices.BinarySearchFunc(keys, row.ID, func(k rowKey, s string) int {
		if c := cmp.Or(cmp.Compare(k.sec, sec), cmp.Compare(k.nsec, nsec)); c != 0 {
			return c
		}
		if packed && !k.plain {
			return bytes.Compare(k.id[:], id[:])
		}
		return strings.Compare(r.keyID(&k), s)
	})
}
