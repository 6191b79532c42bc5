package xlsxwriter

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
)

var testDate = time.Date(2026, 1, 15, 9, 30, 0, 0, time.UTC)

// mustWrite writes a workbook with build and returns its bytes.
func mustWrite(t testing.TB, opt Options, build func(w *Writer) error) []byte {
	t.Helper()
	if opt.TempDir == "" {
		opt.TempDir = t.TempDir()
	}
	var buf bytes.Buffer
	w, err := New(&buf, opt)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := build(w); err != nil {
		w.Abort()
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	return buf.Bytes()
}

func mustOpen(t testing.TB, data []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("excelize.OpenReader: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// zipPart returns the uncompressed part name of an xlsx file.
func zipPart(t testing.TB, data []byte, name string) string {
	t.Helper()
	r, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := r.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("reading %s: %v", name, err)
	}
	return string(b)
}

// correctionsLike writes a workbook shaped like the corrections workbook:
// a copy sheet with highlighted, commented cells, a problems sheet with an
// autofilter, and a summary sheet with numbers.
func correctionsLike(w *Writer) error {
	bold, err := w.AddStyle(Style{Bold: true})
	if err != nil {
		return err
	}
	red, err := w.AddStyle(Style{Fill: "FFC7CE"})
	if err != nil {
		return err
	}
	orange, err := w.AddStyle(Style{Fill: "ffd8a8", WrapText: true})
	if err != nil {
		return err
	}
	list, err := w.AddSheet("Liste")
	if err != nil {
		return err
	}
	problems, err := w.AddSheet("Problèmes")
	if err != nil {
		return err
	}
	summary, err := w.AddSheet("Synthèse")
	if err != nil {
		return err
	}
	for _, err := range []error{
		list.SetColWidth(1, 4, 20),
		list.Freeze(1),
		problems.SetColWidth(1, 1, 8),
		problems.SetColWidth(2, 3, 22),
		problems.Freeze(1),
		summary.SetColWidth(1, 1, 36),
	} {
		if err != nil {
			return err
		}
	}
	// Rows and comments of the three sheets interleave, as in one pass.
	steps := []error{
		list.WriteRow(1, []Cell{{Col: 1, Text: "Nom", Style: bold}, {Col: 2, Text: "Courriel", Style: bold}, {Col: 4, Text: "Statut", Style: bold}}),
		problems.WriteRow(1, []Cell{{Col: 1, Text: "Ligne", Style: bold}, {Col: 2, Text: "Cellule", Style: bold}, {Col: 3, Text: "Message", Style: bold}}),
		list.Comment(2, 2, "dccprov", "Erreur (EMAIL_INVALID) : adresse invalide"),
		list.WriteRow(2, []Cell{{Col: 1, Text: "Durand"}, {Col: 2, Text: "durand@", Style: red}, {Col: 4, Text: "À corriger", Style: red}}),
		problems.WriteRow(2, []Cell{{Col: 1, Number: 2, IsNumber: true}, {Col: 2, Text: "B2"}, {Col: 3, Text: "adresse invalide", Style: red}}),
		list.WriteRow(3, []Cell{{Col: 1, Text: "Martin"}, {Col: 2, Text: "martin@example.org"}, {Col: 4, Text: "Avertissement", Style: orange}}),
		list.Comment(4, 3, "dccprov", "Avertissement (PHONE) : numéro\nSuggestion : 0612345678"),
		list.Comment(1, 5, "other", "on an empty row"),
		problems.WriteRow(3, []Cell{{Col: 1, Number: 3, IsNumber: true}, {Col: 2, Text: "D3"}, {Col: 3, Text: "numéro", Style: orange}}),
		problems.AutoFilter(1, 1, 3, 3),
		list.WriteRow(5, []Cell{{Col: 3, Style: red}}),
		summary.WriteRow(1, []Cell{{Col: 1, Text: "Lignes lues"}, {Col: 2, Number: 2, IsNumber: true}}),
		summary.WriteRow(2, []Cell{{Col: 1, Text: "Taux"}, {Col: 2, Number: 0.125, IsNumber: true}}),
		summary.WriteRow(3, []Cell{{Col: 1, Text: ""}, {Col: 2, Number: -1e20, IsNumber: true}}),
	}
	return errors.Join(steps...)
}

func TestReadBack(t *testing.T) {
	t.Parallel()
	data := mustWrite(t, Options{Creator: "dccprov", Created: testDate, CommentWidth: 320, CommentHeight: 140}, correctionsLike)
	f := mustOpen(t, data)

	if got, want := f.GetSheetList(), []string{"Liste", "Problèmes", "Synthèse"}; !cmp.Equal(got, want) {
		t.Errorf("GetSheetList() = %q; want %q", got, want)
	}
	if got := f.GetActiveSheetIndex(); got != 0 {
		t.Errorf("GetActiveSheetIndex() = %d; want 0", got)
	}

	cells := []struct {
		sheet, cell, value string
		number             bool
		bold               bool
		fill               string
		wrap               bool
	}{
		{"Liste", "A1", "Nom", false, true, "", false},
		{"Liste", "B1", "Courriel", false, true, "", false},
		{"Liste", "C1", "", false, false, "", false},
		{"Liste", "D1", "Statut", false, true, "", false},
		{"Liste", "A2", "Durand", false, false, "", false},
		{"Liste", "B2", "durand@", false, false, "FFC7CE", false},
		{"Liste", "D2", "À corriger", false, false, "FFC7CE", false},
		{"Liste", "B3", "martin@example.org", false, false, "", false},
		{"Liste", "D3", "Avertissement", false, false, "FFD8A8", true},
		{"Liste", "A4", "", false, false, "", false},
		{"Liste", "C5", "", false, false, "FFC7CE", false},
		{"Problèmes", "A1", "Ligne", false, true, "", false},
		{"Problèmes", "A2", "2", true, false, "", false},
		{"Problèmes", "C2", "adresse invalide", false, false, "FFC7CE", false},
		{"Problèmes", "A3", "3", true, false, "", false},
		{"Synthèse", "B1", "2", true, false, "", false},
		{"Synthèse", "B2", "0.125", true, false, "", false},
		{"Synthèse", "A3", "", false, false, "", false},
		{"Synthèse", "B3", "-1E+20", true, false, "", false},
	}
	for _, tt := range cells {
		got, err := f.GetCellValue(tt.sheet, tt.cell, excelize.Options{RawCellValue: true})
		if err != nil || got != tt.value {
			t.Errorf("GetCellValue(%q, %q) = %q, %v; want %q", tt.sheet, tt.cell, got, err, tt.value)
		}
		typ, err := f.GetCellType(tt.sheet, tt.cell)
		if err != nil {
			t.Errorf("GetCellType(%q, %q): %v", tt.sheet, tt.cell, err)
		}
		isNum := typ == excelize.CellTypeNumber || typ == excelize.CellTypeUnset && tt.value != ""
		if isNum != tt.number || tt.value != "" && !tt.number && typ != excelize.CellTypeInlineString {
			t.Errorf("GetCellType(%q, %q) = %v; want number %v", tt.sheet, tt.cell, typ, tt.number)
		}
		if tt.number {
			if _, err := strconv.ParseFloat(got, 64); err != nil {
				t.Errorf("GetCellValue(%q, %q) = %q: not a number", tt.sheet, tt.cell, got)
			}
		}
		id, err := f.GetCellStyle(tt.sheet, tt.cell)
		if err != nil {
			t.Fatalf("GetCellStyle(%q, %q): %v", tt.sheet, tt.cell, err)
		}
		st, err := f.GetStyle(id)
		if err != nil {
			t.Fatalf("GetStyle(%d): %v", id, err)
		}
		bold := st.Font != nil && st.Font.Bold
		var fill []string
		if st.Fill.Pattern == 1 {
			fill = st.Fill.Color
		}
		var wantFill []string
		if tt.fill != "" {
			wantFill = []string{tt.fill}
		}
		wrap := st.Alignment != nil && st.Alignment.WrapText
		if bold != tt.bold || !cmp.Equal(fill, wantFill) || wrap != tt.wrap {
			t.Errorf("style of %s!%s: bold %v, fill %q, wrap %v; want %v, %q, %v", tt.sheet, tt.cell, bold, fill, wrap, tt.bold, wantFill, tt.wrap)
		}
	}

	type comment struct{ Cell, Author, Text string }
	comments := []struct {
		sheet string
		want  []comment
	}{
		{"Liste", []comment{
			{"B2", "dccprov", "Erreur (EMAIL_INVALID) : adresse invalide"},
			{"D3", "dccprov", "Avertissement (PHONE) : numéro\nSuggestion : 0612345678"},
			{"A5", "other", "on an empty row"},
		}},
		{"Problèmes", nil},
		{"Synthèse", nil},
	}
	for _, tt := range comments {
		cs, err := f.GetComments(tt.sheet)
		if err != nil {
			t.Fatalf("GetComments(%q): %v", tt.sheet, err)
		}
		var got []comment
		for _, c := range cs {
			got = append(got, comment{c.Cell, c.Author, commentText(c)})
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("GetComments(%q) (-want +got):\n%s", tt.sheet, diff)
		}
	}

	widths := []struct {
		sheet, col string
		want       float64
	}{
		{"Liste", "A", 20}, {"Liste", "D", 20}, {"Liste", "E", 9.140625},
		{"Problèmes", "A", 8}, {"Problèmes", "C", 22},
		{"Synthèse", "A", 36}, {"Synthèse", "B", 9.140625},
	}
	for _, tt := range widths {
		if got, err := f.GetColWidth(tt.sheet, tt.col); err != nil || got != tt.want {
			t.Errorf("GetColWidth(%q, %q) = %v, %v; want %v", tt.sheet, tt.col, got, err, tt.want)
		}
	}

	panes := []struct {
		sheet string
		want  excelize.Panes
	}{
		{"Liste", excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
			Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}},
		{"Synthèse", excelize.Panes{}},
	}
	for _, tt := range panes {
		got, err := f.GetPanes(tt.sheet)
		if err != nil {
			t.Fatalf("GetPanes(%q): %v", tt.sheet, err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("GetPanes(%q) (-want +got):\n%s", tt.sheet, diff)
		}
	}

	wantNames := []excelize.DefinedName{{Name: "_xlnm._FilterDatabase", RefersTo: "'Problèmes'!$A$1:$C$3", Scope: "Problèmes"}}
	if diff := cmp.Diff(wantNames, f.GetDefinedName()); diff != "" {
		t.Errorf("GetDefinedName() (-want +got):\n%s", diff)
	}
	if got := zipPart(t, data, "xl/worksheets/sheet2.xml"); !strings.Contains(got, `<autoFilter ref="A1:C3"/>`) {
		t.Errorf("sheet2.xml has no autoFilter A1:C3:\n%s", got)
	}
	if got := zipPart(t, data, "xl/workbook.xml"); !strings.Contains(got, `hidden="1"`) {
		t.Errorf("_xlnm._FilterDatabase is not hidden:\n%s", got)
	}

	props, err := f.GetDocProps()
	if err != nil {
		t.Fatalf("GetDocProps: %v", err)
	}
	wantProps := &excelize.DocProperties{Creator: "dccprov", LastModifiedBy: "dccprov",
		Created: "2026-01-15T09:30:00Z", Modified: "2026-01-15T09:30:00Z"}
	if diff := cmp.Diff(wantProps, props); diff != "" {
		t.Errorf("GetDocProps() (-want +got):\n%s", diff)
	}
}

// commentText is the text of a comment read by excelize: its text and
// runs, with the _xHHHH_ escapes decoded (excelize leaves them in comments).
func commentText(c excelize.Comment) string {
	var s strings.Builder
	s.WriteString(c.Text)
	for _, r := range c.Paragraph {
		s.WriteString(r.Text)
	}
	return bstrDecode(s.String())
}

var bstrEscape = regexp.MustCompile(`_x[0-9A-Fa-f]{4}_`)

// bstrDecode decodes the _xHHHH_ escapes of an ST_Xstring.
func bstrDecode(s string) string {
	return bstrEscape.ReplaceAllStringFunc(s, func(m string) string {
		n, _ := strconv.ParseUint(m[2:6], 16, 16)
		return string(rune(n))
	})
}

// TestZipParts checks the zip itself: part names in order, fixed times,
// CRCs and sizes that the standard library accepts.
func TestZipParts(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		created time.Time
		want    time.Time
	}{
		{"dated", testDate, testDate},
		{"undated", time.Time{}, time.Date(1979, 11, 30, 0, 0, 0, 0, time.UTC)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			data := mustWrite(t, Options{Created: tt.created}, correctionsLike)
			r, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, f := range r.File {
				names = append(names, f.Name)
				if !f.Modified.Equal(tt.want) {
					t.Errorf("%s modified %v; want %v", f.Name, f.Modified, tt.want)
				}
				rc, err := f.Open()
				if err != nil {
					t.Fatal(err)
				}
				if _, err := io.Copy(io.Discard, rc); err != nil {
					t.Errorf("reading %s: %v", f.Name, err)
				}
				rc.Close()
			}
			want := []string{
				"[Content_Types].xml", "_rels/.rels", "docProps/app.xml", "docProps/core.xml",
				"xl/_rels/workbook.xml.rels", "xl/comments1.xml", "xl/drawings/vmlDrawing1.vml",
				"xl/styles.xml", "xl/theme/theme1.xml", "xl/workbook.xml", "xl/worksheets/_rels/sheet1.xml.rels",
				"xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/worksheets/sheet3.xml",
			}
			if diff := cmp.Diff(want, names); diff != "" {
				t.Errorf("zip entries (-want +got):\n%s", diff)
			}
		})
	}
}

