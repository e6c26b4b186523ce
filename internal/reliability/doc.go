// Package reliability measures that no score is lost, doubled or changed when the run
// process is killed with SIGKILL at random moments and resumed, when the emulator is killed
// and restarted on its data directory mid-run, and under the transport faults a real
// deployment produces (429 with Retry-After, 5xx, dropped connections, slow answers,
// truncated JSON, HTML pages). Its specs compare the scores the emulator holds with the
// scores a dry run computes, key by key.
//
// `go test ./internal/reliability` runs two rounds of each kill scenario;
// HEVAL_RELIABILITY_ROUNDS=20 runs more, for the README's figures.
package reliability
