package xlsxwriter

import (
	"archive/zip"
	"bufio"
	"fmt"
	"github.com/klauspost/compress/flate"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"time"
)

// bufSize is the size of a part's buffer of XML waiting to be compressed,
// and of the buffer between its compressor and its spool file.
const bufSize = 64 << 10

// A part is a zip entry that grows while the workbook is written: a
// worksheet, its comments or its VML drawing. Its XML is compressed as it
// comes into a spool file of its own (raw deflate), and its CRC-32 and
// sizes are counted, so that Close copies the compressed bytes into the zip
// as they are. Memory stays at its buffers and its compressor.
//
// Compressing is most of the cost of writing a workbook: each part
// compresses in a goroutine of its own, a buffer behind the caller, so that
// the rows are checked on one core while they are compressed on the other.
type part struct {
	name  string
	file  *os.File
	out   *bufio.Writer
	count countWriter
	zw    *flate.Writer
	buf   []byte // XML not yet compressed
	crc   uint32 // of the bytes compressed: read once the compressor has ended
	size  int64  // uncompressed bytes given to zw, likewise
	done  bool

	work   chan []byte   // buffers to compress
	free   chan []byte   // buffers compressed, to fill again
	ended  chan struct{} // closed when the compressor has ended
	failed atomic.Pointer[error]
}

// countWriter counts the bytes written to w.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// newPart creates the spool file of the part name in w's private directory.
func (w *Writer) newPart(name string) (*part, error) {
	w.nfiles++
	f, err := os.OpenFile(filepath.Join(w.dir, "part"+strconv.Itoa(w.nfiles)), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("creating spool file: %w", err)
	}
	p := &part{name: name, file: f, buf: make([]byte, 0, bufSize)}
	p.count.w = f
	p.out = bufio.NewWriterSize(&p.count, bufSize)
	zw := w.spare
	w.spare = nil
	if zw == nil {
		if zw, err = flate.NewWriter(p.out, w.opt.Level); err != nil {
			f.Close()
			return nil, err
		}
	} else {
		zw.Reset(p.out)
	}
	p.zw = zw
	return p, nil
}

// full reports whether the buffer should be compressed now.
func (p *part) full() bool { return len(p.buf) >= bufSize }

// flush hands the buffered XML to the part's compressor and takes an
// empty buffer back (waiting, when the compressor is a buffer behind).
func (p *part) flush() error {
	if len(p.buf) == 0 {
		return nil
	}
	if e := p.failed.Load(); e != nil {
		return *e
	}
	if p.work == nil {
		p.work, p.free, p.ended = make(chan []byte, 1), make(chan []byte, 2), make(chan struct{})
		p.free <- make([]byte, 0, bufSize)
		go p.compress()
	}
	p.work <- p.buf
	p.buf = <-p.free
	return nil
}

// compress is the part's compressor: it compresses the buffers of work in
// order and gives them back, until work is closed.
func (p *part) compress() {
	defer close(p.ended)
	for b := range p.work {
		if p.failed.Load() == nil {
			p.crc = crc32.Update(p.crc, crc32.IEEETable, b)
			p.size += int64(len(b))
			if _, err := p.zw.Write(b); err != nil {
				err = fmt.Errorf("writing %s: %w", p.name, err)
				p.failed.Store(&err)
			}
		}
		// A long cell may have grown the buffer: give the memory back.
		if cap(b) > 2*bufSize {
			b = make([]byte, 0, bufSize)
		}
		p.free <- b[:0]
	}
}

// stop waits for the compressor to compress what it was given, and ends
// it.
func (p *part) stop() error {
	if p.work != nil {
		close(p.work)
		<-p.ended
		p.work = nil
	}
	if e := p.failed.Load(); e != nil {
		return *e
	}
	return nil
}

// finish ends the deflate stream and returns its compressor for reuse.
func (p *part) finish() (*flate.Writer, error) {
	if err := p.flush(); err != nil {
		return nil, err
	}
	if err := p.stop(); err != nil {
		return nil, err
	}
	if err := p.zw.Close(); err != nil {
		return nil, fmt.Errorf("writing %s: %w", p.name, err)
	}
	if err := p.out.Flush(); err != nil {
		return nil, fmt.Errorf("writing %s: %w", p.name, err)
	}
	zw := p.zw
	p.zw, p.out, p.buf, p.done = nil, nil, nil, true
	return zw, nil
}