// TestVML checks the comment shapes against the ones excelize writes.
func TestVML(t *testing.T) {
	t.Parallel()
	data := mustWrite(t, Options{CommentWidth: 320, CommentHeight: 140}, func(w *Writer) error {
		s, err := w.AddSheet("Sheet1")
		if err != nil {
			return err
		}
		return errors.Join(s.Comment(2, 2, "a", "x"), s.Comment(3, 3, "a", "y"))
	})
	got := zipPart(t, data, "xl/drawings/vmlDrawing1.vml")
	for _, want := range []string{
		`<o:idmap v:ext="edit" data="1"/>`,
		`<v:shape id="_x0000_s1025" type="#_x0000_t202"`,
		`<x:Anchor>1, 23, 1, 0, 6, 0, 8, 14</x:Anchor>`, // excelize's, for B2 and 320 × 140
		`<x:Row>1</x:Row><x:Column>1</x:Column>`,
		`<v:shape id="_x0000_s1026" type="#_x0000_t202"`,
		`<x:Anchor>2, 23, 2, 0, 7, 0, 9, 14</x:Anchor>`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("vmlDrawing1.vml lacks %s:\n%s", want, got)
		}
	}
}

func TestDeterminism(t *testing.T) {
	t.Parallel()
	a := mustWrite(t, Options{Creator: "dccprov", Created: testDate}, correctionsLike)
	b := mustWrite(t, Options{Creator: "dccprov", Created: testDate}, correctionsLike)
	if !bytes.Equal(a, b) {
		t.Errorf("two writes of the same workbook differ (%d and %d bytes)", len(a), len(b))
	}
	c := mustWrite(t, Options{Creator: "dccprov", Created: testDate.Add(time.Hour)}, correctionsLike)
	if bytes.Equal(a, c) {
		t.Errorf("a different date gives the same bytes")
	}
}

