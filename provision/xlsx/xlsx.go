// Package xlsx is a fast, streaming reader of the worksheets of Office Open
// XML workbooks (.xlsx, .xlsm).
//
// It reads the package with archive/zip, the small parts (relationships,
// workbook, styles) with encoding/xml, and the worksheets and the shared
// strings with a hand-written byte scanner. Each cell gets both the value
// excelize's Rows.Columns returns with RawCellValue set ([Cell].Value) and
// the one it returns without ([Cell].Shown), so that a caller can move
// from excelize's row iterator to this package unchanged. Memory is
// bounded by the shared-strings table, held as one byte arena; rows are
// streamed, and every read is bounded by [Limits].
//
// # Differences from excelize
//
// These are kept on purpose; the differential tests skip or work around
// them:
//
//   - [Rows] yields only the rows present in the sheet's XML, in
//     increasing number; excelize also yields an empty row for every
//     missing row number.
//   - Rows or cells that go backwards or repeat a position are
//     [ErrDamaged]; excelize yields them out of order or shifts cells.
//   - Malformed XML (bad nesting, entities or characters) is
//     [ErrDamaged]; excelize stops reading silently there and returns
//     what it read.
//   - The shared strings and styles are the parts the workbook's
//     relationships name, else the parts the content types declare, else
//     xl/sharedStrings.xml and xl/styles.xml; excelize always reads those
//     two paths. The workbook is the part the package relationships name,
//     else the one the content types declare ([MainPart]); excelize finds
//     none without the relationship.
//   - Part names compare case-insensitively, as the Open Packaging
//     Conventions say, with backslashes read as slashes (so does
//     excelize) and a percent-encoded target matching an unencoded name;
//     excelize ignores case only for [Content_Types].xml and
//     xl/sharedStrings.xml.
//   - A hidden row is reported hidden even when it is the sheet's first
//     row and not row 1; excelize's GetRowOpts loses that row's options.
//   - Overlapping merged ranges are returned as written; excelize's
//     GetMergeCells fuses them.
//   - A sheet's relationship id (<sheet r:id>) is taken in whatever
//     namespace its prefix names (strict OOXML has its own); excelize
//     reads it only in transitional OOXML's, and finds no rows otherwise.
//   - Number formats that name months, weekdays or AM/PM in a language
//     other than English ([$-40C]mmmm), or have a fraction (# ?/?), a
//     condition ([<100]) or a switch ([DBNum1]) are not rendered: Shown
//     is then the value excelize would format from. Locales and
//     currencies otherwise are ([$-40C]dd/mm/yyyy, #,##0.00 [$€-40C]).
//
// The rest follows excelize, quirks included: a number with no style
// shows in its shortest form ("1.50" as "1.5"), one under a General style
// with more than 11 digits in scientific form ("1.23456789E+11"), a t="d"
// cell as its serial number, and a t="s" cell whose index is not a number
// as shared string 0.
package xlsx

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"github.com/klauspost/compress/flate"
	"io"
	"io/fs"
	"path"
	"strconv"
	"strings"
)

// ErrNotWorkbook is the error for a file that is not a zip package, or a
// package without a workbook part.
var ErrNotWorkbook = errors.New("not an xlsx workbook")

// ErrDamaged is the error for a workbook that cannot be read through:
// malformed XML, a truncated or corrupt zip, a reference to a missing part
// or shared string.
var ErrDamaged = errors.New("damaged xlsx workbook")

// ErrLimit is the error for a workbook that exceeds one of the [Limits].
var ErrLimit = errors.New("xlsx limit exceeded")

// Limits bound what [Open] and [Book.Rows] read. A zero field takes its
// default: 1 GiB for UnzipBytes, 64 MiB for XMLPartBytes, 128 KiB for
// CellBytes (Excel holds at most 32,767 UTF-16 units in a cell).
type Limits struct {
	// UnzipBytes bounds the total uncompressed bytes read from the
	// package: the sum over the parts Open reads, then, for each call to
	// Rows or MergedRanges, the bytes of the sheet read by that call
	// (each pass is bounded by what Open left).
	UnzipBytes int64
	// XMLPartBytes bounds the uncompressed size of any one part read
	// whole: the workbook, relationships and styles. The shared strings
	// stream into their table, within UnzipBytes.
	XMLPartBytes int64
	// CellBytes bounds the decoded size of one cell or shared string
	// (and, times four, of one XML token); more is an error.
	CellBytes int
}

// The defaults of Limits.
const (
	defaultUnzipBytes   = 1 << 30
	defaultXMLPartBytes = 64 << 20
	defaultCellBytes    = 128 << 10
)

