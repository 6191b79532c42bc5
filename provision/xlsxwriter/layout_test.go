package xlsxwriter

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// layoutBook writes a list sheet laid out as the corrections workbook's:
// fitted columns, an autofilter set before the header row and extended at
// the end, print setup, drop-down lists inline and from a hidden sheet, a
// protected second sheet, and Arial 10.
func layoutBook(w *Writer) error {
	bold, err := w.AddStyle(Style{Bold: true})
	if err != nil {
		return err
	}
	list, err := w.AddSheet("Liste")
	if err != nil {
		return err
	}
	view, err := w.AddSheet("À corriger")
	if err != nil {
		return err
	}
	lists, err := w.AddSheet("Listes")
	if err != nil {
		return err
	}
	steps := []error{
		list.FitColumns(ColumnFit{First: 1, Last: 4, FromRow: 2, Min: 6, Max: 30}),
		list.SetColWidth(5, 5, 12),
		list.AutoFilter(1, 2, 4, 2),
		list.SetPageSetup(PageSetup{Landscape: true, FitToWidth: true, FirstTitleRow: 2, LastTitleRow: 2, GridLines: true, Footer: "&L&A&RPage &P / &N"}),
		list.WriteRow(1, []Cell{{Col: 1, Text: "Liste du personnel"}}),
		list.WriteRow(2, []Cell{{Col: 1, Text: "Nom", Style: bold}, {Col: 2, Text: "Courriel", Style: bold}, {Col: 3, Text: "Mode", Style: bold}, {Col: 4, Text: "Nombre", Style: bold}}),
		list.WriteRow(3, []Cell{{Col: 1, Text: "Durand"}, {Col: 2, Text: "jeanne.durand@example.org"}, {Col: 3, Text: "SMS"}, {Col: 4, Number: 1234567, IsNumber: true}}),
		list.WriteRow(4, []Cell{{Col: 1, Text: "Martin"}, {Col: 2, Text: strings.Repeat("x", 200)}, {Col: 3, Text: "CPS\nou\nCPE"}}),
		list.AutoFilter(1, 2, 4, 4),
		list.AddValidation(Validation{FirstCol: 3, FirstRow: 3, LastCol: 3, LastRow: 100, List: []string{"CPS", "CPE", "SMS", "Mail & co"},
			ErrorTitle: "Mode de connexion", Error: "Choisissez CPS, CPE, SMS ou Mail.", PromptTitle: "Mode", Prompt: "Une valeur\nde la liste"}),
		lists.WriteRow(1, []Cell{{Col: 1, Text: "Médecin"}}),
		lists.WriteRow(2, []Cell{{Col: 1, Text: "Infirmier"}}),
		lists.Hide(),
		list.AddValidation(Validation{FirstCol: 1, FirstRow: 3, LastCol: 1, LastRow: 100, SourceSheet: lists, Source: [4]int{1, 1, 1, 2}, ErrorStyle: ErrorWarning}),
		view.Protect(),
		view.WriteRow(1, []Cell{{Col: 1, Text: "lecture seule"}}),
	}
	return errors.Join(steps...)
}

