package provision

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
)

// sampleList is the synthetic list of samples/: 60 people on rows 5 to
// 64 of the sheet Personnels, under a title and a header on row 4.
const (
	sampleList      = "../samples/liste-personnels.xlsx"
	sampleSheet     = "Personnels"
	sampleHeaderRow = 4
	sampleRows      = 60
)

// checkSample checks the sample list as `dccprov check` does and returns
// its summary and the corrections workbook.
func checkSample(tb testing.TB, path string) (*Summary, []byte) {
	tb.Helper()
	var b bytes.Buffer
	sum, err := CheckFile(context.Background(), path, testConfig(tb), &b, false)
	if err != nil {
		tb.Fatalf("CheckFile(%s) = %v", path, err)
	}
	return sum, b.Bytes()
}

// TestCorrectionsLayout reads the sample's corrections workbook back with
// excelize: fitted column widths, the autofilter, the print setup, the
// drop-down lists of the blank template on the same columns, the font, the
// view of the rows to correct and the legend.
func TestCorrectionsLayout(t *testing.T) {
	t.Parallel()
	_, data := checkSample(t, sampleList)
	f := mustOpenXLSX(t, data)
	if got, want := f.GetSheetList(), []string{sampleSheet, correctionsViewSheet, correctionsProblemsSheet, correctionsSummarySheet, correctionsLegendSheet, templateListsSheet, checklistReturnSheet}; !slices.Equal(got, want) {
		t.Fatalf("sheets = %q; want %q", got, want)
	}
	rows, err := f.GetRows(sampleSheet)
	if err != nil {
		t.Fatal(err)
	}
	header := rows[sampleHeaderRow-1]
	width := len(header)
	if header[width-1] != correctionsStatusHeader {
		t.Fatalf("header = %q; want it to end with %s", header, correctionsStatusHeader)
	}
	last := ColumnName(width)

	// Widths fit the longest value of each column from the header down
	// (not the title of row 1), within the caps.
	for j := range width {
		col := ColumnName(j + 1)
		longest := 0
		for _, r := range rows[sampleHeaderRow-1:] {
			if j < len(r) {
				longest = max(longest, len([]rune(r[j])))
			}
		}
		got, err := f.GetColWidth(sampleSheet, col)
		if err != nil {
			t.Fatal(err)
		}
		want := min(max(float64(longest), correctionsMinWidth), correctionsMaxWidth)
		if got < want || got > max(want*1.1+4.5, correctionsMinWidth) || got > correctionsMaxWidth {
			t.Errorf("width of %s (%q, longest %d) = %v; want about %v, at most %v", col, header[j], longest, got, want, correctionsMaxWidth)
		}
	}

	// The autofilter spans the header and every row, with the name Excel
	// expects; the print titles repeat the header.
	sheet := string(zipPart(t, data, "xl/worksheets/sheet1.xml"))
	ref := fmt.Sprintf("A%d:%s%d", sampleHeaderRow, last, sampleHeaderRow+sampleRows)
	if !strings.Contains(sheet, `<autoFilter ref="`+ref+`"/>`) {
		t.Errorf("%s has no autofilter %s", sampleSheet, ref)
	}
	names := map[string]string{}
	for _, n := range f.GetDefinedName() {
		names[n.Scope+" "+n.Name] = n.RefersTo
	}
	abs := fmt.Sprintf("'%s'!$A$%d:$%s$%d", sampleSheet, sampleHeaderRow, last, sampleHeaderRow+sampleRows)
	for name, want := range map[string]string{
		sampleSheet + " _xlnm._FilterDatabase":       abs,
		sampleSheet + " _xlnm.Print_Titles":          fmt.Sprintf("'%s'!$%d:$%d", sampleSheet, sampleHeaderRow, sampleHeaderRow),
		correctionsViewSheet + " _xlnm.Print_Titles": fmt.Sprintf("'%s'!$2:$2", correctionsViewSheet),
	} {
		if got := names[name]; got != want {
			t.Errorf("defined name %s = %q; want %q", name, got, want)
		}
	}

	// Print setup: landscape, one page wide, as many pages tall as needed.
	for _, s := range []string{sampleSheet, correctionsViewSheet, correctionsProblemsSheet} {
		pl, err := f.GetPageLayout(s)
		if err != nil {
			t.Fatal(err)
		}
		props, err := f.GetSheetProps(s)
		if err != nil {
			t.Fatal(err)
		}
		if deref(pl.Orientation) != "landscape" || deref(pl.FitToWidth) != 1 || deref(pl.FitToHeight) != 0 || !deref(props.FitToPage) {
			t.Errorf("%s prints %q, fitToWidth %d, fitToHeight %d, fitToPage %v; want landscape, 1, 0, true",
				s, deref(pl.Orientation), deref(pl.FitToWidth), deref(pl.FitToHeight), deref(props.FitToPage))
		}
	}
	if hf, err := f.GetHeaderFooter(sampleSheet); err != nil || hf.OddFooter != correctionsFooter {
		t.Errorf("footer of %s = %q, %v; want %q", sampleSheet, hf.OddFooter, err, correctionsFooter)
	}

	// The drop-down lists of the blank template, from the same catalogues,
	// on the columns of the same fields, from under the header.
	lists, err := NewTemplateLists(testConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	wantCols := map[Field]string{}
	for _, c := range sampleColumns(t) {
		wantCols[c.Field] = ColumnName(c.Index)
	}
	dvs, err := f.GetDataValidations(sampleSheet)
	if err != nil {
		t.Fatal(err)
	}
	downs := dropDowns(lists)
	if len(dvs) != len(downs) {
		t.Fatalf("%d data validations; want %d, those of the template", len(dvs), len(downs))
	}
	for i, d := range downs {
		dv := dvs[i]
		col := wantCols[d.field]
		if want := fmt.Sprintf("%s%d:%s%d", col, sampleHeaderRow+1, col, sampleHeaderRow+sampleRows+correctionsExtraRows); dv.Sqref != want {
			t.Errorf("validation of %s on %s; want %s", d.field, dv.Sqref, want)
		}
		style := map[excelize.DataValidationErrorStyle]string{
			excelize.DataValidationErrorStyleStop:        "stop",
			excelize.DataValidationErrorStyleWarning:     "warning",
			excelize.DataValidationErrorStyleInformation: "information",
		}[d.style]
		if deref(dv.ErrorStyle) != style || deref(dv.Error) != d.errMsg || deref(dv.Prompt) != d.inputMsg {
			t.Errorf("validation of %s: style %q, error %q, prompt %q; want those of the template", d.field, deref(dv.ErrorStyle), deref(dv.Error), deref(dv.Prompt))
		}
		var values []string
		if fitsInline(d.values) {
			values = strings.Split(strings.Trim(dv.Formula1, `"`), ",")
		} else {
			// 'Listes'!$A$1:$A$143: read the hidden sheet.
			cells := strings.Split(strings.ReplaceAll(dv.Formula1[strings.Index(dv.Formula1, "!")+1:], "$", ""), ":")
			if visible, _ := f.GetSheetVisible(templateListsSheet); visible {
				t.Errorf("sheet %s is visible; want it hidden", templateListsSheet)
			}
			c1, r1, _ := excelize.CellNameToCoordinates(cells[0])
			_, r2, _ := excelize.CellNameToCoordinates(cells[1])
			for r := r1; r <= r2; r++ {
				v, _ := f.GetCellValue(templateListsSheet, ColumnName(c1)+strconv.Itoa(r))
				values = append(values, v)
			}
		}
		if diff := gocmp.Diff(safeCells(d.values), values); diff != "" {
			t.Errorf("values of the list of %s (-template +corrections):\n%s", d.field, diff)
		}
	}

	// Every cell in Arial, the comments too.
	if font, err := f.GetDefaultFont(); err != nil || font != correctionsFont {
		t.Errorf("GetDefaultFont() = %q, %v; want %s", font, err, correctionsFont)
	}
	if styles := string(zipPart(t, data, "xl/styles.xml")); strings.Contains(styles, "Calibri") || strings.Contains(styles, "<scheme") {
		t.Errorf("styles.xml names Calibri or the theme's font:\n%s", styles)
	}
	if comments := string(zipPart(t, data, "xl/comments1.xml")); strings.Contains(comments, "Calibri") {
		t.Errorf("comments1.xml names Calibri")
	}

	// The view: only the rows with a problem, each under its number, with
	// the same status; locked, filtered.
	view, err := f.GetRows(correctionsViewSheet)
	if err != nil {
		t.Fatal(err)
	}
	if diff := gocmp.Diff(append(append([]string{"Ligne"}, header...), "Détail"), view[1]); diff != "" {
		t.Errorf("header of %s (-want +got):\n%s", correctionsViewSheet, diff)
	}
	var want [][]string
	for n := sampleHeaderRow + 1; n <= sampleHeaderRow+sampleRows; n++ {
		r := rows[n-1]
		if len(r) == width && r[width-1] != correctionsOK {
			want = append(want, append([]string{strconv.Itoa(n)}, r...))
		}
	}
	var got [][]string
	for _, r := range view[2:] {
		got = append(got, r[:width+1])
		if len(r) != width+2 || r[width+1] == "" {
			t.Errorf("%s row of line %s has no detail: %q", correctionsViewSheet, r[0], r)
		}
	}
	if len(want) == 0 || len(want) == sampleRows {
		t.Fatalf("%d rows of the sample have a problem; want some, not all", len(want))
	}
	if diff := gocmp.Diff(want, got); diff != "" {
		t.Errorf("rows of %s (-the copy's rows with a problem +got):\n%s", correctionsViewSheet, diff)
	}
	if p, err := f.GetSheetProtection(correctionsViewSheet); err != nil || !p.AutoFilter {
		t.Errorf("GetSheetProtection(%s) = %+v, %v; want locked, autofilter allowed", correctionsViewSheet, p, err)
	}
	if !strings.Contains(string(zipPart(t, data, "xl/worksheets/sheet2.xml")), `<sheetProtection sheet="1"`) {
		t.Errorf("%s is not locked", correctionsViewSheet)
	}

	// The legend shows the two colours and says how to send the workbook
	// back.
	legend, err := f.GetRows(correctionsLegendSheet)
	if err != nil {
		t.Fatal(err)
	}
	text := fmt.Sprint(legend)
	for _, want := range []string{"Rouge", "Orange", "Enregistrez le classeur au format Excel (.xlsx)", "Renvoyez le fichier", "« " + sampleSheet + " »"} {
		if !strings.Contains(text, want) {
			t.Errorf("%s does not say %q", correctionsLegendSheet, want)
		}
	}
	fills := map[string]bool{}
	for i := range legend {
		fills[cellFill(t, f, correctionsLegendSheet, "A"+strconv.Itoa(i+1))] = true
	}
	if !fills[fillError] || !fills[fillWarning] {
		t.Errorf("%s shows the fills %v; want %s and %s", correctionsLegendSheet, fills, fillError, fillWarning)
	}
}

// sampleColumns returns the columns of the sample list as read: those of
// its header that map to a field.
func sampleColumns(tb testing.TB) []Column {
	tb.Helper()
	t, err := ReadFile(context.Background(), sampleList, testConfig(tb))
	if err != nil {
		tb.Fatal(err)
	}
	return t.Columns
}

// TestCorrectionsCheckedAgain checks the round trip: the sample's
// corrections workbook, checked as sent back, is read from its copy sheet
// (not the view, whose header is the same, nor another sheet), with the
// same rows and the same problems.
func TestCorrectionsCheckedAgain(t *testing.T) {
	t.Parallel()
	first, data := checkSample(t, sampleList)
	path := filepath.Join(t.TempDir(), "liste-personnels.corrections.xlsx")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	again, data2 := checkSample(t, path)
	if again.Input.Sheet != sampleSheet || again.Input.HeaderRow != sampleHeaderRow {
		t.Errorf("checked again: sheet %q, header row %d; want %q, %d", again.Input.Sheet, again.Input.HeaderRow, sampleSheet, sampleHeaderRow)
	}
	// The copy holds the cells as repaired (a phone's lost leading zero
	// restored): checked again, they need no repair, so the CELL_REPAIRED
	// warnings, and the rows they alone warned about, are gone.
	repaired := first.PerCode[CellRepaired]
	if repaired == 0 {
		t.Fatalf("the sample has no CELL_REPAIRED; the test expects one")
	}
	wantPerCode := maps.Clone(first.PerCode)
	delete(wantPerCode, CellRepaired)
	if again.Rows.Read != first.Rows.Read || again.Rows.Accepted != first.Rows.Accepted || again.Rows.Rejected != first.Rows.Rejected ||
		again.Rows.WithWarnings < first.Rows.WithWarnings-repaired {
		t.Errorf("checked again: rows %+v; want %+v, less warnings of repairs", again.Rows, first.Rows)
	}
	if diff := gocmp.Diff(wantPerCode, again.PerCode); diff != "" {
		t.Errorf("checked again: problems per code (-first +again):\n%s", diff)
	}
	// And its own corrections workbook has the same sheets, one Statut.
	f := mustOpenXLSX(t, data2)
	if got, want := f.GetSheetList(), mustOpenXLSX(t, data).GetSheetList(); !slices.Equal(got, want) {
		t.Errorf("sheets after a second check = %q; want %q", got, want)
	}
	rows, err := f.GetRows(sampleSheet)
	if err != nil {
		t.Fatal(err)
	}
	if header := rows[sampleHeaderRow-1]; slices.Index(header, correctionsStatusHeader) != len(header)-1 {
		t.Errorf("header after a second check = %q; want one Statut, last", header)
	}
}

// TestCorrectionsPDF prints the sample's corrections workbook with
// LibreOffice (headless, to PDF) and checks the list sheet's pages: the 60
// rows on at most 3 landscape pages, every column on each (the header's
// last column, Statut, is on every page, as is the first), every row
// printed. It needs soffice (Debian: libreoffice-calc-nogui) and pdfinfo
// and pdftotext (poppler-utils); without them the test is skipped, except
// under CI=true, where it fails.
func TestCorrectionsPDF(t *testing.T) {
	t.Parallel()
	soffice := needTool(t, "soffice")
	pdfinfo := needTool(t, "pdfinfo")
	pdftotext := needTool(t, "pdftotext")
	_, data := checkSample(t, sampleList)
	dir := t.TempDir()
	in := filepath.Join(dir, "in", "corrections.xlsx")
	if err := os.MkdirAll(filepath.Dir(in), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(in, data, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, soffice, "--headless", "--norestore",
		"-env:UserInstallation=file://"+filepath.Join(dir, "profile"),
		"--convert-to", "pdf", "--outdir", dir, in)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	pdf := filepath.Join(dir, "corrections.pdf")
	info, err := exec.CommandContext(ctx, pdfinfo, "-f", "1", "-l", "1000", pdf).Output()
	if err != nil {
		t.Fatalf("pdfinfo: %v", err)
	}
	pages := 0
	sizes := map[int]string{}
	for line := range strings.Lines(string(info)) {
		if v, ok := strings.CutPrefix(line, "Pages:"); ok {
			pages, _ = strconv.Atoi(strings.TrimSpace(v))
		}
		var n int
		var w, h float64
		if _, err := fmt.Sscanf(line, "Page %d size: %f x %f", &n, &w, &h); err == nil {
			sizes[n] = fmt.Sprintf("%.0fx%.0f", w, h)
		}
	}
	if pages == 0 {
		t.Fatalf("pdfinfo found no pages:\n%s", info)
	}

	// The list's pages are those whose footer names its sheet; they come
	// first, as the sheet does.
	f := mustOpenXLSX(t, data)
	rows, err := f.GetRows(sampleSheet)
	if err != nil {
		t.Fatal(err)
	}
	header := rows[sampleHeaderRow-1]
	var listPages []string
	for p := 1; p <= pages; p++ {
		out, err := exec.CommandContext(ctx, pdftotext, "-layout", "-f", strconv.Itoa(p), "-l", strconv.Itoa(p), pdf, "-").Output()
		if err != nil {
			t.Fatalf("pdftotext page %d: %v", p, err)
		}
		text := string(out)
		if !containsLine(text, sampleSheet) {
			break
		}
		listPages = append(listPages, text)
		if sizes[p] != "842x595" {
			t.Errorf("page %d is %s points; want A4 landscape, 842x595", p, sizes[p])
		}
		// Every column on each page: the first and the last headers.
		for _, h := range []string{header[0], header[len(header)-1]} {
			if !strings.Contains(text, h) {
				t.Errorf("page %d lacks the header %q: a column did not fit the page width\n%s", p, h, text)
			}
		}
	}
	if n := len(listPages); n == 0 || n > 3 {
		t.Fatalf("the sheet %s prints on %d pages; want 1 to 3 (the PDF has %d pages)", sampleSheet, n, pages)
	}
	// Every row printed: each row's email (or, without one, its first
	// name), in order.
	all := strings.Join(listPages, "\n")
	emailCol := slices.IndexFunc(header, func(h string) bool { return strings.Contains(strings.ToLower(h), "mail") })
	if emailCol < 0 {
		t.Fatalf("no email column in %q", header)
	}
	printed := 0
	for _, r := range rows[sampleHeaderRow:] {
		if emailCol < len(r) && len(r[emailCol]) >= 6 {
			// A long address may be cut by its column: look for its start.
			if !strings.Contains(all, r[emailCol][:6]) {
				t.Errorf("row %q is not printed", r)
			}
			printed++
		}
	}
	if printed < sampleRows*3/4 {
		t.Errorf("only %d rows of the sample have an email to look for; want most of %d", printed, sampleRows)
	}
	t.Logf("%s prints on %d pages of %d", sampleSheet, len(listPages), pages)
}

// containsLine reports whether a line of text, trimmed, starts with s.
func containsLine(text, s string) bool {
	for line := range strings.Lines(text) {
		if strings.HasPrefix(strings.TrimSpace(line), s) {
			return true
		}
	}
	return false
}

// deref returns *p, or T's zero value for nil.
func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
