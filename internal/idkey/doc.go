// Package idkey keys maps by ids compactly: a lower-case UUID, the form Helicone sends its
// request and row ids in, is kept as its 16 bytes instead of a 36-byte string, so that a
// map of every id of a large query or experiment takes little memory per id. Any other id
// is kept as it is.
package idkey
