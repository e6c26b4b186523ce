// Package nightly is a nightly regression suite: tonight's run of the support bot
// experiment must not be worse than last night's (read from last night's scores.parquet)
// nor than the baseline hypothesis. workflow.yml runs it in GitHub Actions, uploads the
// Parquet and JUnit files as artifacts and publishes the JUnit results.
//
// Last night's file is HEVAL_BASELINE when set (CI downloads it from the previous run),
// else testdata/last-night.parquet, made by `go generate`.
package nightly

//go:generate go run ./testdata/gen.go -out testdata/last-night.parquet
