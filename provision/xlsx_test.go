package provision

import (
	"archive/zip"
	"bytes"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// writeQuirks writes a workbook with the quirks referents' files have: an
// instructions sheet first, a hidden data sheet, a merged title, the header
// on row 3, a formula, numbers typed in phone, RPPS and FINESS cells (with
// General, scientific and zero-padded formats), "6.12345678E8" in a text
// cell, a date, a hidden row, a vertically merged establishment, blank
// rows in the middle and at the end.
func writeQuirks(t testing.TB, path string) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetSheetName("Sheet1", "Consignes"))
	must(f.SetCellValue("Consignes", "A1", "Remplissez la feuille Personnels : une ligne par personne."))
	_, err := f.NewSheet("Personnels")
	must(err)
	sci, err := f.NewStyle(&excelize.Style{NumFmt: 11}) // 0.00E+00
	must(err)
	nine := "000000000"
	padded, err := f.NewStyle(&excelize.Style{CustomNumFmt: &nine})
	must(err)
	date, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	must(err)
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // @
	must(err)

	sw, err := f.NewStreamWriter("Personnels")
	must(err)
	rows := []struct {
		cells  []any
		hidden bool
	}{
		{cells: []any{"Liste des professionnels — accès au DCC"}},
		{cells: []any{}},
		{cells: []any{"Nom", "Prénom", "Courriel", "Tél. portable", "N° RPPS", "FINESS", "Habilitation(s)", "Mode de connexion", "Établissement", "Date d'entrée", "Profession"}},
		{cells: []any{"DUPONT", "Jeanne",
			excelize.Cell{Formula: `LOWER("JEANNE.DUPONT@CHU-EXEMPLE.FR")`, Value: "jeanne.dupont@chu-exemple.fr"},
			612345678, 10001045367.0, 10000347, "Consultation\nParticipant aux RCP", "SMS", "CH Exemple",
			excelize.Cell{StyleID: date, Value: 46037}, "IDE"}},
		{cells: []any{"MARTIN", "Paul", "paul.martin@chu-exemple.fr",
			excelize.Cell{StyleID: text, Value: "6.12345678E8"},
			excelize.Cell{StyleID: sci, Value: 10001045367},
			excelize.Cell{StyleID: padded, Value: 10000347},
			"CONSULTATION; SECRETAIRE_RCP", "Mail", nil, nil, "Secrétaire médicale"}, hidden: true},
		{cells: []any{}},
		{cells: []any{"D’ARTAGNAN\u00a0", "Charles", "charles.dartagnan@chu-exemple.fr", "0712345678", "10001045367", "010000347", "Consultation", "CPS", nil, nil, "Médecin"}},
		{cells: []any{}},
		{cells: []any{}},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		must(sw.SetRow(cell, r.cells, excelize.RowOpts{Hidden: r.hidden}))
	}
	must(sw.MergeCell("A1", "H1"))
	must(sw.MergeCell("I4", "I7"))
	must(sw.Flush())
	must(f.SetSheetVisible("Personnels", false))
	must(f.SaveAs(path))
}

func TestReadXLSXQuirks(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "quirks.xlsx")
	writeQuirks(t, path)
	table, err := ReadFile(t.Context(), path, &Config{})
	if err != nil {
		t.Fatalf("ReadFile(quirks.xlsx) error: %v", err)
	}
	checkTable(t, table)
	in := table.Input
	if in.Sheet != "Personnels" || in.HeaderRow != 3 || in.Format != "xlsx" || len(table.Head) != 3 {
		t.Errorf("ReadFile(quirks.xlsx) input = %+v, %d head rows; want sheet Personnels, header row 3, 3 head rows", in, len(table.Head))
	}
	var numbers []int
	for _, r := range table.Rows {
		numbers = append(numbers, r.Number)
	}
	if !slices.Equal(numbers, []int{4, 5, 7}) {
		t.Fatalf("ReadFile(quirks.xlsx) rows %v; want [4 5 7] (blank rows skipped, Excel numbers kept)", numbers)
	}
	want := []struct {
		row   int
		field Field
		value string
	}{
		{4, FieldEmail, "jeanne.dupont@chu-exemple.fr"}, // formula: cached value
		{4, FieldMobile, "0612345678"},                  // number: zero restored
		{4, FieldID, "10001045367"},                     // float: exact digits
		{4, FieldFINESS, "010000347"},                   // number: zero restored
		{4, FieldHabilitations, "Consultation\nParticipant aux RCP"},
		{4, FieldEstablishment, "CH Exemple"},
		{5, FieldMobile, "0612345678"},        // "6.12345678E8" typed as text
		{5, FieldID, "10001045367"},           // shown as 1.00E+10, stored whole
		{5, FieldFINESS, "010000347"},         // 000000000 format: shown with its zero
		{5, FieldEstablishment, "CH Exemple"}, // merged down I4:I7
		{7, FieldBirthName, "D'ARTAGNAN"},     // quote and non-breaking space
		{7, FieldEstablishment, "CH Exemple"}, // merged down I4:I7
		{7, FieldMobile, "0712345678"},        // text: untouched
	}
	for _, w := range want {
		r := table.Rows[slices.IndexFunc(table.Rows, func(r Row) bool { return r.Number == w.row })]
		if got := r.Get(w.field).Value; got != w.value {
			t.Errorf("row %d %s = %q; want %q", w.row, w.field, got, w.value)
		}
	}
	if d := table.Rows[0].Values[9]; d == "46037" || d == "" {
		t.Errorf("row 4 date cell = %q; want its formatted text", d)
	}
	if !table.Rows[1].Hidden || table.Rows[0].Hidden {
		t.Errorf("hidden rows: row 4 %v, row 5 %v; want false, true", table.Rows[0].Hidden, table.Rows[1].Hidden)
	}
	var got []string
	for _, p := range table.Problems {
		got = append(got, fmt.Sprintf("%d %s %s", p.Row, p.Cell, p.Code))
	}
	wantProblems := []string{
		"3  SHEET_HIDDEN",
		"4 D4 CELL_REPAIRED",
		"4 F4 CELL_REPAIRED",
		"5 D5 CELL_REPAIRED",
		"5  ROW_HIDDEN",
		"7 A7 CELL_REPAIRED",
	}
	if !slices.Equal(got, wantProblems) {
		t.Errorf("ReadFile(quirks.xlsx) problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantProblems, "\n"))
	}
}

