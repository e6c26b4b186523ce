// Package testutil holds what the project's test suites share: golden files rewritten with
// -update, and a buffer safe for concurrent use. Only tests import it.
package testutil
