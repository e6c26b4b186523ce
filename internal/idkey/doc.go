// Package idkey keys maps by ids compactly: a lower-case UUID, the form Helicone sends its
// request and row ids in, is kept as its 16 bytes instead of a 36-byte string, so that a
// map of every id of a large query or experiment takes little memory per id. Any other id
// is kept as it is. [Map] is a map; [Index] is a sorted slice for ids that are all added
// before they are looked up (the rows of an experiment, which its runs join), at about half
// a map's memory.
package idkey
