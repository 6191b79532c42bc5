package provision

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"io"
	"path"
	"strings"
	"unicode/utf16"

	"github.com/dccprov/dccprov/provision/xlsx"
)

// format is a kind of file as its content says, whatever its extension.
type format string

// The formats [sniff] tells apart. Only xlsx, xlsm, encrypted (with a
// password) and csv are read.
const (
	formatXLSX      format = "xlsx"
	formatXLSM      format = "xlsm"
	formatCSV       format = "csv"
	formatEncrypted format = "encrypted"
	formatXLS       format = "xls"     // BIFF8: Excel 97-2003
	formatXLSOld    format = "xls-old" // BIFF2 to BIFF5: Excel 2.x to 95
	formatXLSB      format = "xlsb"
	formatXLSBLock  format = "xlsb-encrypted"
	formatODS       format = "ods"
	formatFODS      format = "fods" // flat ODF: one XML file
	formatODF       format = "odf"  // an OpenDocument text, presentation …
	formatNumbers   format = "numbers"
	formatXML2003   format = "xml2003"
	formatHTML      format = "html"
	formatPDF       format = "pdf"
	formatWord      format = "docx"
	formatOLE       format = "ole"
	formatZip       format = "zip"
	formatDamaged   format = "damaged" // a workbook whose zip is truncated or corrupt
	formatEmpty     format = "empty"
	formatBinary    format = "binary"
)

// saveAsXLSX is how to turn a workbook into one dccprov reads.
const saveAsXLSX = "open it in Excel or LibreOffice and save it as « Classeur Excel (.xlsx) », then run again"

// exportAsXLSX is how to get a workbook out of a document that is not one.
const exportAsXLSX = "export the staff list from the program that made it as « Classeur Excel (.xlsx) » or CSV, then run again"

// formatHelp describes each refused format and says how to fix it. It is
// never written.
var formatHelp = map[format]struct{ what, fix string }{
	formatXLS: {"an Excel 97-2003 workbook (.xls)", saveAsXLSX},
	formatXLSOld: {"an Excel workbook older than Excel 97 (.xls of Excel 2.x to 95)",
		"open it in LibreOffice (recent versions of Excel refuse files this old) and save it as « Classeur Excel (.xlsx) », then run again"},
	formatXLSB: {"an Excel binary workbook (.xlsb)", saveAsXLSX},
	formatXLSBLock: {"a password-protected Excel binary workbook (.xlsb), which dccprov does not read, password or not",
		"open it in Excel, remove the password and save it as « Classeur Excel (.xlsx) », then run again"},
	formatODS:     {"an OpenDocument spreadsheet (.ods, LibreOffice or OpenOffice)", saveAsXLSX},
	formatFODS:    {"a flat OpenDocument spreadsheet (.fods, LibreOffice or OpenOffice)", saveAsXLSX},
	formatODF:     {"an OpenDocument document that is not a spreadsheet", exportAsXLSX},
	formatNumbers: {"an Apple Numbers document (.numbers)", "open it in Numbers, choose Fichier > Exporter vers > Excel (.xlsx), then run again"},
	formatXML2003: {"an Excel 2003 XML spreadsheet", saveAsXLSX},
	formatHTML:    {"a web page (HTML), not a workbook", saveAsXLSX},
	formatPDF:     {"a PDF document, not a workbook", exportAsXLSX},
	formatWord:    {"a Word document, not a workbook", exportAsXLSX},
	formatOLE:     {"an Office 97-2003 document that is not a workbook", exportAsXLSX},
	formatZip:     {"a zip archive that is not an Excel workbook", exportAsXLSX},
	formatEmpty:   {"empty", "save the staff list into it as « Classeur Excel (.xlsx) », then run again"},
	formatBinary:  {"not a spreadsheet (its content is neither an Excel workbook nor text)", exportAsXLSX},
	formatEncrypted: {"a password-protected workbook",
		"run again with --password-file FILE (a file holding the password), or open it in Excel, remove the password and save it as « Classeur Excel (.xlsx) »"},
}

// FormatError says that a file is in a format dccprov does not read. It
// wraps [ErrUnsupportedFormat]; its text is one sentence naming the file,
// the format found and how to save the file as .xlsx.
type FormatError struct {
	File   string // base name
	Format string // the format found, in words
	Fix    string // how to make it readable
}

func (e *FormatError) Error() string {
	return e.File + " is " + e.Format + "; " + e.Fix
}

