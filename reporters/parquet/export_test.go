package parquet

// SetVerifyChecksums turns the verification of heval's checksum on or off and returns the
// previous setting, so that a test can measure what the checksum catches.
func SetVerifyChecksums(on bool) bool {
	old := verifyChecksums
	verifyChecksums = on
	return old
}
