package provision

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"slices"
	"strings"

	"github.com/dccprov/dccprov/provision/xlsx"
	"github.com/xuri/excelize/v2"
)

// openXLSX opens the Office Open XML workbook r, of size bytes (or a
// password-protected one, decrypted with cfg.Password from data, its
// bytes, nil when not held), streaming the rows of the chosen sheet with the
// worksheet reader of provision/xlsx.
func openXLSX(ctx context.Context, r io.ReaderAt, size int64, data []byte, name, digest string, ft format, cfg *Config) (src *source, err error) {
	defer func() {
		// A malformed workbook must not crash dccprov: it is a file we
		// cannot read.
		if r := recover(); r != nil {
			src, err = nil, damagedWorkbook(name)
		}
	}()
	lim := limitsOf(cfg)
	if cfg.Password != "" && bytes.HasPrefix(data, oleMagic) {
		plain, err := excelize.Decrypt(data, &excelize.Options{Password: cfg.Password})
		if err == nil {
			_, err = zip.NewReader(bytes.NewReader(plain), int64(len(plain)))
		}
		switch {
		case err != nil && lockedFormat(name) == formatXLSBLock:
			return nil, newFormatError(name, formatXLSBLock)
		case plain == nil:
			return nil, openError(name, excelize.ErrWorkbookFileFormat)
		case err != nil:
			return nil, openError(name, excelize.ErrWorkbookPassword)
		}
		// Decrypted, the package says what it is.
		switch ft = sniffZip(plain); ft {
		case formatXLSX, formatXLSM:
		case formatXLSB:
			return nil, newFormatError(name, formatXLSBLock)
		case formatDamaged:
			return nil, damagedWorkbook(name)
		default:
			return nil, newFormatError(name, ft)
		}
		r, size = bytes.NewReader(plain), int64(len(plain))
	}
	book, err := xlsx.Open(r, size, xlsxLimits(lim))
	if err != nil {
		return nil, openError(name, err)
	}
	sheet, visible, seen, err := chooseSheet(book, name, cfg)
	if err != nil {
		return nil, err
	}
	merges, err := mergedRanges(book, sheet, lim)
	if err != nil {
		if errors.Is(err, ErrInput) {
			return nil, err
		}
		return nil, openError(name, err)
	}
	in := Input{File: name, SHA256: digest, Format: string(ft), Sheet: sheet}
	shown := book.HasNumberFormats()
	rows := func() iter.Seq2[gridRow, error] { return prefetch(sheetRows(book, sheet, merges, 0, shown)) }
	src, err = newSource(rows(), rows, in, cfg)
	if nh, ok := errors.AsType[*noHeaderError](err); ok && cfg.Sheet == "" && len(book.Sheets()) > 1 {
		// chooseSheet looked at them all.
		nh.Sheets, nh.Missing = nil, missingFields(seen)
		for _, s := range book.Sheets() {
			nh.Sheets = append(nh.Sheets, s.Name)
		}
	}
	if err != nil {
		if _, ok := errors.AsType[*ColumnError](err); ok || errors.Is(err, ErrInput) || ctx.Err() != nil {
			return nil, err
		}
		return nil, openError(name, err) // the sheet's XML broke off
	}
	src.damaged = func(err error) error {
		if errors.Is(err, ErrInput) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		return openError(name, err) // the sheet's XML broke off
	}
	if err := src.readChecklistSheet(book, sheet, shown); err != nil {
		return nil, openError(name, err)
	}
	if !visible {
		p := NewProblem(SheetHidden, Cell{Row: src.Input.HeaderRow}, "", "")
		p.Message = fmt.Sprintf("La feuille lue, « %s », est masquée dans le classeur.", sheet)
		src.Problems = append(src.Problems, p)
		SortProblems(src.Problems) // as the report orders them
	}
	return src, nil
}

