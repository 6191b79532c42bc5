package biglist

import (
	"archive/zip"
	"bufio"
	"fmt"
	"io"
	"strconv"
	"time"
)

// modified is the date of every part: nothing of the clock reaches the
// bytes.
var modified = time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)

// WriteXLSX writes the list o describes to w as a workbook laid out as
// LibreOffice Calc saves one: a single sheet « Personnels », the header
// ([Columns], bold) on row 1, every string in the shared strings table
// (t="s"), identifiers typed as numbers in plain <v> (t="n"), r attributes
// on every row and cell, empty cells left out, and the parts in Calc's
// order (the shared strings after the sheet).
//
// The rows stream into the sheet part; only the shared strings table is
// kept in memory, until it is written after the sheet.
func WriteXLSX(w io.Writer, o Options) error {
	rows, err := Generate(o)
	if err != nil {
		return err
	}
	z := zip.NewWriter(w)
	part := func(name, content string) error {
		f, err := create(z, name)
		if err != nil {
			return err
		}
		_, err = io.WriteString(f, content)
		return err
	}
	for _, p := range []struct{ name, content string }{
		{"_rels/.rels", rootRels},
		{"xl/workbook.xml", workbook},
		{"xl/styles.xml", styles},
	} {
		if err := part(p.name, p.content); err != nil {
			return fmt.Errorf("writing the workbook: %w", err)
		}
	}

	f, err := create(z, "xl/worksheets/sheet1.xml")
	if err != nil {
		return fmt.Errorf("writing the workbook: %w", err)
	}
	sw := &sheetWriter{w: bufio.NewWriterSize(f, 64<<10), sst: newStringTable()}
	sw.begin(o.Rows + 1)
	sw.row(1, Columns, nil, headerStyle)
	n := 2
	for r := range rows {
		sw.row(n, r.Cells[:], r.Number[:], 0)
		n++
	}
	sw.end()
	if err := sw.w.Flush(); err != nil {
		return fmt.Errorf("writing the workbook: %w", err)
	}

	if err := part("xl/_rels/workbook.xml.rels", workbookRels); err != nil {
		return fmt.Errorf("writing the workbook: %w", err)
	}
	f, err = create(z, "xl/sharedStrings.xml")
	if err != nil {
		return fmt.Errorf("writing the workbook: %w", err)
	}
	if err := sw.sst.write(f); err != nil {
		return fmt.Errorf("writing the workbook: %w", err)
	}
	for _, p := range []struct{ name, content string }{
		{"docProps/core.xml", core},
		{"docProps/app.xml", app},
		{"[Content_Types].xml", contentTypes},
	} {
		if err := part(p.name, p.content); err != nil {
			return fmt.Errorf("writing the workbook: %w", err)
		}
	}
	if err := z.Close(); err != nil {
		return fmt.Errorf("writing the workbook: %w", err)
	}
	return nil
}

func create(z *zip.Writer, name string) (io.Writer, error) {
	return z.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: modified})
}

// The cellXfs of styles.xml: 0 is Calc's default, 1 the bold header.
const headerStyle = 1

// sheetWriter writes the sheet part. bufio.Writer keeps the first write
// error and returns it from Flush, so the methods return nothing.
type sheetWriter struct {
	w   *bufio.Writer
	sst *stringTable
	buf []byte
}

func (s *sheetWriter) begin(rows int) {
	s.w.WriteString(sheetHead)
	s.w.WriteString(`<dimension ref="A1:L` + strconv.Itoa(rows) + `"/>`)
	s.w.WriteString(sheetViews)
	s.w.WriteString(`<sheetData>`)
}

// row writes row n; number marks the cells written as numbers (nil: none).
func (s *sheetWriter) row(n int, cells []string, number []bool, style int) {
	b := s.buf[:0]
	b = append(b, `<row r="`...)
	b = strconv.AppendInt(b, int64(n), 10)
	b = append(b, `" customFormat="false" ht="12.8" hidden="false" customHeight="false" outlineLevel="0" collapsed="false">`...)
	for i, v := range cells {
		if v == "" {
			continue // Calc writes no empty cell
		}
		b = append(b, `<c r="`...)
		b = append(b, byte('A'+i))
		b = strconv.AppendInt(b, int64(n), 10)
		b = append(b, `" s="`...)
		b = strconv.AppendInt(b, int64(style), 10)
		if number != nil && number[i] {
			b = append(b, `" t="n"><v>`...)
			b = append(b, v...)
		} else {
			b = append(b, `" t="s"><v>`...)
			b = strconv.AppendInt(b, int64(s.sst.index(v)), 10)
		}
		b = append(b, `</v></c>`...)
	}
	b = append(b, `</row>`...)
	s.w.Write(b)
	s.buf = b
}

func (s *sheetWriter) end() {
	s.w.WriteString(`</sheetData>`)
	s.w.WriteString(sheetTail)
}

// stringTable is the shared strings table: each distinct string once, in
// order of first use.
type stringTable struct {
	ids   map[string]int
	list  []string
	count int // string cells, repeats included
}

func newStringTable() *stringTable { return &stringTable{ids: map[string]int{}} }

func (t *stringTable) index(s string) int {
	t.count++
	if id, ok := t.ids[s]; ok {
		return id
	}
	id := len(t.list)
	t.ids[s] = id
	t.list = append(t.list, s)
	return id
}

func (t *stringTable) write(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.WriteString(xmlDecl)
	fmt.Fprintf(bw, `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">`, t.count, len(t.list))
	var b []byte
	for _, s := range t.list {
		b = append(b[:0], `<si><t xml:space="preserve">`...)
		b = appendEscaped(b, s)
		b = append(b, `</t></si>`...)
		bw.Write(b)
	}
	bw.WriteString(`</sst>`)
	return bw.Flush()
}

