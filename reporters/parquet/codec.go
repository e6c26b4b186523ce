package parquet

import (
	"runtime"
	"sync"

	"github.com/klauspost/compress/zstd"
	"github.com/parquet-go/parquet-go/compress"
	pqzstd "github.com/parquet-go/parquet-go/compress/zstd"
	"github.com/parquet-go/parquet-go/format"
)

// pageWindow is the zstd window of the pages heval writes. A page is compressed on its
// own (parquet-go's pages are at most a few hundred KiB), so a longer window finds no
// more matches; the library's default window (8 MiB) costs that much history memory per
// encoder, a quarter of a dry run's heap at a million samples.
const pageWindow = 1 << 20

// pageLevel is the zstd level of the pages: the fastest, which in a 100k-sample run spends
// half the CPU of the default level for files about 15% larger.
const pageLevel = zstd.SpeedFastest

// zstdCodec compresses pages with one zstd encoder shared by every writer of the process
// (its EncodeAll is safe for concurrent use and keeps at most GOMAXPROCS encoders), so the
// encoders' memory does not grow with the number of files or columns. Pages are read by
// parquet-go's own codec: the window is in each frame's header.
type zstdCodec struct{ read pqzstd.Codec }

var _ compress.Codec = (*zstdCodec)(nil)

var pageEncoder = sync.OnceValues(func() (*zstd.Encoder, error) {
	return zstd.NewWriter(nil,
		zstd.WithEncoderLevel(pageLevel),
		zstd.WithWindowSize(pageWindow),
		zstd.WithEncoderConcurrency(runtime.GOMAXPROCS(0)),
		zstd.WithZeroFrames(true),
		zstd.WithEncoderCRC(false),
	)
})

func (c *zstdCodec) String() string { return "ZSTD" }

func (c *zstdCodec) CompressionCodec() format.CompressionCodec { return format.Zstd }

func (c *zstdCodec) Encode(dst, src []byte) ([]byte, error) {
	enc, err := pageEncoder()
	if err != nil {
		return dst[:0], err
	}
	return enc.EncodeAll(src, dst[:0]), nil
}

func (c *zstdCodec) Decode(dst, src []byte) ([]byte, error) { return c.read.Decode(dst, src) }