// Unwrap makes errors.Is(err, ErrUnsupportedFormat) true.
func (e *FormatError) Unwrap() error { return ErrUnsupportedFormat }

func newFormatError(name string, f format) error {
	h := formatHelp[f]
	return &FormatError{File: name, Format: h.what, Fix: h.fix}
}

// lockedFormat is the format to name for the password-protected package
// name when it cannot be decrypted: encrypted, its content does not say
// what it holds, so its name does. An .xlsb is one dccprov does not read
// even with the password; anything else may be an .xlsx.
func lockedFormat(name string) format {
	if strings.EqualFold(path.Ext(name), ".xlsb") {
		return formatXLSBLock
	}
	return formatEncrypted
}

// oleMagic starts every OLE2 compound file: .xls, .doc, and the container
// of an encrypted .xlsx.
var oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// sniff tells the format of data by its content, never by the file name: an
// .xls renamed .xlsx is still an .xls.
func sniff(data []byte) format {
	switch {
	case len(bytes.TrimSpace(data)) == 0:
		return formatEmpty
	case bytes.HasPrefix(data, oleMagic):
		return sniffOLE(data)
	case bytes.HasPrefix(data, []byte("PK\x03\x04")), bytes.HasPrefix(data, []byte("PK\x05\x06")):
		return sniffZip(data)
	case bytes.HasPrefix(data, []byte("%PDF")):
		return formatPDF
	}
	if v := biffVersion(data); v > 0 {
		// A workbook of Excel 2.x to 4.0 is a bare BIFF stream, not in
		// an OLE2 file.
		if v >= 8 {
			return formatXLS
		}
		return formatXLSOld
	}
	head := data[:min(len(data), 4096)]
	form := unicodeForm(head)
	if form == "" && bytes.IndexByte(head, 0) >= 0 {
		return formatBinary
	}
	// Markup is told by its first 64 KiB: the root element of a flat ODF
	// file declares some forty namespaces before its type.
	text := data[:min(len(data), 64<<10)]
	if form != "" {
		text = []byte(decodeUnicode(text, form))
	}
	lower := strings.ToLower(string(bytes.TrimLeft(bytes.TrimPrefix(text, utf8BOM), " \t\r\n")))
	xmlDoc := strings.HasPrefix(lower, "<?xml")
	switch {
	case xmlDoc && strings.Contains(lower, "urn:schemas-microsoft-com:office:spreadsheet"):
		return formatXML2003
	case (xmlDoc || strings.HasPrefix(lower, "<office:document")) && strings.Contains(lower, "urn:oasis:names:tc:opendocument:xmlns:office"):
		if strings.Contains(lower, "opendocument.spreadsheet") || strings.Contains(lower, "<office:spreadsheet") ||
			bytes.Contains(data, []byte("<office:spreadsheet")) {
			return formatFODS
		}
		return formatODF
	case strings.HasPrefix(lower, "<!doctype html"), strings.HasPrefix(lower, "<html"),
		strings.HasPrefix(lower, "<table"), xmlDoc && strings.Contains(lower, "<html"):
		return formatHTML
	}
	return formatCSV
}

// biffVersion returns the BIFF version (2, 3, 4, 5 or 8) of data when it
// starts with the beginning-of-file record of a worksheet or workbook, else
// 0.
func biffVersion(data []byte) int {
	if len(data) < 8 {
		return 0
	}
	id, size, kind := le16(data), le16(data[2:]), le16(data[6:])
	v := 0
	switch {
	case id == 0x0009 && size == 4:
		v = 2
	case id == 0x0209 && size == 6:
		v = 3
	case id == 0x0409 && size == 6:
		v = 4
	case id == 0x0809 && (size == 8 || size == 16):
		v = 5
		if le16(data[4:]) == 0x0600 {
			v = 8
		}
	default:
		return 0
	}
	// Workbook globals (BIFF5, BIFF4W), worksheet, chart, macro sheet.
	switch kind {
	case 0x0005, 0x0100, 0x0010, 0x0020, 0x0040:
		return v
	}
	return 0
}

func le16(b []byte) uint16 { return binary.LittleEndian.Uint16(b) }

