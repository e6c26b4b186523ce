package parquet

// SetVerifyRowChecksum turns the verification of the checksum of a file's rows on or off
// and returns the previous setting, so that a test can measure what it catches.
func SetVerifyRowChecksum(on bool) bool {
	old := verifyRowChecksum
	verifyRowChecksum = on
	return old
}
