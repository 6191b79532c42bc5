package xlsx

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// maxRows and maxCols are the size of an Excel sheet.
const (
	maxRows = 1 << 20
	maxCols = 1 << 14
)

// Row is one row of a sheet.
type Row struct {
	Number int  // the Excel row number, from 1
	Hidden bool // <row hidden="1">
	// Cells holds the row's cells from column A (index 0); a column
	// without a cell is an empty Cell. Empty cells at the end are left
	// out, as excelize leaves them out.
	Cells []Cell
}

// Cell is the content of one cell.
type Cell struct {
	// Value is the stored value, exactly as excelize's Rows.Columns gives
	// it with RawCellValue set: the shared or inline string, the number
	// as written, "1" or "0" for a boolean, the cached result of a
	// formula.
	Value string
	// Shown is the displayed value, exactly as excelize's Rows.Columns
	// gives it without RawCellValue: the value rendered with the cell's
	// number format (dates, zero padding, grouping, percentages,
	// scientific notation, currencies), TRUE or FALSE for a boolean. A
	// number under no style is excelize's shortest form of it ("1.50"
	// shows as "1.5"). A format this package does not render (see the
	// package documentation) shows the value instead.
	Shown string
}

// Rows iterates over the rows of a sheet, as [Book.Rows] returns it. Only
// the rows present in the sheet's XML are yielded, in increasing Number,
// including rows without cells; the caller numbers missing rows itself
// from Row.Number.
type Rows struct {
	b    *Book
	rc   io.ReadCloser
	s    *scanner
	row  Row
	err  error
	done bool
	in   bool // inside <sheetData>
	last int  // the number of the last row read

	buf   []byte // the row's text, one string per row
	spans []span
	text  []byte // scratch
	is    []byte // the current inline string
	sc    siScratch
}

// span locates a cell's value and shown text in Rows.buf.
type span struct {
	col             int
	v0, v1, s0, s1  int
	sameShown, keep bool
}

// Rows returns an iterator over the rows of sheet, reading its part from
// the start: each call gives a new pass. The caller must call Close.
func (b *Book) Rows(sheet string) (*Rows, error) {
	f, err := b.part(sheet)
	if err != nil {
		return nil, err
	}
	rc, err := f.Open()
	if err != nil {
		return nil, damaged("sheet "+strconv.Quote(sheet), err)
	}
	cr := &countingReader{r: rc, left: b.left, name: "UnzipBytes"}
	return &Rows{b: b, rc: rc, s: newScanner(cr, b.lim.tokenBytes())}, nil
}

// Next advances to the next row, reporting false at the end of the sheet
// or on an error, which Err then returns.
func (r *Rows) Next() bool {
	if r.done || r.err != nil {
		return false
	}
	s := r.s
	for s.next() {
		if s.kind == tokEnd && r.in && bytes.Equal(s.local, []byte("sheetData")) {
			r.done = true
			return false
		}
		if s.kind != tokStart {
			continue
		}
		if !r.in {
			if bytes.Equal(s.local, []byte("sheetData")) {
				if s.empty {
					r.done = true
					return false
				}
				r.in = true
			}
			continue
		}
		if !bytes.Equal(s.local, []byte("row")) {
			if !s.skip() {
				break
			}
			continue
		}
		if err := r.readRow(); err != nil {
			r.err = err
			return false
		}
		return true
	}
	if s.err != nil {
		r.err = damaged("sheet", s.err)
	}
	r.done = true
	return false
}

// Row returns the current row. It is valid until the next call to Next:
// the caller copies what it keeps (the strings themselves may be kept).
func (r *Rows) Row() Row { return r.row }

// Err returns the error that stopped Next, if any.
func (r *Rows) Err() error { return r.err }

// Close releases the sheet's part.
func (r *Rows) Close() error {
	r.done = true
	if r.rc == nil {
		return nil
	}
	err := r.rc.Close()
	r.rc = nil
	if err != nil {
		return damaged("sheet", err)
	}
	return nil
}

var errOrder = errors.New("rows or cells out of order")

