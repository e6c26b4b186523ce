package heliconetest

// ReflectAnswerPieces makes the experiment answers written until the returned function is
// called encode their rows and runs with go-json-experiment, as every other piece is.
func ReflectAnswerPieces() (restore func()) {
	reflectPieces = true
	return func() { reflectPieces = false }
}
