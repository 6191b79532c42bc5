package provision

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"path"
	"slices"
	"strings"

	"github.com/xuri/excelize/v2"
)

// openXLSX opens an Office Open XML workbook (or a password-protected one,
// decrypted with cfg.Password), streaming the rows of the chosen sheet.
func openXLSX(ctx context.Context, data []byte, name, digest string, ft format, cfg *Config) (src *source, err error) {
	defer func() {
		// A malformed workbook must not crash dccprov, even when it trips
		// the XLSX library: it is a file we cannot read.
		if r := recover(); r != nil {
			src, err = nil, damagedWorkbook(name)
		}
	}()
	lim := limitsOf(cfg)
	if cfg.Password != "" && bytes.HasPrefix(data, oleMagic) {
		// Decrypted once here, so that the merged ranges can be read from
		// the same package excelize opens.
		plain, err := excelize.Decrypt(data, &excelize.Options{Password: cfg.Password})
		if err != nil {
			return nil, openError(name, excelize.ErrWorkbookFileFormat)
		}
		if _, err := zip.NewReader(bytes.NewReader(plain), int64(len(plain))); err != nil {
			return nil, openError(name, excelize.ErrWorkbookPassword)
		}
		data = plain
	}
	xf, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		RawCellValue:      true,
		UnzipSizeLimit:    lim.UnzipBytes,
		UnzipXMLSizeLimit: lim.UnzipXMLPart,
	})
	if err != nil {
		return nil, openError(name, err)
	}
	ok := false
	defer func() {
		if !ok {
			xf.Close()
		}
	}()

	sheet, err := chooseSheet(xf, name, cfg)
	if err != nil {
		return nil, err
	}
	merges, err := mergedRanges(data, sheet, lim)
	if err != nil {
		if errors.Is(err, ErrInput) {
			return nil, err
		}
		return nil, damagedWorkbook(name)
	}
	in := Input{File: name, SHA256: digest, Format: string(ft), Sheet: sheet}
	shown := hasNumberFormats(xf)
	rows := func() iter.Seq2[gridRow, error] { return sheetRows(xf, sheet, merges, 0, shown) }
	src, err = newSource(rows(), rows, in, cfg)
	if nh, ok := errors.AsType[*noHeaderError](err); ok && cfg.Sheet == "" && len(xf.GetSheetList()) > 1 {
		nh.AnySheet = true // chooseSheet looked at them all
	}
	if err != nil {
		if _, ok := errors.AsType[*ColumnError](err); ok || errors.Is(err, ErrInput) || ctx.Err() != nil {
			return nil, err
		}
		return nil, damagedWorkbook(name) // the sheet's XML broke off
	}
	src.damaged = func(err error) error {
		if errors.Is(err, ErrInput) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		return damagedWorkbook(name) // the sheet's XML broke off
	}
	src.closeFn = func() { xf.Close() }
	if visible, err := xf.GetSheetVisible(sheet); err == nil && !visible {
		p := NewProblem(SheetHidden, Cell{Row: src.Input.HeaderRow}, "", "")
		p.Message = fmt.Sprintf("La feuille lue, « %s », est masquée dans le classeur.", sheet)
		src.Problems = append(src.Problems, p)
	}
	ok = true
	return src, nil
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
func sheetRows(xf *excelize.File, sheet string, merges []mergeRange, stop int, withShown bool) iter.Seq2[gridRow, error] {
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
// rows in the sheet's XML, which excelize only gives by loading the whole
// sheet; so the sheet part is streamed from the package (data, a zip) up to
// its <mergeCells> element, which encoding/xml then decodes. Memory stays
// bounded whatever the size of the sheet.
func mergedRanges(data []byte, sheet string, lim Limits) ([]mergeRange, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	part, err := sheetPart(zr, sheet, lim)
	if err != nil {
		// excelize found the sheet; a layout of the package this reader
		// does not follow costs the merged cells, not the list.
		return nil, nil
	}
	f, err := zr.Open(part)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := skipToElement(io.LimitReader(f, lim.UnzipBytes), "mergeCells")
	if err != nil || r == nil {
		return nil, err // nil, nil: no merged cells
	}
	var out []mergeRange
	dec := xml.NewDecoder(r)
	n := 0
	for {
		tok, err := dec.RawToken() // raw: the prefixes were declared before the cut
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local != "mergeCell" {
				continue
			}
			if n++; n > lim.Rows {
				return nil, inputErrorf("sheet %q has more than %d merged ranges, the limit", sheet, lim.Rows)
			}
			for _, a := range t.Attr {
				if a.Name.Local != "ref" {
					continue
				}
				first, last, _ := strings.Cut(a.Value, ":")
				c1, r1, err1 := excelize.CellNameToCoordinates(first)
				_, r2, err2 := excelize.CellNameToCoordinates(last)
				if err1 == nil && err2 == nil && r2 > r1 {
					out = append(out, mergeRange{col: c1, top: r1, bottom: r2})
				}
			}
		case xml.EndElement:
			if t.Name.Local == "mergeCells" {
				return out, nil
			}
		}
	}
}

