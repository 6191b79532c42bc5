package provision

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"

	"github.com/xuri/excelize/v2"
)

// mergeFillMaxBytes bounds the workbooks whose merged cells are read: the
// list of merged ranges comes after the rows in the sheet, so excelize loads
// the whole sheet to give it. Staff lists are tens of kilobytes; a huge
// export is streamed without filling merged cells.
const mergeFillMaxBytes = 2 << 20

// readXLSX reads an Office Open XML workbook (or a password-protected one,
// decrypted with cfg.Password), streaming the rows of the chosen sheet.
func readXLSX(ctx context.Context, data []byte, name, digest string, ft format, cfg *Config) (t *Table, err error) {
	defer func() {
		// A malformed workbook must not crash dccprov, even when it trips
		// the XLSX library: it is a file we cannot read.
		if r := recover(); r != nil {
			t, err = nil, damagedWorkbook(name)
		}
	}()
	lim := limitsOf(cfg)
	xf, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		RawCellValue:      true,
		UnzipSizeLimit:    lim.UnzipBytes,
		UnzipXMLSizeLimit: lim.UnzipXMLPart,
		Password:          cfg.Password,
	})
	if err != nil {
		return nil, openError(name, err)
	}
	defer xf.Close()

	sheet, err := chooseSheet(xf, name, cfg)
	if err != nil {
		return nil, err
	}
	var merges []excelize.MergeCell
	if len(data) <= mergeFillMaxBytes {
		if merges, err = xf.GetMergeCells(sheet); err != nil {
			return nil, inputErrorf("reading %s sheet %q", name, sheet)
		}
	}
	in := Input{File: name, SHA256: digest, Format: string(ft), Sheet: sheet}
	t, err = buildTable(ctx, sheetRows(xf, sheet, merges, 0, hasNumberFormats(xf)), in, cfg)
	if nh, ok := errors.AsType[*noHeaderError](err); ok && cfg.Sheet == "" && len(xf.GetSheetList()) > 1 {
		nh.AnySheet = true // chooseSheet looked at them all
	}
	if err != nil {
		if _, ok := errors.AsType[*ColumnError](err); ok || errors.Is(err, ErrInput) || ctx.Err() != nil {
			return nil, err
		}
		return nil, damagedWorkbook(name) // the sheet's XML broke off
	}
	if visible, err := xf.GetSheetVisible(sheet); err == nil && !visible {
		p := NewProblem(SheetHidden, Cell{Row: t.Input.HeaderRow}, "", "")
		p.Message = fmt.Sprintf("La feuille lue, « %s », est masquée dans le classeur.", sheet)
		t.Problems = append([]Problem{p}, t.Problems...)
	}
	return t, nil
}