func TestEscaping(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		want     string // read back; "" means in
		raw      string // in the cell's XML, if not ""
	}{
		{name: "plain", in: "Durand"},
		{name: "markup", in: `a&b<c>d"e'f`, raw: `<t>a&amp;b&lt;c&gt;d&quot;e'f</t>`},
		{name: "control", in: "a\x01b\x08c\x1fd\x00", raw: `<t>a_x0001_b_x0008_c_x001F_d_x0000_</t>`},
		{name: "tab newline", in: "a\tb\nc", raw: "<t>a\tb\nc</t>"},
		{name: "carriage return", in: "a\r\nb", raw: `<t>a_x000D_` + "\n" + `b</t>`},
		{name: "literal escape", in: "_x0041_", raw: `<t>_x005F_x0041_</t>`},
		{name: "literal escape of escape", in: "_x005F_x0041_", raw: `<t>_x005F_x005F_x005F_x0041_</t>`},
		{name: "escape before control", in: "_xABCD\x01", raw: `<t>_x005F_xABCD_x0001_</t>`},
		{name: "escape before noncharacter", in: "_xABCD\uFFFF", raw: `<t>_x005F_xABCD_xFFFF_</t>`},
		{name: "not an escape", in: "_x12_ _xZZZZ_ _x", raw: `<t>_x12_ _xZZZZ_ _x</t>`},
		{name: "leading spaces", in: "  lead", raw: `<t xml:space="preserve">  lead</t>`},
		{name: "trailing space", in: "trail ", raw: `<t xml:space="preserve">trail </t>`},
		{name: "leading newline", in: "\nx", raw: "<t xml:space=\"preserve\">\nx</t>"},
		{name: "emoji", in: "café 😀 日本"},
		{name: "noncharacters", in: "a\uFFFEb\uFFFF", raw: `<t>a_xFFFE_b_xFFFF_</t>`},
		{name: "invalid UTF-8", in: "a\xffb\xc3", want: "a\uFFFDb\uFFFD"},
		{name: "formula", in: "=1+1", raw: `<t>=1+1</t>`},
		{name: "formula minus", in: "-2", raw: `<t>-2</t>`},
		{name: "apostrophe", in: "'quoted"},
	}
	data := mustWrite(t, Options{}, func(w *Writer) error {
		s, err := w.AddSheet("Esc & <'x'>")
		if err != nil {
			return err
		}
		for i, tt := range tests {
			if err := s.Comment(1, i+1, tt.in, tt.in); err != nil {
				return err
			}
			if err := s.WriteRow(i+1, []Cell{{Col: 1, Text: tt.in}}); err != nil {
				return err
			}
		}
		return nil
	})
	f := mustOpen(t, data)
	if got := f.GetSheetName(0); got != "Esc & <'x'>" {
		t.Errorf("GetSheetName(0) = %q; want %q", got, "Esc & <'x'>")
	}
	comments, err := f.GetComments("Esc & <'x'>")
	if err != nil || len(comments) != len(tests) {
		t.Fatalf("GetComments = %d comments, %v; want %d", len(comments), err, len(tests))
	}
	sheet := zipPart(t, data, "xl/worksheets/sheet1.xml")
	for i, tt := range tests {
		want := tt.in
		if tt.want != "" {
			want = tt.want
		}
		cell := "A" + strconv.Itoa(i+1)
		got, err := f.GetCellValue("Esc & <'x'>", cell)
		if err != nil || got != want {
			t.Errorf("%s: GetCellValue(%s) = %q, %v; want %q", tt.name, cell, got, err, want)
		}
		if formula, _ := f.GetCellFormula("Esc & <'x'>", cell); formula != "" {
			t.Errorf("%s: GetCellFormula(%s) = %q; want none", tt.name, cell, formula)
		}
		if got := commentText(comments[i]); got != want {
			t.Errorf("%s: comment text = %q; want %q", tt.name, got, want)
		}
		if got := bstrDecode(comments[i].Author); got != want {
			t.Errorf("%s: comment author = %q; want %q", tt.name, got, want)
		}
		if tt.raw != "" && !strings.Contains(sheet, `<c r="`+cell+`" t="inlineStr"><is>`+tt.raw+`</is></c>`) {
			t.Errorf("%s: cell %s is not written as %s", tt.name, cell, tt.raw)
		}
	}
}