// readRow reads the row whose start tag was just read.
func (r *Rows) readRow() error {
	s := r.s
	num, hidden := 0, false
	for a := s.attrs; ; {
		name, val, rest, ok, err := nextAttr(a)
		if err != nil {
			return damaged("sheet", err)
		}
		if !ok {
			break
		}
		a = rest
		switch string(splitName(name)) {
		case "r":
			n, err := strconv.Atoi(string(val))
			if err != nil || n < 0 || n > maxRows {
				return fmt.Errorf("%w: bad row number", ErrDamaged)
			}
			num = n
		case "hidden":
			v, err := strconv.ParseBool(string(val))
			if err == nil {
				hidden = v
			} else {
				hidden = false
			}
		}
	}
	if num == 0 {
		num = r.last + 1 // excelize: a row without r follows the previous one
	}
	if num <= r.last || num > maxRows {
		return fmt.Errorf("%w: %w", ErrDamaged, errOrder)
	}
	r.last = num
	r.buf, r.spans = r.buf[:0], r.spans[:0]
	if !s.empty {
		d := s.depth()
		col := 0
		for {
			if !s.next() {
				if s.err != nil {
					return damaged("sheet", s.err)
				}
				return fmt.Errorf("%w: unexpected end of sheet", ErrDamaged)
			}
			if s.kind == tokEnd && s.depth() < d {
				break
			}
			if s.kind != tokStart {
				continue
			}
			if !bytes.Equal(s.local, []byte("c")) {
				if !s.skip() {
					return damaged("sheet", s.err)
				}
				continue
			}
			var err error
			if col, err = r.readCell(col); err != nil {
				return err
			}
		}
	}
	// Trim the empty cells at the end, as excelize leaves them out.
	for len(r.spans) > 0 && !r.spans[len(r.spans)-1].keep {
		r.spans = r.spans[:len(r.spans)-1]
	}
	n := 0
	if len(r.spans) > 0 {
		n = r.spans[len(r.spans)-1].col
	}
	if cap(r.row.Cells) < n {
		r.row.Cells = make([]Cell, n, max(n, 2*cap(r.row.Cells)))
	}
	cells := r.row.Cells[:n]
	clear(cells)
	str := string(r.buf)
	for _, sp := range r.spans {
		c := &cells[sp.col-1]
		c.Value = str[sp.v0:sp.v1]
		if sp.sameShown {
			c.Shown = c.Value
		} else {
			c.Shown = str[sp.s0:sp.s1]
		}
	}
	r.row = Row{Number: num, Hidden: hidden, Cells: cells}
	return nil
}

// cellTypes are the values of <c t> excelize tells apart.
const (
	typeNumber = iota
	typeBool
	typeDate
	typeShared
	typeStr
	typeInline
)

// readCell reads the cell whose start tag was just read; prev is the
// column of the previous cell of the row. It returns the cell's column.
func (r *Rows) readCell(prev int) (int, error) {
	s := r.s
	col, style, typ := prev+1, 0, typeNumber
	badStyle := false
	for a := s.attrs; ; {
		name, val, rest, ok, err := nextShortAttr(a)
		if err != nil {
			return 0, damaged("sheet", err)
		}
		if !ok {
			break
		}
		a = rest
		switch string(splitName(name)) {
		case "r":
			c, ok := parseCellCol(val)
			if !ok {
				return 0, fmt.Errorf("%w: bad cell reference", ErrDamaged)
			}
			col = c
		case "s":
			v, err := strconv.ParseInt(string(val), 10, 64)
			if err != nil {
				// excelize stops reading the cell there: it stays empty.
				badStyle = true
			} else if v >= 0 && v <= maxStyle {
				style = int(v)
			} else {
				style = -1
			}
		case "t":
			switch string(val) {
			case "b":
				typ = typeBool
			case "d":
				typ = typeDate
			case "s":
				typ = typeShared
			case "str":
				typ = typeStr
			case "inlineStr":
				typ = typeInline
			default:
				typ = typeNumber
			}
		}
		if badStyle {
			break
		}
	}
	if col <= prev || col > maxCols {
		return 0, fmt.Errorf("%w: %w", ErrDamaged, errOrder)
	}
	if s.empty {
		return col, nil
	}
	if badStyle {
		return col, r.skipCell()
	}
	if text, ok := s.simpleCell(); ok {
		if len(text) > r.b.lim.CellBytes {
			return 0, damaged("sheet", errCellBytes(r.b.lim.CellBytes))
		}
		// addCell copies the text before the scanner reads on.
		return col, r.addCell(col, style, typ, text, nil, false, false)
	}
	d := s.depth()
	var (
		v, is       []byte
		hasF, hasIS bool
		err         error
	)
	for {
		if !s.next() {
			if s.err != nil {
				return 0, damaged("sheet", s.err)
			}
			return 0, fmt.Errorf("%w: unexpected end of sheet", ErrDamaged)
		}
		if s.kind == tokEnd && s.depth() < d {
			break
		}
		if s.kind != tokStart {
			continue
		}
		switch {
		case s.depth() <= d+1 && bytes.Equal(s.local, []byte("v")):
			// The last <v> wins, as in encoding/xml.
			r.text, err = readText(s, r.text[:0], r.b.lim.CellBytes)
			v = r.text
		case s.depth() <= d+1 && bytes.Equal(s.local, []byte("f")):
			hasF = true
			if !s.skip() {
				return 0, damaged("sheet", s.err)
			}
		case s.depth() <= d+1 && bytes.Equal(s.local, []byte("is")):
			hasIS = true
			if s.empty {
				r.is = r.is[:0]
			} else {
				r.is, err = readSI(s, &r.sc, r.b.lim.CellBytes)
			}
			is = r.is
		default:
			if !s.skip() {
				return 0, damaged("sheet", s.err)
			}
		}
		if err != nil {
			return 0, damaged("sheet", err)
		}
	}
	return col, r.addCell(col, style, typ, v, is, hasF, hasIS)
}