// readChecklistSheet reads the sheet « Établissements » or « Prérequis » of
// book, other than the staff sheet, into src.Checklists, its problems to
// src.Problems (they name the sheet). A workbook without one has none.
func (src *source) readChecklistSheet(book *xlsx.Book, staff string, shown bool) error {
	for _, s := range book.Sheets() {
		if s.Name == staff || !isChecklistSheet(s.Name) {
			continue
		}
		lists, ps, err := readChecklists(s.Name, sheetRows(book, s.Name, nil, 0, shown))
		if err != nil {
			return err
		}
		if lists != nil {
			src.Checklists = lists
			src.Problems = append(src.Problems, ps...)
			SortProblems(src.Problems)
			return nil
		}
	}
	return nil
}

// xlsxLimits are the worksheet reader's limits for lim. A cell may be read
// longer than [Limits.CellBytes]: a long cell of a column dccprov does not
// use is dropped, one of a column it uses refused with its own sentence
// ([source.build]).
func xlsxLimits(lim Limits) xlsx.Limits {
	return xlsx.Limits{UnzipBytes: lim.UnzipBytes, XMLPartBytes: lim.UnzipXMLPart, CellBytes: max(4*lim.CellBytes, 1<<20)}
}

// openError explains why a workbook could not be read.
func openError(name string, err error) error {
	switch {
	case errors.Is(err, xlsx.ErrLimit):
		return inputErrorf("%s: the workbook unpacks to more than the configured limit, or holds a cell far too long to be a staff list's", name)
	case errors.Is(err, xlsx.ErrNotWorkbook):
		return newFormatError(name, formatBinary)
	case errors.Is(err, excelize.ErrWorkbookPassword):
		return inputErrorf("%s: the password of --password-file does not open this workbook; check the file holds the password alone", name)
	case errors.Is(err, excelize.ErrWorkbookFileFormat):
		return newFormatError(name, formatBinary)
	case strings.Contains(err.Error(), "size limit"):
		return inputErrorf("%s: the workbook unpacks to more than the configured limit", name)
	}
	return damagedWorkbook(name)
}

// damagedWorkbook is the error for a workbook that cannot be read through:
// one sentence for the referent's operator, without the library's words
// ("zip: not a valid zip file", "XML syntax error", "EOF").
func damagedWorkbook(name string) error {
	return inputErrorf("%s is a damaged Excel workbook (the file is truncated or corrupt); ask for the file again or re-save it in Excel", name)
}

// chooseSheet returns cfg.Sheet when set, else the sheet whose first rows
// hold the best header (the first sheet is often instructions), whether
// it is visible, and the columns the first rows of every sheet name (for
// the error of a workbook without a header; none with cfg.Sheet).
func chooseSheet(book *xlsx.Book, name string, cfg *Config) (string, bool, []Column, error) {
	sheets := book.Sheets()
	var names []string
	for _, s := range sheets {
		names = append(names, s.Name)
	}
	if cfg.Sheet != "" {
		for _, s := range sheets {
			if s.Name == cfg.Sheet {
				return s.Name, !s.Hidden, nil, nil
			}
		}
		for _, s := range sheets {
			if strings.EqualFold(strings.TrimSpace(s.Name), strings.TrimSpace(cfg.Sheet)) {
				return s.Name, !s.Hidden, nil, nil
			}
		}
		return "", false, nil, inputErrorf("%s has no sheet %q (sheets: %s); give one of them to --sheet",
			name, cfg.Sheet, strings.Join(names, ", "))
	}
	// The best header wins; on a tie, a visible sheet over a hidden one
	// (often a stale copy), then the first.
	best, bestScore, bestVisible := "", -1, false
	var seen []Column
	for _, s := range sheets {
		if isChecklistSheet(s.Name) && len(sheets) > 1 {
			continue // the establishments' prerequisites, not the staff
		}
		var head []gridRow
		for g, err := range sheetRows(book, s.Name, nil, headerWindow, false) {
			if err != nil {
				break
			}
			head = append(head, g)
		}
		_, _, score := findHeader(head, cfg.Columns)
		seen = append(seen, windowColumns(head, cfg.Columns)...)
		visible := !s.Hidden
		if score > bestScore || (score == bestScore && visible && !bestVisible) {
			best, bestScore, bestVisible = s.Name, score, visible
		}
	}
	if best == "" {
		return "", false, nil, inputErrorf("%s has no worksheet", name)
	}
	return best, bestVisible, seen, nil
}

