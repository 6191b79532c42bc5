package xlsx

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
)

// gotRow is a row as the differential tests compare it: values and shown
// texts without their empty tail (hidden rows are compared apart).
type gotRow struct {
	Number int
	Values []string
	Shown  []string
}

// sheetDump is what both readers give for one sheet.
type sheetDump struct {
	Name   string
	Hidden bool
	Rows   []gotRow // non-blank rows only
	Hide   map[int]bool
	Merged []Range
	// MergeErr: excelize could not load the whole sheet, which
	// GetMergeCells does (it parses each attribute, unlike Rows).
	MergeErr bool
}

func trimTail(s []string) []string {
	for len(s) > 0 && s[len(s)-1] == "" {
		s = s[:len(s)-1]
	}
	if len(s) == 0 {
		return nil
	}
	return s
}

// readOurs reads every sheet of data with this package.
func readOurs(data []byte) (bool, []sheetDump, error) {
	b, err := Open(bytes.NewReader(data), int64(len(data)), Limits{})
	if err != nil {
		return false, nil, err
	}
	var out []sheetDump
	for _, sh := range b.Sheets() {
		d := sheetDump{Name: sh.Name, Hidden: sh.Hidden, Hide: map[int]bool{}}
		rows, err := b.Rows(sh.Name)
		if err != nil {
			return false, nil, err
		}
		first := true
		for rows.Next() {
			r := rows.Row()
			// excelize loses the row options of a first row that is not
			// row 1 (see the package doc): compare it only from row 1.
			if !first || r.Number == 1 {
				d.Hide[r.Number] = r.Hidden
			}
			first = false
			var v, s []string
			for _, c := range r.Cells {
				v = append(v, c.Value)
				s = append(s, c.Shown)
			}
			g := gotRow{Number: r.Number, Values: trimTail(v), Shown: trimTail(s)}
			if g.Values != nil || g.Shown != nil {
				d.Rows = append(d.Rows, g)
			}
		}
		if err := rows.Err(); err != nil {
			rows.Close()
			return false, nil, err
		}
		if err := rows.Close(); err != nil {
			return false, nil, err
		}
		if d.Merged, err = b.MergedRanges(sh.Name); err != nil {
			return false, nil, err
		}
		out = append(out, d)
	}
	return b.HasNumberFormats(), out, nil
}

// readExcelize reads every sheet of data with excelize, as the caller of
// this package did before it.
func readExcelize(data []byte) (hasFmt bool, out []sheetDump, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("excelize panicked: %v", r)
		}
	}()
	xf, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return false, nil, err
	}
	defer xf.Close()
	for _, name := range xf.GetSheetList() {
		visible, err := xf.GetSheetVisible(name)
		if err != nil {
			return false, nil, err
		}
		d := sheetDump{Name: name, Hidden: !visible, Hide: map[int]bool{}}
		raw, err := xf.Rows(name)
		if err != nil {
			return false, nil, err
		}
		shown, err := xf.Rows(name)
		if err != nil {
			return false, nil, err
		}
		for n := 1; raw.Next(); n++ {
			shown.Next()
			rv, err := raw.Columns(excelize.Options{RawCellValue: true})
			if err != nil {
				return false, nil, err
			}
			sv, err := shown.Columns(excelize.Options{RawCellValue: false})
			if err != nil {
				return false, nil, err
			}
			d.Hide[n] = raw.GetRowOpts().Hidden
			g := gotRow{Number: n, Values: trimTail(rv), Shown: trimTail(sv)}
			if g.Values != nil || g.Shown != nil {
				d.Rows = append(d.Rows, g)
			}
		}
		if err := raw.Error(); err != nil {
			return false, nil, err
		}
		raw.Close()
		shown.Close()
		mc, err := xf.GetMergeCells(name, true)
		if err != nil {
			d.MergeErr = true
		}
		for _, m := range mc {
			c1, r1, err1 := excelize.CellNameToCoordinates(m.GetStartAxis())
			c2, r2, err2 := excelize.CellNameToCoordinates(m.GetEndAxis())
			if err1 != nil || err2 != nil {
				return false, nil, errors.Join(err1, err2)
			}
			d.Merged = append(d.Merged, Range{c1, r1, c2, r2})
		}
		out = append(out, d)
	}
	// As provision's hasNumberFormats.
	for i := range excelize.MaxCellStyles {
		st, err := xf.GetStyle(i)
		if err != nil {
			break
		}
		if st.CustomNumFmt != nil || (st.NumFmt != 0 && st.NumFmt != 49) {
			hasFmt = true
			break
		}
	}
	return hasFmt, out, nil
}

