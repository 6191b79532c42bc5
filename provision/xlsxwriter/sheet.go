package xlsxwriter

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"unsafe"
)

// Sheet is a worksheet of a [Writer], from [Writer.AddSheet].
type Sheet struct {
	w     *Writer
	index int // from 1: sheetN.xml, commentsN.xml, vmlDrawingN.vml
	name  string

	cols    []colWidth // sorted, disjoint
	freeze  int
	lastRow int
	data    *part // the worksheet's rows; nil before the first row

	hasFilter bool
	filter    [4]int

	// fit holds the widths, in characters, of the longest content seen so
	// far in columns fitFirst to fitFirst+len(fit)-1 from row fitFrom on,
	// from [Sheet.FitColumns].
	fit               []float64
	fitFirst, fitFrom int
	fitMin, fitMax    float64

	page        *PageSetup
	validations []Validation
	hidden      bool
	protected   bool

	comments, vml *part
	ncomments     int
	lastComment   [2]int // row, col
	authors       map[string]int
	authorList    []string
}

type colWidth struct {
	first, last int
	width       float64
}

// SetColWidth sets the width of columns first to last (from 1), in
// characters, as Excel does. It may be called at any time before Close,
// since the columns are written then; the boxes of the comments added
// before it are placed with the widths set when they were added.
func (s *Sheet) SetColWidth(first, last int, width float64) error {
	if err := s.w.usable(); err != nil {
		return err
	}
	if first < 1 || last < first {
		return fmt.Errorf("setting column width: invalid columns %d to %d", first, last)
	}
	if last > MaxCols {
		return fmt.Errorf("setting column width: column %d: %w", last, ErrTooBig)
	}
	if !(width >= 0 && width <= 255) {
		return fmt.Errorf("setting column width: width %v not between 0 and 255", width)
	}
	// Cut the range out of the ranges set before.
	cols := cutCols(s.cols, first, last)
	cols = append(cols, colWidth{first, last, width})
	slices.SortFunc(cols, func(a, b colWidth) int { return a.first - b.first })
	s.cols = cols
	return nil
}

// Freeze freezes the first rows rows, which stay in view when scrolling
// (0 unfreezes). It may be called at any time before Close.
func (s *Sheet) Freeze(rows int) error {
	if err := s.w.usable(); err != nil {
		return err
	}
	if rows < 0 || rows >= MaxRows {
		return fmt.Errorf("freezing rows: invalid row count %d", rows)
	}
	s.freeze = rows
	return nil
}

// AutoFilter sets an autofilter on the range from (firstCol, firstRow) to
// (lastCol, lastRow), whose first row is the header. It may be called at
// any time before Close; a later call replaces an earlier one. It also
// defines the hidden name _xlnm._FilterDatabase that Excel expects.
func (s *Sheet) AutoFilter(firstCol, firstRow, lastCol, lastRow int) error {
	if err := s.w.usable(); err != nil {
		return err
	}
	if firstCol < 1 || firstRow < 1 || lastCol < firstCol || lastRow < firstRow {
		return fmt.Errorf("setting autofilter: invalid range (%d, %d) to (%d, %d)", firstCol, firstRow, lastCol, lastRow)
	}
	if lastCol > MaxCols || lastRow > MaxRows {
		return fmt.Errorf("setting autofilter: %w", ErrTooBig)
	}
	s.hasFilter = true
	s.filter = [4]int{firstCol, firstRow, lastCol, lastRow}
	return nil
}

