// Package xlsxwriter writes an Office Open XML workbook (.xlsx) row by row
// in bounded memory.
//
// Several sheets, their comments and their VML drawings may be written in
// one pass, interleaved: each part growing with the data is compressed as
// it is written into a spool file of its own, and [Writer.Close] copies the
// compressed bytes into the zip. Memory is a few fixed buffers and one
// compressor per growing part; it does not grow with rows or comments.
// Cells are inline strings or numbers, so no shared-string table grows
// either. What a worksheet's XML puts before its rows (properties, views,
// column widths, which [Sheet.FitColumns] measures on the rows) and after
// them (autofilter, drop-down lists, print setup) is assembled at Close,
// from a few values per sheet.
//
// The output depends only on the calls made and the [Options]: the same
// calls give the same bytes.
//
// A Writer is not safe for concurrent use.
package xlsxwriter

import (
	"archive/zip"
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"github.com/klauspost/compress/flate"
	"hash/crc32"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Excel's limits on the size of a worksheet.
const (
	// MaxRows is the number of rows of a worksheet.
	MaxRows = 1048576
	// MaxCols is the number of columns of a worksheet.
	MaxCols = 16384
)

// Other limits, also Excel's.
const (
	maxCellChars   = 32767 // UTF-16 units of a cell or comment text
	maxAuthorChars = 255
	maxSheetName   = 31
	maxStyles      = 64000
	maxAuthors     = 1024 // distinct comment authors of a sheet (ours)
)

// ErrTooBig is wrapped by the errors returned for data beyond a limit of
// Excel: a row past [MaxRows], a column past [MaxCols], a text longer than
// 32767 characters.
var ErrTooBig = errors.New("beyond the limits of an xlsx worksheet")

// errClosed is returned by calls after Close or Abort.
var errClosed = errors.New("workbook already closed")

// Options configures a [Writer].
type Options struct {
	// TempDir is where the parts being written are spooled; "" means
	// os.TempDir(). The Writer creates a private directory (mode 0700)
	// inside it, with files of mode 0600, all removed by Close or Abort.
	TempDir string
	// Level is the compress/flate level of the parts, from
	// flate.HuffmanOnly to flate.BestCompression; 0 (which is also
	// flate.NoCompression) means flate.BestSpeed.
	Level int
	// Creator is the creator and last modifier of docProps/core.xml.
	Creator string
	// Created is the creation and modification date of docProps/core.xml
	// (in UTC, to the second) and the modification time of the zip
	// entries. The zero time writes no date, and zero zip times.
	Created time.Time
	// CommentWidth and CommentHeight are the size in pixels of a
	// comment's box when shown; 0 means excelize's defaults, 140 × 60.
	CommentWidth, CommentHeight int
	// Font and FontSize are the font of the cells and comments, by name,
	// and its size in points; "" means the theme's font, Calibri 11,
	// which Excel shows as the theme says. A named font is shown as named,
	// or as the font the reader substitutes for it.
	Font     string
	FontSize float64
}

// Style is a cell style, registered with [Writer.AddStyle].
type Style struct {
	// Bold sets a bold font.
	Bold bool
	// Fill is the RGB colour of a solid fill, as six hexadecimal digits
	// such as "FFC7CE"; "" is no fill.
	Fill string
	// WrapText wraps the text on several lines within the cell.
	WrapText bool
}

// Cell is a cell of a row written by [Sheet.WriteRow].
type Cell struct {
	// Col is the column, from 1.
	Col int
	// Text is the value of a text cell, written as an inline string.
	// It is written as given: callers guard against formula injection.
	Text string
	// Number is the value of a number cell, if IsNumber.
	Number float64
	// IsNumber makes the cell a number cell.
	IsNumber bool
	// Style is a style from [Writer.AddStyle]; 0 is the default style.
	// A text cell with empty Text and Style 0 is not written.
	Style int
}

// Writer writes a workbook to an io.Writer. Create it with [New], add
// styles, then sheets and rows, and finish with [Writer.Close] (or drop it
// with [Writer.Abort]).
type Writer struct {
	w       io.Writer
	opt     Options
	created time.Time
	dir     string
	nfiles  int
	styles  []Style // style i+1
	started bool    // a row is written: no more styles
	sheets  []*Sheet
	spare   *flate.Writer
	err     error // sticky: a failed write leaves the parts unusable
	closed  bool
}

// New returns a Writer writing a workbook to w on Close. It creates the
// private spool directory in opt.TempDir.
func New(w io.Writer, opt Options) (*Writer, error) {
	if opt.Level == 0 {
		opt.Level = flate.BestSpeed
	}
	if opt.Level < flate.HuffmanOnly || opt.Level > flate.BestCompression {
		return nil, fmt.Errorf("creating workbook: invalid compression level %d", opt.Level)
	}
	if strings.ContainsFunc(opt.Creator, isControl) {
		return nil, errors.New("creating workbook: control character in creator")
	}
	if opt.CommentWidth < 0 || opt.CommentHeight < 0 {
		return nil, errors.New("creating workbook: negative comment size")
	}
	if tooLong(opt.Font, 31) || strings.ContainsFunc(opt.Font, isControl) || strings.ContainsAny(opt.Font, `<>&"`) {
		return nil, fmt.Errorf("creating workbook: invalid font name %q", opt.Font)
	}
	if !(opt.FontSize == 0 || opt.FontSize >= 1 && opt.FontSize <= 409) {
		return nil, fmt.Errorf("creating workbook: font size %v not between 1 and 409", opt.FontSize)
	}
	opt.CommentWidth = cmp.Or(opt.CommentWidth, 140)
	opt.CommentHeight = cmp.Or(opt.CommentHeight, 60)
	dir, err := os.MkdirTemp(opt.TempDir, "xlsxwriter-")
	if err != nil {
		return nil, fmt.Errorf("creating workbook: %w", err)
	}
	wr := &Writer{w: w, opt: opt, dir: dir}
	if !opt.Created.IsZero() {
		wr.created = opt.Created.UTC().Truncate(time.Second)
	}
	return wr, nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7F || r == 0xFFFE || r == 0xFFFF }

// AddStyle registers s and returns its ID for [Cell.Style]. Styles are
// registered before the first row of any sheet is written; the same style
// gets the same ID.
func (w *Writer) AddStyle(s Style) (int, error) {
	if err := w.usable(); err != nil {
		return 0, err
	}
	if w.started {
		return 0, errors.New("adding style: rows already written")
	}
	if s.Fill != "" {
		if len(s.Fill) != 6 || !isHex(s.Fill) {
			return 0, fmt.Errorf("adding style: fill %q is not six hexadecimal digits", s.Fill)
		}
		s.Fill = strings.ToUpper(s.Fill)
	}
	if s == (Style{}) {
		return 0, nil
	}
	if i := slices.Index(w.styles, s); i >= 0 {
		return i + 1, nil
	}
	if len(w.styles)+1 >= maxStyles {
		return 0, fmt.Errorf("adding style: %w", ErrTooBig)
	}
	w.styles = append(w.styles, s)
	return len(w.styles), nil
}

func isHex(s string) bool {
	for _, c := range []byte(s) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// AddSheet adds a worksheet named name. Sheets appear in the order added;
// the first is the active one. A name has 1 to 31 characters, none of
// : \ / ? * [ ], does not start or end with an apostrophe, and differs from
// the other sheets' names regardless of case.
func (w *Writer) AddSheet(name string) (*Sheet, error) {
	if err := w.usable(); err != nil {
		return nil, err
	}
	if err := checkSheetName(name); err != nil {
		return nil, err
	}
	for _, s := range w.sheets {
		if strings.EqualFold(s.name, name) {
			return nil, fmt.Errorf("adding sheet %q: name already used", name)
		}
	}
	s := &Sheet{w: w, index: len(w.sheets) + 1, name: name}
	w.sheets = append(w.sheets, s)
	return s, nil
}

func checkSheetName(name string) error {
	switch {
	case name == "":
		return errors.New("adding sheet: empty name")
	case tooLong(name, maxSheetName):
		return fmt.Errorf("adding sheet %q: name longer than %d characters", name, maxSheetName)
	case strings.ContainsAny(name, `:\/?*[]`) || strings.ContainsFunc(name, isControl):
		return fmt.Errorf("adding sheet %q: invalid character in name", name)
	case name[0] == '\'' || name[len(name)-1] == '\'':
		return fmt.Errorf("adding sheet %q: name starts or ends with an apostrophe", name)
	case strings.EqualFold(name, "History"):
		return fmt.Errorf("adding sheet %q: name reserved by Excel", name)
	}
	return nil
}

// usable returns the error that makes w unusable, if any.
func (w *Writer) usable() error {
	if w.closed {
		return errClosed
	}
	return w.err
}

// fail records err as w's sticky error and returns it.
func (w *Writer) fail(err error) error {
	if w.err == nil {
		w.err = err
	}
	return err
}

// Abort drops the workbook and removes its spool files. It may be called
// after Close, and more than once.
func (w *Writer) Abort() {
	if w.dir == "" {
		w.closed = true
		return
	}
	for _, s := range w.sheets {
		for _, p := range []*part{s.data, s.comments, s.vml} {
			if p != nil {
				p.close()
			}
		}
	}
	os.RemoveAll(w.dir)
	w.dir = ""
	w.closed = true
}

// Close finishes every part, writes the workbook to the io.Writer given to
// [New] and removes the spool files. The io.Writer is not closed.
func (w *Writer) Close() error {
	if w.closed {
		return errClosed
	}
	defer w.Abort()
	if w.err != nil {
		return w.err
	}
	if err := w.close(); err != nil {
		return fmt.Errorf("writing workbook: %w", err)
	}
	return nil
}

// entry is a zip entry: static bytes, or a spooled part after a prefix.
type entry struct {
	name   string
	data   []byte
	part   *part
	prefix []byte
}

func (w *Writer) close() error {
	if len(w.sheets) == 0 {
		return errors.New("no sheets")
	}
	var entries []entry
	for _, s := range w.sheets {
		es, err := s.finish()
		if err != nil {
			return err
		}
		entries = append(entries, es...)
	}
	entries = append(entries,
		entry{name: "[Content_Types].xml", data: w.contentTypes()},
		entry{name: "_rels/.rels", data: []byte(rootRels)},
		entry{name: "docProps/app.xml", data: []byte(appXML)},
		entry{name: "docProps/core.xml", data: w.coreXML()},
		entry{name: "xl/workbook.xml", data: w.workbookXML()},
		entry{name: "xl/_rels/workbook.xml.rels", data: w.workbookRels()},
		entry{name: "xl/styles.xml", data: w.stylesXML()},
		entry{name: "xl/theme/theme1.xml", data: []byte(themeXML)},
	)
	slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.name, b.name) })

	zw := zip.NewWriter(w.w)
	fw := w.spare
	if fw == nil {
		var err error
		if fw, err = flate.NewWriter(io.Discard, w.opt.Level); err != nil {
			return err
		}
	}
	mod := w.created
	if mod.Year() < 1980 || mod.Year() > 2107 {
		mod = time.Time{} // outside MS-DOS dates: zero, as when unset
	}
	buf := make([]byte, bufSize)
	var small bytes.Buffer
	for _, e := range entries {
		if e.part != nil {
			if err := e.part.copyTo(zw, e.prefix, mod, buf); err != nil {
				return err
			}
			e.part.close()
			continue
		}
		small.Reset()
		fw.Reset(&small)
		if _, err := fw.Write(e.data); err != nil {
			return err
		}
		if err := fw.Close(); err != nil {
			return err
		}
		ew, err := zw.CreateRaw(fileHeader(e.name, mod, crc32.ChecksumIEEE(e.data), uint64(small.Len()), uint64(len(e.data))))
		if err != nil {
			return err
		}
		if _, err := ew.Write(small.Bytes()); err != nil {
			return err
		}
	}
	return zw.Close()
}