// diffBooks compares what both readers give; hidden rows are compared
// for the rows present in our reading.
func diffBooks(ours, theirs []sheetDump, compareMerged bool) string {
	var b strings.Builder
	if len(ours) != len(theirs) {
		return fmt.Sprintf("%d sheets, excelize %d", len(ours), len(theirs))
	}
	for i := range ours {
		o, x := ours[i], theirs[i]
		if o.Name != x.Name || o.Hidden != x.Hidden {
			fmt.Fprintf(&b, "sheet %d: %q hidden=%v, excelize %q hidden=%v\n", i, o.Name, o.Hidden, x.Name, x.Hidden)
		}
		if d := cmp.Diff(x.Rows, o.Rows); d != "" {
			fmt.Fprintf(&b, "sheet %q rows (-excelize +ours):\n%s", o.Name, d)
		}
		for n, h := range o.Hide {
			if xh, ok := x.Hide[n]; !ok || xh != h {
				fmt.Fprintf(&b, "sheet %q row %d: hidden=%v, excelize %v (present %v)\n", o.Name, n, h, xh, ok)
			}
		}
		if compareMerged && !x.MergeErr {
			if d := cmp.Diff(x.Merged, o.Merged); d != "" {
				fmt.Fprintf(&b, "sheet %q merged (-excelize +ours):\n%s", o.Name, d)
			}
		}
	}
	return b.String()
}

// workbookFiles lists the .xlsx files the differential test reads.
func workbookFiles(t testing.TB) []string {
	t.Helper()
	var files []string
	for _, dir := range []string{"../../samples", "../testdata", "/work/shared/fixtures"} {
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if ext := strings.ToLower(filepath.Ext(p)); !d.IsDir() && (ext == ".xlsx" || ext == ".xlsm") {
				files = append(files, p)
			}
			return nil
		})
	}
	sort.Strings(files)
	return files
}

func mustRead(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func checkSame(t *testing.T, data []byte) {
	t.Helper()
	hasFmt, ours, err := readOurs(data)
	if err != nil {
		t.Fatalf("reading with xlsx: %v", err)
	}
	xHasFmt, theirs, err := readExcelize(data)
	if err != nil {
		t.Fatalf("reading with excelize: %v", err)
	}
	if d := diffBooks(ours, theirs, true); d != "" {
		t.Error(d)
	}
	if hasFmt != xHasFmt {
		t.Errorf("HasNumberFormats() = %v; excelize styles say %v", hasFmt, xHasFmt)
	}
}

func TestSameAsExcelizeFiles(t *testing.T) {
	t.Parallel()
	files := workbookFiles(t)
	if len(files) == 0 {
		t.Fatal("no workbook found")
	}
	for _, name := range files {
		t.Run(filepath.Base(filepath.Dir(name))+"/"+filepath.Base(name), func(t *testing.T) {
			t.Parallel()
			checkSame(t, mustRead(t, name))
		})
	}
}

func TestSameAsExcelizeGenerated(t *testing.T) {
	t.Parallel()
	for name, build := range map[string]func(testing.TB) []byte{
		"api":        apiWorkbook,
		"stream":     streamWorkbook,
		"date1904":   date1904Workbook,
		"formats":    formatsWorkbook,
		"sharedized": func(t testing.TB) []byte { return sharedStrings(t, streamWorkbook(t)) },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			checkSame(t, build(t))
		})
	}
}

func TestSameAsExcelizeHandWritten(t *testing.T) {
	t.Parallel()
	for name, data := range handWritten(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			checkSame(t, data)
		})
	}
}

