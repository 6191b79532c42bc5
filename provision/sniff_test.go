package provision

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"
)

// The files of this test are made from the samples and fixtures by the
// helpers below, the way other programs write them: nothing is copied from
// another project.

// rezip rewrites the zip data entry by entry through edit, which gets and
// returns an entry's name and body; a name "" drops the entry.
func rezip(tb testing.TB, data []byte, edit func(name string, body []byte) (string, []byte)) []byte {
	tb.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		tb.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			tb.Fatal(err)
		}
		body, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			tb.Fatal(err)
		}
		name, body := edit(f.Name, body)
		if name == "" {
			continue
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate})
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := w.Write(body); err != nil {
			tb.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// withBackslashes names every entry of a workbook with backslashes, as
// some Windows tools do: xl\worksheets\sheet1.xml.
func withBackslashes(tb testing.TB, data []byte) []byte {
	return rezip(tb, data, func(name string, body []byte) (string, []byte) {
		return strings.ReplaceAll(name, "/", `\`), body
	})
}

// withLowerTypes lower-cases the content types part's name and, in it,
// every content type and part name.
func withLowerTypes(tb testing.TB, data []byte) []byte {
	return rezip(tb, data, func(name string, body []byte) (string, []byte) {
		if name == "[Content_Types].xml" {
			return "[content_types].xml", lowerAttrs(body, "ContentType", "PartName")
		}
		return name, body
	})
}

// lowerAttrs lower-cases the value of every attribute of body named in
// attrs.
func lowerAttrs(body []byte, attrs ...string) []byte {
	for _, a := range attrs {
		key := []byte(" " + a + `="`)
		out := bytes.Clone(body)
		for i := 0; ; {
			j := bytes.Index(out[i:], key)
			if j < 0 {
				break
			}
			i += j + len(key)
			end := i + bytes.IndexByte(out[i:], '"')
			copy(out[i:end], bytes.ToLower(out[i:end]))
			i = end
		}
		body = out
	}
	return body
}

// withMovedParts moves xl/ to classeur/ and xl/workbook.xml to
// classeur/principal.xml, rewriting the package relationships and the
// content types; without package relationships (noRels), the workbook is
// found through the content types alone.
func withMovedParts(tb testing.TB, data []byte, noRels bool) []byte {
	move := func(b []byte) []byte {
		b = bytes.ReplaceAll(b, []byte("xl/workbook.xml"), []byte("classeur/principal.xml"))
		return bytes.ReplaceAll(b, []byte("/xl/"), []byte("/classeur/"))
	}
	return rezip(tb, data, func(name string, body []byte) (string, []byte) {
		switch {
		case name == "_rels/.rels" && noRels:
			return "", nil
		case name == "_rels/.rels", name == "[Content_Types].xml":
			return name, move(bytes.ReplaceAll(body, []byte(`"xl/`), []byte(`"/xl/`)))
		case name == "xl/workbook.xml":
			return "classeur/principal.xml", body
		case name == "xl/_rels/workbook.xml.rels":
			return "classeur/_rels/principal.xml.rels", move(body)
		}
		if rest, ok := strings.CutPrefix(name, "xl/"); ok {
			return "classeur/" + rest, body
		}
		return name, body
	})
}

// renameOLEStream renames the directory entry from of the OLE2 file data
// to to (at most 31 characters).
func renameOLEStream(tb testing.TB, data []byte, from, to string) []byte {
	tb.Helper()
	out := bytes.Clone(data)
	name := utf16LE(from + "\x00")
	for i := 0; ; {
		j := bytes.Index(out[i:], name)
		if j < 0 {
			tb.Fatalf("no directory entry %q", from)
		}
		if i += j; (i-512)%128 == 0 && int(binary.LittleEndian.Uint16(out[i+0x40:])) == len(name) {
			clear(out[i : i+64])
			copy(out[i:], utf16LE(to+"\x00"))
			binary.LittleEndian.PutUint16(out[i+0x40:], uint16(2*(len(to)+1)))
			return out
		}
		i++
	}
}

// asBIFF5 turns the BIFF8 beginning-of-file record of the workbook stream
// of data into a BIFF5 one, as Excel 5 and 95 write.
func asBIFF5(tb testing.TB, data []byte) []byte {
	tb.Helper()
	bof := []byte{0x09, 0x08, 0x10, 0x00, 0x00, 0x06}
	i := bytes.Index(data, bof)
	if i < 0 {
		tb.Fatal("no BIFF8 beginning-of-file record")
	}
	out := bytes.Clone(data)
	copy(out[i:], []byte{0x09, 0x08, 0x08, 0x00, 0x00, 0x05})
	return out
}

// biffFile is a bare BIFF stream of Excel 2.x to 4.0: a beginning-of-file
// record of id, then an end-of-file record.
func biffFile(id uint16, kind uint16) []byte {
	var b []byte
	size := uint16(6)
	if id == 0x0009 {
		size = 4
	}
	b = binary.LittleEndian.AppendUint16(b, id)
	b = binary.LittleEndian.AppendUint16(b, size)
	b = binary.LittleEndian.AppendUint16(b, 0x0000) // version
	b = binary.LittleEndian.AppendUint16(b, kind)
	if size == 6 {
		b = binary.LittleEndian.AppendUint16(b, 0)
	}
	return append(b, 0x0A, 0x00, 0x00, 0x00) // EOF
}

// flatODF is a flat OpenDocument file of mimetype, its root element
// declaring enough namespaces (as LibreOffice does) to push its type past
// the first 4 KiB.
func flatODF(mimetype, body string) []byte {
	var b strings.Builder
	b.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\n<office:document xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\"")
	for i := range 60 {
		b.WriteString(" xmlns:ns" + strconv.Itoa(i) + "=\"urn:oasis:names:tc:opendocument:xmlns:extension-" + strconv.Itoa(i) + ":1.0\"")
	}
	b.WriteString(` office:version="1.3" office:mimetype="` + mimetype + `">` + body + `</office:document>`)
	return []byte(b.String())
}

// encryptedZip is the zip data encrypted with password, as Excel does.
func encryptedZip(tb testing.TB, data []byte, password string) []byte {
	tb.Helper()
	out, err := excelize.Encrypt(data, &excelize.Options{Password: password})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// xlsbPackage is a small .xlsb package: its workbook part is binary.
// An image makes it over 4 KiB: excelize encrypts a smaller package into a
// file it cannot decrypt.
func xlsbPackage(tb testing.TB) []byte {
	noise := make([]byte, 8<<10)
	for i, x := 0, uint32(1); i < len(noise); i++ {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		noise[i] = byte(x)
	}
	return mustZip(tb, map[string]string{
		"xl/media/image1.png": string(noise),
		"[Content_Types].xml": `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/></Types>`,
		"_rels/.rels":         `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.bin"/></Relationships>`,
		"xl/workbook.bin":     "\x83\x01\x00\x84\x01\x00",
	})
}

// utf16Text and utf32Text encode s, with a byte-order mark when bom.
func utf16Text(tb testing.TB, s string, big, bom bool) []byte {
	order, mark := unicode.LittleEndian, unicode.IgnoreBOM
	if big {
		order = unicode.BigEndian
	}
	if bom {
		mark = unicode.UseBOM
	}
	b, err := unicode.UTF16(order, mark).NewEncoder().String(s)
	if err != nil {
		tb.Fatal(err)
	}
	return []byte(b)
}

func utf32Text(tb testing.TB, s string, big, bom bool) []byte {
	order, mark := utf32.LittleEndian, utf32.IgnoreBOM
	if big {
		order = utf32.BigEndian
	}
	if bom {
		mark = utf32.UseBOM
	}
	b, err := utf32.UTF32(order, mark).NewEncoder().String(s)
	if err != nil {
		tb.Fatal(err)
	}
	return []byte(b)
}

// TestSniffFormats names the format of files as other programs write
// them, by content alone.
func TestSniffFormats(t *testing.T) {
	t.Parallel()
	sample := mustRead(t, "../samples/liste-personnels.xlsx")
	libre := mustRead(t, "testdata/fixtures/liste-libreoffice.xlsx")
	xls := mustRead(t, "testdata/fixtures/refuse-format.xls")
	macro := rezip(t, sample, func(name string, body []byte) (string, []byte) {
		if name == "[Content_Types].xml" {
			body = bytes.ReplaceAll(body, []byte("spreadsheetml.sheet.main+xml"), []byte("ms-excel.sheet.macroEnabled.main+xml"))
			body = bytes.ReplaceAll(body, []byte("application/vnd.openxmlformats-officedocument.ms-excel"), []byte("application/vnd.ms-excel"))
		}
		return name, body
	})
	text := "Nom;Prénom;Courriel\r\nDUPONT;Jeanne;jeanne.dupont@chu-exemple.fr\r\n"
	tests := []struct {
		name string
		data []byte
		want format
	}{
		// Office Open XML packages, however laid out.
		{"sample", sample, formatXLSX},
		{"backslashes", withBackslashes(t, sample), formatXLSX},
		{"backslashes LibreOffice", withBackslashes(t, libre), formatXLSX},
		{"lower-case content types", withLowerTypes(t, sample), formatXLSX},
		{"moved parts", withMovedParts(t, sample, false), formatXLSX},
		{"moved parts, no package rels", withMovedParts(t, sample, true), formatXLSX},
		{"moved, backslashes, lower-case", withLowerTypes(t, withBackslashes(t, withMovedParts(t, libre, true))), formatXLSX},
		{"macro-enabled", macro, formatXLSM},
		{"macro-enabled lower-case", withLowerTypes(t, macro), formatXLSM},
		{"xlsb", xlsbPackage(t), formatXLSB},
		{"xlsb backslashes", withBackslashes(t, xlsbPackage(t)), formatXLSB},
		{"docx", mustZip(t, map[string]string{"word/document.xml": "x"}), formatWord},
		// Apple Numbers, as saved and as zipped by the Finder or a mail.
		{"numbers", mustZip(t, map[string]string{"Index/Document.iwa": "x", "Metadata/Properties.plist": "x"}), formatNumbers},
		{"numbers zipped package", mustZip(t, map[string]string{"Liste.numbers/Index/Document.iwa": "x", "Liste.numbers/Metadata/Properties.plist": "x", "__MACOSX/Liste.numbers/._Index": "x"}), formatNumbers},
		{"numbers 3 package", mustZip(t, map[string]string{"Liste.numbers/Index.zip": "x", "Liste.numbers/preview.jpg": "x"}), formatNumbers},
		{"numbers in a zip", mustZip(t, map[string]string{"Liste du personnel.NUMBERS": "PK"}), formatNumbers},
		// OpenDocument, zipped and flat.
		{"ods", mustRead(t, "testdata/fixtures/refuse-format.ods"), formatODS},
		{"odt", mustZip(t, map[string]string{"mimetype": "application/vnd.oasis.opendocument.text"}), formatODF},
		{"fods", flatODF("application/vnd.oasis.opendocument.spreadsheet", "<office:body><office:spreadsheet/></office:body>"), formatFODS},
		{"fods without mimetype", flatODF("", "<office:body><office:spreadsheet/></office:body>"), formatFODS},
		{"fodt", flatODF("application/vnd.oasis.opendocument.text", "<office:body><office:text/></office:body>"), formatODF},
		// Excel 97-2003 and older, whatever the stream's name.
		{"xls", xls, formatXLS},
		{"xls WORKBOOK", renameOLEStream(t, xls, "Workbook", "WORKBOOK"), formatXLS},
		{"xls workbook", renameOLEStream(t, xls, "Workbook", "workbook"), formatXLS},
		{"xls Book BIFF8", renameOLEStream(t, xls, "Workbook", "Book"), formatXLS},
		{"xls Book BIFF5", renameOLEStream(t, asBIFF5(t, xls), "Workbook", "Book"), formatXLSOld},
		{"xls BOOK BIFF5", renameOLEStream(t, asBIFF5(t, xls), "Workbook", "BOOK"), formatXLSOld},
		{"xls cut short", xls[:8<<10], formatXLS},
		{"ole not a workbook", renameOLEStream(t, xls, "Workbook", "WordDocument"), formatOLE},
		{"BIFF2 worksheet", biffFile(0x0009, 0x0010), formatXLSOld},
		{"BIFF3 worksheet", biffFile(0x0209, 0x0010), formatXLSOld},
		{"BIFF4 worksheet", biffFile(0x0409, 0x0010), formatXLSOld},
		{"BIFF4 workbook", biffFile(0x0409, 0x0100), formatXLSOld},
		{"encrypted xlsx", encryptedZip(t, sample, "s3cret"), formatEncrypted},
		{"encrypted xlsb", encryptedZip(t, xlsbPackage(t), "s3cret"), formatEncrypted},
		// Text in every Unicode form, with and without a byte-order mark.
		{"utf-8", []byte(text), formatCSV},
		{"utf-16le", utf16Text(t, text, false, false), formatCSV},
		{"utf-16be", utf16Text(t, text, true, false), formatCSV},
		{"utf-16le bom", utf16Text(t, text, false, true), formatCSV},
		{"utf-32le", utf32Text(t, text, false, false), formatCSV},
		{"utf-32be", utf32Text(t, text, true, false), formatCSV},
		{"utf-32le bom", utf32Text(t, text, false, true), formatCSV},
		{"utf-32be bom", utf32Text(t, text, true, true), formatCSV},
		{"html utf-16le", utf16Text(t, "<html><body><table><tr><td>Nom</td></tr></table></body></html>", false, false), formatHTML},
		{"binary", []byte{0x00, 0x01, 0x02, 0xff}, formatBinary},
		{"binary with zero pairs", bytes.Repeat([]byte{0x07, 0x00, 0x1b, 0x00}, 64), formatBinary},
	}
	for _, tt := range tests {
		if got := sniff(tt.data); got != tt.want {
			t.Errorf("sniff(%s) = %q; want %q", tt.name, got, tt.want)
		}
	}
}

// TestTextEncoding names the encoding of text in each form.
func TestTextEncoding(t *testing.T) {
	t.Parallel()
	text := "Nom;Prénom;Établissement\nLÉVÊQUE;Hélène;CHU Exemple\n"
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"utf-8", []byte(text), "utf-8"},
		{"utf-8 bom", append([]byte("\uFEFF"), text...), "utf-8-bom"},
		{"windows-1252", []byte("Pr\xe9nom;Nom\n"), "windows-1252"},
		{"utf-16le", utf16Text(t, text, false, false), "utf-16le"},
		{"utf-16be", utf16Text(t, text, true, false), "utf-16be"},
		{"utf-16le bom", utf16Text(t, text, false, true), "utf-16le"},
		{"utf-16be bom", utf16Text(t, text, true, true), "utf-16be"},
		{"utf-32le", utf32Text(t, text, false, false), "utf-32le"},
		{"utf-32be", utf32Text(t, text, true, false), "utf-32be"},
		{"utf-32le bom", utf32Text(t, text, false, true), "utf-32le"},
		{"utf-32be bom", utf32Text(t, text, true, true), "utf-32be"},
		{"utf-16le cut at 4 KiB", utf16Text(t, strings.Repeat("é", 2047)+"😀😀", false, false), "utf-16le"},
	}
	for _, tt := range tests {
		got := textEncoding(tt.data, func() bool { return !bytes.ContainsAny(tt.data, "\xe9") })
		if got != tt.want {
			t.Errorf("textEncoding(%s) = %q; want %q", tt.name, got, tt.want)
		}
	}
}

// TestReadOddWorkbooks reads workbooks laid out as other programs do:
// each gives the table of the workbook it was made from.
func TestReadOddWorkbooks(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, src := range []string{"../samples/liste-personnels.xlsx", "testdata/fixtures/liste-libreoffice.xlsx", "testdata/fixtures/liste-openpyxl.xlsx"} {
		orig := mustRead(t, src)
		want, err := ReadFile(t.Context(), src, &Config{})
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range []struct {
			name string
			data []byte
		}{
			{"backslashes", withBackslashes(t, orig)},
			{"lower-case-types", withLowerTypes(t, orig)},
			{"moved", withMovedParts(t, orig, false)},
			{"moved-no-rels", withMovedParts(t, orig, true)},
			{"all", withLowerTypes(t, withBackslashes(t, withMovedParts(t, orig, true)))},
		} {
			path := filepath.Join(dir, v.name, filepath.Base(src))
			if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, v.data, 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := ReadFile(t.Context(), path, &Config{})
			if err != nil {
				t.Errorf("ReadFile(%s %s) error: %v", filepath.Base(src), v.name, err)
				continue
			}
			// The bytes differ, so does the digest; nothing else may.
			got.Input.SHA256 = want.Input.SHA256
			if g, w := dumpTable(got), dumpTable(want); g != w {
				t.Errorf("ReadFile(%s %s) differs from the original's table:\n%s", filepath.Base(src), v.name, firstDiff(g, w))
			}
		}
	}
}

func firstDiff(got, want string) string {
	gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range max(len(gl), len(wl)) {
		if g, w := line(gl, i), line(wl, i); g != w {
			return "got:  " + g + "\nwant: " + w
		}
	}
	return ""
}

// TestRefuseOtherFormats checks the sentence given for each format other
// programs write that dccprov refuses, password or not.
func TestRefuseOtherFormats(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	xls := mustRead(t, "testdata/fixtures/refuse-format.xls")
	xlsb := encryptedZip(t, xlsbPackage(t), "s3cret")
	tests := []struct {
		name, password string
		data           []byte
		want           string
	}{
		{"liste.zip", "", mustZip(t, map[string]string{"Liste.numbers/Index/Document.iwa": "x"}), "liste.zip is an Apple Numbers document (.numbers); open it in Numbers"},
		{"liste.xls", "", renameOLEStream(t, xls, "Workbook", "BOOK"), "liste.xls is an Excel 97-2003 workbook (.xls); open it in Excel or LibreOffice"},
		{"liste.xls", "", renameOLEStream(t, asBIFF5(t, xls), "Workbook", "Book"), "liste.xls is an Excel workbook older than Excel 97 (.xls of Excel 2.x to 95); open it in LibreOffice"},
		{"liste.xls", "", biffFile(0x0409, 0x0100), "liste.xls is an Excel workbook older than Excel 97 (.xls of Excel 2.x to 95); open it in LibreOffice"},
		{"liste.fods", "", flatODF("application/vnd.oasis.opendocument.spreadsheet", "<office:body><office:spreadsheet/></office:body>"), "liste.fods is a flat OpenDocument spreadsheet (.fods, LibreOffice or OpenOffice); open it in Excel or LibreOffice and save it as « Classeur Excel (.xlsx) »"},
		{"liste.xlsb", "", xlsbPackage(t), "liste.xlsb is an Excel binary workbook (.xlsb); open it in Excel or LibreOffice"},
		{"liste.xlsb", "", xlsb, "liste.xlsb is a password-protected Excel binary workbook (.xlsb), which dccprov does not read, password or not; open it in Excel, remove the password"},
		{"liste.xlsb", "s3cret", xlsb, "liste.xlsb is a password-protected Excel binary workbook (.xlsb)"},
		{"liste.xlsb", "wrong", xlsb, "liste.xlsb is a password-protected Excel binary workbook (.xlsb)"},
		{"liste.xlsx", "s3cret", xlsb, "liste.xlsx is a password-protected Excel binary workbook (.xlsb)"},
		{"liste.xlsx", "", xlsb, "liste.xlsx is a password-protected workbook; run again with --password-file FILE"},
	}
	for i, tt := range tests {
		path := filepath.Join(dir, strconv.Itoa(i), tt.name)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, tt.data, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := ReadFile(t.Context(), path, &Config{Password: tt.password})
		if !errors.Is(err, ErrUnsupportedFormat) || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("ReadFile(%s, password %q) error = %v; want ErrUnsupportedFormat starting %q", tt.name, tt.password, err, tt.want)
		}
	}
}