// skipCell reads up to the end of the cell whose start tag was just read.
func (r *Rows) skipCell() error {
	if !r.s.skip() {
		return damaged("sheet", r.s.err)
	}
	return nil
}

// maxStyle bounds the style index kept; a bigger one has no style.
const maxStyle = 1 << 30

// addCell computes a cell's value and shown text, as excelize's
// getValueFrom does with and without RawCellValue, and appends them to the
// row.
func (r *Rows) addCell(col, style, typ int, v, is []byte, hasF, hasIS bool) error {
	b := r.b
	sp := span{col: col, v0: len(r.buf)}
	var raw []byte // the value before formatting
	kind := cellNumber
	switch typ {
	case typeShared:
		kind = cellShared
		if len(v) > 0 {
			i, err := strconv.Atoi(strings.TrimSpace(string(v)))
			if err != nil {
				i = 0 // excelize ignores the error and reads string 0
			}
			str, ok := b.sst.at(i)
			if !ok {
				return fmt.Errorf("%w: no shared string %d", ErrDamaged, i)
			}
			raw = str
		} else {
			raw = v
		}
	case typeInline:
		kind = cellInline
		if hasIS {
			n := len(r.buf)
			r.buf = appendBstr(r.buf, is)
			raw = r.buf[n:]
			r.buf = r.buf[:n]
			if len(raw) > b.lim.CellBytes {
				return errCellBytes(b.lim.CellBytes)
			}
		} else {
			raw = v
		}
	case typeBool:
		kind = cellBool
		raw = v
	case typeDate:
		kind = cellDate
		raw = v
	default:
		raw = v
	}
	// The value: raw as it is. appendBstr may have written it in place.
	if typ == typeInline && hasIS {
		r.buf = r.buf[:len(r.buf)+len(raw)]
	} else {
		r.buf = append(r.buf, raw...)
	}
	sp.v1 = len(r.buf)
	value := r.buf[sp.v0:sp.v1]

	// The shown text, from in, the value as excelize hands it to the
	// number format.
	in := value
	shown, same := "", false
	switch typ {
	case typeStr:
		same = true
	case typeBool:
		switch string(value) {
		case "1":
			shown = "TRUE"
		case "0":
			shown = "FALSE"
		}
	case typeDate:
		in = isoToSerial(value)
	case typeNumber:
		in = defaultNumber(value)
	}
	if !same && shown == "" {
		if f := b.styles.format(style); f != nil {
			shown = f.format(string(in), b.date1904, kind)
			same = shown == string(value)
		} else {
			same = bytes.Equal(in, value)
			if !same {
				shown = string(in)
			}
		}
	}
	if same {
		sp.sameShown = true
	} else {
		sp.s0 = len(r.buf)
		r.buf = append(r.buf, shown...)
		sp.s1 = len(r.buf)
	}
	sp.keep = hasF || sp.v1 > sp.v0 || sp.s1 > sp.s0
	r.spans = append(r.spans, sp)
	return nil
}

// parseCellCol returns the column of a cell reference such as "B7" or
// "$B$7", as excelize's CellNameToCoordinates reads it.
func parseCellCol(ref []byte) (int, bool) {
	alpha := func(c byte) bool { return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '$' }
	if len(ref) == 0 || !alpha(ref[0]) {
		return 0, false
	}
	last := -1
	for i, c := range ref {
		if alpha(c) {
			last = i
		}
	}
	if last >= len(ref)-1 {
		return 0, false
	}
	row, err := strconv.Atoi(string(ref[last+1:]))
	if err != nil || row <= 0 || row > maxRows {
		return 0, false
	}
	col := 0
	for _, c := range ref[:last+1] {
		switch {
		case c == '$':
			continue
		case c >= 'A' && c <= 'Z':
			col = col*26 + int(c-'A'+1)
		case c >= 'a' && c <= 'z':
			col = col*26 + int(c-'a'+1)
		default:
			return 0, false
		}
		if col > maxCols {
			return 0, false
		}
	}
	return col, col > 0
}