const (
	xmlHeader = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"
	nsMain    = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
	nsRel     = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	nsPkgRel  = "http://schemas.openxmlformats.org/package/2006/relationships"

	rootRels = xmlHeader + `<Relationships xmlns="` + nsPkgRel + `">` +
		`<Relationship Id="rId1" Type="` + nsRel + `/officeDocument" Target="xl/workbook.xml"/>` +
		`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>` +
		`<Relationship Id="rId3" Type="` + nsRel + `/extended-properties" Target="docProps/app.xml"/>` +
		`</Relationships>`

	appXML = xmlHeader + `<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" ` +
		`xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">` +
		`<Application>xlsxwriter</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop></Properties>`
)

func (w *Writer) contentTypes() []byte {
	b := []byte(xmlHeader + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/>` +
		`<Default Extension="vml" ContentType="application/vnd.openxmlformats-officedocument.vmlDrawing"/>` +
		`<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>` +
		`<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>` +
		`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
		`<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>` +
		`<Override PartName="/xl/theme/theme1.xml" ContentType="application/vnd.openxmlformats-officedocument.theme+xml"/>`)
	for _, s := range w.sheets {
		n := strconv.Itoa(s.index)
		b = append(b, `<Override PartName="/xl/worksheets/sheet`+n+`.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`...)
		if s.comments != nil {
			b = append(b, `<Override PartName="/xl/comments`+n+`.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"/>`...)
		}
	}
	return append(b, "</Types>"...)
}

