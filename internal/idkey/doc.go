// Package idkey keeps ids compactly: a lower-case UUID, the form Helicone sends its request
// and row ids in, is kept as its 16 bytes instead of a 36-byte string, so that the ids of a
// large query or experiment take little memory each. Any other id is kept as it is. [Set]
// is a set (about 20 bytes a UUID, against about 38 in a map), for the ids a long query
// has already yielded; [Map] is a map; [Index] is a sorted slice for ids that are all added
// before they are looked up (the rows of an experiment, which its runs join), at about half
// a map's memory.
package idkey
