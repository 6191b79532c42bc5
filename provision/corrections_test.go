package provision

import (
	"archive/zip"
	"bytes"
	"cmp"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dccprov/dccprov/provision/xlsxwriter"
	gocmp "github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
)

func writeCorrections(tb testing.TB) []byte {
	tb.Helper()
	var b bytes.Buffer
	// With the catalogues of the configuration, for the drop-down lists.
	if err := writeCorrectionsSplit(&b, testTable(), testPeople(), testProblems(), testConfig(tb), correctionsProblemsPerSheet); err != nil {
		tb.Fatalf("writeCorrectionsSplit = %v", err)
	}
	return b.Bytes()
}

func mustOpenXLSX(tb testing.TB, data []byte) *excelize.File {
	tb.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		tb.Fatalf("excelize.OpenReader = %v", err)
	}
	tb.Cleanup(func() { f.Close() })
	return f
}

// cellFill returns the pattern fill colour of a cell, or "".
func cellFill(tb testing.TB, f *excelize.File, sheet, ref string) string {
	tb.Helper()
	id, err := f.GetCellStyle(sheet, ref)
	if err != nil {
		tb.Fatal(err)
	}
	st, err := f.GetStyle(id)
	if err != nil {
		tb.Fatal(err)
	}
	if st.Fill.Pattern == 1 && len(st.Fill.Color) > 0 {
		return st.Fill.Color[0]
	}
	return ""
}

// commentsOf returns the comments of a sheet by cell reference.
func commentsOf(tb testing.TB, f *excelize.File, sheet string) map[string]string {
	tb.Helper()
	cs, err := f.GetComments(sheet)
	if err != nil {
		tb.Fatal(err)
	}
	m := map[string]string{}
	for _, c := range cs {
		var text strings.Builder
		text.WriteString(c.Text)
		for _, r := range c.Paragraph {
			text.WriteString(r.Text)
		}
		m[c.Cell] = text.String()
	}
	return m
}

var tsvEscaper = strings.NewReplacer("\\", `\\`, "\t", `\t`, "\n", `\n`, "\r", `\r`)

// dumpXLSX is the text form of a workbook the goldens compare: one line per
// non-empty, highlighted or commented cell — sheet, cell, value, fill
// colour, comment — sheet by sheet, row by row, then the sheet's data
// validations.
func dumpXLSX(tb testing.TB, data []byte) string {
	tb.Helper()
	f := mustOpenXLSX(tb, data)
	var b strings.Builder
	b.WriteString("sheet\tcell\tvalue\thighlight\tcomment\n")
	for _, sheet := range f.GetSheetList() {
		comments := commentsOf(tb, f, sheet)
		refs := map[string]bool{}
		for ref := range comments {
			refs[ref] = true
		}
		rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			tb.Fatal(err)
		}
		for i, row := range rows {
			for j, v := range row {
				ref := ColumnName(j+1) + fmt.Sprint(i+1)
				if v != "" || cellFill(tb, f, sheet, ref) != "" {
					refs[ref] = true
				}
			}
		}
		sorted := make([]string, 0, len(refs))
		for ref := range refs {
			sorted = append(sorted, ref)
		}
		slices.SortFunc(sorted, func(a, b string) int {
			ca, ra, _ := excelize.CellNameToCoordinates(a)
			cb, rb, _ := excelize.CellNameToCoordinates(b)
			return cmp.Or(cmp.Compare(ra, rb), cmp.Compare(ca, cb))
		})
		for _, ref := range sorted {
			v, err := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
			if err != nil {
				tb.Fatal(err)
			}
			fmt.Fprintf(&b, "%s\t%s\t%s\t%s\t%s\n", sheet, ref, tsvEscaper.Replace(v),
				cellFill(tb, f, sheet, ref), tsvEscaper.Replace(comments[ref]))
		}
		// Data validations, as "validation" lines: range, type and source,
		// error style.
		dvs, err := f.GetDataValidations(sheet)
		if err != nil {
			tb.Fatal(err)
		}
		slices.SortFunc(dvs, func(a, b *excelize.DataValidation) int { return strings.Compare(a.Sqref, b.Sqref) })
		for _, dv := range dvs {
			style := ""
			if dv.ErrorStyle != nil {
				style = *dv.ErrorStyle
			}
			fmt.Fprintf(&b, "%s\tvalidation %s\t%s %s\t\t%s\n", sheet, dv.Sqref, dv.Type, tsvEscaper.Replace(dv.Formula1), style)
		}
	}
	return b.String()
}

