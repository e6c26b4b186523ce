package datasets

import (
	"context"
	"iter"
)

// ahead reads a source's units (one query's worth of samples each) ahead of its consumer.
// next is called in one goroutine, unit after unit, for the part of a unit that must run
// in order (reading a spool); it returns the unit's fetch, the part that waits on the
// network, or ok false after the last unit. Up to depth+1 fetches run at once, each in a
// goroutine of its own, and their results are yielded in the order of the units. A failed
// next or fetch is yielded as the error that ends the sequence. When the consumer stops
// early, the fetches are cancelled, and the sequence returns only once next and every
// fetch have returned, so the caller may close what they read.
func ahead[T any](ctx context.Context, depth int, next func() (fetch func(context.Context) (T, error), ok bool, err error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		ctx, cancel := context.WithCancel(ctx)
		type unit struct {
			v    T
			err  error
			done chan struct{}
		}
		units := make(chan *unit, depth)
		defer func() {
			cancel()
			for u := range units {
				<-u.done
			}
		}()
		go func() {
			defer close(units)
			for {
				fetch, ok, err := next()
				if !ok && err == nil {
					return
				}
				u := &unit{done: make(chan struct{})}
				select {
				case units <- u:
				case <-ctx.Done():
					close(u.done)
					return
				}
				if err != nil {
					u.err = err
					close(u.done)
					return
				}
				go func() {
					defer close(u.done)
					u.v, u.err = fetch(ctx)
				}()
			}
		}()
		for u := range units {
			<-u.done
			if u.err != nil {
				var zero T
				yield(zero, u.err)
				return
			}
			if !yield(u.v, nil) {
				return
			}
		}
	}
}