// sniffOLE tells the documents kept in an OLE2 compound file apart by the
// names of its streams, which compare case-insensitively: Excel writes
// "Workbook" (BIFF8) or "Book" (BIFF5), other programs "WORKBOOK" or
// "BOOK". The version of a workbook is that of its first record.
func sniffOLE(data []byte) format {
	entries, ok := oleDirectory(data)
	if !ok {
		// Cut short, or damaged: look for the names where they may lie.
		low := make([]byte, len(data))
		for i, c := range data {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			low[i] = c
		}
		switch {
		case bytes.Contains(low, utf16LE("encryptedpackage")):
			return formatEncrypted
		case bytes.Contains(low, utf16LE("workbook")):
			return formatXLS
		case bytes.Contains(low, utf16LE("book")):
			return formatXLSOld
		}
		// Or the first record of a workbook stream, at a sector's start.
		for off := 512; off+8 <= len(data); off += 512 {
			if v := biffVersion(data[off:]); v >= 8 {
				return formatXLS
			} else if v >= 5 {
				return formatXLSOld
			}
		}
		return formatOLE
	}
	for _, e := range entries {
		if strings.EqualFold(e.name, "EncryptedPackage") {
			return formatEncrypted
		}
	}
	for _, e := range entries {
		if !e.stream || !strings.EqualFold(e.name, "Workbook") && !strings.EqualFold(e.name, "Book") {
			continue
		}
		switch v := biffVersion(e.head); {
		case v >= 8:
			return formatXLS
		case v > 0:
			return formatXLSOld
		case strings.EqualFold(e.name, "Book"):
			return formatXLSOld // BIFF5 is what Excel 5 and 95 name so
		}
		return formatXLS
	}
	return formatOLE
}

// oleEntry is an entry of the directory of an OLE2 compound file: its
// name, whether it is a stream, and the first bytes of a stream.
type oleEntry struct {
	name   string
	stream bool
	head   []byte
}

// oleDirectory reads the directory of the compound file data ([MS-CFB]):
// ok is false when it cannot be read through (a file cut short). Every
// loop is bounded by the number of sectors of data.
func oleDirectory(data []byte) (entries []oleEntry, ok bool) {
	if len(data) < 512 {
		return nil, false
	}
	shift := le16(data[0x1E:])
	if shift != 9 && shift != 12 {
		return nil, false
	}
	size := 1 << shift
	sectors := len(data)/size + 1
	u32 := func(off int) (uint32, bool) {
		if off < 0 || off+4 > len(data) {
			return 0, false
		}
		return binary.LittleEndian.Uint32(data[off:]), true
	}
	offset := func(s uint32) int { return (int(s) + 1) << shift }
	// The sectors of the allocation table: 109 in the header, the rest
	// in a chain of DIFAT sectors.
	var fat []uint32
	for i := range 109 {
		s, _ := u32(0x4C + 4*i)
		if s >= 0xFFFFFFFA {
			break
		}
		fat = append(fat, s)
	}
	next, _ := u32(0x44)
	for n := 0; next < 0xFFFFFFFA && n < sectors; n++ {
		base := offset(next)
		for i := range size/4 - 1 {
			s, ok := u32(base + 4*i)
			if !ok {
				return nil, false
			}
			if s < 0xFFFFFFFA {
				fat = append(fat, s)
			}
		}
		if next, ok = u32(base + size - 4); !ok {
			return nil, false
		}
	}
	follow := func(s uint32) (uint32, bool) {
		i := int(s) / (size / 4)
		if i >= len(fat) {
			return 0, false
		}
		return u32(offset(fat[i]) + 4*(int(s)%(size/4)))
	}
	// at returns the offset of byte k of the chain from sector s.
	at := func(s uint32, k int) (int, bool) {
		if k/size > sectors {
			return 0, false
		}
		for range k / size {
			var ok bool
			if s, ok = follow(s); !ok || s >= 0xFFFFFFFA {
				return 0, false
			}
		}
		return offset(s) + k%size, true
	}
	cutoff, _ := u32(0x38)
	dir, _ := u32(0x30)
	var root uint32
	for n := 0; dir < 0xFFFFFFFA; n++ {
		if n >= sectors || offset(dir)+size > len(data) {
			return nil, false
		}
		for i := range size / 128 {
			e := data[offset(dir)+128*i:][:128]
			nameLen := min(int(le16(e[0x40:])), 64)
			kind := e[0x42]
			if kind == 0 || nameLen < 2 {
				continue
			}
			u := make([]uint16, nameLen/2-1)
			for j := range u {
				u[j] = le16(e[2*j:])
			}
			start := binary.LittleEndian.Uint32(e[0x74:])
			length := binary.LittleEndian.Uint32(e[0x78:])
			entry := oleEntry{name: string(utf16.Decode(u)), stream: kind == 2}
			switch {
			case kind == 5:
				root = start
			case entry.stream && length >= cutoff:
				if off, ok := at(start, 0); ok && off+8 <= len(data) {
					entry.head = data[off : off+8]
				}
			case entry.stream:
				// A small stream lies in the mini stream, the root's
				// chain, in 64-byte sectors.
				if off, ok := at(root, int(start)*64); ok && off+8 <= len(data) {
					entry.head = data[off : off+8]
				}
			}
			entries = append(entries, entry)
		}
		var ok bool
		if dir, ok = follow(dir); !ok {
			return nil, false
		}
	}
	return entries, true
}

