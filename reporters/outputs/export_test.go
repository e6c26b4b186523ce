package outputs

import "github.com/heval-dev/heval"

// NewFanout is newFanout for the specs: handler i is named names[i].
func NewFanout(names []string, hs ...heval.Handler) heval.Handler {
	var sinks []sink
	for i, h := range hs {
		sinks = append(sinks, sink{names[i], h})
	}
	return newFanout(sinks...)
}

// BatchSize and QueuedBatches are the fan-out's batch size and queue length.
const BatchSize, QueuedBatches = batchSize, queuedBatches