// appendEscaped appends s escaped as XML text, as Calc escapes it; a line
// break stays as it is.
func appendEscaped(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '&':
			b = append(b, "&amp;"...)
		case '<':
			b = append(b, "&lt;"...)
		case '>':
			b = append(b, "&gt;"...)
		case '\'':
			b = append(b, "&apos;"...)
		case '"':
			b = append(b, "&quot;"...)
		default:
			b = append(b, c)
		}
	}
	return b
}

// The fixed parts, as LibreOffice Calc 7 writes them for a one-sheet
// workbook.
const (
	xmlDecl = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"

	rootRels = `<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>
</Relationships>`

	workbook = xmlDecl + `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><fileVersion appName="Calc"/><workbookPr backupFile="false" showObjects="all" date1904="false"/><workbookProtection/><bookViews><workbookView showHorizontalScroll="true" showVerticalScroll="true" showSheetTabs="true" xWindow="0" yWindow="0" windowWidth="16384" windowHeight="8192" tabRatio="500" firstSheet="0" activeTab="0"/></bookViews><sheets><sheet name="Personnels" sheetId="1" state="visible" r:id="rId2"/></sheets><calcPr iterateCount="100" refMode="A1" iterate="false" iterateDelta="0.001"/><extLst><ext xmlns:loext="http://schemas.libreoffice.org/" uri="{7626C862-2A13-11E5-B345-FEFF819CDC9F}"><loext:extCalcPr stringRefSyntax="CalcA1"/></ext></extLst></workbook>`

	workbookRels = `<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>
</Relationships>`

	styles = xmlDecl + `<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="General"/></numFmts><fonts count="5"><font><sz val="10"/><name val="Arial"/><family val="2"/></font><font><sz val="10"/><name val="Arial"/><family val="0"/></font><font><sz val="10"/><name val="Arial"/><family val="0"/></font><font><sz val="10"/><name val="Arial"/><family val="0"/></font><font><b val="true"/><sz val="10"/><name val="Arial"/><family val="2"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border diagonalUp="false" diagonalDown="false"><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="164" fontId="0" fillId="0" borderId="0" applyFont="true" applyBorder="true" applyAlignment="true" applyProtection="true"><alignment horizontal="general" vertical="bottom" textRotation="0" wrapText="false" indent="0" shrinkToFit="false"/><protection locked="true" hidden="false"/></xf></cellStyleXfs><cellXfs count="2"><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyFont="false" applyBorder="false" applyAlignment="false" applyProtection="false"><alignment horizontal="general" vertical="bottom" textRotation="0" wrapText="false" indent="0" shrinkToFit="false"/><protection locked="true" hidden="false"/></xf><xf numFmtId="164" fontId="4" fillId="0" borderId="0" xfId="0" applyFont="true" applyBorder="false" applyAlignment="false" applyProtection="false"><alignment horizontal="general" vertical="bottom" textRotation="0" wrapText="false" indent="0" shrinkToFit="false"/><protection locked="true" hidden="false"/></xf></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>`

	sheetHead = xmlDecl + `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main" xmlns:xr2="http://schemas.microsoft.com/office/spreadsheetml/2015/revision2" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><sheetPr filterMode="false"><pageSetUpPr fitToPage="false"/></sheetPr>`

	sheetViews = `<sheetViews><sheetView showFormulas="false" showGridLines="true" showRowColHeaders="true" showZeros="true" rightToLeft="false" tabSelected="true" showOutlineSymbols="true" defaultGridColor="true" view="normal" topLeftCell="A1" colorId="64" zoomScale="100" zoomScaleNormal="100" zoomScalePageLayoutView="100" workbookViewId="0"><selection pane="topLeft" activeCell="A1" activeCellId="0" sqref="A1"/></sheetView></sheetViews><sheetFormatPr defaultColWidth="11.53515625" defaultRowHeight="12.8" zeroHeight="false" outlineLevelRow="0" outlineLevelCol="0"></sheetFormatPr><cols><col collapsed="false" customWidth="true" hidden="false" outlineLevel="0" max="12" min="1" style="0" width="24.5"/></cols>`

	sheetTail = `<printOptions headings="false" gridLines="false" gridLinesSet="true" horizontalCentered="false" verticalCentered="false"/><pageMargins left="0.7875" right="0.7875" top="1.05277777777778" bottom="1.05277777777778" header="0.7875" footer="0.7875"/><pageSetup paperSize="9" scale="100" fitToWidth="1" fitToHeight="1" pageOrder="downThenOver" orientation="portrait" blackAndWhite="false" draft="false" cellComments="none" horizontalDpi="300" verticalDpi="300" copies="1"/><headerFooter differentFirst="false" differentOddEven="false"><oddHeader></oddHeader><oddFooter></oddFooter></headerFooter></worksheet>`

	core = xmlDecl + `<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dcterms:created xsi:type="dcterms:W3CDTF">2026-01-15T00:00:00Z</dcterms:created><dc:creator>dccprov samples/biglist</dc:creator><dc:language>fr-FR</dc:language><dcterms:modified xsi:type="dcterms:W3CDTF">2026-01-15T00:00:00Z</dcterms:modified><cp:revision>1</cp:revision><dc:title>Liste des professionnels — accès au DCC (données fictives)</dc:title></cp:coreProperties>`

	app = xmlDecl + `<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><Template></Template><TotalTime>0</TotalTime><Application>LibreOffice/7.4.7.2$Linux_X86_64 LibreOffice_project/40$Build-2</Application><AppVersion>15.0000</AppVersion></Properties>`

	contentTypes = `<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Override PartName="/_rels/.rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/_rels/workbook.xml.rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/><Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>
</Types>`
)
