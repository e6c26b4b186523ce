// Package current is the suite to copy for today's hosted Helicone, which no longer serves
// experiments: a Helicone dataset of original requests and the hypothesis runs an
// application logged for its rows, tagged with the Helicone-Property-Heval-Hypothesis and
// Helicone-Property-Heval-Row headers (datasets.DatasetExperiment). Two hypotheses are
// compared per dataset row with NotBeWorseThan. It runs offline against the heliconetest
// emulator's current profile and its demo dataset:
//
//	go test ./examples/current
//	go tool ginkgo -p ./examples/current -- --heval.out=heval-out
//
// Against hosted Helicone, drop the emulator and suite.WithHelicone: the suite reads
// HELICONE_API_KEY (a key with write permission) and HELICONE_BASE_URL.
package current