func mustSave(t testing.TB, f *excelize.File) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// numFmts are the format codes of the differential tests, as the brief
// of this package lists them.
var numFmts = []string{
	"000000000", "00 00 00 00 00", `"tel "0`, `\T\e\l\ 0`, "0", "0.00", "#,##0", "#,##0.00",
	"0%", "0.00%", "0.00E+00", "dd/mm/yyyy", "d/m/yy h:mm", "yyyy-mm-dd", "hh:mm:ss",
	"mmm d, yyyy", "dddd d mmmm yyyy", "h:mm AM/PM", "[h]:mm", "mm:ss.0", "@", "General",
	`0.0" kg"`, "#,##0;(#,##0)", `0;-0;"zero"`, "yy", "m/d", "d-mmm", "0.000",
	// LibreOffice and French Excel write these.
	"#,##0.00 [$€-40C]", "[$-40C]dd/mm/yyyy", "[$-409]d-mmm-yy", "[$-F800]dddd, mmmm dd, yyyy",
	"# ##0", "[Red]0.00", "0.00;[Red]-0.00", "DD/MM/YYYY", "yyyy-mm-dd hh:mm:ss", "[$$-409]#,##0.00",
	`#,##0.00 "€"`, "0.0%", `0" "00" "00" "00" "00`, `@" (texte)"`, "[$-40C]hh:mm",
}

// numValues are the numbers written under each format.
var numValues = []any{
	0, 1, 7, -3, 612345678, 123456789012, 45000.75, 0.5, 1.005, -0.25, 3.14159, 1e-7, 59, 60, 61,
	2958465, 12345.6789, "0612345678", "text",
}

func apiWorkbook(t testing.TB) []byte {
	f := excelize.NewFile()
	s := "Sheet1"
	must(t, f.SetCellValue(s, "A1", "Nom"))
	must(t, f.SetCellValue(s, "B1", "Courriel"))
	must(t, f.SetCellValue(s, "D1", "Téléphone")) // a gap at C
	must(t, f.SetCellValue(s, "A2", "Dupont & fils <x>"))
	must(t, f.SetCellValue(s, "B2", "a.b@example.org"))
	must(t, f.SetCellValue(s, "D2", 612345678))
	must(t, f.SetCellValue(s, "E2", 3.5))
	must(t, f.SetCellValue(s, "F2", true))
	must(t, f.SetCellValue(s, "G2", false))
	must(t, f.SetCellValue(s, "H2", time.Date(2024, 3, 15, 13, 45, 0, 0, time.UTC)))
	must(t, f.SetCellValue(s, "A3", "  spaces kept  "))
	must(t, f.SetCellValue(s, "B3", "line\nbreak\ttab"))
	must(t, f.SetCellValue(s, "C3", "_x0041_ and _x005F_x0042_"))
	must(t, f.SetCellFormula(s, "D3", "D2*2"))
	must(t, f.SetCellValue(s, "A5", "after a missing row"))
	must(t, f.SetCellValue(s, "Z5", "far"))
	must(t, f.SetCellRichText(s, "A6", []excelize.RichTextRun{
		{Text: "bold ", Font: &excelize.Font{Bold: true}}, {Text: "plain"},
	}))
	must(t, f.SetCellValue(s, "A7", "hidden row"))
	must(t, f.SetRowVisible(s, 7, false))
	must(t, f.SetRowVisible(s, 9, false)) // hidden and empty
	must(t, f.SetCellValue(s, "A10", "merged"))
	must(t, f.MergeCell(s, "A10", "A12"))
	must(t, f.MergeCell(s, "B10", "D10"))
	must(t, f.SetCellValue(s, "A13", "1234567890123456789"))
	must(t, f.SetCellValue(s, "B13", 1234567890123456789))
	must(t, f.SetCellValue(s, "C13", 0.1+0.2))
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	must(t, err)
	must(t, f.SetCellValue(s, "A14", 123456789012)) // General under a style
	must(t, f.SetCellStyle(s, "A14", "A14", bold))
	must(t, f.SetCellValue(s, "B14", "styled text"))
	must(t, f.SetCellStyle(s, "B14", "B14", bold))

	_, err = f.NewSheet("Caché")
	must(t, err)
	must(t, f.SetCellValue("Caché", "B2", "in a hidden sheet"))
	must(t, f.SetSheetVisible("Caché", false))
	_, err = f.NewSheet("Vide")
	must(t, err)
	return mustSave(t, f)
}