// TestReadXLSXMemory reads a generated workbook of 100k rows and checks that
// the streaming reader's live heap stays bounded while it goes: loading the
// sheet whole, as GetRows or any cell getter does, holds the sheet's XML
// and every row at once and breaks the bound.
func TestReadXLSXMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("provision: 100k-row streaming test skipped under -short (it takes 20 s or more with -race on a loaded machine)")
	}
	const n = 100_000
	path := filepath.Join(t.TempDir(), "big.xlsx")
	start := time.Now()
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	header := []any{"Courriel", "Nom", "Tél. portable"}
	if err := sw.SetRow("A1", header); err != nil {
		t.Fatal(err)
	}
	for i := 2; i <= n+1; i++ {
		cell, _ := excelize.CoordinatesToCellName(1, i)
		row := []any{fmt.Sprintf("prenom.nom%06d@centre-hospitalier-exemple.fr", i), fmt.Sprintf("NOM-DE-NAISSANCE-%06d", i), 612345678}
		if err := sw.SetRow(cell, row); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	f.Close()
	t.Logf("wrote %d rows in %v", n, time.Since(start))

	data := mustRead(t, path)
	xf, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipXMLSizeLimit: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer xf.Close()
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base, peak := ms.HeapAlloc, uint64(0)
	rows := 0
	start = time.Now()
	for g, err := range sheetRows(xf, "Sheet1", nil, 0, hasNumberFormats(xf)) {
		if err != nil {
			t.Fatal(err)
		}
		if g.Number > 1 && g.Cells[2].Value != "612345678" {
			t.Fatalf("row %d phone = %q", g.Number, g.Cells[2].Value)
		}
		rows++
		if rows%20_000 == 0 {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc-min(base, ms.HeapAlloc))
		}
	}
	t.Logf("streamed %d rows in %v, live heap growth peak %d KiB", rows, time.Since(start), peak>>10)
	if rows != n+1 {
		t.Errorf("streamed %d rows; want %d", rows, n+1)
	}
	const bound = 4 << 20 // the sheet's XML alone is several times this
	if peak > bound {
		t.Errorf("live heap grew by %d MiB while streaming; want under %d MiB", peak>>20, bound>>20)
	}
	sheetXML := sheetXMLSize(t, data)
	if sheetXML < 2*bound {
		t.Errorf("sheet XML is %d MiB; the test needs a sheet well over the bound", sheetXML>>20)
	}
}

func sheetXMLSize(t testing.TB, data []byte) int64 {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name == "xl/worksheets/sheet1.xml" {
			return int64(f.UncompressedSize64)
		}
	}
	t.Fatal("no sheet1.xml")
	return 0
}

// mustZip returns a zip archive of files, for format detection tests.
func mustZip(t testing.TB, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range slices.Sorted(maps.Keys(files)) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(files[name])); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// FuzzReadXLSX reads arbitrary bytes as a workbook: no panic, and a table
// read keeps its invariants. It fuzzes only in `make fuzz`; its seeds (the
// fixtures) run in go test.
func FuzzReadXLSX(f *testing.F) {
	for _, p := range []string{"testdata/fixtures/liste-openpyxl.xlsx", "testdata/fixtures/liste-libreoffice.xlsx"} {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg := &Config{Limits: Limits{UnzipBytes: 8 << 20, Rows: 10_000}}
		table, err := readData(t.Context(), data, "fuzz.xlsx", cfg)
		if err == nil {
			checkTable(t, table)
		}
	})
}

// TestChooseSheetPrefersVisible: two sheets hold a list with the same
// header; the hidden one (a stale copy, first) loses to the visible one.
func TestChooseSheetPrefersVisible(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "deux.xlsx")
	f := excelize.NewFile()
	header := []any{"Nom", "Prénom", "Courriel", "Profession", "FINESS", "Habilitations", "Mode de connexion"}
	if err := f.SetSheetName("Sheet1", "Ancienne"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.NewSheet("Liste"); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"Ancienne", "Liste"} {
		if err := f.SetSheetRow(s, "A1", &header); err != nil {
			t.Fatal(err)
		}
		if err := f.SetSheetRow(s, "A2", &[]any{"DUPONT", "Jeanne", s + "@chu-exemple.fr", "IDE", "010000347", "Consultation", "Mail"}); err != nil {
			t.Fatal(err)
		}
	}
	f.SetActiveSheet(1) // excelize does not hide the active sheet
	if err := f.SetSheetVisible("Ancienne", false); err != nil {
		t.Fatal(err)
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	table, err := ReadFile(t.Context(), path, &Config{})
	if err != nil || table.Input.Sheet != "Liste" || len(table.Problems) != 0 {
		t.Fatalf("ReadFile(deux.xlsx) = %+v, %v; want sheet Liste, no problem", table, err)
	}
}
