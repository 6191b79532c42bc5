package xlsx

import (
	"bytes"
	"fmt"
	"math"
	"unicode/utf8"
)

// sst is the shared-strings table: every string one after the other in
// arena, string i being arena[offs[i]:offs[i+1]]. One arena and an offset
// per string cost far less than a []string for the millions of strings a
// big list can hold.
type sst struct {
	arena []byte
	offs  []uint32
}

func (t *sst) len() int {
	if len(t.offs) == 0 {
		return 0
	}
	return len(t.offs) - 1
}

// at returns string i; ok is false when there is no such string.
func (t *sst) at(i int) ([]byte, bool) {
	if i < 0 || i >= t.len() {
		return nil, false
	}
	return t.arena[t.offs[i]:t.offs[i+1]], true
}

// readSST streams the shared-strings part name into a table, reading it as
// excelize does: a string item is its <t> followed by the <t> of each of
// its rich-text runs <r> (phonetic runs <rPh> are left out), with the
// _xHHHH_ escapes decoded.
func (b *Book) readSST(name string) (sst, error) {
	f := b.files.file(name)
	rc, err := f.Open()
	if err != nil {
		return sst{}, damaged(name, err)
	}
	defer rc.Close()
	// The table streams (only its strings are kept, in one arena): it is
	// bounded by what is left of UnzipBytes, not by XMLPartBytes. A list of
	// a million rows has a shared-strings part of over 100 MB.
	cr := &countingReader{r: rc, left: b.left, name: "UnzipBytes"}
	limit := cr.left
	defer func() { b.left -= limit - cr.left }()

	s := newScanner(cr, b.lim.tokenBytes())
	t := sst{offs: []uint32{0}}
	if f.UncompressedSize64 > 0 && f.UncompressedSize64 < uint64(limit) {
		// Text is most of the part; markup takes at least a third.
		// The declared size is a hint only: at most 4 MiB up front.
		t.arena = make([]byte, 0, min(f.UncompressedSize64/3, 4<<20))
	}
	var (
		sc   siScratch
		item []byte
	)
	for s.next() {
		if s.kind != tokStart || s.depth() != 2 && !(s.empty && s.depth() == 1) || !bytes.Equal(s.local, []byte("si")) {
			continue
		}
		item = item[:0]
		if text, ok := s.simpleItem(); ok {
			if len(text) > b.lim.CellBytes {
				return sst{}, damaged(name, errCellBytes(b.lim.CellBytes))
			}
			item = text
		} else if !s.empty {
			if item, err = readSI(s, &sc, b.lim.CellBytes); err != nil {
				return sst{}, damaged(name, err)
			}
		}
		n := len(t.arena)
		t.arena = appendBstr(t.arena, item)
		if len(t.arena)-n > b.lim.CellBytes {
			return sst{}, fmt.Errorf("%w: a shared string is longer than CellBytes (%d)", ErrLimit, b.lim.CellBytes)
		}
		if len(t.arena) > math.MaxUint32 {
			return sst{}, fmt.Errorf("%w: shared strings over 4 GiB", ErrLimit)
		}
		t.offs = append(t.offs, uint32(len(t.arena)))
	}
	if s.err != nil {
		return sst{}, damaged(name, s.err)
	}
	return t, nil
}

// siScratch is the reusable space of readSI.
type siScratch struct {
	item, t, runs, runT []byte
}

