//go:build !unix

package benchmarks_test

import "time"

// selfCPU is not measured here: the bare loop's CPU reads as zero.
func selfCPU() time.Duration { return 0 }