// sheetRows streams the rows of sheet, never loading the whole sheet. It
// reads stored values and, when withShown is set (the workbook has number
// formats), displayed values, so that xlsxText can choose. Merged ranges
// (when known) repeat their value down the first column of the range. A
// positive stop ends the stream after that row number.
func sheetRows(book *xlsx.Book, sheet string, merges []mergeRange, stop int, withShown bool) iter.Seq2[gridRow, error] {
	return func(yield func(gridRow, error) bool) {
		rows, err := book.Rows(sheet)
		if err != nil {
			yield(gridRow{}, err)
			return
		}
		defer rows.Close()
		fill := newMergeFill(merges)
		for rows.Next() {
			r := rows.Row()
			g := gridRow{Number: r.Number, Hidden: r.Hidden, Cells: make([]gridCell, len(r.Cells))}
			for i, c := range r.Cells {
				shown := ""
				if withShown {
					shown = c.Shown
				}
				g.Cells[i] = gridCell{Value: xlsxText(c.Value, shown), Raw: c.Value}
			}
			fill.apply(&g)
			if !yield(g, nil) {
				return
			}
			if stop > 0 && r.Number >= stop {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(gridRow{}, err)
		}
	}
}

// mergeFill repeats the value of a merged range down its first column: a
// referent who merges "Établissement" over ten rows means it for each.
type mergeFill struct {
	ranges []mergeRange // sorted by top row
	next   int          // first range of ranges not yet reached
	active []*mergeRange
}

// mergeRange is a range merged down a column: rows top to bottom of
// column col (1-based), whose value is the top cell's.
type mergeRange struct {
	col, top, bottom int
	value            gridCell
}

func newMergeFill(ranges []mergeRange) *mergeFill {
	r := slices.Clone(ranges)
	slices.SortStableFunc(r, func(a, b mergeRange) int { return a.top - b.top })
	return &mergeFill{ranges: r}
}

// apply fills g from the ranges it lies in; rows come in increasing order.
func (m *mergeFill) apply(g *gridRow) {
	for m.next < len(m.ranges) && m.ranges[m.next].top <= g.Number {
		m.active = append(m.active, &m.ranges[m.next])
		m.next++
	}
	m.active = slices.DeleteFunc(m.active, func(r *mergeRange) bool { return r.bottom < g.Number })
	if len(m.active) == 0 || g.blank() {
		return // a blank row inside a merged range stays blank
	}
	for _, r := range m.active {
		switch {
		case g.Number == r.top:
			if r.col <= len(g.Cells) {
				r.value = g.Cells[r.col-1]
			}
		case r.value.Value != "":
			for len(g.Cells) < r.col {
				g.Cells = append(g.Cells, gridCell{})
			}
			if g.Cells[r.col-1].Value == "" {
				g.Cells[r.col-1] = r.value
			}
		}
	}
}

// mergedRanges returns the ranges of sheet merged down a column (merges
// across columns, as titles are, need nothing). They are listed after the
// rows in the sheet's XML: the worksheet reader finds them by streaming the
// sheet part, in bounded memory.
func mergedRanges(book *xlsx.Book, sheet string, lim Limits) ([]mergeRange, error) {
	rs, err := book.MergedRanges(sheet)
	if err != nil {
		return nil, err
	}
	if len(rs) > lim.Rows {
		return nil, inputErrorf("sheet %q has more than %d merged ranges, the limit", sheet, lim.Rows)
	}
	var out []mergeRange
	for _, r := range rs {
		if r.LastRow > r.FirstRow {
			out = append(out, mergeRange{col: r.FirstCol, top: r.FirstRow, bottom: r.LastRow})
		}
	}
	return out, nil
}
