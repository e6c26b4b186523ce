// Package sharding shows one heval run spread over several machines: workflow.yml is a
// GitHub Actions matrix of four shards whose reports a last job merges, indexed-job.yaml a
// Kubernetes Indexed Job of four pods (merge-job.yaml merges their reports). README.md
// explains both.
//
// The package's test proves what makes this safe: four shards of the demo run against one
// emulator judge every sample exactly once, send one score write per sample, and their
// merged Parquet and JUnit files equal a single-process run's.
package sharding