func (w *Writer) coreXML() []byte {
	b := []byte(xmlHeader + `<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" ` +
		`xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" ` +
		`xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`)
	if w.opt.Creator != "" {
		b = append(b, "<dc:creator>"...)
		b = appendText(b, w.opt.Creator, false)
		b = append(b, "</dc:creator><cp:lastModifiedBy>"...)
		b = appendText(b, w.opt.Creator, false)
		b = append(b, "</cp:lastModifiedBy>"...)
	}
	if !w.created.IsZero() {
		d := w.created.Format("2006-01-02T15:04:05Z")
		b = append(b, `<dcterms:created xsi:type="dcterms:W3CDTF">`+d+`</dcterms:created>`...)
		b = append(b, `<dcterms:modified xsi:type="dcterms:W3CDTF">`+d+`</dcterms:modified>`...)
	}
	return append(b, "</cp:coreProperties>"...)
}

func (w *Writer) workbookXML() []byte {
	b := []byte(xmlHeader + `<workbook xmlns="` + nsMain + `" xmlns:r="` + nsRel + `">` +
		`<workbookPr/><bookViews><workbookView activeTab="0"/></bookViews><sheets>`)
	for _, s := range w.sheets {
		b = append(b, `<sheet name="`...)
		b = appendText(b, s.name, true)
		n := strconv.Itoa(s.index)
		b = append(b, `" sheetId="`+n+`"`...)
		if s.hidden {
			b = append(b, ` state="hidden"`...)
		}
		b = append(b, ` r:id="rId`+n+`"/>`...)
	}
	b = append(b, "</sheets>"...)
	// The names Excel gives print titles and autofilters, sorted by name
	// then sheet as Excel writes them.
	names := false
	name := func(s *Sheet, n string, hidden bool) {
		if !names {
			b = append(b, "<definedNames>"...)
			names = true
		}
		b = append(b, `<definedName name="`+n+`" localSheetId="`...)
		b = strconv.AppendInt(b, int64(s.index-1), 10)
		if hidden {
			b = append(b, `" hidden="1">`...)
		} else {
			b = append(b, `">`...)
		}
		b = appendText(b, quoteSheet(s.name), true)
		b = append(b, '!')
	}
	for _, s := range w.sheets {
		if p := s.page; p != nil && p.FirstTitleRow > 0 {
			name(s, "_xlnm.Print_Titles", false)
			b = append(b, '$')
			b = strconv.AppendInt(b, int64(p.FirstTitleRow), 10)
			b = append(b, ":$"...)
			b = strconv.AppendInt(b, int64(p.LastTitleRow), 10)
			b = append(b, "</definedName>"...)
		}
	}
	for _, s := range w.sheets {
		if s.hasFilter {
			name(s, "_xlnm._FilterDatabase", true)
			b = appendRange(b, s.filter, true)
			b = append(b, "</definedName>"...)
		}
	}
	if names {
		b = append(b, "</definedNames>"...)
	}
	return append(b, "</workbook>"...)
}