// WriteRow writes row number row (from 1) with cells, in increasing
// column order. Rows are written in strictly increasing order; a row with
// no cell to write is left out. A row past [MaxRows] or a column past
// [MaxCols] returns an error wrapping [ErrTooBig]. An invalid row is not
// written, and leaves the sheet usable.
func (s *Sheet) WriteRow(row int, cells []Cell) error {
	w := s.w
	if err := w.usable(); err != nil {
		return err
	}
	if err := s.checkRow(row, cells); err != nil {
		return err
	}
	if s.data == nil {
		if err := s.start(); err != nil {
			return w.fail(err)
		}
	}
	s.lastRow = row
	p := s.data
	var rowNum [20]byte
	num := strconv.AppendInt(rowNum[:0], int64(row), 10)
	open := false
	for i := range cells {
		c := &cells[i]
		if !c.IsNumber && c.Text == "" && c.Style == 0 {
			continue
		}
		if s.fit != nil {
			s.measure(row, c)
		}
		b := p.buf
		if !open {
			b = append(b, `<row r="`...)
			b = append(b, num...)
			b = append(b, `">`...)
			open = true
		}
		b = append(b, `<c r="`...)
		b = appendColName(b, c.Col)
		b = append(b, num...)
		if c.Style != 0 {
			b = append(b, `" s="`...)
			b = strconv.AppendInt(b, int64(c.Style), 10)
		}
		switch {
		case c.IsNumber:
			b = append(b, `"><v>`...)
			b = appendNumber(b, c.Number)
			b = append(b, `</v></c>`...)
		case c.Text == "":
			b = append(b, `"/>`...)
		default:
			if needsPreserve(c.Text) {
				b = append(b, `" t="inlineStr"><is><t xml:space="preserve">`...)
			} else {
				b = append(b, `" t="inlineStr"><is><t>`...)
			}
			b = appendText(b, c.Text, true)
			b = append(b, `</t></is></c>`...)
		}
		p.buf = b
		if p.full() {
			if err := p.flush(); err != nil {
				return w.fail(err)
			}
		}
	}
	if open {
		p.buf = append(p.buf, `</row>`...)
		if p.full() {
			if err := p.flush(); err != nil {
				return w.fail(err)
			}
		}
	}
	return nil
}

// checkRow validates a row before any of it is written.
func (s *Sheet) checkRow(row int, cells []Cell) error {
	switch {
	case row < 1:
		return fmt.Errorf("writing row %d: invalid row number", row)
	case row > MaxRows:
		return fmt.Errorf("writing row %d: %w", row, ErrTooBig)
	case row <= s.lastRow:
		return fmt.Errorf("writing row %d: after row %d", row, s.lastRow)
	}
	prev := 0
	for i := range cells {
		c := &cells[i]
		switch {
		case c.Col <= prev:
			return fmt.Errorf("writing row %d: column %d after column %d", row, c.Col, prev)
		case c.Col > MaxCols:
			return fmt.Errorf("writing row %d: column %d: %w", row, c.Col, ErrTooBig)
		case c.Style < 0 || c.Style > len(s.w.styles):
			return fmt.Errorf("writing row %d: column %d: unknown style %d", row, c.Col, c.Style)
		case c.IsNumber && (math.IsNaN(c.Number) || math.IsInf(c.Number, 0)):
			return fmt.Errorf("writing row %d: column %d: number %v", row, c.Col, c.Number)
		case !c.IsNumber && tooLong(c.Text, maxCellChars):
			return fmt.Errorf("writing row %d: column %d: text longer than %d characters: %w", row, c.Col, maxCellChars, ErrTooBig)
		}
		prev = c.Col
	}
	return nil
}

// appendNumber appends v as Excel writes numbers: integers in full,
// others in the shortest form that reads back as v.
func appendNumber(b []byte, v float64) []byte {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		if v == 0 {
			return append(b, '0') // and not -0
		}
		return strconv.AppendInt(b, int64(v), 10)
	}
	return strconv.AppendFloat(b, v, 'G', -1, 64)
}

// start starts the worksheet part. The part holds the rows only: what
// comes before them (the sheet's properties, views and columns) is
// assembled at Close, by head, so that it may depend on the rows.
func (s *Sheet) start() error {
	p, err := s.w.newPart("xl/worksheets/sheet" + strconv.Itoa(s.index) + ".xml")
	if err != nil {
		return err
	}
	s.data = p
	s.w.started = true
	return nil
}

