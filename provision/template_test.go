package provision

import (
	"bytes"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

func testTemplateLists(tb testing.TB) TemplateLists {
	tb.Helper()
	profs, err := ProfessionLabels(testConfig(tb))
	if err != nil {
		tb.Fatal(err)
	}
	var habs []string
	for _, d := range testConfig(tb).Habilitations {
		habs = append(habs, d.Label)
	}
	return TemplateLists{Professions: profs, Habilitations: habs, LoginModes: []string{"CPS", "CPE", "SMS", "Mail"}}
}

func writeTemplate(tb testing.TB, lists TemplateLists) []byte {
	tb.Helper()
	var b bytes.Buffer
	if err := WriteTemplate(&b, lists, testDate); err != nil {
		tb.Fatalf("WriteTemplate = %v", err)
	}
	return b.Bytes()
}

func TestTemplateGolden(t *testing.T) {
	t.Parallel()
	checkGolden(t, "template.tsv", []byte(dumpXLSX(t, writeTemplate(t, testTemplateLists(t)))))
}

func TestTemplateDeterministic(t *testing.T) {
	t.Parallel()
	lists := testTemplateLists(t)
	if a, b := writeTemplate(t, lists), writeTemplate(t, lists); !bytes.Equal(a, b) {
		t.Errorf("two writes of the same template differ")
	}
}

// listValues returns the values a list validation offers: inline, or read
// from the range it references.
func listValues(tb testing.TB, f *excelize.File, dv *excelize.DataValidation) []string {
	tb.Helper()
	formula := dv.Formula1
	if strings.HasPrefix(formula, `"`) {
		return strings.Split(strings.Trim(formula, `"`), ",")
	}
	sheet, rng, ok := strings.Cut(strings.ReplaceAll(formula, "$", ""), "!")
	if !ok {
		tb.Fatalf("list formula %q is neither inline nor a range", formula)
	}
	from, to, _ := strings.Cut(rng, ":")
	c1, r1, err1 := excelize.CellNameToCoordinates(from)
	c2, r2, err2 := excelize.CellNameToCoordinates(to)
	if err1 != nil || err2 != nil || c1 != c2 {
		tb.Fatalf("list range %q is not one column", formula)
	}
	var vals []string
	for r := r1; r <= r2; r++ {
		v, err := f.GetCellValue(sheet, ColumnName(c1)+fmt.Sprint(r))
		if err != nil {
			tb.Fatal(err)
		}
		vals = append(vals, v)
	}
	return vals
}

func TestTemplateReadBack(t *testing.T) {
	t.Parallel()
	lists := testTemplateLists(t)
	f := mustOpenXLSX(t, writeTemplate(t, lists))
	if got, want := f.GetSheetList(), []string{"Instructions", "Personnels", "Établissements", "Listes"}; !slices.Equal(got, want) {
		t.Fatalf("sheets = %q; want %q", got, want)
	}
	if visible, _ := f.GetSheetVisible("Listes"); visible {
		t.Errorf("sheet Listes is visible; want it hidden")
	}
	header, err := f.GetRows("Personnels")
	if err != nil || len(header) == 0 {
		t.Fatalf("GetRows(Personnels) = %d rows, %v", len(header), err)
	}
	want := []string{"Nom de naissance", "Nom d'usage", "Prénom", "Courriel professionnel", "Téléphone mobile",
		"Profession", "Spécialité", "N° RPPS/ADELI", "Établissement", "N° FINESS", "Habilitation(s)", "Mode de connexion"}
	if !slices.Equal(header[0], want) {
		t.Errorf("header = %q; want %q", header[0], want)
	}

	panes, err := f.GetPanes("Personnels")
	if err != nil || !panes.Freeze || panes.YSplit != 1 || panes.TopLeftCell != "A2" {
		t.Errorf("GetPanes(Personnels) = %+v, %v; want the header row frozen", panes, err)
	}

	// Phone, RPPS/ADELI and FINESS formatted as text on every prepared row.
	for _, col := range []string{"E", "H", "J"} {
		for _, row := range []int{2, 500, templateRows + 1} {
			ref := fmt.Sprintf("%s%d", col, row)
			id, _ := f.GetCellStyle("Personnels", ref)
			st, err := f.GetStyle(id)
			if err != nil || st.NumFmt != 49 {
				t.Errorf("number format of %s = %d, %v; want 49 (text)", ref, st.NumFmt, err)
			}
		}
	}
	if id, _ := f.GetCellStyle("Personnels", "A2"); id != 0 {
		if st, _ := f.GetStyle(id); st.NumFmt == 49 {
			t.Errorf("A2 is formatted as text; only the number-like columns should be")
		}
	}

	dvs, err := f.GetDataValidations("Personnels")
	if err != nil {
		t.Fatal(err)
	}
	bySqref := map[string]*excelize.DataValidation{}
	for _, dv := range dvs {
		bySqref[dv.Sqref] = dv
	}
	for _, tt := range []struct {
		col   string
		want  []string
		style string
	}{
		{"F", repaired(FieldProfession, lists.Professions), "warning"},
		{"K", repaired(FieldHabilitations, lists.Habilitations), "information"},
		{"L", lists.LoginModes, "stop"},
	} {
		sqref := fmt.Sprintf("%s2:%s%d", tt.col, tt.col, templateRows+1)
		dv := bySqref[sqref]
		if dv == nil {
			t.Errorf("no data validation on %s (have %d)", sqref, len(dvs))
			continue
		}
		if dv.Type != "list" {
			t.Errorf("validation of %s has type %q; want list", sqref, dv.Type)
		}
		if got := listValues(t, f, dv); !slices.Equal(got, tt.want) {
			t.Errorf("list of %s = %q; want %q", sqref, got, tt.want)
		}
		if dv.ErrorStyle == nil || *dv.ErrorStyle != tt.style {
			t.Errorf("error style of %s = %v; want %q", sqref, dv.ErrorStyle, tt.style)
		}
	}
	// The professions are too long for an inline list: they are in Listes.
	if !strings.HasPrefix(bySqref[fmt.Sprintf("F2:F%d", templateRows+1)].Formula1, "Listes!") {
		t.Errorf("the profession list is not a range of the Listes sheet")
	}
}

func TestFitsInline(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in   []string
		want bool
	}{
		{[]string{"CPS", "CPE"}, true},
		{[]string{"a,b"}, false},
		{[]string{`a"b`}, false},
		{[]string{strings.Repeat("é", 255)}, true},
		{[]string{strings.Repeat("é", 200), strings.Repeat("e", 55)}, false},
	} {
		if got := fitsInline(tt.in); got != tt.want {
			t.Errorf("fitsInline(%d values) = %v; want %v", len(tt.in), got, tt.want)
		}
	}
}

