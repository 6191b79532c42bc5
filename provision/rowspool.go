package provision

import (
	"encoding/binary"
	"iter"
)

// rowSpool keeps the rows of a list's first pass, as read, in a private
// temporary file, so that the later passes read them back instead of
// inflating and parsing the workbook again (or decoding the text again):
// a few bytes a cell, read at disk-cache speed. The file is unlinked as
// soon as it is made where the system allows it (it holds personal data:
// nothing is left behind, even if dccprov is killed), else removed by
// close. Any failure (a full disk) only drops the spool: the passes then
// read the file again, as without it.
//
// A row is a uvarint length, then its number, a flags byte (hidden), the
// number of cells and, per cell, the value's length and bytes and the
// stored text's length plus one and bytes (0: the same as the value).
type rowSpool struct {
	*spoolFile
	buf []byte
}

// newRowSpool returns an empty spool, or nil when none can be made.
func newRowSpool() *rowSpool {
	f := newSpoolFile("", "dccprov-rows-", 256<<10)
	if f == nil {
		return nil
	}
	return &rowSpool{spoolFile: f}
}

// add appends g; after an error it does nothing.
func (s *rowSpool) add(g gridRow) {
	s.buf = encodeSpooledRow(s.buf[:0], g)
	s.spoolFile.add(s.buf)
}

// encodeSpooledRow appends the record of g to b (without its length).
func encodeSpooledRow(b []byte, g gridRow) []byte {
	b = binary.AppendUvarint(b, uint64(g.Number))
	var flags byte
	if g.Hidden {
		flags = 1
	}
	b = append(b, flags)
	b = binary.AppendUvarint(b, uint64(len(g.Cells)))
	for _, c := range g.Cells {
		b = binary.AppendUvarint(b, uint64(len(c.Value)))
		b = append(b, c.Value...)
		if c.Raw == c.Value {
			b = append(b, 0)
			continue
		}
		b = binary.AppendUvarint(b, uint64(len(c.Raw))+1)
		b = append(b, c.Raw...)
	}
	return b
}

// rows returns a fresh stream of the rows added, for a later pass.
func (s *rowSpool) rows() iter.Seq2[gridRow, error] {
	return decodedRecords(s.spoolFile, "rows", "a row is damaged", decodeSpooledRow)
}

// decodeSpooledRow decodes one row written by add; the cells' strings
// share one copy of rec.
func decodeSpooledRow(rec []byte) (gridRow, bool) {
	str := string(rec)
	pos := 0
	// Every number is a row number or a length within rec.
	uv := func() (int, bool) {
		v, k := binary.Uvarint(rec[pos:])
		if k <= 0 || v > 1<<31 {
			return 0, false
		}
		pos += k
		return int(v), true
	}
	text := func(n int) (string, bool) {
		if n > len(rec)-pos {
			return "", false
		}
		t := str[pos : pos+n]
		pos += n
		return t, true
	}
	var g gridRow
	num, ok := uv()
	if !ok || pos >= len(rec) {
		return g, false
	}
	g.Number, g.Hidden = num, rec[pos] == 1
	pos++
	n, ok := uv()
	if !ok || n > len(rec)-pos {
		return g, false
	}
	g.Cells = make([]gridCell, n)
	for i := range g.Cells {
		l, ok := uv()
		if !ok {
			return g, false
		}
		if g.Cells[i].Value, ok = text(l); !ok {
			return g, false
		}
		l, ok = uv()
		if !ok {
			return g, false
		}
		if l == 0 {
			g.Cells[i].Raw = g.Cells[i].Value
			continue
		}
		if g.Cells[i].Raw, ok = text(l - 1); !ok {
			return g, false
		}
	}
	return g, pos == len(rec)
}