// head returns the worksheet's XML before its rows, up to <sheetData>.
func (s *Sheet) head() []byte {
	b := []byte(xmlHeader + `<worksheet xmlns="` + nsMain + `" xmlns:r="` + nsRel + `">`)
	if s.page != nil && s.page.FitToWidth {
		b = append(b, `<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>`...)
	}
	b = append(b, `<sheetViews><sheetView`...)
	if s.index == 1 {
		b = append(b, ` tabSelected="1"`...)
	}
	b = append(b, ` workbookViewId="0"`...)
	if s.freeze > 0 {
		top := strconv.Itoa(s.freeze + 1)
		b = append(b, `><pane ySplit="`+strconv.Itoa(s.freeze)+`" topLeftCell="A`+top+
			`" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A`+top+
			`" sqref="A`+top+`"/></sheetView>`...)
	} else {
		b = append(b, `/>`...)
	}
	b = append(b, `</sheetViews><sheetFormatPr defaultRowHeight="`...)
	b = strconv.AppendFloat(b, s.w.rowHeight(), 'f', -1, 64)
	b = append(b, `"/>`...)
	if cols := s.colWidths(); len(cols) > 0 {
		b = append(b, `<cols>`...)
		for _, c := range cols {
			b = append(b, `<col min="`...)
			b = strconv.AppendInt(b, int64(c.first), 10)
			b = append(b, `" max="`...)
			b = strconv.AppendInt(b, int64(c.last), 10)
			b = append(b, `" width="`...)
			b = strconv.AppendFloat(b, c.width, 'f', -1, 64)
			b = append(b, `" customWidth="1"/>`...)
		}
		b = append(b, `</cols>`...)
	}
	return append(b, `<sheetData>`...)
}

// CommentBytes is [Sheet.Comment] with the text as bytes, which it does
// not keep: the caller may reuse them once it returns.
func (s *Sheet) CommentBytes(col, row int, author string, text []byte) error {
	return s.Comment(col, row, author, unsafe.String(unsafe.SliceData(text), len(text)))
}