func (l Limits) withDefaults() Limits {
	if l.UnzipBytes <= 0 {
		l.UnzipBytes = defaultUnzipBytes
	}
	if l.XMLPartBytes <= 0 {
		l.XMLPartBytes = defaultXMLPartBytes
	}
	if l.CellBytes <= 0 {
		l.CellBytes = defaultCellBytes
	}
	return l
}

// tokenBytes is the most bytes the scanner holds for one token.
func (l Limits) tokenBytes() int {
	return max(4*l.CellBytes, 64<<10)
}

// Sheet is a worksheet of a workbook, as [Book.Sheets] lists it.
type Sheet struct {
	Name   string
	Hidden bool // state="hidden" or state="veryHidden"
}

// Book is an open workbook: its sheets, styles and shared strings. It reads
// from the io.ReaderAt given to [Open], which must stay open while the
// Book is used. A Book is read-only once open: several [Rows] may read it
// at once, from different goroutines (each Rows is for one goroutine).
type Book struct {
	files    parts
	types    contentTypes
	lim      Limits
	left     int64 // UnzipBytes not used by Open
	sheets   []Sheet
	parts    []string // the part of each sheet
	date1904 bool
	styles   styles
	sst      sst
	sstPart  string // the part read for sst, "" for none
	// early is the search for merged cells of the biggest sheet (the
	// staff list, in a staff workbook), started by Open before it reads
	// the shared strings so that both inflate at once; nil for none.
	early *mergeSearch
}

// mergeSearch is a [Book.partHolds] run in its own goroutine.
type mergeSearch struct {
	part  *zip.File
	done  chan struct{}
	found bool
	read  int64 // bytes inflated to find the answer
	err   error
}

// Open reads the structure of the workbook r (of size bytes): the package
// and workbook relationships, the workbook, the styles and the shared
// strings. A file that is not a zip is [ErrNotWorkbook]; a damaged one,
// [ErrDamaged]; one over lim, [ErrLimit].
func Open(r io.ReaderAt, size int64, lim Limits) (*Book, error) {
	lim = lim.withDefaults()
	zr, err := zip.NewReader(r, size)
	if err != nil {
		// A zip starts with a local file header: with one, the file is a
		// truncated or corrupt package, not some other format.
		var magic [4]byte
		if n, _ := r.ReadAt(magic[:], 0); n == 4 && string(magic[:]) == "PK\x03\x04" {
			return nil, fmt.Errorf("%w: unreadable zip directory", ErrDamaged)
		}
		return nil, fmt.Errorf("%w: not a zip package", ErrNotWorkbook)
	}
	// klauspost's inflate reads a sheet about 1.4 times faster than the
	// standard library's, and a check reads each sheet twice.
	zr.RegisterDecompressor(zip.Deflate, func(r io.Reader) io.ReadCloser { return flate.NewReader(r) })
	b := &Book{files: newParts(zr.File), lim: lim, left: lim.UnzipBytes}
	if err := b.open(); err != nil {
		return nil, err
	}
	return b, nil
}