func TestCorrectionsGolden(t *testing.T) {
	t.Parallel()
	checkGolden(t, "corrections.tsv", []byte(dumpXLSX(t, writeCorrections(t))))
}

// TestCorrectionsDeterministic checks bytes: excelize writes the zip
// entries in a fixed order and the document dates come from the date given.
func TestCorrectionsDeterministic(t *testing.T) {
	t.Parallel()
	if a, b := writeCorrections(t), writeCorrections(t); !bytes.Equal(a, b) {
		t.Errorf("two writes of the same corrections workbook differ")
	}
}

func TestCorrectionsCells(t *testing.T) {
	t.Parallel()
	f := mustOpenXLSX(t, writeCorrections(t))
	if got, want := f.GetSheetList(), []string{"Personnels", "À corriger", "Problèmes", "Synthèse", "Légende", "Listes", "Prérequis"}; !slices.Equal(got, want) {
		t.Fatalf("sheets = %q; want %q", got, want)
	}
	const sheet = "Personnels"
	tbl := testTable()
	// The copy: same values at the same places.
	for i, row := range tbl.Head {
		for j, v := range row {
			ref := ColumnName(j+1) + fmt.Sprint(i+1)
			if got, _ := f.GetCellValue(sheet, ref); got != v {
				t.Errorf("%s!%s = %q; want %q", sheet, ref, got, v)
			}
		}
	}
	for _, r := range tbl.Rows {
		for j, v := range r.Values {
			ref := ColumnName(j+1) + fmt.Sprint(r.Number)
			if got, _ := f.GetCellValue(sheet, ref); got != safeCell(v) {
				t.Errorf("%s!%s = %q; want %q", sheet, ref, got, safeCell(v))
			}
			if formula, _ := f.GetCellFormula(sheet, ref); formula != "" {
				t.Errorf("%s!%s holds the formula %q; want text only", sheet, ref, formula)
			}
		}
	}
	// The status column, M, after the 12 columns of the list.
	wantStatus := map[string]string{"M3": "Statut", "M4": "OK", "M5": "OK", "M6": "Avertissement", "M7": "À corriger", "M8": "Avertissement"}
	for ref, want := range wantStatus {
		if got, _ := f.GetCellValue(sheet, ref); got != want {
			t.Errorf("%s!%s = %q; want %q", sheet, ref, got, want)
		}
	}
	// Each problem cell: filled by severity, commented with its texts.
	comments := commentsOf(t, f, sheet)
	for _, p := range testProblems() {
		ref := cmp.Or(p.Cell, fmt.Sprintf("M%d", p.Row))
		want := fillWarning
		if p.Severity == SeverityError {
			want = fillError
		}
		if got := cellFill(t, f, sheet, ref); got != want {
			t.Errorf("fill of %s (%s) = %q; want %q", ref, p.Code, got, want)
		}
		if c := comments[ref]; !strings.Contains(c, p.Message) || !strings.Contains(c, p.Suggestion) || !strings.Contains(c, string(p.Code)) {
			t.Errorf("comment of %s = %q; want the code, message and suggestion of %s", ref, c, p.Code)
		}
	}
	if got := cellFill(t, f, sheet, "A4"); got != "" {
		t.Errorf("fill of A4 (no problem) = %q; want none", got)
	}
	if len(comments) != len(testProblems()) {
		t.Errorf("%d comments; want one per problem cell (%d)", len(comments), len(testProblems()))
	}

	// The problem sheet: one row per problem, under a header, with a filter.
	rows, err := f.GetRows("Problèmes")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(testProblems())+1 {
		t.Errorf("Problèmes has %d rows; want %d", len(rows), len(testProblems())+1)
	}
	if want := []string{"Ligne", "Colonne", "Cellule", "Gravité", "Code", "Message", "Valeur", "Suggestion"}; !slices.Equal(rows[0], want) {
		t.Errorf("Problèmes header = %q; want %q", rows[0], want)
	}
	for i, p := range testProblems() {
		got := rows[i+1]
		if got[0] != fmt.Sprint(p.Row) || got[2] != p.Cell || got[4] != string(p.Code) || got[6] != safeCell(p.Value) {
			t.Errorf("Problèmes row %d = %q; want problem %+v", i+2, got, p)
		}
	}
	var filtered bool
	for _, dn := range f.GetDefinedName() {
		if dn.Name == "_xlnm._FilterDatabase" && dn.Scope == "Problèmes" {
			filtered = true
		}
	}
	if !filtered {
		t.Errorf("Problèmes has no autofilter")
	}

	// The summary.
	for ref, want := range map[string]string{"A2": "Lignes lues", "B2": "5", "B3": "4", "B4": "1", "B5": "2", "B6": "8"} {
		if got, _ := f.GetCellValue("Synthèse", ref); got != want {
			t.Errorf("Synthèse!%s = %q; want %q", ref, got, want)
		}
	}
}