// quoteSheet quotes a sheet name for a formula: 'It”s'.
func quoteSheet(name string) string {
	return "'" + strings.ReplaceAll(name, "'", "''") + "'"
}

// appendRange appends the range r (first col, first row, last col, last
// row), as A1:H5 or, absolute, $A$1:$H$5.
func appendRange(b []byte, r [4]int, abs bool) []byte {
	ref := func(col, row int) {
		if abs {
			b = append(b, '$')
		}
		b = appendColName(b, col)
		if abs {
			b = append(b, '$')
		}
		b = strconv.AppendInt(b, int64(row), 10)
	}
	ref(r[0], r[1])
	b = append(b, ':')
	ref(r[2], r[3])
	return b
}

func (w *Writer) workbookRels() []byte {
	b := []byte(xmlHeader + `<Relationships xmlns="` + nsPkgRel + `">`)
	for _, s := range w.sheets {
		n := strconv.Itoa(s.index)
		b = append(b, `<Relationship Id="rId`+n+`" Type="`+nsRel+`/worksheet" Target="worksheets/sheet`+n+`.xml"/>`...)
	}
	n := strconv.Itoa(len(w.sheets) + 1)
	b = append(b, `<Relationship Id="rId`+n+`" Type="`+nsRel+`/styles" Target="styles.xml"/>`...)
	n = strconv.Itoa(len(w.sheets) + 2)
	b = append(b, `<Relationship Id="rId`+n+`" Type="`+nsRel+`/theme" Target="theme/theme1.xml"/>`...)
	return append(b, "</Relationships>"...)
}