func (b *Book) open() error {
	if err := b.readContentTypes(); err != nil {
		return err
	}
	wb, err := b.mainPart()
	if err != nil {
		return err
	}
	if wb == "" {
		return errNoWorkbook
	}
	var w struct {
		WorkbookPr struct {
			Date1904 string `xml:"date1904,attr"`
		} `xml:"workbookPr"`
		Sheets []struct {
			Name  string     `xml:"name,attr"`
			State string     `xml:"state,attr"`
			Attrs []xml.Attr `xml:",any,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := b.decode(wb, &w); err != nil {
		return err
	}
	if d := w.WorkbookPr.Date1904; d != "" {
		v, err := strconv.ParseBool(d)
		if err != nil {
			return fmt.Errorf("%w: bad date1904 in workbook", ErrDamaged)
		}
		b.date1904 = v
	}
	dir, base := path.Split(wb)
	wbRels, err := b.readRels(dir + "_rels/" + base + ".rels")
	if err != nil {
		return err
	}
	byID := make(map[string]string, len(wbRels))
	var sstPart, stylesPart string
	for _, r := range wbRels {
		t := resolve(dir, r.Target)
		byID[r.ID] = t
		switch {
		case strings.HasSuffix(r.Type, "/sharedStrings"):
			sstPart = t
		case strings.HasSuffix(r.Type, "/styles"):
			stylesPart = t
		}
	}
	for _, s := range w.Sheets {
		id := ""
		for _, a := range s.Attrs {
			if a.Name.Local == "id" && a.Name.Space != "" {
				id = a.Value
			}
		}
		b.sheets = append(b.sheets, Sheet{Name: s.Name, Hidden: s.State == "hidden" || s.State == "veryHidden"})
		b.parts = append(b.parts, byID[id])
	}
	// Without a relationship (or with one to a missing part), the content
	// types may declare the parts; else excelize reads them at their usual
	// place: so does this reader.
	b.searchEarly()
	stylesPart = b.firstPart(stylesPart, b.findType(ctStyles), "xl/styles.xml")
	sstPart = b.firstPart(sstPart, b.findType(ctSharedStrings), "xl/sharedStrings.xml")
	if stylesPart != "" {
		if b.styles, err = b.readStyles(stylesPart); err != nil {
			return err
		}
	}
	if sstPart != "" {
		if b.sst, err = b.readSST(sstPart); err != nil {
			return err
		}
		b.sstPart = sstPart
	}
	return nil
}

// resolve returns the part a relationship target names, from the folder
// dir of its source part.
func resolve(dir, target string) string {
	target = strings.ReplaceAll(target, "\\", "/")
	if after, ok := strings.CutPrefix(target, "/"); ok {
		return path.Clean(after)
	}
	return strings.TrimPrefix(path.Join(dir, target), "/")
}

// Sheets returns the worksheets of the workbook in workbook order.
func (b *Book) Sheets() []Sheet {
	return append([]Sheet(nil), b.sheets...)
}

// HasNumberFormats reports whether any cell style (cellXfs) of the
// workbook has a number format other than General (0) or text (49), or a
// custom one: only then can a displayed value differ from the stored one
// in a way that matters (a date, a zero-padded number).
func (b *Book) HasNumberFormats() bool {
	for _, id := range b.styles.xfs {
		if id != 0 && id != 49 {
			return true
		}
		if _, ok := b.styles.custom[id]; ok {
			return true
		}
	}
	return false
}

// part returns the part of sheet.
func (b *Book) part(sheet string) (*zip.File, error) {
	for i, s := range b.sheets {
		if s.Name != sheet {
			continue
		}
		if f := b.files.file(b.parts[i]); f != nil {
			return f, nil
		}
		return nil, fmt.Errorf("%w: no part for sheet %q", ErrDamaged, sheet)
	}
	return nil, fmt.Errorf("no sheet %q", sheet)
}

// countingReader counts the bytes read against a limit; past it, reads
// fail with ErrLimit.
type countingReader struct {
	r    io.Reader
	left int64
	name string // of the limit
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		// One byte more tells a part of exactly the limit from a bigger one.
		var one [1]byte
		if n, _ := c.r.Read(one[:]); n == 0 {
			return 0, io.EOF
		}
		return 0, fmt.Errorf("%w: %s", ErrLimit, c.name)
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}

// damaged turns a read error into ErrDamaged, keeping ErrLimit.
func damaged(what string, err error) error {
	if errors.Is(err, ErrLimit) {
		return err
	}
	if errors.Is(err, errSyntax) {
		return fmt.Errorf("%w: malformed XML in %s", ErrDamaged, what)
	}
	return fmt.Errorf("%w: reading %s", ErrDamaged, what)
}

// readPart reads a part whole, within XMLPartBytes and what is left of
// UnzipBytes; a missing part reads as nil, fs.ErrNotExist.
func (b *Book) readPart(name string) ([]byte, error) {
	f := b.files.file(name)
	if f == nil {
		return nil, fs.ErrNotExist
	}
	rc, err := f.Open()
	if err != nil {
		return nil, damaged(name, err)
	}
	defer rc.Close()
	lr := &countingReader{r: rc, left: b.lim.XMLPartBytes, name: "XMLPartBytes"}
	if b.left < lr.left {
		lr.left, lr.name = b.left, "UnzipBytes"
	}
	var buf bytes.Buffer
	// The declared size is only a hint: a forged one must not make us
	// allocate the whole limit up front.
	if f.UncompressedSize64 < uint64(lr.left) {
		buf.Grow(int(min(f.UncompressedSize64, 4<<20)) + 1)
	}
	_, err = buf.ReadFrom(lr)
	b.left -= int64(buf.Len())
	if err != nil {
		return nil, damaged(name, err)
	}
	return buf.Bytes(), nil
}

// decode reads the part name into v with encoding/xml.
func (b *Book) decode(name string, v any) error {
	data, err := b.readPart(name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%w: no part %s", ErrDamaged, name)
		}
		return err
	}
	if err := xml.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%w: malformed XML in %s", ErrDamaged, name)
	}
	return nil
}

// relationship is one entry of a .rels part.
type relationship struct {
	ID         string `xml:"Id,attr"`
	Type       string `xml:"Type,attr"`
	Target     string `xml:"Target,attr"`
	TargetMode string `xml:"TargetMode,attr"`
}

// readRels reads a relationships part; a missing part has none.
func (b *Book) readRels(name string) ([]relationship, error) {
	if b.files.file(name) == nil {
		return nil, nil
	}
	var rels struct {
		Relationships []relationship `xml:"Relationship"`
	}
	if err := b.decode(name, &rels); err != nil {
		return nil, err
	}
	return rels.Relationships, nil
}