// openError explains why excelize could not open a workbook.
func openError(name string, err error) error {
	switch {
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
// hold the best header (the first sheet is often instructions).
func chooseSheet(xf *excelize.File, name string, cfg *Config) (string, error) {
	sheets := xf.GetSheetList()
	if cfg.Sheet != "" {
		for _, s := range sheets {
			if s == cfg.Sheet {
				return s, nil
			}
		}
		for _, s := range sheets {
			if strings.EqualFold(strings.TrimSpace(s), strings.TrimSpace(cfg.Sheet)) {
				return s, nil
			}
		}
		return "", inputErrorf("%s has no sheet %q (sheets: %s); give one of them to --sheet",
			name, cfg.Sheet, strings.Join(sheets, ", "))
	}
	// The best header wins; on a tie, a visible sheet over a hidden one
	// (often a stale copy), then the first.
	best, bestScore, bestVisible := "", -1, false
	for _, s := range sheets {
		var head []gridRow
		for g, err := range sheetRows(xf, s, nil, headerWindow, false) {
			if err != nil {
				break
			}
			head = append(head, g)
		}
		_, _, score := findHeader(head, cfg.Columns)
		visible, _ := xf.GetSheetVisible(s)
		if score > bestScore || (score == bestScore && visible && !bestVisible) {
			best, bestScore, bestVisible = s, score, visible
		}
	}
	if best == "" {
		return "", inputErrorf("%s has no worksheet", name)
	}
	return best, nil
}

// hasNumberFormats reports whether any cell style of the workbook has a
// number format other than General or text: only then can a displayed
// value differ from the stored one in a way that matters (a date, a
// zero-padded number).
func hasNumberFormats(xf *excelize.File) bool {
	for i := range excelize.MaxCellStyles {
		st, err := xf.GetStyle(i)
		if err != nil {
			return false
		}
		if st.CustomNumFmt != nil || (st.NumFmt != 0 && st.NumFmt != 49) {
			return true
		}
	}
	return false
}

// sheetRows streams the rows of sheet with excelize's row iterator, never
// loading the whole sheet. It reads stored values; when withShown is set, a
// second iterator in step reads displayed values, so that xlsxText can
// choose. Merged ranges (when known) repeat their value down the first
// column of the range. A positive stop ends the stream after that row
// number.
func sheetRows(xf *excelize.File, sheet string, merges []excelize.MergeCell, stop int, withShown bool) iter.Seq2[gridRow, error] {
	return func(yield func(gridRow, error) bool) {
		raw, err := xf.Rows(sheet)
		if err != nil {
			yield(gridRow{}, err)
			return
		}
		defer raw.Close()
		var shown *excelize.Rows
		if withShown {
			if shown, err = xf.Rows(sheet); err != nil {
				yield(gridRow{}, err)
				return
			}
			defer shown.Close()
		}
		fill := newMergeFill(merges)
		for n := 1; raw.Next(); n++ {
			rv, err := raw.Columns(excelize.Options{RawCellValue: true})
			if err != nil {
				yield(gridRow{}, fmt.Errorf("row %d: %w", n, err))
				return
			}
			var sv []string
			if shown != nil {
				shown.Next()
				if sv, err = shown.Columns(excelize.Options{RawCellValue: false}); err != nil {
					yield(gridRow{}, fmt.Errorf("row %d: %w", n, err))
					return
				}
			}
			g := gridRow{Number: n, Hidden: raw.GetRowOpts().Hidden, Cells: make([]gridCell, len(rv))}
			for i, r := range rv {
				s := ""
				if i < len(sv) {
					s = sv[i]
				}
				g.Cells[i] = gridCell{Value: xlsxText(r, s), Raw: r}
			}
			fill.apply(&g)
			if !yield(g, nil) {
				return
			}
			if stop > 0 && n >= stop {
				return
			}
		}
		if err := raw.Error(); err != nil {
			yield(gridRow{}, err)
		}
	}
}

// mergeFill repeats the value of a merged range down its first column: a
// referent who merges "Établissement" over ten rows means it for each.
type mergeFill struct {
	ranges []mergeRange
}

type mergeRange struct {
	col, top, bottom int
	value            gridCell
}

func newMergeFill(merges []excelize.MergeCell) *mergeFill {
	m := &mergeFill{}
	for _, mc := range merges {
		c1, r1, err1 := excelize.CellNameToCoordinates(mc.GetStartAxis())
		_, r2, err2 := excelize.CellNameToCoordinates(mc.GetEndAxis())
		if err1 != nil || err2 != nil || r2 <= r1 {
			continue // horizontal merges (titles) need nothing
		}
		m.ranges = append(m.ranges, mergeRange{col: c1, top: r1, bottom: r2})
	}
	return m
}

func (m *mergeFill) apply(g *gridRow) {
	if len(m.ranges) == 0 || g.blank() {
		return // a blank row inside a merged range stays blank
	}
	for i := range m.ranges {
		r := &m.ranges[i]
		switch {
		case g.Number == r.top:
			if r.col <= len(g.Cells) {
				r.value = g.Cells[r.col-1]
			}
		case g.Number > r.top && g.Number <= r.bottom && r.value.Value != "":
			for len(g.Cells) < r.col {
				g.Cells = append(g.Cells, gridCell{})
			}
			if g.Cells[r.col-1].Value == "" {
				g.Cells[r.col-1] = r.value
			}
		}
	}
}
