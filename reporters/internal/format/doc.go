// Package format holds the number, percentage and interval formatting shared by the
// console, Markdown and HTML summaries, so that the three always show the same figures.
package format