// skipToElement reads r up to the start tag of the element named local
// (with or without a namespace prefix) and returns a reader starting at its
// "<"; nil when r holds no such element. In XML a "<" is always markup
// (text escapes it as &lt;), so the rows before it are skipped without
// being parsed.
func skipToElement(r io.Reader, local string) (io.Reader, error) {
	const chunk = 64 << 10
	name := []byte(local)
	buf := make([]byte, 0, chunk+len(name)+256)
	for {
		n, err := io.ReadFull(r, buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		for i := 0; ; {
			j := bytes.Index(buf[i:], name)
			if j < 0 {
				break
			}
			at := i + j
			i = at + 1
			end := at + len(name)
			if end >= len(buf) {
				break // cannot tell "mergeCells" from "mergeCellsX" yet: keep it for the next chunk
			}
			if c := buf[end]; c != ' ' && c != '>' && c != '/' && c != '\t' && c != '\n' && c != '\r' {
				continue
			}
			if lt := tagStart(buf[:at]); lt >= 0 {
				return io.MultiReader(bytes.NewReader(slices.Clone(buf[lt:])), r), nil
			}
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		// Keep the tail: a tag may straddle two chunks.
		keep := min(len(buf), len(name)+256)
		copy(buf, buf[len(buf)-keep:])
		buf = buf[:keep]
	}
}

// tagStart returns the index of the "<" that opens a start tag ending just
// before len(b) ("<" or "<prefix:"), -1 if b does not end so.
func tagStart(b []byte) int {
	i := len(b) - 1
	if i >= 0 && b[i] == '<' {
		return i
	}
	if i < 0 || b[i] != ':' {
		return -1
	}
	for i--; i >= 0 && i >= len(b)-256; i-- {
		switch c := b[i]; {
		case c == '<':
			if i == len(b)-2 {
				return -1 // "<:" has no prefix
			}
			return i
		case c == '_' || c == '-' || c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		default:
			return -1
		}
	}
	return -1
}

// sheetPart returns the name of the zip entry holding sheet: the package
// relationships name the workbook part, whose <sheets> give each sheet's
// relationship id, which the workbook's relationships resolve.
func sheetPart(zr *zip.Reader, sheet string, lim Limits) (string, error) {
	wb := "xl/workbook.xml"
	rels, err := readRels(zr, "_rels/.rels", lim)
	if err != nil {
		return "", err
	}
	for _, r := range rels {
		if strings.HasSuffix(r.Type, "/officeDocument") {
			wb = strings.TrimPrefix(r.Target, "/")
		}
	}
	f, err := zr.Open(wb)
	if err != nil {
		return "", err
	}
	defer f.Close()
	dec := xml.NewDecoder(io.LimitReader(f, lim.UnzipXMLPart))
	id := ""
	for id == "" {
		tok, err := dec.Token()
		if err != nil {
			return "", fmt.Errorf("no sheet %q in %s: %w", sheet, wb, err)
		}
		if t, ok := tok.(xml.StartElement); ok && t.Name.Local == "sheet" {
			var name, rid string
			for _, a := range t.Attr {
				switch {
				case a.Name.Local == "name" && a.Name.Space == "":
					name = a.Value
				case a.Name.Local == "id" && a.Name.Space != "":
					rid = a.Value
				}
			}
			if name == sheet {
				id = rid
			}
		}
	}
	dir, base := path.Split(wb)
	wbRels, err := readRels(zr, dir+"_rels/"+base+".rels", lim)
	if err != nil {
		return "", err
	}
	for _, r := range wbRels {
		if r.ID != id {
			continue
		}
		if after, ok := strings.CutPrefix(r.Target, "/"); ok {
			return after, nil
		}
		return path.Join(dir, r.Target), nil
	}
	return "", fmt.Errorf("no part for sheet %q", sheet)
}

// relationship is one entry of a .rels part.
type relationship struct {
	ID     string `xml:"Id,attr"`
	Type   string `xml:"Type,attr"`
	Target string `xml:"Target,attr"`
}

// readRels reads the relationships part name of zr; a missing part has
// none.
func readRels(zr *zip.Reader, name string, lim Limits) ([]relationship, error) {
	f, err := zr.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var rels struct {
		Relationships []relationship `xml:"Relationship"`
	}
	if err := xml.NewDecoder(io.LimitReader(f, lim.UnzipXMLPart)).Decode(&rels); err != nil {
		return nil, err
	}
	return rels.Relationships, nil
}
