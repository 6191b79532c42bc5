package xlsx

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// opener opens a part whose inflated bytes come from r.
type opener func() io.Reader

func (o opener) Open() (io.ReadCloser, error) { return io.NopCloser(o()), nil }

// TestPartHolds checks the search that spares tokenising a sheet without
// merged cells: a match found wherever the reads split it, none where
// there is none, and a read error kept.
func TestPartHolds(t *testing.T) {
	t.Parallel()
	pat := []byte("mergeCell")
	b := &Book{left: 1 << 30}
	for _, at := range []int{0, 1, 256<<10 - 4, 256<<10 - 9, 256 << 10, 256<<10 + 1, 600 << 10} {
		data := bytes.Repeat([]byte{'x'}, at)
		data = append(append(data, "<x:mergeCells>"...), strings.Repeat("y", 1000)...)
		for name, wrap := range map[string]func(io.Reader) io.Reader{
			"whole": func(r io.Reader) io.Reader { return r },
			"byte":  iotest.OneByteReader,
			"half":  iotest.HalfReader,
		} {
			got, err := b.partHolds(opener(func() io.Reader { return wrap(bytes.NewReader(data)) }), pat)
			if err != nil || !got {
				t.Errorf("at %d, %s reads: holds = %v, %v; want true", at, name, got, err)
			}
		}
	}
	none := bytes.Repeat([]byte("mergeCel<c/>"), 50_000)
	if got, err := b.partHolds(opener(func() io.Reader { return iotest.HalfReader(bytes.NewReader(none)) }), pat); err != nil || got {
		t.Errorf("no match: holds = %v, %v; want false", got, err)
	}
	broken := opener(func() io.Reader { return iotest.TimeoutReader(bytes.NewReader(none)) })
	if _, err := b.partHolds(broken, pat); !errors.Is(err, ErrDamaged) {
		t.Errorf("read error: err = %v; want ErrDamaged", err)
	}
	small := &Book{left: 1000}
	if _, err := small.partHolds(opener(func() io.Reader { return bytes.NewReader(none) }), pat); !errors.Is(err, ErrLimit) {
		t.Errorf("past UnzipBytes: err = %v; want ErrLimit", err)
	}
}