func TestCorrectionsSheetName(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want string }{
		{"", "Liste"}, {"Personnels", "Personnels"}, {"problèmes", "Liste"}, {"Synthèse", "Liste"},
		{"à corriger", "Liste"}, {"Légende", "Liste"}, {"Listes", "Liste"}, {"Problèmes 2", "Liste"}, {"Problématique", "Problématique"},
	} {
		if got := correctionsSheetName(tt.in); got != tt.want {
			t.Errorf("correctionsSheetName(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

// zipPart returns the bytes of one part of a workbook.
func zipPart(tb testing.TB, data []byte, name string) []byte {
	tb.Helper()
	r, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		tb.Fatal(err)
	}
	f, err := r.Open(name)
	if err != nil {
		tb.Fatalf("opening %s: %v", name, err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// TestCorrectionsComments checks that the comments of a large list,
// written as the list streams, are those excelize reads from a workbook
// where AddComment was called once per cell, and that the workbook is still
// byte-deterministic.
func TestCorrectionsComments(t *testing.T) {
	t.Parallel()
	tbl, problems := bigCorrections(300)
	write := func() []byte {
		var b bytes.Buffer
		if err := WriteCorrections(&b, tbl, nil, problems, testDate); err != nil {
			t.Fatalf("WriteCorrections = %v", err)
		}
		return b.Bytes()
	}
	got := write()
	if !bytes.Equal(got, write()) {
		t.Errorf("two writes of the same corrections workbook differ")
	}

	want := excelize.NewFile()
	defer want.Close()
	if err := want.SetSheetName("Sheet1", correctionsSheetName(tbl.Input.Sheet)); err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		err := want.AddComment(correctionsSheetName(tbl.Input.Sheet), excelize.Comment{
			Cell: p.Cell, Author: "dccprov", Width: 320, Height: 140,
			Paragraph: []excelize.RichTextRun{{Text: string(appendCommentText(nil, []Problem{p}))}},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if _, err := want.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	sheet := correctionsSheetName(tbl.Input.Sheet)
	if g, w := commentsOf(t, mustOpenXLSX(t, got), sheet), commentsOf(t, mustOpenXLSX(t, b.Bytes()), sheet); !maps.Equal(g, w) {
		t.Errorf("comments differ from those of one AddComment call per cell:\n%s", gocmp.Diff(w, g))
	}

	f := mustOpenXLSX(t, got)
	comments := commentsOf(t, f, correctionsSheetName(tbl.Input.Sheet))
	if len(comments) != len(problems) {
		t.Errorf("%d comments; want %d", len(comments), len(problems))
	}
	rows, err := f.GetRows(correctionsProblemsSheet)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(problems)+1 {
		t.Errorf("Problèmes has %d rows; want %d", len(rows), len(problems)+1)
	}
}

// TestCorrectionsRoundTrip checks a corrected workbook sent back and
// checked again: its Statut column is reused, holding the new status, and
// no second one is added.
func TestCorrectionsRoundTrip(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "liste.corrections.xlsx")
	if err := os.WriteFile(path, writeCorrections(t), 0o600); err != nil {
		t.Fatal(err)
	}
	tbl, err := ReadFile(t.Context(), path, testConfig(t))
	if err != nil {
		t.Fatalf("ReadFile(corrections workbook) = %v", err)
	}
	// All corrected: every status becomes OK.
	var b bytes.Buffer
	if err := WriteCorrections(&b, tbl, nil, nil, testDate); err != nil {
		t.Fatalf("WriteCorrections(round trip) = %v", err)
	}
	f := mustOpenXLSX(t, b.Bytes())
	rows, err := f.GetRows("Personnels")
	if err != nil {
		t.Fatal(err)
	}
	header := rows[2]
	if n := slices.Index(header, "Statut"); n != 12 || slices.Index(header[n+1:], "Statut") >= 0 {
		t.Fatalf("header = %q; want one Statut column, M", header)
	}
	for i, row := range rows[3:8] {
		if len(row) != 13 || row[12] != "OK" {
			t.Errorf("row %d = %q; want 13 cells ending with the new status OK", i+4, row)
		}
	}
}

// TestCorrectionsSameDay checks the document dates: the calendar day of
// the date in its own location, at 00:00 UTC, whatever the hour.
func TestCorrectionsSameDay(t *testing.T) {
	t.Parallel()
	paris := time.FixedZone("CET", 3600) // Paris in January, without tzdata
	write := func(date time.Time) []byte {
		var b bytes.Buffer
		if err := WriteCorrections(&b, testTable(), testPeople(), testProblems(), date); err != nil {
			t.Fatalf("WriteCorrections = %v", err)
		}
		return b.Bytes()
	}
	checkSameDay(t, "corrections workbooks", write, time.Date(2026, 1, 15, 0, 0, 0, 0, paris), time.Date(2026, 1, 15, 23, 59, 59, 0, paris))
}

// checkSameDay checks that a workbook written at two times of one day is
// the same, dated that day at 00:00 UTC.
func checkSameDay(t *testing.T, what string, write func(time.Time) []byte, midnight, later time.Time) {
	t.Helper()
	first := write(midnight)
	if !bytes.Equal(first, write(later)) {
		t.Errorf("%s written at two hours of the same day differ", what)
	}
	if core := string(zipPart(t, first, "docProps/core.xml")); !strings.Contains(core, ">2026-01-15T00:00:00Z<") {
		t.Errorf("docProps/core.xml = %s; want the dates 2026-01-15T00:00:00Z", core)
	}
}

// TestCorrectionsExcelLimits checks what happens past what a worksheet
// holds: the problems sheet goes on in "Problèmes 2", "Problèmes 3"… (here
// three problems a sheet, instead of 1 048 575), and a row past row
// 1 048 576 (a CSV list can have one) is not copied, the Synthèse sheet
// saying how many, instead of a library error.
func TestCorrectionsExcelLimits(t *testing.T) {
	t.Parallel()
	tbl := testTable()
	last := tbl.Rows[len(tbl.Rows)-1]
	for _, n := range []int{xlsxwriter.MaxRows + 1, xlsxwriter.MaxRows + 5} {
		r := last
		r.Number = n
		tbl.Rows = append(tbl.Rows, r)
	}
	problems := testProblems()
	problems = append(problems, NewProblem(EmailInvalid, Cell{Row: xlsxwriter.MaxRows + 1, Col: 4, Header: "Courriel", Value: "x"}, "", ""))
	var b bytes.Buffer
	if err := writeCorrectionsSplit(&b, tbl, nil, problems, &Config{Date: testDate}, 3); err != nil {
		t.Fatalf("writeCorrectionsSplit = %v; want no error past Excel's rows", err)
	}
	f := mustOpenXLSX(t, b.Bytes())
	var want []string
	want = append(want, correctionsSheetName(tbl.Input.Sheet), correctionsViewSheet)
	listed := 0
	for i := 0; i*3 < len(problems); i++ {
		name := correctionsProblemsSheet
		if i > 0 {
			name = fmt.Sprintf("%s %d", correctionsProblemsSheet, i+1)
		}
		want = append(want, name)
		rows, err := f.GetRows(name)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) < 2 || rows[0][0] != "Ligne" {
			t.Errorf("sheet %s: %d rows; want a header and its problems", name, len(rows))
		}
		listed += len(rows) - 1
	}
	want = append(want, correctionsSummarySheet, correctionsLegendSheet, checklistReturnSheet)
	if got := f.GetSheetList(); !slices.Equal(got, want) {
		t.Errorf("sheets %v; want %v", got, want)
	}
	if listed != len(problems) {
		t.Errorf("problems sheets list %d problems; want %d", listed, len(problems))
	}
	rows, err := f.GetRows(correctionsSummarySheet)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range rows {
		if len(r) > 0 && strings.HasPrefix(r[0], "2 ligne(s) au-delà de la ligne 1048576") {
			found = true
		}
	}
	if !found {
		t.Errorf("Synthèse sheet does not say that 2 rows past row 1048576 are not copied:\n%q", rows)
	}
}