func streamWorkbook(t testing.TB) []byte {
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	must(t, err)
	pct, err := f.NewStyle(&excelize.Style{NumFmt: 10})
	must(t, err)
	zeros := "000000000"
	pad, err := f.NewStyle(&excelize.Style{CustomNumFmt: &zeros})
	must(t, err)
	must(t, sw.SetRow("A1", []any{"Nom", "Prénom", "RPPS", "Taux"}))
	must(t, sw.SetRow("A2", []any{"Martin", "Léa", excelize.Cell{StyleID: pad, Value: 1234567}, excelize.Cell{StyleID: pct, Value: 0.125}}))
	must(t, sw.SetRow("A3", []any{"Hidden", nil, nil, 1}, excelize.RowOpts{Hidden: true}))
	must(t, sw.SetRow("C5", []any{"gap before", excelize.Cell{Formula: "1+1", Value: 2}}))
	must(t, sw.SetRow("A6", []any{[]excelize.RichTextRun{{Text: "rich "}, {Text: "inline", Font: &excelize.Font{Italic: true}}}}))
	must(t, sw.MergeCell("A8", "B9"))
	must(t, sw.SetRow("A8", []any{"merged head"}))
	must(t, sw.Flush())
	return mustSave(t, f)
}

func date1904Workbook(t testing.TB) []byte {
	f := excelize.NewFile()
	yes := true
	must(t, f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &yes}))
	st, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	must(t, err)
	st2, err := f.NewStyle(&excelize.Style{NumFmt: 22})
	must(t, err)
	for i, v := range []float64{0, 1, 366, 43000.5, 45000.25} {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		must(t, f.SetCellValue("Sheet1", cell, v))
		must(t, f.SetCellStyle("Sheet1", cell, cell, st))
		cell, _ = excelize.CoordinatesToCellName(2, i+1)
		must(t, f.SetCellValue("Sheet1", cell, v))
		must(t, f.SetCellStyle("Sheet1", cell, cell, st2))
	}
	return mustSave(t, f)
}

// formatsWorkbook writes numValues under each format of numFmts and each
// built-in format 1 to 49, a row per format.
func formatsWorkbook(t testing.TB) []byte {
	f := excelize.NewFile()
	s := "Sheet1"
	row := 1
	put := func(style int) {
		for i, v := range numValues {
			cell, _ := excelize.CoordinatesToCellName(i+1, row)
			must(t, f.SetCellValue(s, cell, v))
			must(t, f.SetCellStyle(s, cell, cell, style))
		}
		row++
	}
	for _, code := range numFmts {
		st, err := f.NewStyle(&excelize.Style{CustomNumFmt: &code})
		must(t, err)
		put(st)
	}
	for id := 1; id <= 49; id++ {
		if id >= 23 && id <= 36 || id == 12 || id == 13 {
			continue // culture-dependent and fractions: not rendered
		}
		st, err := f.NewStyle(&excelize.Style{NumFmt: id})
		must(t, err)
		put(st)
	}
	return mustSave(t, f)
}