// Comment adds a comment (a note, in Excel's words) by author on the cell
// (col, row), shown when the pointer is over it. A sheet's comments may
// be added before, between or after its rows, but in order of row, then
// column, one per cell. Its box, of the size in [Options], is placed
// with the column widths set so far. Authors are expected to be few: a
// sheet has at most 1024.
//
// Comment keeps nothing of text once it returns ([Sheet.CommentBytes]
// relies on it): it is escaped into the part's buffer.
func (s *Sheet) Comment(col, row int, author, text string) error {
	w := s.w
	if err := w.usable(); err != nil {
		return err
	}
	switch {
	case col < 1 || row < 1:
		return fmt.Errorf("adding comment: invalid cell (%d, %d)", col, row)
	case col > MaxCols || row > MaxRows:
		return fmt.Errorf("adding comment: cell (%d, %d): %w", col, row, ErrTooBig)
	case row < s.lastComment[0] || row == s.lastComment[0] && col <= s.lastComment[1]:
		return fmt.Errorf("adding comment: cell (%d, %d) after cell (%d, %d)", col, row, s.lastComment[1], s.lastComment[0])
	case tooLong(text, maxCellChars):
		return fmt.Errorf("adding comment: text longer than %d characters: %w", maxCellChars, ErrTooBig)
	case tooLong(author, maxAuthorChars):
		return fmt.Errorf("adding comment: author longer than %d characters: %w", maxAuthorChars, ErrTooBig)
	}
	id, ok := s.authors[author]
	if !ok {
		if len(s.authorList) >= maxAuthors {
			return fmt.Errorf("adding comment: more than %d authors: %w", maxAuthors, ErrTooBig)
		}
		if s.authors == nil {
			s.authors = map[string]int{}
		}
		id = len(s.authorList)
		s.authors[author] = id
		s.authorList = append(s.authorList, author)
	}
	if s.comments == nil {
		if err := s.startComments(); err != nil {
			return w.fail(err)
		}
	}
	s.lastComment = [2]int{row, col}
	s.ncomments++

	// The comment, as excelize writes it: one run in the comment font.
	p := s.comments
	b := append(p.buf, `<comment ref="`...)
	b = appendColName(b, col)
	b = strconv.AppendInt(b, int64(row), 10)
	b = append(b, `" authorId="`...)
	b = strconv.AppendInt(b, int64(id), 10)
	b = append(b, `"><text><r><rPr><sz val="9"/><color indexed="81"/><rFont val="`...)
	b = append(b, w.fontName()...)
	b = append(b, `"/><family val="2"/></rPr><t xml:space="preserve">`...)
	b = appendText(b, text, true)
	p.buf = append(b, `</t></r></text></comment>`...)
	if p.full() {
		if err := p.flush(); err != nil {
			return w.fail(err)
		}
	}

	// Its shape in the VML drawing, which places and shows it.
	colEnd, x2, rowEnd, y2 := s.anchor(col, row)
	v := s.vml
	b = append(v.buf, `<v:shape id="_x0000_s`...)
	b = strconv.AppendInt(b, int64(s.index*1024+s.ncomments), 10)
	b = append(b, `" type="#_x0000_t202" style="position:absolute;73.5pt;width:108pt;height:59.25pt;z-index:1;visibility:hidden" fillcolor="#FBF6D6" strokecolor="#EDEAA1">`+
		`<v:fill angle="-180" color2="#FBFE82" type="gradient"><o:fill v:ext="view" type="gradientUnscaled"/></v:fill>`+
		`<v:shadow on="t" color="black" obscured="t"/><v:path o:connecttype="none"/>`+
		`<v:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div></v:textbox>`+
		`<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/><x:Anchor>`...)
	for i, n := range [...]int{col - 1, 23, row - 1, 0, colEnd, x2, rowEnd, y2} {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = strconv.AppendInt(b, int64(n), 10)
	}
	b = append(b, `</x:Anchor><x:AutoFill>True</x:AutoFill><x:Row>`...)
	b = strconv.AppendInt(b, int64(row-1), 10)
	b = append(b, `</x:Row><x:Column>`...)
	b = strconv.AppendInt(b, int64(col-1), 10)
	v.buf = append(b, `</x:Column></x:ClientData></v:shape>`...)
	if v.full() {
		if err := v.flush(); err != nil {
			return w.fail(err)
		}
	}
	return nil
}

// anchor returns where the box of a comment on (col, row) ends: the
// 0-based column and row, and the offsets in pixels within them. It is
// excelize's computation, with the column widths set so far and the
// default row height.
func (s *Sheet) anchor(col, row int) (colEnd, x2, rowEnd, y2 int) {
	colEnd, x2 = col-1, s.w.opt.CommentWidth
	for colEnd < MaxCols-1 {
		px := s.colPixels(colEnd + 1)
		if x2 < px {
			break
		}
		colEnd++
		x2 -= px
	}
	const rowPixels = 18 // excelize: ceil(4/3.4 × 15 points)
	rowEnd, y2 = row-1, s.w.opt.CommentHeight
	rows := min(y2/rowPixels, MaxRows-1-rowEnd)
	rowEnd += rows
	y2 -= rows * rowPixels
	return colEnd, x2, rowEnd, y2
}

// colPixels returns the width in pixels of column col, as excelize
// computes it.
func (s *Sheet) colPixels(col int) int {
	if i := col - s.fitFirst; s.fit != nil && i >= 0 && i < len(s.fit) {
		return int(s.fitted(i)*8 + 0.5)
	}
	for _, c := range s.cols {
		if c.first <= col && col <= c.last {
			return int(c.width*8 + 0.5)
		}
	}
	return 64
}

