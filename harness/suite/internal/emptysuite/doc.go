// Package emptysuite tests a suite whose source has no samples and that allows it
// (suite.AllowEmpty): its specs run, on nothing.
package emptysuite