// copyTo adds the finished part to zw as one entry: prefix, stored
// uncompressed, then the compressed stream from the spool file. The prefix
// holds what is only known at the end (the authors of the comments); a
// deflate stream may start with stored blocks, and the CRC-32 of the whole
// is combined from the two.
func (p *part) copyTo(zw *zip.Writer, prefix []byte, mod time.Time, buf []byte) error {
	stored := storedBlocks(prefix)
	w, err := zw.CreateRaw(fileHeader(p.name, mod,
		crc32Combine(crc32.ChecksumIEEE(prefix), p.crc, p.size),
		uint64(len(stored))+uint64(p.count.n), uint64(len(prefix))+uint64(p.size)))
	if err != nil {
		return err
	}
	if _, err := w.Write(stored); err != nil {
		return err
	}
	if _, err := p.file.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("reading spool file: %w", err)
	}
	n, err := io.CopyBuffer(w, io.LimitReader(p.file, p.count.n), buf)
	if err != nil {
		return err
	}
	if n != p.count.n {
		return fmt.Errorf("reading spool file: %d bytes, want %d", n, p.count.n)
	}
	return nil
}

// close ends the compressor and closes the spool file; the private
// directory is removed after.
func (p *part) close() {
	p.stop()
	if p.file != nil {
		p.file.Close()
		p.file = nil
	}
}

// storedBlocks returns b as non-final stored deflate blocks, which a
// deflate stream may start with: each is byte aligned, so the compressed
// stream that follows needs no bit shifting.
func storedBlocks(b []byte) []byte {
	var out []byte
	for len(b) > 0 {
		n := min(len(b), 0xFFFF)
		// BFINAL=0, BTYPE=00, padding; then LEN and NLEN, little endian.
		out = append(out, 0, byte(n), byte(n>>8), ^byte(n), ^byte(n>>8))
		out = append(out, b[:n]...)
		b = b[n:]
	}
	return out
}

// crc32Combine returns the CRC-32 (IEEE) of A followed by B, given the
// CRC-32 of each and the length of B (zlib's crc32_combine).
func crc32Combine(crcA, crcB uint32, lenB int64) uint32 {
	if lenB <= 0 {
		return crcA
	}
	var even, odd [32]uint32 // operators for 2ⁿ zero bits
	odd[0] = crc32.IEEE
	row := uint32(1)
	for n := 1; n < 32; n++ {
		odd[n] = row
		row <<= 1
	}
	gf2Square(&even, &odd) // 2 zero bits
	gf2Square(&odd, &even) // 4 zero bits
	// Apply lenB zero bytes to crcA, the first squaring giving one byte.
	for {
		gf2Square(&even, &odd)
		if lenB&1 != 0 {
			crcA = gf2Times(&even, crcA)
		}
		lenB >>= 1
		if lenB == 0 {
			break
		}
		gf2Square(&odd, &even)
		if lenB&1 != 0 {
			crcA = gf2Times(&odd, crcA)
		}
		lenB >>= 1
		if lenB == 0 {
			break
		}
	}
	return crcA ^ crcB
}

func gf2Times(mat *[32]uint32, vec uint32) uint32 {
	var sum uint32
	for i := 0; vec != 0; i, vec = i+1, vec>>1 {
		if vec&1 != 0 {
			sum ^= mat[i]
		}
	}
	return sum
}

func gf2Square(square, mat *[32]uint32) {
	for n := range 32 {
		square[n] = gf2Times(mat, mat[n])
	}
}

// fileHeader returns the header of a deflated zip entry. A non-zero mod
// is written as zip.Writer.CreateHeader writes Modified, which CreateRaw
// leaves out: an MS-DOS date and time, and an extended timestamp.
func fileHeader(name string, mod time.Time, crc uint32, csize, usize uint64) *zip.FileHeader {
	fh := &zip.FileHeader{
		Name:               name,
		Method:             zip.Deflate,
		CRC32:              crc,
		CompressedSize64:   csize,
		UncompressedSize64: usize,
	}
	if !mod.IsZero() {
		date := uint16(mod.Day() + int(mod.Month())<<5 + (mod.Year()-1980)<<9)
		tod := uint16(mod.Second()/2 + mod.Minute()<<5 + mod.Hour()<<11)
		//lint:ignore SA1019 CreateRaw ignores Modified and writes these fields as they are.
		fh.ModifiedDate, fh.ModifiedTime = date, tod
		t := uint32(mod.Unix())
		// Extended timestamp: ID 0x5455, size 5, flags 1 (modification time).
		fh.Extra = []byte{0x55, 0x54, 5, 0, 1, byte(t), byte(t >> 8), byte(t >> 16), byte(t >> 24)}
	}
	return fh
}