func TestLayout(t *testing.T) {
	t.Parallel()
	data := mustWrite(t, Options{Font: "Arial", FontSize: 10}, layoutBook)
	f := mustOpen(t, data)

	// Widths: fitted to the longest line, capped; header cells get room
	// for the autofilter's button; the column set by hand keeps its width.
	for _, tt := range []struct {
		col  string
		want float64
	}{
		{"A", 7.5},  // "Durand": 6 + 1.5 (the title of row 1 is not measured)
		{"B", 30},   // 200 characters, capped
		{"C", 8.5},  // "Mode" ×1.1 + 2.5 + 1.5; the longest line of "CPS\nou\nCPE" is less
		{"D", 10.5}, // "Nombre" ×1.1 + 2.5 + 1.5
		{"E", 12},
	} {
		if got, err := f.GetColWidth("Liste", tt.col); err != nil || got != tt.want {
			t.Errorf("GetColWidth(Liste, %s) = %v, %v; want %v", tt.col, got, err, tt.want)
		}
	}

	// The autofilter, with the hidden name Excel expects, and the print
	// titles.
	sheet := zipPart(t, data, "xl/worksheets/sheet1.xml")
	if !strings.Contains(sheet, `<autoFilter ref="A2:D4"/>`) {
		t.Errorf("sheet1.xml lacks the autofilter A2:D4:\n%s", sheet)
	}
	var names []string
	for _, n := range f.GetDefinedName() {
		names = append(names, n.Name+" "+n.Scope+" "+n.RefersTo)
	}
	wantNames := []string{"_xlnm.Print_Titles Liste 'Liste'!$2:$2", "_xlnm._FilterDatabase Liste 'Liste'!$A$2:$D$4"}
	if diff := cmp.Diff(wantNames, names); diff != "" {
		t.Errorf("GetDefinedName (-want +got):\n%s", diff)
	}

	// Print setup: A4 landscape, one page wide, gridlines, footer.
	pl, err := f.GetPageLayout("Liste")
	if err != nil {
		t.Fatal(err)
	}
	if pl.Orientation == nil || *pl.Orientation != "landscape" || pl.FitToWidth == nil || *pl.FitToWidth != 1 ||
		pl.FitToHeight == nil || *pl.FitToHeight != 0 || pl.Size == nil || *pl.Size != 9 {
		t.Errorf("GetPageLayout(Liste) = orientation %v, fitToWidth %v, fitToHeight %v, size %v; want landscape, 1, 0, 9 (A4)",
			deref(pl.Orientation), deref(pl.FitToWidth), deref(pl.FitToHeight), deref(pl.Size))
	}
	props, err := f.GetSheetProps("Liste")
	if err != nil || props.FitToPage == nil || !*props.FitToPage {
		t.Errorf("GetSheetProps(Liste).FitToPage = %v, %v; want true", deref(props.FitToPage), err)
	}
	if !strings.Contains(sheet, `<printOptions gridLines="1"/>`) {
		t.Errorf("sheet1.xml does not print gridlines")
	}
	hf, err := f.GetHeaderFooter("Liste")
	if err != nil || hf.OddFooter != "&L&A&RPage &P / &N" {
		t.Errorf("GetHeaderFooter(Liste).OddFooter = %q, %v; want the sheet and page numbers", hf.OddFooter, err)
	}

	// Drop-down lists: inline, with its messages, and from the hidden
	// sheet.
	dvs, err := f.GetDataValidations("Liste")
	if err != nil {
		t.Fatal(err)
	}
	type dv struct{ Sqref, Type, Formula1, ErrorStyle, ErrorTitle, Error, Prompt string }
	var got []dv
	for _, d := range dvs {
		got = append(got, dv{d.Sqref, d.Type, d.Formula1, deref(d.ErrorStyle), deref(d.ErrorTitle), deref(d.Error), deref(d.Prompt)})
	}
	want := []dv{
		{"C3:C100", "list", `"CPS,CPE,SMS,Mail & co"`, "stop", "Mode de connexion", "Choisissez CPS, CPE, SMS ou Mail.", "Une valeur\nde la liste"},
		{"A3:A100", "list", "'Listes'!$A$1:$A$2", "warning", "", "", ""},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("GetDataValidations(Liste) (-want +got):\n%s", diff)
	}
	if visible, err := f.GetSheetVisible("Listes"); err != nil || visible {
		t.Errorf("GetSheetVisible(Listes) = %v, %v; want false", visible, err)
	}
	if p, err := f.GetSheetProtection("À corriger"); err != nil || !p.AutoFilter || p.Password != "" {
		t.Errorf("GetSheetProtection(À corriger) = %+v, %v; want protected, autofilter allowed, no password", p, err)
	}
	if !strings.Contains(zipPart(t, data, "xl/worksheets/sheet2.xml"), `<sheetProtection sheet="1"`) {
		t.Errorf("sheet2.xml is not protected")
	}

	// The font is named, not the theme's.
	if font, err := f.GetDefaultFont(); err != nil || font != "Arial" {
		t.Errorf("GetDefaultFont() = %q, %v; want Arial", font, err)
	}
	styles := zipPart(t, data, "xl/styles.xml")
	if !strings.Contains(styles, `<font><sz val="10"/><name val="Arial"/><family val="2"/></font>`) || strings.Contains(styles, "scheme") {
		t.Errorf("styles.xml: want Arial 10 without a theme scheme:\n%s", styles)
	}
	if !strings.Contains(sheet, `<sheetFormatPr defaultRowHeight="12.75"/>`) {
		t.Errorf("sheet1.xml: want Arial 10's row height, 12.75")
	}
}