// readSI reads a string item (<si> or <is>) whose start tag s just read,
// up to its end tag. It returns the text (before _xHHHH_ decoding), in
// sc.item.
func readSI(s *scanner, sc *siScratch, maxBytes int) ([]byte, error) {
	d := s.depth()
	var (
		err    error
		inRun  bool
		runHas bool
	)
	sc.item, sc.t, sc.runs = sc.item[:0], sc.t[:0], sc.runs[:0]
	for s.next() {
		switch s.kind {
		case tokStart:
			switch {
			case s.depth() == d+1 && !s.empty && bytes.Equal(s.local, []byte("t")) ||
				s.depth() == d && s.empty && bytes.Equal(s.local, []byte("t")):
				// The item's own text; the last <t> wins, as in encoding/xml.
				if sc.t, err = readText(s, sc.t[:0], maxBytes); err != nil {
					return nil, err
				}
			case s.depth() == d+1 && bytes.Equal(s.local, []byte("r")) && !s.empty:
				inRun, sc.runT, runHas = true, sc.runT[:0], false
			case s.depth() == d && s.empty && bytes.Equal(s.local, []byte("r")):
				// <r/>: a run without text.
			case inRun && (s.depth() == d+2 && !s.empty || s.depth() == d+1 && s.empty) && bytes.Equal(s.local, []byte("t")):
				if sc.runT, err = readText(s, sc.runT[:0], maxBytes); err != nil {
					return nil, err
				}
				runHas = true
			default:
				// <rPh> phonetic runs, <rPr> run properties, <phoneticPr>.
				if !s.skip() {
					return nil, s.err
				}
			}
		case tokEnd:
			if inRun && s.depth() == d {
				inRun = false
				if runHas {
					sc.runs = append(sc.runs, sc.runT...)
				}
				if len(sc.runs) > maxBytes {
					return nil, fmt.Errorf("%w: a string is longer than CellBytes (%d)", ErrLimit, maxBytes)
				}
			}
			if s.depth() < d {
				sc.item = append(append(sc.item, sc.t...), sc.runs...)
				return sc.item, nil
			}
		}
	}
	if s.err != nil {
		return nil, s.err
	}
	return nil, fmt.Errorf("%w: unexpected end of part", errSyntax)
}

// errCellBytes is the error for a cell's text longer than max bytes, the
// CellBytes limit.
func errCellBytes(max int) error {
	return fmt.Errorf("%w: a cell is longer than CellBytes (%d)", ErrLimit, max)
}

// readText appends to dst the character data directly inside the element
// whose start tag s just read, up to its end tag.
func readText(s *scanner, dst []byte, maxBytes int) ([]byte, error) {
	if s.empty {
		return dst, nil
	}
	d := s.depth()
	var err error
	for s.next() {
		switch s.kind {
		case tokText:
			if s.depth() == d {
				dst, err = appendText(dst, s.text)
			}
		case tokCDATA:
			if s.depth() == d {
				dst, err = appendCDATA(dst, s.text)
			}
		case tokStart:
			if !s.skip() {
				return dst, s.err
			}
		case tokEnd:
			if s.depth() < d {
				return dst, nil
			}
		}
		if err != nil {
			return dst, err
		}
		if len(dst) > maxBytes {
			return dst, errCellBytes(maxBytes)
		}
	}
	if s.err != nil {
		return dst, s.err
	}
	return dst, fmt.Errorf("%w: unexpected end of part", errSyntax)
}

// appendBstr appends s to dst with its _xHHHH_ escapes decoded as
// excelize's bstrUnmarshal does: _x005F_ is "_", any other escape the
// character it codes (nothing for a surrogate), matched left to right
// without overlap.
func appendBstr(dst, s []byte) []byte {
	for {
		i := bytes.Index(s, []byte("_x"))
		if i < 0 || len(s)-i < 7 {
			return append(dst, s...)
		}
		e := s[i : i+7]
		r, ok := rune(0), e[6] == '_'
		for _, c := range e[2:6] {
			switch {
			case c >= '0' && c <= '9':
				r = r<<4 | rune(c-'0')
			case c >= 'a' && c <= 'f':
				r = r<<4 | rune(c-'a'+10)
			case c >= 'A' && c <= 'F':
				r = r<<4 | rune(c-'A'+10)
			default:
				ok = false
			}
		}
		if !ok {
			// Not an escape: keep "_" and look again from the "x".
			dst = append(dst, s[:i+1]...)
			s = s[i+1:]
			continue
		}
		dst = append(dst, s[:i]...)
		switch {
		case r == 0x5F:
			dst = append(dst, '_')
		case r >= 0xD800 && r <= 0xDFFF:
			// strconv.Unquote rejects a lone surrogate: excelize drops it.
		default:
			dst = utf8.AppendRune(dst, r)
		}
		s = s[i+7:]
	}
}