// TestReadCSVUnicodeForms reads a list in UTF-16 and UTF-32, with and
// without byte-order mark, small and past the sample the format is told
// by (then read from the file).
func TestReadCSVUnicodeForms(t *testing.T) {
	t.Parallel()
	list := csvHeader + "LÉVÊQUE;Hélène;helene.leveque@chu-exemple.fr;0612345678;Infirmière;010000347;Consultation;SMS\n"
	big := list + strings.Repeat("MARTIN;Paul;paul.martin@chu-exemple.fr;0612345679;IDE;010000347;Consultation;SMS\n", 1500)
	dir := t.TempDir()
	for _, form := range []string{"utf-16le", "utf-16be", "utf-32le", "utf-32be"} {
		for _, bom := range []bool{false, true} {
			for _, text := range []string{list, big} {
				var data []byte
				if strings.HasPrefix(form, "utf-16") {
					data = utf16Text(t, text, strings.HasSuffix(form, "be"), bom)
				} else {
					data = utf32Text(t, text, strings.HasSuffix(form, "be"), bom)
				}
				path := filepath.Join(dir, form+strconv.FormatBool(bom)+strconv.Itoa(len(text))+".csv")
				if err := os.WriteFile(path, data, 0o600); err != nil {
					t.Fatal(err)
				}
				table, err := ReadFile(t.Context(), path, &Config{})
				if err != nil {
					t.Errorf("ReadFile(%s, mark %v, %d bytes) error: %v", form, bom, len(data), err)
					continue
				}
				if table.Input.Encoding != form || table.Input.HeaderRow != 1 || len(table.Rows) != strings.Count(text, "\n")-1 ||
					table.Rows[0].Get(FieldBirthName).Value != "LÉVÊQUE" {
					t.Errorf("ReadFile(%s, mark %v, %d bytes) = encoding %q, header %d, %d rows, first %q; want %s, 1, %d, LÉVÊQUE",
						form, bom, len(data), table.Input.Encoding, table.Input.HeaderRow, len(table.Rows), table.Rows[0].Get(FieldBirthName).Value,
						form, strings.Count(text, "\n")-1)
				}
			}
		}
	}
}

