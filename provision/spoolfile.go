package provision

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
)

// spoolFile is a private temporary file of records, written once, then
// read back in order as many times as needed: the row spool
// ([rowSpool]) and the check spool ([checkSpool]). It is unlinked as soon
// as it is made where the system allows it (it holds personal data:
// nothing is left behind, even if dccprov is killed), else removed by
// Close. A record is a uvarint length and its bytes. After an error (a full
// disk) add does nothing and finish reports it: the caller then drops the
// spool.
type spoolFile struct {
	f    *os.File
	name string // to remove at close when it could not be unlinked
	w    *bufio.Writer
	size int64
	err  error
	bufs int // the size of the write and read buffers
}

// newSpoolFile returns an empty spool in dir ("": the system's temporary
// folder) named after prefix, with buffers of bufs bytes, or nil when
// none can be made.
func newSpoolFile(dir, prefix string, bufs int) *spoolFile {
	f, err := os.CreateTemp(dir, prefix) // 0600
	if err != nil {
		return nil
	}
	s := &spoolFile{f: f, w: bufio.NewWriterSize(f, bufs), bufs: bufs}
	if os.Remove(f.Name()) != nil {
		s.name = f.Name()
	}
	return s
}

// add appends the record rec; after an error it does nothing.
func (s *spoolFile) add(rec []byte) {
	if s.err != nil {
		return
	}
	var n [binary.MaxVarintLen64]byte
	k := binary.PutUvarint(n[:], uint64(len(rec)))
	if _, err := s.w.Write(n[:k]); err != nil {
		s.err = err
		return
	}
	if _, err := s.w.Write(rec); err != nil {
		s.err = err
		return
	}
	s.size += int64(k + len(rec))
}

// finish flushes what was added; it reports whether the spool can be
// read back.
func (s *spoolFile) finish() bool {
	if s.err == nil {
		s.err = s.w.Flush()
	}
	s.w = nil
	return s.err == nil
}

// records returns a fresh stream of the records added, each valid until
// the next; a read error ends it.
func (s *spoolFile) records() iter.Seq2[[]byte, error] {
	return func(yield func([]byte, error) bool) {
		r := bufio.NewReaderSize(io.NewSectionReader(s.f, 0, s.size), s.bufs)
		var rec []byte
		for {
			n, err := binary.ReadUvarint(r)
			if err == io.EOF {
				return
			}
			if err == nil {
				if cap(rec) < int(n) {
					rec = make([]byte, n)
				}
				rec = rec[:n]
				_, err = io.ReadFull(r, rec)
			}
			if err != nil {
				yield(nil, err)
				return
			}
			if !yield(rec, nil) {
				return
			}
		}
	}
}

// decodedRecords returns the records of s as decode reads them; what
// names them in errors ("rows"), damaged is the error of one decode
// refuses. A read error or a damaged record ends the stream.
func decodedRecords[T any](s *spoolFile, what, damaged string, decode func([]byte) (T, bool)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		for rec, err := range s.records() {
			if err != nil {
				yield(zero, fmt.Errorf("reading back the %s: %w", what, err))
				return
			}
			v, ok := decode(rec)
			if !ok {
				yield(zero, errors.New("reading back the "+what+": "+damaged))
				return
			}
			if !yield(v, nil) {
				return
			}
		}
	}
}

// Close releases the spool's file.
func (s *spoolFile) Close() error {
	err := s.f.Close()
	if s.name != "" {
		os.Remove(s.name)
	}
	return err
}