func utf16LE(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}

// sniffZip tells an Office Open XML workbook from the other zip-based
// formats: by the content type of the package's main part, found as the
// worksheet reader finds it (package relationships, content types, entry
// names with backslashes or in any case), else by the names of its parts.
func sniffZip(data []byte) format {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		if holdsWorkbookParts(data) {
			return formatDamaged
		}
		return formatZip
	}
	var workbook, binary, word bool
	for _, f := range zr.File {
		name := strings.ToLower(strings.TrimLeft(strings.ReplaceAll(f.Name, "\\", "/"), "/"))
		switch {
		case name == "mimetype":
			if m, err := readSmall(f, 256); err == nil {
				if strings.Contains(m, "opendocument.spreadsheet") {
					return formatODS
				}
				if strings.Contains(m, "opendocument") {
					return formatODF
				}
			}
		case isNumbersPart(name):
			return formatNumbers
		case name == "xl/workbook.xml":
			workbook = true
		case name == "xl/workbook.bin":
			binary = true
		case strings.HasPrefix(name, "word/"), strings.HasPrefix(name, "ppt/"):
			word = true
		}
	}
	part, ct, err := xlsx.MainPart(zr)
	if err != nil {
		if workbook || binary {
			return formatDamaged
		}
		return formatZip
	}
	switch {
	case strings.Contains(ct, "spreadsheetml.sheet.main+xml"), strings.Contains(ct, "spreadsheetml.template.main+xml"):
		return formatXLSX
	case strings.Contains(ct, "ms-excel.sheet.macroenabled.main+xml"), strings.Contains(ct, "ms-excel.template.macroenabled.main+xml"),
		strings.Contains(ct, "ms-excel.addin.macroenabled.main+xml"):
		return formatXLSM
	case strings.Contains(ct, "ms-excel.sheet.binary"):
		return formatXLSB
	case strings.Contains(ct, "wordprocessingml"), strings.Contains(ct, "presentationml"):
		return formatWord
	}
	// No content type says: the main part's name does.
	switch ext := strings.ToLower(path.Ext(part)); {
	case ext == ".bin":
		return formatXLSB
	case ext == ".xml" && !word:
		return formatXLSX
	case binary:
		return formatXLSB
	case word:
		return formatWord
	}
	return formatZip
}

// isNumbersPart reports whether name (lower-case) is a part of an Apple
// Numbers document: its Index/*.iwa (Numbers 3 and later) or Index.zip,
// also inside a zipped package (Liste.numbers/Index/Document.iwa), or an
// entry or folder named *.numbers.
func isNumbersPart(name string) bool {
	for el := range strings.SplitSeq(strings.TrimSuffix(name, "/"), "/") {
		if strings.HasSuffix(el, ".numbers") {
			return true
		}
	}
	return path.Base(name) == "index.zip" ||
		strings.HasSuffix(name, ".iwa") && (strings.HasPrefix(name, "index/") || strings.Contains(name, "/index/"))
}

// holdsWorkbookParts reports whether data, a zip archive whose directory
// cannot be read (it is at the end: a file cut short loses it), holds parts
// of a workbook: the local header of each part, in the clear, names it.
func holdsWorkbookParts(data []byte) bool {
	sig := []byte("PK\x03\x04")
	for i := 0; ; {
		j := bytes.Index(data[i:], sig)
		if j < 0 {
			return false
		}
		h := data[i+j:]
		if len(h) >= 30 {
			n := int(h[26]) | int(h[27])<<8
			if len(h) >= 30+n && (bytes.HasPrefix(h[30:30+n], []byte("xl/")) || bytes.HasPrefix(h[30:30+n], []byte(`xl\`))) {
				return true
			}
		}
		i += j + len(sig)
	}
}

func readSmall(f *zip.File, limit int64) (string, error) {
	rc, err := f.Open()
	if err != nil {
		return "", err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, limit))
	return string(b), err
}
