package main

import (
	"fmt"
	"os"
	"runtime/pprof"
)

// envCPUProfile names the file that receives a CPU profile of the whole heval process.
const envCPUProfile = "HEVAL_CPUPROFILE"

// startCPUProfile starts writing a CPU profile to path when it is not empty, and returns
// what ends it: the profile is complete once that has run.
func startCPUProfile(path string) (stop func() error, err error) {
	if path == "" {
		return func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", envCPUProfile, err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s=%s: %w", envCPUProfile, path, err)
	}
	return func() error {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			return fmt.Errorf("%s=%s: %w", envCPUProfile, path, err)
		}
		return nil
	}, nil
}
