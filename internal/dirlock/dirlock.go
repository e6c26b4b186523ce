// Package dirlock keeps two heval processes from writing one directory at once: the output
// directory of a run, or the data directory of `heval serve`. A lock is an exclusive,
// advisory lock on a file in the directory, released when the process ends, even by
// kill -9, so a crash never leaves a stale lock behind (on Unix; elsewhere the lock file is
// created exclusively and removed on release).
package dirlock

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// FileName is the lock file's name in a locked directory.
const FileName = ".heval.lock"

// ErrLocked is matched by the error of [Acquire] when another process holds the lock.
var ErrLocked = errors.New("the directory is in use by another heval process")

// Lock is a held lock.
type Lock struct {
	f    *os.File
	path string
}

// Acquire locks dir (created when missing) for this process; what names the user, for
// example "the output directory". It fails at once, with an error wrapping [ErrLocked]
// that names the holder's process id, when another process holds it.
func Acquire(dir, what string) (*Lock, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating %s %s: %w", what, dir, err)
	}
	path := filepath.Join(dir, FileName)
	f, err := lockFile(path)
	if err != nil {
		if errors.Is(err, ErrLocked) {
			holder := ""
			if b, rerr := os.ReadFile(path); rerr == nil {
				if pid := strings.TrimSpace(string(b)); pid != "" {
					holder = " (process " + pid + ")"
				}
			}
			return nil, fmt.Errorf("%w: %s %s is being written by another heval%s; wait for it to finish, or use another directory", ErrLocked, what, dir, holder)
		}
		return nil, fmt.Errorf("locking %s %s: %w", what, dir, err)
	}
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &Lock{f: f, path: path}, nil
}

// Release gives the lock up. It is safe to call more than once.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := unlockFile(l.f, l.path)
	l.f = nil
	return err
}