func (s *Sheet) startComments() error {
	n := strconv.Itoa(s.index)
	c, err := s.w.newPart("xl/comments" + n + ".xml")
	if err != nil {
		return err
	}
	v, err := s.w.newPart("xl/drawings/vmlDrawing" + n + ".vml")
	if err != nil {
		c.close()
		return err
	}
	s.comments, s.vml = c, v
	// The comments start with their authors, known at Close: see finish.
	v.buf = append(v.buf, `<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" `+
		`xmlns:x="urn:schemas-microsoft-com:office:excel" xmlns:mv="http://macVmlSchemaUri">`+
		`<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="`+n+`"/></o:shapelayout>`+
		`<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m0,0l0,21600,21600,21600,21600,0xe">`+
		`<v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>`...)
	return nil
}

// finish ends the sheet's parts and returns their zip entries.
func (s *Sheet) finish() ([]entry, error) {
	if s.data == nil {
		if err := s.start(); err != nil {
			return nil, err
		}
	}
	n := strconv.Itoa(s.index)
	b := append(s.data.buf, `</sheetData>`...)
	if s.protected {
		// Locked against edits; selecting, copying and the autofilter
		// still work.
		b = append(b, `<sheetProtection sheet="1" objects="1" scenarios="1" autoFilter="0"/>`...)
	}
	if s.hasFilter {
		b = append(b, `<autoFilter ref="`...)
		b = appendRange(b, s.filter, false)
		b = append(b, `"/>`...)
	}
	b = s.appendValidations(b)
	b = s.appendPageSetup(b)
	if s.comments != nil {
		b = append(b, `<legacyDrawing r:id="rId1"/>`...)
	}
	s.data.buf = append(b, `</worksheet>`...)
	if err := s.finishPart(s.data); err != nil {
		return nil, err
	}
	entries := []entry{{name: s.data.name, part: s.data, prefix: s.head()}}
	if s.comments == nil {
		return entries, nil
	}
	s.comments.buf = append(s.comments.buf, `</commentList></comments>`...)
	s.vml.buf = append(s.vml.buf, `</xml>`...)
	for _, p := range []*part{s.comments, s.vml} {
		if err := s.finishPart(p); err != nil {
			return nil, err
		}
	}
	prefix := []byte(xmlHeader + `<comments xmlns="` + nsMain + `"><authors>`)
	for _, a := range s.authorList {
		prefix = append(prefix, `<author>`...)
		prefix = appendText(prefix, a, true)
		prefix = append(prefix, `</author>`...)
	}
	prefix = append(prefix, `</authors><commentList>`...)
	rels := xmlHeader + `<Relationships xmlns="` + nsPkgRel + `">` +
		`<Relationship Id="rId1" Type="` + nsRel + `/vmlDrawing" Target="../drawings/vmlDrawing` + n + `.vml"/>` +
		`<Relationship Id="rId2" Type="` + nsRel + `/comments" Target="../comments` + n + `.xml"/>` +
		`</Relationships>`
	return append(entries,
		entry{name: s.comments.name, part: s.comments, prefix: prefix},
		entry{name: s.vml.name, part: s.vml},
		entry{name: "xl/worksheets/_rels/sheet" + n + ".xml.rels", data: []byte(rels)},
	), nil
}

func (s *Sheet) finishPart(p *part) error {
	zw, err := p.finish()
	if err != nil {
		return err
	}
	s.w.spare = zw
	return nil
}

// cutCols returns the width ranges of cols with the columns first to last
// cut out (a range across them is split).
func cutCols(cols []colWidth, first, last int) []colWidth {
	var out []colWidth
	for _, c := range cols {
		if c.last < first || c.first > last {
			out = append(out, c)
			continue
		}
		if c.first < first {
			out = append(out, colWidth{c.first, first - 1, c.width})
		}
		if c.last > last {
			out = append(out, colWidth{last + 1, c.last, c.width})
		}
	}
	return out
}