// TestReadCSVRecordRows numbers CSV rows as Excel shows them: one row per
// record, however many lines its quoted cells hold; blank lines are empty
// rows; the "sep=" line is not shown. Problems name those rows, and the
// corrections workbook keeps one row per record.
func TestReadCSVRecordRows(t *testing.T) {
	t.Parallel()
	row := func(name, mail, habilitations string) string {
		return name + ";Jeanne;" + mail + "@chu-exemple.fr;0612345678;IDE;010000347;" + habilitations + ";SMS\n"
	}
	multi := csvHeader +
		row("DUPONT", "a", "\"Consultation\nParticipant aux RCP\r\nAdmin 3C\"") + // lines 2 to 4
		row("\"MARTIN\nDIT PAUL\"", "b", "Consultation") + // lines 5 and 6, repaired
		"\n" + // an empty row
		row("DURAND ", "c", "Consultation") // a blank to repair
	tests := []struct {
		name     string
		data     string
		rows     []int
		problems []string
	}{
		{"multi.csv", multi, []int{2, 3, 5}, []string{"3 A3 CELL_REPAIRED", "5 A5 CELL_REPAIRED"}},
		{"sep.csv", "sep=;\n" + multi, []int{2, 3, 5}, []string{"3 A3 CELL_REPAIRED", "5 A5 CELL_REPAIRED"}},
		{"crlf.csv", strings.ReplaceAll(multi, "\n", "\r\n"), []int{2, 3, 5}, []string{"3 A3 CELL_REPAIRED", "5 A5 CELL_REPAIRED"}},
		{"plain.csv", csvHeader + "\n\n" + row("DUPONT", "a", "Consultation"), []int{4}, nil},
	}
	for _, tt := range tests {
		table, err := ReadCSV(strings.NewReader(tt.data), tt.name, &Config{})
		if err != nil {
			t.Fatalf("ReadCSV(%s) error: %v", tt.name, err)
		}
		var rows []int
		for _, r := range table.Rows {
			rows = append(rows, r.Number)
		}
		var problems []string
		for _, p := range table.Problems {
			problems = append(problems, strconv.Itoa(p.Row)+" "+p.Cell+" "+string(p.Code))
		}
		if table.Input.HeaderRow != 1 || !slices.Equal(rows, tt.rows) || !slices.Equal(problems, tt.problems) {
			t.Errorf("ReadCSV(%s) = header %d, rows %v, problems %q; want 1, %v, %q", tt.name, table.Input.HeaderRow, rows, problems, tt.rows, tt.problems)
		}
	}

	table, err := ReadCSV(strings.NewReader(multi), "multi.csv", &Config{})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteCorrections(&b, table, nil, table.Problems, testDate); err != nil {
		t.Fatalf("WriteCorrections = %v", err)
	}
	got, err := mustOpenXLSX(t, b.Bytes()).GetRows(correctionsSheetName(""))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range got {
		if len(r) > 0 {
			names = append(names, r[0])
		} else {
			names = append(names, "")
		}
	}
	want := []string{"Nom", "DUPONT", "MARTIN DIT PAUL", "", "DURAND"}
	if !slices.Equal(names, want) {
		t.Errorf("corrections workbook of multi.csv: column A = %q; want %q (one row per record)", names, want)
	}
}