// sharedStrings rewrites the inline strings of an excelize stream-written
// workbook's first sheet as shared strings, the way LibreOffice saves them.
func sharedStrings(t testing.TB, data []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	must(t, err)
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	var sst []string
	index := map[string]int{}
	for _, f := range zr.File {
		rc, err := f.Open()
		must(t, err)
		body, err := io.ReadAll(rc)
		must(t, err)
		rc.Close()
		switch f.Name {
		case "xl/worksheets/sheet1.xml":
			body = inlineToShared(body, &sst, index)
		case "xl/_rels/workbook.xml.rels":
			body = bytes.Replace(body, []byte("</Relationships>"),
				[]byte(`<Relationship Id="rIdSST" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`), 1)
		case "[Content_Types].xml":
			body = bytes.Replace(body, []byte("</Types>"),
				[]byte(`<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`), 1)
		}
		w, err := zw.Create(f.Name)
		must(t, err)
		_, err = w.Write(body)
		must(t, err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+"\n"+`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">`, len(sst), len(sst))
	for _, s := range sst {
		b.WriteString("<si><t xml:space=\"preserve\">")
		xml.EscapeText(&b, []byte(s))
		b.WriteString("</t></si>")
	}
	b.WriteString("</sst>")
	w, err := zw.Create("xl/sharedStrings.xml")
	must(t, err)
	_, err = io.WriteString(w, b.String())
	must(t, err)
	must(t, zw.Close())
	return out.Bytes()
}

// inlineToShared replaces each <c … t="inlineStr"><is><t>X</t></is></c>
// (plain text only) by a shared-string reference.
func inlineToShared(body []byte, sst *[]string, index map[string]int) []byte {
	var out bytes.Buffer
	for {
		i := bytes.Index(body, []byte(` t="inlineStr"><is><t>`))
		if i < 0 {
			out.Write(body)
			return out.Bytes()
		}
		rest := body[i+len(` t="inlineStr"><is><t>`):]
		before, after, ok := bytes.Cut(rest, []byte("</t></is></c>"))
		if !ok {
			out.Write(body)
			return out.Bytes()
		}
		var text string
		d := xml.NewDecoder(strings.NewReader("<t>" + string(before) + "</t>"))
		var v struct {
			S string `xml:",chardata"`
		}
		if d.Decode(&v) == nil {
			text = v.S
		}
		k, ok := index[text]
		if !ok {
			k = len(*sst)
			index[text] = k
			*sst = append(*sst, text)
		}
		out.Write(body[:i])
		fmt.Fprintf(&out, ` t="s"><v>%d</v></c>`, k)
		body = after
	}
}

// pkg builds a workbook package from its parts, with the package and
// workbook relationships filled in for the sheets and the optional
// sharedStrings and styles parts.
type pkg struct {
	sheets  []string // the XML of each sheet
	names   []string // the sheet names (Sheet1… when empty)
	states  []string
	sst     string
	styles  string
	wbPr    string
	wbPath  string // xl/workbook.xml when empty
	absRels bool   // targets written as absolute paths
}

func (p pkg) build(t testing.TB) []byte {
	t.Helper()
	wb := p.wbPath
	if wb == "" {
		wb = "xl/workbook.xml"
	}
	dir := filepath.ToSlash(filepath.Dir(wb))
	target := func(name string) string {
		if p.absRels {
			return "/" + dir + "/" + name
		}
		return name
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name, body string) {
		w, err := zw.Create(name)
		must(t, err)
		_, err = io.WriteString(w, body)
		must(t, err)
	}
	const ns = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"`
	var ct strings.Builder
	ct.WriteString(`<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>`)
	ct.WriteString(`<Override PartName="/` + wb + `" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>`)
	var rels strings.Builder
	rels.WriteString(`<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`)
	var sheets strings.Builder
	for i, body := range p.sheets {
		name := fmt.Sprintf("Sheet%d", i+1)
		if i < len(p.names) {
			name = p.names[i]
		}
		state := ""
		if i < len(p.states) && p.states[i] != "" {
			state = ` state="` + p.states[i] + `"`
		}
		fmt.Fprintf(&sheets, `<sheet name="%s" sheetId="%d"%s r:id="rId%d"/>`, name, i+1, state, i+1)
		part := fmt.Sprintf("worksheets/sheet%d.xml", i+1)
		add(dir+"/"+part, body)
		rels.WriteString(fmt.Sprintf(`<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="%s"/>`, i+1, target(part)))
		ct.WriteString(`<Override PartName="/` + dir + "/" + part + `" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`)
	}
	if p.sst != "" {
		add(dir+"/sharedStrings.xml", p.sst)
		rels.WriteString(`<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="` + target("sharedStrings.xml") + `"/>`)
		ct.WriteString(`<Override PartName="/` + dir + `/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>`)
	}
	if p.styles != "" {
		add(dir+"/styles.xml", p.styles)
		rels.WriteString(`<Relationship Id="rIdT" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="` + target("styles.xml") + `"/>`)
		ct.WriteString(`<Override PartName="/` + dir + `/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>`)
	}
	add("[Content_Types].xml", ct.String()+`</Types>`)
	add("_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="`+wb+`"/></Relationships>`)
	add(dir+"/_rels/"+filepath.Base(wb)+".rels", rels.String()+`</Relationships>`)
	add(wb, `<?xml version="1.0" encoding="UTF-8"?><workbook `+ns+`>`+p.wbPr+`<sheets>`+sheets.String()+`</sheets></workbook>`)
	must(t, zw.Close())
	return buf.Bytes()
}

const sheetNS = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"`

func sheetXML(rows string) string {
	return `<?xml version="1.0" encoding="UTF-8"?><worksheet ` + sheetNS + `><sheetData>` + rows + `</sheetData></worksheet>`
}

func sstXML(items ...string) string {
	return `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` + strings.Join(items, "") + `</sst>`
}

// stylesXML declares custom formats 164… for codes and a cellXfs entry
// per format id of ids (entry 0 being General).
func stylesXML(codes []string, ids []int) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
	fmt.Fprintf(&b, `<numFmts count="%d">`, len(codes))
	for i, c := range codes {
		var esc strings.Builder
		xml.EscapeText(&esc, []byte(c))
		fmt.Fprintf(&b, `<numFmt numFmtId="%d" formatCode="%s"/>`, 164+i, esc.String())
	}
	b.WriteString(`</numFmts><fonts count="1"><font/></fonts><fills count="1"><fill/></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs>`)
	fmt.Fprintf(&b, `<cellXfs count="%d"><xf numFmtId="0"/>`, len(ids)+1)
	for _, id := range ids {
		fmt.Fprintf(&b, `<xf numFmtId="%d" applyNumberFormat="1"/>`, id)
	}
	b.WriteString(`</cellXfs></styleSheet>`)
	return b.String()
}

func handWritten(t testing.TB) map[string][]byte {
	x := `xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"`
	return map[string][]byte{
		"prefixes": pkg{
			sheets: []string{`<?xml version="1.0"?><x:worksheet ` + x + `><x:sheetData>` +
				`<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="inlineStr"><x:is><x:t>inline</x:t></x:is></x:c><x:c r="C1"><x:v>42</x:v></x:c></x:row>` +
				`<x:row r="2" hidden="1"><x:c r="B2" t="s"><x:v>1</x:v></x:c></x:row>` +
				`</x:sheetData><x:mergeCells count="1"><x:mergeCell ref="A3:B4"/></x:mergeCells></x:worksheet>`},
			sst: `<x:sst ` + x + `><x:si><x:t>prefixed</x:t></x:si><x:si><x:r><x:t>ri</x:t></x:r><x:r><x:rPr><x:b/></x:rPr><x:t>ch</x:t></x:r></x:si></x:sst>`,
		}.build(t),
		"no-r": pkg{
			sheets: []string{sheetXML(
				`<row><c t="s"><v>0</v></c><c><v>1</v></c><c r="E1"><v>5</v></c><c><v>6</v></c></row>` +
					`<row><c t="s"><v>1</v></c></row>` +
					`<row r="7"><c t="s"><v>0</v></c></row><row><c><v>8</v></c></row>`)},
			sst: sstXML(`<si><t>a</t></si>`, `<si><t>b</t></si>`),
		}.build(t),
		"shapes": pkg{
			sheets: []string{sheetXML(
				`<row r="2"/>` +
					`<row r="3" spans="1:4" ht="20" customHeight="1"><c r="A3"/><c r="B3" s="0"/><c r="C3" t="s"><v>0</v></c><c r="D3"/></row>` +
					`<row r="4" hidden="true"><c r="A4" t="str"><f>"x"&amp;"y"</f><v>xy</v></c><c r="B4" t="e"><v>#DIV/0!</v></c>` +
					`<c r="C4" t="b"><v>1</v></c><c r="D4" t="b"><v>0</v></c><c r="E4"><f>1/0</f><v>#N/A</v></c><c r="F4"><f>SUM(A1)</f></c></row>` +
					`<row r="5"><c r="A5" t="d"><v>2024-03-15T13:45:00Z</v></c><c r="B5" t="d"><v>2024-03-15</v></c>` +
					`<c r="C5"><v>  7 </v></c><c r="D5"><v>1.50</v></c><c r="E5"><v>1E3</v></c><c r="F5"><v>-0</v></c><c r="G5"><v>00012</v></c></row>` +
					`<row r="6"><c r="A6" t="inlineStr"><is><r><t>rich</t></r><r><rPr><i/></rPr><t xml:space="preserve"> inline</t></r><rPh><t>ignored</t></rPh></is></c>` +
					`<c r="B6" t="inlineStr"><is><t><![CDATA[<cdata> & co]]></t></is></c><c r="C6" t="inlineStr"><is/></c></row>` +
					`<row r="8"><c r="$B$8" t="s"><v> 1 </v></c><c r="c8" t="s"><v>2</v></c></row>` +
					`<row r="9"><c r="A9" s="abc"><v>9</v></c><c r="B9"><v>10</v></c></row>` +
					"<row r=\"10\"><c r=\"A10\" t=\"inlineStr\"><is><t>crlf\r\nand\rcr</t></is></c></row>")},
			sst: sstXML(`<si><t>zero</t></si>`, `<si><t>one</t></si>`, `<si><t/></si>`),
		}.build(t),
		// The shape scanner.simpleCell reads at once, and its near misses,
		// then enough rows that cells straddle the 64 KiB read buffer.
		"simple-cells": pkg{
			sheets: []string{sheetXML(`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><v>12.5</v></c>` +
				`<c r="C1" t="str"><v>a&amp;b</v></c><c r="D1" t="str"><v>é</v></c><c r="E1"><v>1</v> </c>` +
				`<c r="F1"><v>1</v><f>1</f></c><c r="G1" t="str"><v>tab` + "\t" + `here</v></c><c r="H1"><v></v></c>` +
				`<c r="I1" t="b"><v>1</v></c><c r="J1" t="e"><v>#N/A</v></c><c r="K1" t="str"><v>a>b "q" 'a'</v></c>` +
				`<c r="L1" t="s"><v>1</v></c ><c r="M1" t="s"><v >1</v></c><c r="N1" s="1"><v>7</v></c>` +
				`<c r="O1" t="s"><v>2</v></c><c r="P1" t="s"><v>3</v></c><c r="Q1" t="s"><v>4</v></c><c r="R1" t="s"><v>5</v></c>` +
				`<c r="S1" t="s"><v>6</v></c><c r="T1" t="s"><v>7</v></c><c r="U1" t="s"><v>8</v></c>` +
				`<c r='V1' t='s'><v>2</v></c><c r = "W1" t="s"><v>3</v></c><c  r="X1"	t="s"><v>4</v></c><c r="Y1" cm="1" t="s"><v>5</v></c>` +
				`<c r="Z1" t="s" ><v>6</v></c><c x:r="AA1" r="AA1"><v>6</v></c></row>` +
				simpleRows(2, 6000))},
			sst: sstXML(append([]string{`<si><t>zero</t></si>`, `<si><t>one</t></si>`, `<si><t>Hélène 😀</t></si>`,
				`<si><t>a&amp;b</t></si>`, `<si><t xml:space="preserve"> x </t></si>`, `<si><t>x</t><phoneticPr fontId="1"/></si>`,
				"<si><t>tab\there</t></si>", `<si><t>_x0041_</t></si>`, `<si><t>y</t> </si>`}, simpleItems(9, 6007)...)...),
		}.build(t),
		"entities": pkg{
			sheets: []string{sheetXML(`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c>` +
				`<c r="E1" t="inlineStr"><is><t>&#x41;&#66;&lt;&gt;</t></is></c></row>`)},
			sst: sstXML(
				`<si><t>&amp; &lt; &gt; &quot; &apos; a&#10;b&#x9;c&#233;</t></si>`,
				`<si><t>_x0041__x005F_x0042_ _x00e9_ _xD800_ _x00zz_ _x0041</t></si>`,
				`<si><t xml:space="preserve">  spaced  </t><phoneticPr fontId="1"/></si>`,
				`<si><r><t>a</t></r><r><t>_x0042_</t></r><rPh sb="0" eb="1"><t>ア</t></rPh></si>`,
			),
		}.build(t),
		"formats": pkg{
			sheets: []string{sheetXML(formatRows(len(numFmts) + 4))},
			styles: stylesXML(append(slices.Clone(numFmts), "[h]:mm:ss", "mm:ss", "h:mm:ss AM/PM", "#,##0.00 ;(#,##0.00)"),
				formatIDs(len(numFmts)+4)),
			wbPr: ``,
		}.build(t),
		"formats1904": pkg{
			sheets: []string{sheetXML(formatRows(len(numFmts)))},
			styles: stylesXML(numFmts, formatIDs(len(numFmts))),
			wbPr:   `<workbookPr date1904="1"/>`,
		}.build(t),
	}
}

// simpleRows returns rows from to to of cells with a shared string (the
// row's own, from simpleItems), a number and a string of their own, the
// last of varying length.
func simpleRows(from, to int) string {
	var b strings.Builder
	for r := from; r <= to; r++ {
		fmt.Fprintf(&b, `<row r="%d"><c r="A%d" t="s"><v>%d</v></c><c r="B%d"><v>%d.25</v></c><c r="C%d" t="str"><v>%s</v></c></row>`,
			r, r, r+7, r, r, r, strings.Repeat("x", r%37))
	}
	return b.String()
}

// simpleItems returns shared string items from to to, of varying length,
// some with accents.
func simpleItems(from, to int) []string {
	var items []string
	for i := from; i <= to; i++ {
		items = append(items, fmt.Sprintf(`<si><t>%d %s</t></si>`, i, strings.Repeat("é", i%23)+strings.Repeat("z", i%11)))
	}
	return items
}

// formatIDs lists the custom format ids 164… then built-ins 1 to 22 and
// 37 to 49 (but 12 and 13, fractions).
func formatIDs(custom int) []int {
	var ids []int
	for i := range custom {
		ids = append(ids, 164+i)
	}
	for id := 1; id <= 49; id++ {
		if id >= 23 && id <= 36 || id == 12 || id == 13 {
			continue
		}
		ids = append(ids, id)
	}
	return ids
}

// formatRows writes the values of numValues in a row per cell style.
func formatRows(custom int) string {
	var b strings.Builder
	for s := 1; s <= len(formatIDs(custom)); s++ {
		fmt.Fprintf(&b, `<row r="%d">`, s)
		for i, v := range numValues {
			cell, _ := excelize.CoordinatesToCellName(i+1, s)
			if str, ok := v.(string); ok {
				fmt.Fprintf(&b, `<c r="%s" s="%d" t="inlineStr"><is><t>%s</t></is></c>`, cell, s, str)
				continue
			}
			fmt.Fprintf(&b, `<c r="%s" s="%d"><v>%v</v></c>`, cell, s, v)
		}
		b.WriteString(`</row>`)
	}
	return b.String()
}

// layoutWorkbook keeps its parts in book/ and names them by absolute
// targets: excelize reads shared strings and styles only from
// xl/sharedStrings.xml and xl/styles.xml, so it is checked on its own.
func layoutWorkbook(t testing.TB) []byte {
	return pkg{
		wbPath:  "book/main.xml",
		absRels: true,
		names:   []string{"Visible", "Hidden", "Very"},
		states:  []string{"", "hidden", "veryHidden"},
		sheets: []string{
			sheetXML(`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" s="1"><v>7</v></c></row>`),
			sheetXML(`<row r="3"><c r="B3"><v>3</v></c></row>`),
			sheetXML(``),
		},
		sst:    sstXML(`<si><t>found through rels</t></si>`),
		styles: stylesXML([]string{"000"}, []int{164}),
	}.build(t)
}

func TestLayout(t *testing.T) {
	t.Parallel()
	hasFmt, got, err := readOurs(layoutWorkbook(t))
	if err != nil {
		t.Fatal(err)
	}
	want := []sheetDump{
		{Name: "Visible", Rows: []gotRow{{Number: 1, Values: []string{"found through rels", "7"}, Shown: []string{"found through rels", "007"}}}, Hide: map[int]bool{1: false}},
		{Name: "Hidden", Hidden: true, Rows: []gotRow{{Number: 3, Values: []string{"", "3"}, Shown: []string{"", "3"}}}, Hide: map[int]bool{}},
		{Name: "Very", Hidden: true, Hide: map[int]bool{}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("reading the layout workbook (-want +got):\n%s", d)
	}
	if !hasFmt {
		t.Errorf("HasNumberFormats() = false; want true")
	}
}

func TestPlainDecimal(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"0", "1", "-1", "-0", "0.5", "-0.25", "10", "12345.6789", "123456789012345",
		"1.5", "0.1", "0.000123", "999999999999999", "0.30000000000000004", "1.50", "01", "1e3", ".5", "5.",
		"-", "", "1.2.3", "1234567890123456", "00", "-00.5", "0.0", "NaN", "+1"} {
		if plainDecimal([]byte(s)) {
			if got := string(defaultNumberSlow(s)); got != s {
				t.Errorf("plainDecimal(%q) = true, but excelize writes it %q", s, got)
			}
		}
	}
}

// defaultNumberSlow is defaultNumber without its fast path.
func defaultNumberSlow(s string) string {
	isNum, prec, decimal := isNumeric(s)
	if !isNum {
		return s
	}
	if prec > 15 && !isNumWithinPrecision(s) {
		return strconv.FormatFloat(decimal, 'G', 15, 64)
	}
	return strconv.FormatFloat(decimal, 'f', -1, 64)
}

// TestUnrendered checks that the formats this package does not render
// show the value excelize would format.
func TestUnrendered(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ code, value string }{
		{"[$-40C]mmmm yyyy", "45000"},
		{"[$-40C]dddd", "45000"},
		{"# ?/?", "1.5"},
		{"[<100]0;0.00", "5"},
		{"[DBNum1]0", "5"},
		{"[$-ZZZZ]dd/mm", "45000"},
	} {
		if got := compileNumFmt(tt.code).format(tt.value, false, cellNumber); got != tt.value {
			t.Errorf("format %q of %q = %q; want it unrendered", tt.code, tt.value, got)
		}
	}
}