// TestTemplateFilledPassesCheck types a list into the blank template, as a
// referent would (text in text-formatted cells, values from the drop-down
// lists), and expects check to accept every row without a single repair
// or warning.
func TestTemplateFilledPassesCheck(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	lists := testTemplateLists(t)
	f, err := excelize.OpenReader(bytes.NewReader(writeTemplate(t, lists)))
	if err != nil {
		t.Fatal(err)
	}
	// Columns as in the template: birth name, usage name, first name,
	// email, mobile, profession, specialty, RPPS/ADELI, establishment,
	// FINESS, habilitations, login mode.
	rows := [][]string{
		{"MARTIN", "", "Jeanne", "jeanne.martin@chu-exemple.fr", "0612345678", "Médecin", "Oncologie, option médicale", "19999900004", "CHU Exemple", "010000024", "Participant aux RCP", "CPS"},
		{"DURAND", "BERNARD", "Luc", "luc.durand@chu-exemple.fr", "0698765432", "Infirmier", "", "", "CHU Exemple", "010000024", "Consultation des dossiers", "SMS"},
	}
	// Every choice of every drop-down list, as the template offers it (the
	// hidden Listes sheet holds the long profession list).
	offered := dropDownValues(t, f)
	for i, prof := range offered[FieldProfession] {
		rows = append(rows, []string{"PETIT", "", "Anne", fmt.Sprintf("anne.petit%d@chu-exemple.fr", i), "", prof, "", "", "CHU Exemple", "010000024", "Consultation des dossiers", "Mail"})
	}
	for i, hab := range offered[FieldHabilitations] {
		rows = append(rows, []string{"ROUX", "", "Paul", fmt.Sprintf("paul.roux%d@chu-exemple.fr", i), "", "Médecin", "", "", "CHU Exemple", "010000024", hab, "Mail"})
	}
	for i, row := range rows {
		for j, v := range row {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+2)
			if err := f.SetCellStr(templateSheet, cell, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	path := filepath.Join(t.TempDir(), "liste.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	res, err := Check(t.Context(), path, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Report.Input.Sheet != templateSheet || res.Report.Rows.Read != len(rows) {
		t.Fatalf("Check(filled template) read sheet %q, %d rows; want %q, %d", res.Report.Input.Sheet, res.Report.Rows.Read, templateSheet, len(rows))
	}
	for _, p := range res.Problems {
		// Some professions may not log in by Mail or hold a habilitation:
		// only repairs and warnings are the template's business here.
		if p.Code == CellRepaired || p.Severity == SeverityWarning || p.Code == ProfessionUnknown || p.Code == HabilitationUnknown {
			t.Errorf("Check(filled template): %s at %s: %s (%q)", p.Code, p.Cell, p.Message, p.Value)
		}
	}
}

// repaired returns values as the reader sees them once typed: what the
// template offers.
func repaired(f Field, values []string) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i], _ = RepairCell(f, v)
	}
	return out
}

// dropDownValues returns the values each drop-down list of the template
// offers, read back from the workbook.
func dropDownValues(t *testing.T, f *excelize.File) map[Field][]string {
	t.Helper()
	dvs, err := f.GetDataValidations(templateSheet)
	if err != nil {
		t.Fatal(err)
	}
	out := map[Field][]string{}
	for _, dv := range dvs {
		col := strings.TrimRight(strings.SplitN(dv.Sqref, ":", 2)[0], "0123456789")
		for _, fd := range Fields {
			if templateColumn(fd) == col {
				out[fd] = listValues(t, f, dv)
			}
		}
	}
	if len(out[FieldProfession]) == 0 || len(out[FieldHabilitations]) == 0 {
		t.Fatalf("template drop-downs read back: %v", out)
	}
	return out
}

// TestTemplateSameDay checks the document dates: the calendar day of the
// date in its own location, at 00:00 UTC, so two runs of one day (or a
// second apart) give the same bytes.
func TestTemplateSameDay(t *testing.T) {
	t.Parallel()
	paris := time.FixedZone("CET", 3600) // Paris in January, without tzdata
	lists := testTemplateLists(t)
	write := func(date time.Time) []byte {
		var b bytes.Buffer
		if err := WriteTemplate(&b, lists, date); err != nil {
			t.Fatalf("WriteTemplate = %v", err)
		}
		return b.Bytes()
	}
	checkSameDay(t, "templates", write, time.Date(2026, 1, 15, 0, 0, 0, 0, paris), time.Date(2026, 1, 15, 17, 42, 9, 0, paris))
}
