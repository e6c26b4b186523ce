// Package quickstart is a complete heval suite on one screen: the demo experiment, three
// evaluators, three assertions. It runs offline against the heliconetest emulator:
//
//	go test ./examples/quickstart
//	ginkgo -p ./examples/quickstart -- --heval.out=heval-out
package quickstart
