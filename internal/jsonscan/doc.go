// Package jsonscan holds the byte-level pieces of JSON that heval's one-pass readers share
// (a stored score in helicone, a chat completion's text in datasets): whitespace, plain
// string runs, numbers and \u escapes, each as RFC 8259 defines it. The readers built on it
// accept only what they fully check and leave anything else to a general decoder.
package jsonscan