// fontXML returns the font of the cells, after <font> and <b/>: the
// theme's (scheme minor, which Excel shows whatever the name says) or the
// one named in the Options.
func (w *Writer) fontXML() string {
	if w.opt.Font == "" {
		return `<sz val="` + strconv.FormatFloat(w.fontSize(), 'f', -1, 64) + `"/><name val="Calibri"/><family val="2"/><scheme val="minor"/></font>`
	}
	return `<sz val="` + strconv.FormatFloat(w.fontSize(), 'f', -1, 64) + `"/><name val="` + w.opt.Font + `"/><family val="2"/></font>`
}

// fontName is the name of the font of the cells and comments.
func (w *Writer) fontName() string { return cmp.Or(w.opt.Font, "Calibri") }

func (w *Writer) fontSize() float64 { return cmp.Or(w.opt.FontSize, 11) }

// rowHeight is the default height of a row, in points, for the font
// size: Excel's 15 for 11 points, 12.75 for 10.
func (w *Writer) rowHeight() float64 {
	if w.fontSize() == 11 {
		return 15
	}
	return math.Ceil(w.fontSize()*1.275/0.75) * 0.75
}

// stylesXML writes the styles: font 0 is the default, font 1 bold; fills 0
// and 1 are the two Excel requires, then one per colour in order of first
// use; cell format i is style i.
func (w *Writer) stylesXML() []byte {
	var fills []string
	for _, s := range w.styles {
		if s.Fill != "" && !slices.Contains(fills, s.Fill) {
			fills = append(fills, s.Fill)
		}
	}
	font := w.fontXML()
	b := []byte(xmlHeader + `<styleSheet xmlns="` + nsMain + `">` +
		`<fonts count="2"><font>` + font + `<font><b/>` + font + `</fonts><fills count="`)
	b = strconv.AppendInt(b, int64(2+len(fills)), 10)
	b = append(b, `"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>`...)
	for _, f := range fills {
		b = append(b, `<fill><patternFill patternType="solid"><fgColor rgb="FF`+f+`"/><bgColor indexed="64"/></patternFill></fill>`...)
	}
	b = append(b, `</fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>`+
		`<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="`...)
	b = strconv.AppendInt(b, int64(1+len(w.styles)), 10)
	b = append(b, `"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>`...)
	for _, s := range w.styles {
		fontID, fillID := 0, 0
		if s.Bold {
			fontID = 1
		}
		if s.Fill != "" {
			fillID = 2 + slices.Index(fills, s.Fill)
		}
		b = append(b, `<xf numFmtId="0" fontId="`...)
		b = strconv.AppendInt(b, int64(fontID), 10)
		b = append(b, `" fillId="`...)
		b = strconv.AppendInt(b, int64(fillID), 10)
		b = append(b, `" borderId="0" xfId="0"`...)
		if s.Bold {
			b = append(b, ` applyFont="1"`...)
		}
		if s.Fill != "" {
			b = append(b, ` applyFill="1"`...)
		}
		if s.WrapText {
			b = append(b, ` applyAlignment="1"><alignment wrapText="1"/></xf>`...)
		} else {
			b = append(b, `/>`...)
		}
	}
	return append(b, `</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>`+
		`<dxfs count="0"/><tableStyles count="0" defaultTableStyle="TableStyleMedium2" defaultPivotStyle="PivotStyleLight16"/></styleSheet>`...)
}