// TestLayoutAfterRows checks that widths, freezing, page setup and
// validations may be set once the rows are written: the sheet's head is
// assembled at Close.
func TestLayoutAfterRows(t *testing.T) {
	t.Parallel()
	data := mustWrite(t, Options{}, func(w *Writer) error {
		s, err := w.AddSheet("Sheet1")
		if err != nil {
			return err
		}
		return errors.Join(
			s.WriteRow(1, []Cell{{Col: 1, Text: "x"}}),
			s.SetColWidth(1, 2, 33),
			s.Freeze(1),
			s.SetPageSetup(PageSetup{FirstTitleRow: 1, LastTitleRow: 1}),
		)
	})
	f := mustOpen(t, data)
	if got, err := f.GetColWidth("Sheet1", "B"); err != nil || got != 33 {
		t.Errorf("GetColWidth(B) = %v, %v; want 33", got, err)
	}
	if p, err := f.GetPanes("Sheet1"); err != nil || !p.Freeze || p.YSplit != 1 {
		t.Errorf("GetPanes = %+v, %v; want the first row frozen", p, err)
	}
	pl, err := f.GetPageLayout("Sheet1")
	if err != nil || pl.Orientation == nil || *pl.Orientation != "portrait" {
		t.Errorf("GetPageLayout = %v, %v; want portrait", deref(pl.Orientation), err)
	}
	if got, err := f.GetCellValue("Sheet1", "A1"); err != nil || got != "x" {
		t.Errorf("GetCellValue(A1) = %q, %v; want x", got, err)
	}
	// The default font stays the theme's.
	if font, err := f.GetDefaultFont(); err != nil || font != "Calibri" {
		t.Errorf("GetDefaultFont() = %q, %v; want Calibri", font, err)
	}
}

// deref returns *p, or T's zero value for nil.
func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// TestMeasureSkipMatchesFull writes random texts (accented, several lines,
// bold, on the autofilter's row) into fitted columns and compares the
// widths measured, which skip a text too short to widen its column, with
// the longest width of every cell computed in full.
func TestMeasureSkipMatchesFull(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(5, 6))
	words := []string{"a", "é", "Hélène", "x\ny", "CPS\nou\nCPE", "jeanne.durand@example.org", "😀😀", "", "Établissement de santé"}
	var got, want []float64
	mustWrite(t, Options{}, func(w *Writer) error {
		bold, err := w.AddStyle(Style{Bold: true})
		if err != nil {
			return err
		}
		s, err := w.AddSheet("Liste")
		if err != nil {
			return err
		}
		if err := errors.Join(s.FitColumns(ColumnFit{First: 1, Last: 3, FromRow: 2, Min: 1, Max: 200}), s.AutoFilter(1, 2, 3, 2)); err != nil {
			return err
		}
		want = make([]float64, 3)
		for row := 1; row <= 400; row++ {
			var cells []Cell
			for col := 1; col <= 3; col++ {
				text := strings.Repeat(words[r.IntN(len(words))], 1+r.IntN(3))
				style := 0
				if r.IntN(4) == 0 {
					style = bold
				}
				cells = append(cells, Cell{Col: col, Text: text, Style: style})
				if row < 2 {
					continue
				}
				wd := float64(longestLine(text))
				if style == bold {
					wd *= 1.1
				}
				if row == 2 {
					wd += fitFilterButton
				}
				want[col-1] = max(want[col-1], wd)
			}
			if err := s.WriteRow(row, cells); err != nil {
				return err
			}
		}
		got = slices.Clone(s.fit)
		return nil
	})
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("fitted widths differ from the widths measured in full (-want +got):\n%s", diff)
	}
}
