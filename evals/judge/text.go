package judge

import (
	"github.com/heval-dev/heval"
)

func requestSuffix(s heval.Sample) string {
	if s.RequestID == "" {
		return ""
	}
	return " of request " + s.RequestID
}
