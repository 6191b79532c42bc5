package provision

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dccprov/dccprov/provision/xlsx"
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
			612345678, 19999900004.0, 10000347, "Consultation\nParticipant aux RCP", "SMS", "CH Exemple",
			excelize.Cell{StyleID: date, Value: 46037}, "IDE"}},
		{cells: []any{"MARTIN", "Paul", "paul.martin@chu-exemple.fr",
			excelize.Cell{StyleID: text, Value: "6.12345678E8"},
			excelize.Cell{StyleID: sci, Value: 19999900004},
			excelize.Cell{StyleID: padded, Value: 10000347},
			"CONSULTATION; SECRETAIRE_RCP", "Mail", nil, nil, "Secrétaire médicale"}, hidden: true},
		{cells: []any{}},
		{cells: []any{"D’ARTAGNAN\u00a0", "Charles", "charles.dartagnan@chu-exemple.fr", "0712345678", "19999900004", "010000347", "Consultation", "CPS", nil, nil, "Médecin"}},
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
		{4, FieldID, "19999900004"},                     // float: exact digits
		{4, FieldFINESS, "010000347"},                   // number: zero restored
		{4, FieldHabilitations, "Consultation\nParticipant aux RCP"},
		{4, FieldEstablishment, "CH Exemple"},
		{5, FieldMobile, "0612345678"},        // "6.12345678E8" typed as text
		{5, FieldID, "19999900004"},           // shown as 2.00E+10, stored whole
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
		"3 J3 COLUMN_IGNORED", // "Date d'entrée"
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

// TestReadXLSXMemory reads a generated workbook of 100k people rows (20k
// under -race) with
// ReadFile and the default limits, as check does, and checks that the heap
// stays bounded: the table read is all it may keep. Loading the sheet
// whole (GetRows, any cell getter, or GetMergeCells for the merged ranges,
// which come after the rows) holds the sheet's XML parsed into a tree and
// goes past the bound many times over.
func TestReadXLSXMemory(t *testing.T) {
	// Under -race, a smaller list: the bound scales with the table, so it
	// still tells a streamed sheet from one loaded whole.
	n := memoryTestRows(t)
	path := filepath.Join(t.TempDir(), "big.xlsx")
	start := time.Now()
	writeMemoryList(t, path, n)
	t.Logf("wrote %d rows in %v", n, time.Since(start))

	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	// kept compares live bytes with live bytes, growth spans with spans
	// (peakHeap samples HeapInuse: garbage not yet collected included).
	base := ms.HeapAlloc
	start = time.Now()
	var table *Table
	var err error
	growth := peakHeap(func() { table, err = ReadFile(t.Context(), path, &Config{}) })
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&ms)
	kept := ms.HeapAlloc - min(base, ms.HeapAlloc)
	t.Logf("read %d rows in %v: table %d MiB, heap in use at most %d MiB above the start", len(table.Rows), time.Since(start), kept>>20, growth>>20)
	if len(table.Rows) != n {
		t.Errorf("ReadFile: %d rows; want %d", len(table.Rows), n)
	}
	if r := table.Rows[n-1]; r.Get(FieldMobile).Value != "0612345678" || r.Get(FieldEstablishment).Value != "CH Exemple" {
		t.Errorf("last row %d: mobile %q, establishment %q; want 0612345678 (repaired), CH Exemple (merged)", r.Number, r.Get(FieldMobile).Value, r.Get(FieldEstablishment).Value)
	}
	// Garbage between collections doubles what is live; the table is live
	// until the end. Loading the sheet whole needs ten times more.
	if bound := 3*kept + 64<<20; growth > bound {
		t.Errorf("heap in use grew by %d MiB while reading; want under %d MiB (3 × the %d MiB table + 64 MiB)", growth>>20, bound>>20, kept>>20)
	}
}

// raceEnabled reports whether the test binary was built with -race.
func raceEnabled() bool {
	bi, ok := debug.ReadBuildInfo()
	return ok && slices.ContainsFunc(bi.Settings, func(s debug.BuildSetting) bool { return s.Key == "-race" && s.Value == "true" })
}