// TestReadNoHeaderNamesMissing: with no header row, the sentence names the
// required columns no row of the first 30 names, and the sheets looked at.
func TestReadNoHeaderNamesMissing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// One row names Nom, another Courriel: neither is a header.
	partial := "Liste du personnel\nNom\nCourriel\nDUPONT;Jeanne;jeanne.dupont@chu-exemple.fr\n"
	rest := strings.Join(slices.DeleteFunc(missingFields(nil), func(s string) bool {
		return s == FieldNames[FieldBirthName] || s == FieldNames[FieldEmail]
	}), ", ")
	book := filepath.Join(dir, "classeur.xlsx")
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", "Consignes"); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"Liste", "Feuil3"} {
		if _, err := f.NewSheet(s); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct{ sheet, cell, value string }{{"Consignes", "B2", "Prénom"}, {"Liste", "A5", "Nom"}, {"Liste", "A6", "Courriel"}} {
		if err := f.SetCellStr(c.sheet, c.cell, c.value); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.SaveAs(book); err != nil {
		t.Fatal(err)
	}
	others := strings.Join(slices.DeleteFunc(missingFields(nil), func(s string) bool {
		return s == FieldNames[FieldBirthName] || s == FieldNames[FieldEmail] || s == FieldNames[FieldFirstName]
	}), ", ")
	var across strings.Builder
	for _, h := range []string{"Nom", "Prénom", "Courriel", "Profession", "Habilitations", "Mode de connexion", "FINESS"} {
		across.WriteString(h + ";DUPONT;MARTIN\n")
	}
	tests := []struct {
		name, data, sheet, want string
	}{
		{"travers.csv", across.String(), "", "travers.csv: no header row recognised in the first 30 rows; the list needs a row naming its columns, and it names them on different rows: put them on one row; see dccprov template"},
		{"partiel.csv", partial, "", "partiel.csv: no header row recognised in the first 30 rows; the list needs a row naming its columns, and none names " + rest + "; see dccprov template"},
		{"classeur.xlsx", "", "", `classeur.xlsx: no header row recognised in the first 30 rows of sheets "Consignes", "Liste", "Feuil3"; the list needs a row naming its columns, and none names ` + others + "; see dccprov template"},
		{"classeur.xlsx", "", "Liste", `classeur.xlsx: no header row recognised in the first 30 rows of sheet "Liste"; the list needs a row naming its columns, and none names ` + rest + "; see dccprov template"},
	}
	for _, tt := range tests {
		path := filepath.Join(dir, tt.name)
		if tt.data != "" {
			if err := os.WriteFile(path, []byte(tt.data), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		_, err := ReadFile(t.Context(), path, &Config{Sheet: tt.sheet})
		if !errors.Is(err, ErrInput) || err.Error() != tt.want {
			t.Errorf("ReadFile(%s, sheet %q) error = %v; want ErrInput %q", tt.name, tt.sheet, err, tt.want)
		}
	}
}
