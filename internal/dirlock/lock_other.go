//go:build !unix

package dirlock

import (
	"errors"
	"os"
)

func lockFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, os.ErrExist) {
		return nil, ErrLocked
	}
	return f, err
}

func unlockFile(f *os.File, path string) error {
	return errors.Join(f.Close(), os.Remove(path))
}