func TestAppendTextPlain(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"dccprov", "dccprov"},
		{"a&b", "a&amp;b"},
		{"_x0041_", "_x0041_"},
		{"a\x01", "a\uFFFD"},
	}
	for _, tt := range tests {
		if got := string(appendText(nil, tt.in, false)); got != tt.want {
			t.Errorf("appendText(nil, %q, false) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestLimits(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", maxCellChars+1)
	tests := []struct {
		name   string
		call   func(s *Sheet) error
		tooBig bool
	}{
		{"row past MaxRows", func(s *Sheet) error { return s.WriteRow(MaxRows+1, []Cell{{Col: 1, Text: "x"}}) }, true},
		{"column past MaxCols", func(s *Sheet) error { return s.WriteRow(1, []Cell{{Col: MaxCols + 1, Text: "x"}}) }, true},
		{"text too long", func(s *Sheet) error { return s.WriteRow(1, []Cell{{Col: 1, Text: long}}) }, true},
		{"comment past MaxRows", func(s *Sheet) error { return s.Comment(1, MaxRows+1, "a", "x") }, true},
		{"comment past MaxCols", func(s *Sheet) error { return s.Comment(MaxCols+1, 1, "a", "x") }, true},
		{"comment too long", func(s *Sheet) error { return s.Comment(1, 1, "a", long) }, true},
		{"width past MaxCols", func(s *Sheet) error { return s.SetColWidth(1, MaxCols+1, 10) }, true},
		{"autofilter past MaxRows", func(s *Sheet) error { return s.AutoFilter(1, 1, 2, MaxRows+1) }, true},
		{"row 0", func(s *Sheet) error { return s.WriteRow(0, nil) }, false},
		{"column 0", func(s *Sheet) error { return s.WriteRow(1, []Cell{{Col: 0, Text: "x"}}) }, false},
		{"columns out of order", func(s *Sheet) error { return s.WriteRow(1, []Cell{{Col: 2, Text: "x"}, {Col: 1, Text: "y"}}) }, false},
		{"unknown style", func(s *Sheet) error { return s.WriteRow(1, []Cell{{Col: 1, Text: "x", Style: 9}}) }, false},
		{"NaN", func(s *Sheet) error { return s.WriteRow(1, []Cell{{Col: 1, IsNumber: true, Number: nan()}}) }, false},
		{"rows out of order", func(s *Sheet) error {
			if err := s.WriteRow(2, nil); err != nil {
				return nil
			}
			return s.WriteRow(2, nil)
		}, false},
		{"comments out of order", func(s *Sheet) error {
			if err := s.Comment(2, 2, "a", "x"); err != nil {
				return nil
			}
			return s.Comment(1, 2, "a", "x")
		}, false},
		{"fit after rows", func(s *Sheet) error {
			if err := s.WriteRow(1, []Cell{{Col: 1, Text: "x"}}); err != nil {
				return nil
			}
			return s.FitColumns(ColumnFit{First: 1, Last: 2, Min: 5, Max: 50})
		}, false},
		{"fit twice", func(s *Sheet) error {
			if err := s.FitColumns(ColumnFit{First: 1, Last: 2, Min: 5, Max: 50}); err != nil {
				return nil
			}
			return s.FitColumns(ColumnFit{First: 3, Last: 4, Min: 5, Max: 50})
		}, false},
		{"fit past MaxCols", func(s *Sheet) error { return s.FitColumns(ColumnFit{First: 1, Last: MaxCols + 1, Min: 5, Max: 50}) }, true},
		{"fit min over max", func(s *Sheet) error { return s.FitColumns(ColumnFit{First: 1, Last: 2, Min: 50, Max: 5}) }, false},
		{"title rows past MaxRows", func(s *Sheet) error { return s.SetPageSetup(PageSetup{FirstTitleRow: 1, LastTitleRow: MaxRows + 1}) }, true},
		{"title rows reversed", func(s *Sheet) error { return s.SetPageSetup(PageSetup{FirstTitleRow: 3, LastTitleRow: 2}) }, false},
		{"footer too long", func(s *Sheet) error { return s.SetPageSetup(PageSetup{Footer: strings.Repeat("x", 256)}) }, true},
		{"validation past MaxRows", func(s *Sheet) error {
			return s.AddValidation(Validation{FirstCol: 1, FirstRow: 2, LastCol: 1, LastRow: MaxRows + 1, List: []string{"a"}})
		}, true},
		{"validation list too long", func(s *Sheet) error {
			return s.AddValidation(Validation{FirstCol: 1, FirstRow: 2, LastCol: 1, LastRow: 3, List: []string{strings.Repeat("é", 256)}})
		}, true},
		{"validation title too long", func(s *Sheet) error {
			return s.AddValidation(Validation{FirstCol: 1, FirstRow: 2, LastCol: 1, LastRow: 3, List: []string{"a"}, ErrorTitle: strings.Repeat("x", 33)})
		}, true},
		{"validation value with a comma", func(s *Sheet) error {
			return s.AddValidation(Validation{FirstCol: 1, FirstRow: 2, LastCol: 1, LastRow: 3, List: []string{"a,b"}})
		}, false},
		{"validation without values", func(s *Sheet) error {
			return s.AddValidation(Validation{FirstCol: 1, FirstRow: 2, LastCol: 1, LastRow: 3})
		}, false},
		{"validation with list and source", func(s *Sheet) error {
			return s.AddValidation(Validation{FirstCol: 1, FirstRow: 2, LastCol: 1, LastRow: 3, List: []string{"a"}, SourceSheet: s, Source: [4]int{1, 1, 1, 2}})
		}, false},
		{"hide the first sheet", func(s *Sheet) error { return s.Hide() }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w, err := New(io.Discard, Options{TempDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			defer w.Abort()
			s, err := w.AddSheet("Sheet1")
			if err != nil {
				t.Fatal(err)
			}
			err = tt.call(s)
			if err == nil || errors.Is(err, ErrTooBig) != tt.tooBig {
				t.Fatalf("error %v; want one (wrapping ErrTooBig: %v)", err, tt.tooBig)
			}
			// An invalid call writes nothing: the workbook is still good.
			if err := w.Close(); err != nil {
				t.Errorf("Close after %q: %v", err, err)
			}
		})
	}
}

func nan() float64 { z := 0.0; return z / z }

// TestLastCell writes the last cell of a sheet, XFD1048576.
func TestLastCell(t *testing.T) {
	t.Parallel()
	data := mustWrite(t, Options{}, func(w *Writer) error {
		s, err := w.AddSheet("Sheet1")
		if err != nil {
			return err
		}
		return errors.Join(s.WriteRow(MaxRows, []Cell{{Col: MaxCols, Text: "last"}}), s.Comment(MaxCols, MaxRows, "a", "end"))
	})
	f := mustOpen(t, data)
	if got, err := f.GetCellValue("Sheet1", "XFD1048576"); err != nil || got != "last" {
		t.Errorf("GetCellValue(XFD1048576) = %q, %v; want %q", got, err, "last")
	}
	if cs, err := f.GetComments("Sheet1"); err != nil || len(cs) != 1 || cs[0].Cell != "XFD1048576" {
		t.Errorf("GetComments = %v, %v; want one on XFD1048576", cs, err)
	}
}

func TestAPIErrors(t *testing.T) {
	t.Parallel()
	w, err := New(io.Discard, Options{TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	for _, s := range []Style{{Fill: "red"}, {Fill: "FFC7CE00"}} {
		if _, err := w.AddStyle(s); err == nil {
			t.Errorf("AddStyle(%+v) = nil error; want one", s)
		}
	}
	if id, err := w.AddStyle(Style{}); id != 0 || err != nil {
		t.Errorf("AddStyle(Style{}) = %d, %v; want 0, nil", id, err)
	}
	a, _ := w.AddStyle(Style{Bold: true})
	b, _ := w.AddStyle(Style{Bold: true})
	if a != 1 || b != 1 {
		t.Errorf("AddStyle(bold) twice = %d, %d; want 1, 1", a, b)
	}
	for _, name := range []string{"", "a:b", "a/b", "[x]", "'x", strings.Repeat("x", 32), "history", "a\x01"} {
		if _, err := w.AddSheet(name); err == nil {
			t.Errorf("AddSheet(%q) = nil error; want one", name)
		}
	}
	s, err := w.AddSheet(strings.Repeat("é", 31))
	if err != nil {
		t.Fatalf("AddSheet(31 characters): %v", err)
	}
	if _, err := w.AddSheet(strings.Repeat("É", 31)); err == nil {
		t.Errorf("AddSheet of a name differing only in case = nil error; want one")
	}
	if err := s.WriteRow(1, []Cell{{Col: 1, Text: "x"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.AddStyle(Style{Fill: "FFFFFF"}); err == nil {
		t.Errorf("AddStyle after the first row = nil error; want one")
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err == nil {
		t.Errorf("second Close = nil error; want one")
	}
	if err := s.WriteRow(2, nil); err == nil {
		t.Errorf("WriteRow after Close = nil error; want one")
	}
	if _, err := New(io.Discard, Options{Level: 12}); err == nil {
		t.Errorf("New(Level 12) = nil error; want one")
	}
	w2, _ := New(io.Discard, Options{TempDir: t.TempDir()})
	if err := w2.Close(); err == nil {
		t.Errorf("Close with no sheets = nil error; want one")
	}
}

// TestTempFiles checks that the spool files are private and removed.
func TestTempFiles(t *testing.T) {
	t.Parallel()
	for _, abort := range []bool{false, true} {
		dir := t.TempDir()
		w, err := New(io.Discard, Options{TempDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		s, _ := w.AddSheet("Sheet1")
		if err := errors.Join(s.WriteRow(1, []Cell{{Col: 1, Text: "x"}}), s.Comment(1, 1, "a", "b")); err != nil {
			t.Fatal(err)
		}
		entries, _ := os.ReadDir(dir)
		if len(entries) != 1 {
			t.Fatalf("%d entries in TempDir; want 1", len(entries))
		}
		private := dir + "/" + entries[0].Name()
		if fi, err := os.Stat(private); err != nil || fi.Mode().Perm() != 0o700 || !fi.IsDir() {
			t.Errorf("private directory %v, %v; want a directory of mode 0700", fi.Mode(), err)
		}
		files, _ := os.ReadDir(private)
		if len(files) != 3 {
			t.Errorf("%d spool files; want 3", len(files))
		}
		for _, f := range files {
			if fi, err := f.Info(); err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("spool file %s mode %v, %v; want 0600", f.Name(), fi.Mode(), err)
			}
		}
		if abort {
			w.Abort()
		} else if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("after Close (abort %v): %d entries left in TempDir", abort, len(entries))
		}
	}
}

// TestLevel checks that the level option is used: no compression gives a
// bigger file, and both read back.
func TestLevel(t *testing.T) {
	t.Parallel()
	fast := mustWrite(t, Options{}, correctionsLike)
	none := mustWrite(t, Options{Level: flate.HuffmanOnly}, correctionsLike)
	best := mustWrite(t, Options{Level: flate.BestCompression}, correctionsLike)
	if len(none) <= len(fast) {
		t.Errorf("HuffmanOnly: %d bytes, BestSpeed: %d; want more", len(none), len(fast))
	}
	for _, data := range [][]byte{none, best} {
		f := mustOpen(t, data)
		if got, _ := f.GetCellValue("Liste", "B2"); got != "durand@" {
			t.Errorf("GetCellValue(B2) = %q; want %q", got, "durand@")
		}
	}
}

func TestCRC32Combine(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ a, b string }{
		{"", ""}, {"abc", ""}, {"", "abc"}, {"hello ", "world"}, {strings.Repeat("x", 1000), strings.Repeat("yz", 70000)},
	} {
		want := crc32.ChecksumIEEE([]byte(tt.a + tt.b))
		got := crc32Combine(crc32.ChecksumIEEE([]byte(tt.a)), crc32.ChecksumIEEE([]byte(tt.b)), int64(len(tt.b)))
		if got != want {
			t.Errorf("crc32Combine(%d bytes, %d bytes) = %08x; want %08x", len(tt.a), len(tt.b), got, want)
		}
	}
}

// TestLongPrefix checks comments whose authors exceed a stored block.
func TestLongPrefix(t *testing.T) {
	t.Parallel()
	data := mustWrite(t, Options{}, func(w *Writer) error {
		s, err := w.AddSheet("Sheet1")
		if err != nil {
			return err
		}
		for i := range 600 {
			if err := s.Comment(1, i+1, fmt.Sprintf("%0200d", i), "x"); err != nil {
				return err
			}
		}
		return nil
	})
	f := mustOpen(t, data)
	cs, err := f.GetComments("Sheet1")
	if err != nil || len(cs) != 600 || cs[599].Author != fmt.Sprintf("%0200d", 599) {
		t.Errorf("GetComments = %d comments, %v; want 600 with their authors", len(cs), err)
	}
}

// TestCommentBytes reuses the bytes of a comment for the next one: each
// comment keeps its own text.
func TestCommentBytes(t *testing.T) {
	t.Parallel()
	texts := []string{"Erreur (A) : première", "Erreur (B) : deuxième & <autre>", "x"}
	data := mustWrite(t, Options{}, func(w *Writer) error {
		s, err := w.AddSheet("S")
		if err != nil {
			return err
		}
		buf := make([]byte, 0, 64)
		for i, text := range texts {
			buf = append(buf[:0], text...)
			if err := s.CommentBytes(1, i+1, "dccprov", buf); err != nil {
				return err
			}
			copy(buf, "################") // what the caller does next
		}
		return nil
	})
	comments, err := mustOpen(t, data).GetComments("S")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range comments {
		got = append(got, commentText(c))
	}
	if diff := cmp.Diff(texts, got); diff != "" {
		t.Errorf("comments (-want +got):\n%s", diff)
	}
}
