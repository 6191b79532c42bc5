package provision

import (
	"archive/zip"
	"bytes"
	"io"
	"strings"
	"unicode/utf16"
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
	formatXLS       format = "xls"
	formatXLSB      format = "xlsb"
	formatODS       format = "ods"
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
	formatXLS:     {"an Excel 97-2003 workbook (.xls)", saveAsXLSX},
	formatXLSB:    {"an Excel binary workbook (.xlsb)", saveAsXLSX},
	formatODS:     {"an OpenDocument spreadsheet (.ods, LibreOffice or OpenOffice)", saveAsXLSX},
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
	head := data[:min(len(data), 4096)]
	if isText(head) {
		lower := strings.ToLower(string(bytes.TrimLeft(bytes.TrimPrefix(head, utf8BOM), " \t\r\n")))
		switch {
		case strings.HasPrefix(lower, "<?xml") && strings.Contains(lower, "urn:schemas-microsoft-com:office:spreadsheet"):
			return formatXML2003
		case strings.HasPrefix(lower, "<!doctype html"), strings.HasPrefix(lower, "<html"),
			strings.HasPrefix(lower, "<table"), strings.HasPrefix(lower, "<?xml") && strings.Contains(lower, "<html"):
			return formatHTML
		}
		return formatCSV
	}
	return formatBinary
}

// isText reports whether head looks like text: UTF-16 with a byte-order
// mark, or bytes with no NUL.
func isText(head []byte) bool {
	if bytes.HasPrefix(head, utf16LEBOM) || bytes.HasPrefix(head, utf16BEBOM) {
		return true
	}
	return bytes.IndexByte(head, 0) < 0
}

// sniffOLE looks for the stream names of an OLE2 directory (UTF-16LE).
func sniffOLE(data []byte) format {
	switch {
	case bytes.Contains(data, utf16LE("EncryptedPackage")) || bytes.Contains(data, utf16LE("EncryptionInfo")):
		return formatEncrypted
	case bytes.Contains(data, utf16LE("Workbook")) || bytes.Contains(data, utf16LE("Book")):
		return formatXLS
	}
	return formatOLE
}

func utf16LE(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}

// sniffZip tells an Office Open XML workbook from the other zip-based
// formats by the parts it holds.
func sniffZip(data []byte) format {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		if holdsWorkbookParts(data) {
			return formatDamaged
		}
		return formatZip
	}
	var workbook, binary, macro, word bool
	for _, f := range zr.File {
		switch name := f.Name; {
		case name == "mimetype":
			if m, err := readSmall(f, 256); err == nil {
				if strings.Contains(m, "opendocument.spreadsheet") {
					return formatODS
				}
				if strings.Contains(m, "opendocument") {
					return formatWord
				}
			}
		case strings.HasPrefix(name, "Index/") && strings.HasSuffix(name, ".iwa"), name == "Index.zip":
			return formatNumbers
		case name == "xl/workbook.xml":
			workbook = true
		case name == "xl/workbook.bin":
			binary = true
		case name == "[Content_Types].xml":
			if m, err := readSmall(f, 64<<10); err == nil && strings.Contains(m, "macroEnabled.main") {
				macro = true
			}
		case strings.HasPrefix(name, "word/"), strings.HasPrefix(name, "ppt/"):
			word = true
		}
	}
	switch {
	case workbook && macro:
		return formatXLSM
	case workbook:
		return formatXLSX
	case binary:
		return formatXLSB
	case word:
		return formatWord
	}
	return formatZip
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
			if len(h) >= 30+n && bytes.HasPrefix(h[30:30+n], []byte("xl/")) {
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