// writeMemoryList writes a workbook of n people (header on row 1, the
// phone typed as a number, the establishment merged down the last rows),
// its sheet part written out directly: excelize's stream writer takes
// longer than the read under the race detector.
func writeMemoryList(t testing.TB, path string, n int) {
	t.Helper()
	var sheet bytes.Buffer
	sheet.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
		`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	str := func(col byte, row int, v string) {
		fmt.Fprintf(&sheet, `<c r="%c%d" t="inlineStr"><is><t>%s</t></is></c>`, col, row, v)
	}
	sheet.WriteString(`<row r="1">`)
	for i, h := range []string{"Nom", "Prénom", "Courriel", "Tél. portable", "Profession", "Établissement", "Habilitations", "Mode de connexion"} {
		str(byte('A'+i), 1, h)
	}
	sheet.WriteString(`</row>`)
	for r := 2; r <= n+1; r++ {
		fmt.Fprintf(&sheet, `<row r="%d">`, r)
		str('A', r, "DUPONT")
		str('B', r, "Jeanne")
		str('C', r, fmt.Sprintf("j%06d@chu-exemple.fr", r))
		fmt.Fprintf(&sheet, `<c r="D%d"><v>612345678</v></c>`, r)
		str('E', r, "IDE")
		if r <= n-8 {
			str('F', r, "CH Exemple")
		}
		str('G', r, "Consultation")
		str('H', r, "SMS")
		sheet.WriteString(`</row>`)
	}
	fmt.Fprintf(&sheet, `</sheetData><mergeCells count="2"><mergeCell ref="A%d:B%d"/><mergeCell ref="F%d:F%d"/></mergeCells></worksheet>`, n+1, n+1, n-8, n+1)
	const rels = `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`
	data := mustZip(t, map[string]string{
		"[Content_Types].xml": `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
			`<Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
			`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`,
		"_rels/.rels": rels + `<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
		"xl/workbook.xml": `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
			`<sheets><sheet name="Personnels" sheetId="1" r:id="rId1"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": rels + `<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
		"xl/worksheets/sheet1.xml":   sheet.String(),
	})
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
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

// TestMergedRanges reads the merged ranges of a sheet from its part, as a
// stream: with a namespace prefix, after rows larger than the read buffer,
// with "mergeCells" as a cell's text, and in a sheet found through the
// workbook's relationships (not by its file name).
func TestMergedRanges(t *testing.T) {
	t.Parallel()
	const ns = `xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"`
	var rows strings.Builder
	for i := 1; i <= 3000; i++ {
		fmt.Fprintf(&rows, `<x:row r="%d"><x:c r="A%d" t="inlineStr"><x:is><x:t>mergeCells &lt;mergeCells ref="Z1:Z9"&gt;</x:t></x:is></x:c></x:row>`, i, i)
	}
	sheet := func(merges string) string {
		return `<?xml version="1.0"?><x:worksheet ` + ns + `><x:sheetData>` + rows.String() + `</x:sheetData>` + merges + `</x:worksheet>`
	}
	pkg := func(withMerges bool) []byte {
		m1 := `<x:mergeCells count="1"><x:mergeCell ref="B2:B5"/></x:mergeCells>`
		m2 := `<x:mergeCells count="3"><x:mergeCell ref="A1:H1"/><x:mergeCell ref="I4:I7"/><x:mergeCell ref="C10:D12"/></x:mergeCells>`
		if !withMerges {
			m1, m2 = "", ""
		}
		return mustZip(t, map[string]string{
			"_rels/.rels": `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
				`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
			"xl/workbook.xml": `<x:workbook ` + ns + `><x:sheets><x:sheet name="Notes" sheetId="1" r:id="rId1"/>` +
				`<x:sheet name="Liste &amp; co" sheetId="2" r:id="rId7"/></x:sheets></x:workbook>`,
			"xl/_rels/workbook.xml.rels": `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
				`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>` +
				`<Relationship Id="rId7" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/autre.xml"/></Relationships>`,
			"xl/worksheets/sheet1.xml": sheet(m1),
			"xl/worksheets/autre.xml":  sheet(m2),
		})
	}
	lim := limitsOf(&Config{})
	book := func(data []byte) *xlsx.Book {
		b, err := xlsx.Open(bytes.NewReader(data), int64(len(data)), xlsxLimits(lim))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	got, err := mergedRanges(book(pkg(false)), "Liste & co", lim)
	if err != nil || len(got) != 0 {
		t.Errorf("mergedRanges(no merges) = %v, %v; want none", got, err)
	}
	got, err = mergedRanges(book(pkg(false)), "Notes", lim)
	if err != nil || len(got) != 0 {
		t.Errorf("mergedRanges(Notes, no merges) = %v, %v; want none", got, err)
	}
	data := book(pkg(true))
	got, err = mergedRanges(data, "Liste & co", lim)
	want := []mergeRange{{col: 9, top: 4, bottom: 7}, {col: 3, top: 10, bottom: 12}}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("mergedRanges(Liste & co) = %v, %v; want %v (vertical ranges only)", got, err, want)
	}
	got, err = mergedRanges(data, "Notes", lim)
	if want := []mergeRange{{col: 2, top: 2, bottom: 5}}; err != nil || !slices.Equal(got, want) {
		t.Errorf("mergedRanges(Notes) = %v, %v; want %v", got, err, want)
	}
	if _, err := mergedRanges(data, "Liste & co", Limits{Rows: 1, UnzipBytes: 1 << 30, UnzipXMLPart: 1 << 20}); !errors.Is(err, ErrInput) {
		t.Errorf("mergedRanges(3 ranges, limit 1) error = %v; want ErrInput", err)
	}
}
