// Package spool keeps records on disk while a stream is read: a temporary file that
// records are appended to and read back from by offset, removed when it is closed. A source
// that must hold back part of what it reads (runs that arrive before the rows they join, or
// before their hypothesis is known) keeps them here instead of in memory, so that its memory
// does not grow with the size of what it reads.
//
// Records are byte strings; [Encoder] and [Decoder] write and read the fields of one
// (unsigned and signed integers, strings and byte strings), compactly and exactly.
package spool
