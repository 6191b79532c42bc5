package xlsx

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"strconv"
)

// Range is a rectangle of cells, 1-based and inclusive, as a <mergeCell>
// of a sheet gives it.
type Range struct{ FirstCol, FirstRow, LastCol, LastRow int }

// MergedRanges returns the merged ranges of sheet (its <mergeCells>), in
// the order of the sheet's XML. They follow the rows there, so the sheet
// part is streamed through; memory does not grow with the sheet. A range
// of one cell ("B2") is B2:B2; a reversed one ("C3:A1") is kept as
// written, as excelize keeps it. Unlike excelize's GetMergeCells,
// overlapping ranges (which Excel never writes) are not fused.
//
// Most sheets have none: the part is first searched for the bytes
// "mergeCell" (an element's name is never escaped, whatever its prefix),
// which costs the inflating alone; only a part holding them is tokenised.
func (b *Book) MergedRanges(sheet string) ([]Range, error) {
	f, err := b.part(sheet)
	if err != nil {
		return nil, err
	}
	var found bool
	if e := b.early; e != nil && e.part == f {
		<-e.done
		found, err = e.found, e.err
		if err == nil && e.read > b.left {
			// As the search after Open would have found, within what
			// Open left of UnzipBytes.
			err = fmt.Errorf("%w: UnzipBytes", ErrLimit)
		}
	} else {
		found, _, err = b.partHolds(f, []byte("mergeCell"), b.left)
	}
	if err != nil || !found {
		return nil, err
	}
	rc, err := f.Open()
	if err != nil {
		return nil, damaged("sheet "+strconv.Quote(sheet), err)
	}
	defer rc.Close()
	s := newScanner(&countingReader{r: rc, left: b.left, name: "UnzipBytes"}, b.lim.tokenBytes())
	var (
		out []Range
		buf []byte
		in  = -1 // depth of <mergeCells>, when inside it
	)
	for s.next() {
		switch s.kind {
		case tokEnd:
			if in >= 0 && s.depth() < in {
				in = -1
			}
		case tokStart:
			if in < 0 {
				if bytes.Equal(s.local, []byte("mergeCells")) && !s.empty {
					in = s.depth()
				}
				continue
			}
			if !bytes.Equal(s.local, []byte("mergeCell")) {
				continue
			}
			for a := s.attrs; ; {
				name, val, rest, ok, err := nextAttr(a)
				if err != nil {
					return nil, damaged("sheet", err)
				}
				if !ok {
					break
				}
				a = rest
				if string(splitName(name)) != "ref" {
					continue
				}
				if buf, err = attrText(buf, val); err != nil {
					return nil, damaged("sheet", err)
				}
				r, ok := parseRange(buf)
				if !ok {
					return nil, fmt.Errorf("%w: bad merged range", ErrDamaged)
				}
				out = append(out, r)
			}
		}
	}
	if s.err != nil {
		return nil, damaged("sheet", s.err)
	}
	return out, nil
}

// earlyMinBytes is the inflated size from which a sheet's search for
// merged cells starts early, in parallel with the rest of Open.
const earlyMinBytes = 1 << 20

// searchEarly starts the search for merged cells of the biggest sheet, if
// big enough to be worth a goroutine: MergedRanges waits for it.
func (b *Book) searchEarly() {
	var big *zip.File
	for _, name := range b.parts {
		if f := b.files.file(name); f != nil && f.UncompressedSize64 >= earlyMinBytes &&
			(big == nil || f.UncompressedSize64 > big.UncompressedSize64) {
			big = f
		}
	}
	if big == nil {
		return
	}
	e := &mergeSearch{part: big, done: make(chan struct{})}
	left := b.left // Open uses b.left meanwhile
	go func() {
		defer close(e.done)
		e.found, e.read, e.err = b.partHolds(big, []byte("mergeCell"), left)
	}()
	b.early = e
}

// partHolds reports whether the inflated part f holds the bytes pat,
// within left bytes (UnzipBytes). It reads nothing of b but its limits:
// it may run while Open goes on.
func (b *Book) partHolds(f interface{ Open() (io.ReadCloser, error) }, pat []byte, left int64) (found bool, read int64, err error) {
	rc, err := f.Open()
	if err != nil {
		return false, 0, damaged("sheet", err)
	}
	defer rc.Close()
	r := &countingReader{r: rc, left: left, name: "UnzipBytes"}
	defer func() { read = left - r.left }()
	buf := make([]byte, 256<<10)
	keep := 0 // bytes kept of the last read: a match may span two reads
	for {
		n, err := r.Read(buf[keep:])
		end := keep + n
		if n > 0 && bytes.Contains(buf[:end], pat) {
			return true, 0, nil
		}
		if err == io.EOF {
			return false, 0, nil
		}
		if err != nil {
			return false, 0, damaged("sheet", err)
		}
		keep = min(len(pat)-1, end)
		copy(buf, buf[end-keep:end])
	}
}

// parseRange parses "A1:B2" or "A1", with or without '$'.
func parseRange(ref []byte) (Range, bool) {
	first, last, found := bytes.Cut(ref, []byte(":"))
	if !found {
		last = first
	}
	c1, r1, ok1 := parseCellRef(first)
	c2, r2, ok2 := parseCellRef(last)
	if !ok1 || !ok2 || bytes.IndexByte(last, ':') >= 0 {
		return Range{}, false
	}
	return Range{FirstCol: c1, FirstRow: r1, LastCol: c2, LastRow: r2}, true
}

// parseCellRef returns the column and row of a cell reference.
func parseCellRef(ref []byte) (col, row int, ok bool) {
	col, ok = parseCellCol(ref)
	if !ok {
		return 0, 0, false
	}
	i := len(ref)
	for i > 0 && ref[i-1] >= '0' && ref[i-1] <= '9' {
		i--
	}
	row, err := strconv.Atoi(string(ref[i:]))
	if err != nil {
		return 0, 0, false
	}
	return col, row, true
}
