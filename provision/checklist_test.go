package provision

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/dccprov/dccprov/templates"
)

func TestChecklistHeadersLoad(t *testing.T) {
	t.Parallel()
	if _, err := loadChecklistHeaders(templates.FS); err != nil {
		t.Fatal(err)
	}
	data, err := templates.FS.ReadFile("checklist-headers.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for name, bad := range map[string]string{
		"unknown key":   string(data) + "extra: 1\n",
		"unknown field": strings.Replace(string(data), "field: date", "field: dat", 1),
		"missing field": strings.Replace(string(data), "field: date", "field: finess", 1),
		"duplicate":     strings.Replace(string(data), "[Statut SRI,", "[Promoteur, Statut SRI,", 1),
	} {
		if _, err := loadChecklistHeaders(fstest.MapFS{"checklist-headers.yaml": {Data: []byte(bad)}}); err == nil {
			t.Errorf("loadChecklistHeaders(%s) = nil error", name)
		}
	}
}

// TestChecklistTemplateSheet reads back the template's sheet
// « Établissements » with excelize: headers, text formats, drop-downs.
func TestChecklistTemplateSheet(t *testing.T) {
	t.Parallel()
	f, err := excelize.OpenReader(bytes.NewReader(writeTemplate(t, testTemplateLists(t))))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(f.GetSheetList(), checklistSheet) {
		t.Fatalf("template sheets = %v; want %q", f.GetSheetList(), checklistSheet)
	}
	rows, err := f.GetRows(checklistSheet)
	if err != nil || len(rows) == 0 {
		t.Fatalf("GetRows = %v, %v", rows, err)
	}
	var lines []string
	lines = append(lines, strings.Join(rows[0], "\t"))
	dvs, err := f.GetDataValidations(checklistSheet)
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(dvs, func(a, b *excelize.DataValidation) int { return compareCellRef(a.Sqref, b.Sqref) })
	for _, dv := range dvs {
		lines = append(lines, dv.Sqref+"\t"+strings.Join(listValues(t, f, dv), "|"))
	}
	for i, c := range checklistColumns {
		st, err := f.GetCellStyle(checklistSheet, ColumnName(i+1)+"2")
		if err != nil {
			t.Fatal(err)
		}
		style, err := f.GetStyle(st)
		if err != nil {
			t.Fatal(err)
		}
		if got := style.NumFmt == 49; got != c.text {
			t.Errorf("column %s (%s): text format %v; want %v", ColumnName(i+1), c.field, got, c.text)
		}
	}
	checkGolden(t, "template-etablissements.tsv", []byte(strings.Join(lines, "\n")+"\n"))
}

// fillWithOpenpyxl runs script with /usr/bin/python3 on the workbook at
// path (sys.argv[1]); it skips without openpyxl, except under CI.
func fillWithOpenpyxl(t *testing.T, path, script string) {
	t.Helper()
	if err := exec.Command("/usr/bin/python3", "-c", "import openpyxl").Run(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("openpyxl is required under CI: %v", err)
		}
		t.Skipf("no openpyxl: %v", err)
	}
	out, err := exec.Command("/usr/bin/python3", "-c", script, path).CombinedOutput()
	if err != nil {
		t.Fatalf("python3: %v\n%s", err, out)
	}
}

// wantChecklists are the rows the round-trip scripts type, as read.
var wantChecklists = map[string]Checklist{
	"010000024": {
		FINESS: "010000024", Name: "CHU Exemple",
		Referent:  Contact{"Jeanne Martin", "jeanne.martin@chu-exemple.fr", "+33612345678"},
		Promoteur: Contact{"Luc Durand", "luc.durand@chu-exemple.fr", "+33142345678"},
		DSIO:      Contact{"Anne Petit", "dsio@chu-exemple.fr", "+33698765432"},
		RCPCount:  4, RCPInROR: AnswerYes, SRI: SRIConnected, StrictTraits: AnswerNotApplicable,
		CardReaders: AnswerInProgress, TrainingRoom: AnswerYes, Projector: AnswerNo, Computers: AnswerYes, Browser: AnswerYes,
		Date: "2026-11-30",
	},
	"2A0669073": {FINESS: "2A0669073", Name: "CH Ajaccio", SRI: SRIPlanned, StrictTraits: AnswerNo},
}

const openpyxlFill = `
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb["Personnels"]
for j, v in enumerate(["MARTIN", "", "Jeanne", "jeanne.martin@chu-exemple.fr", "0612345678", "Médecin", "", "19999900004", "CHU Exemple", "010000024", "Participant aux RCP", "CPS"]):
    ws.cell(row=2, column=j+1, value=v or None)
es = wb[SHEET]
heads = [c.value for c in es[1]]
rows = [
  {"N° FINESS": "010000024", "Nom de l'établissement": "CHU Exemple",
   "Référent 3C - nom": "Jeanne Martin", "Référent 3C - courriel": "jeanne.martin@chu-exemple.fr", "Référent 3C - téléphone": "06 12 34 56 78",
   "Promoteur - nom": "Luc Durand", "Promoteur - courriel": "luc.durand@chu-exemple.fr", "Promoteur - téléphone": "01 42 34 56 78",
   "Contact DSIO - nom": "Anne Petit", "Contact DSIO - courriel": "dsio@chu-exemple.fr", "Contact DSIO - téléphone": "+33 6 98 76 54 32",
   "Nombre de RCP": 4, "RCP décrites dans le ROR": "oui", "Statut SRI": "connecté", "Cinq traits stricts recueillis": "sans objet",
   "Lecteurs de carte installés": "en cours", "Salle de formation (8 personnes)": "Oui", "Vidéoprojecteur ou écran": "non",
   "Postes (1 à 2 personnes par poste)": "oui", "Accès internet et navigateur récent": "oui", "Date de mise à jour (AAAA-MM-JJ)": "2026-11-30"},
  {"N° FINESS": "2A0669073", "Nom de l'établissement": "CH Ajaccio", "Statut SRI": "connexion prévue", "Cinq traits stricts recueillis": "non"},
]
for i, r in enumerate(rows):
    for k, v in r.items():
        es.cell(row=i+2, column=heads.index(k)+1, value=v)
wb.save(sys.argv[1])
`

// TestChecklistRoundTripOpenpyxl fills the template's sheet
// « Établissements » with openpyxl and checks that check reads every field
// back into Summary.Checklists.
func TestChecklistRoundTripOpenpyxl(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "liste.xlsx")
	if err := os.WriteFile(path, writeTemplate(t, testTemplateLists(t)), 0o644); err != nil {
		t.Fatal(err)
	}
	fillWithOpenpyxl(t, path, strings.Replace(openpyxlFill, "SHEET", `"`+checklistSheet+`"`, 1))
	sum, err := CheckFile(t.Context(), path, testConfig(t), nil, false)
	if err != nil {
		t.Fatal(err)
	}
	defer sum.Close()
	if sum.Input.Sheet != templateSheet {
		t.Errorf("staff sheet = %q; want %q", sum.Input.Sheet, templateSheet)
	}
	if diff := cmp.Diff(wantChecklists, sum.Checklists); diff != "" {
		t.Errorf("Summary.Checklists (-want +got):\n%s", diff)
	}
	for _, p := range sum.First {
		if p.Sheet != "" {
			t.Errorf("problem on sheet %s: %s %s %q", p.Sheet, p.Code, p.Cell, p.Value)
		}
	}
	// The in-memory Check reads the same checklists.
	table, err := ReadFile(t.Context(), path, testConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantChecklists, table.Checklists); diff != "" {
		t.Errorf("Table.Checklists (-want +got):\n%s", diff)
	}
}

// TestChecklistBadValues: a bad answer, FINESS, email or phone is a
// warning at its cell of the sheet, which the problem names.
func TestChecklistBadValues(t *testing.T) {
	t.Parallel()
	f, err := excelize.OpenReader(bytes.NewReader(writeTemplate(t, testTemplateLists(t))))
	if err != nil {
		t.Fatal(err)
	}
	set := func(sheet, cell, v string) {
		if err := f.SetCellStr(sheet, cell, v); err != nil {
			t.Fatal(err)
		}
	}
	for j, v := range []string{"MARTIN", "", "Jeanne", "jeanne.martin@chu-exemple.fr", "0612345678", "Médecin", "", "19999900004", "CHU Exemple", "010000024", "Participant aux RCP", "CPS"} {
		set(templateSheet, ColumnName(j+1)+"2", v)
	}
	set(checklistSheet, "A2", "010000024")
	set(checklistSheet, "D2", "pas un courriel")
	set(checklistSheet, "E2", "12345")
	set(checklistSheet, "Q2", "peut-être")
	set(checklistSheet, "A3", "123")
	set(checklistSheet, "B4", "Sans FINESS")
	path := filepath.Join(t.TempDir(), "liste.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	sum, err := CheckFile(t.Context(), path, testConfig(t), nil, true)
	if err != nil {
		t.Fatal(err)
	}
	defer sum.Close()
	var got []string
	for _, p := range sum.First {
		if p.Sheet != "" {
			if p.Severity != SeverityWarning {
				t.Errorf("%s at %s: severity %s; want warning", p.Code, p.Cell, p.Severity)
			}
			got = append(got, p.Sheet+" "+p.Cell+" "+string(p.Code))
		}
	}
	slices.Sort(got)
	want := []string{
		"Établissements A3 FINESS_INVALID",
		"Établissements A4 FINESS_MISSING",
		"Établissements D2 EMAIL_INVALID",
		"Établissements E2 PHONE_INVALID",
		"Établissements Q2 CHECKLIST_VALUE_INVALID",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("checklist problems (-want +got):\n%s", diff)
	}
	if c := sum.Checklists["010000024"]; c.Referent.Email != "" || c.TrainingRoom != AnswerUnset {
		t.Errorf("bad values kept: %+v", c)
	}
	var report bytes.Buffer
	if err := sum.WriteReport(&report); err != nil {
		t.Fatal(err)
	}
	var r struct {
		Problems []struct {
			Sheet *string `json:"sheet"`
			Cell  string  `json:"cell"`
		} `json:"problems"`
	}
	if err := json.Unmarshal(report.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	sheets := 0
	for _, p := range r.Problems {
		if p.Sheet != nil {
			sheets++
			if *p.Sheet != checklistSheet {
				t.Errorf("report: problem at %s on sheet %q", p.Cell, *p.Sheet)
			}
		}
	}
	if sheets != len(want) {
		t.Errorf("report: %d problems name a sheet; want %d (others omit it)", sheets, len(want))
	}
}

// TestChecklistPrerequisitesRoundTrip: the corrections workbook's sheet
// « Prérequis » holds one row per establishment of the list, prefilled
// from the list's sheet « Établissements », and check reads it back equal.
func TestChecklistPrerequisitesRoundTrip(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "liste.xlsx")
	if err := os.WriteFile(path, writeTemplate(t, testTemplateLists(t)), 0o644); err != nil {
		t.Fatal(err)
	}
	fillWithOpenpyxl(t, path, strings.Replace(openpyxlFill, "SHEET", `"`+checklistSheet+`"`, 1))
	var corr bytes.Buffer
	sum, err := CheckFile(t.Context(), path, testConfig(t), &corr, false)
	if err != nil {
		t.Fatal(err)
	}
	sum.Close()
	back := filepath.Join(dir, "corrections.xlsx")
	if err := os.WriteFile(back, corr.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(back)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows(checklistReturnSheet)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[1][0] != "010000024" {
		t.Fatalf("sheet Prérequis rows = %q; want the header and 010000024", rows)
	}
	dvs, err := f.GetDataValidations(checklistReturnSheet)
	if err != nil || len(dvs) != 8 {
		t.Errorf("sheet Prérequis: %d drop-downs, %v; want 8", len(dvs), err)
	}
	f.Close()
	again, err := CheckFile(t.Context(), back, testConfig(t), nil, false)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	want := map[string]Checklist{"010000024": wantChecklists["010000024"]}
	if diff := cmp.Diff(want, again.Checklists); diff != "" {
		t.Errorf("Checklists read from Prérequis (-want +got):\n%s", diff)
	}
}

// TestChecklistPrerequisitesPrefill: without a sheet « Établissements »,
// the sheet « Prérequis » has the FINESS and name of each establishment.
func TestChecklistPrerequisitesPrefill(t *testing.T) {
	t.Parallel()
	f := excelize.NewFile()
	rows := [][]string{
		{"Nom", "Prénom", "Courriel", "Profession", "Établissement", "FINESS", "Habilitation", "Mode de connexion"},
		{"MARTIN", "Jeanne", "jeanne.martin@chu-exemple.fr", "Médecin", "CHU Exemple", "010000024", "Participant aux RCP", "Mail"},
		{"DURAND", "Luc", "luc.durand@chu-exemple.fr", "Médecin", "CHU Exemple", "010000024", "Participant aux RCP", "Mail"},
	}
	for i, r := range rows {
		for j, v := range r {
			if err := f.SetCellStr("Sheet1", ColumnName(j+1)+strconv.Itoa(i+1), v); err != nil {
				t.Fatal(err)
			}
		}
	}
	path := filepath.Join(t.TempDir(), "liste.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	var corr bytes.Buffer
	sum, err := CheckFile(t.Context(), path, testConfig(t), &corr, false)
	if err != nil {
		t.Fatal(err)
	}
	sum.Close()
	if sum.Checklists != nil {
		t.Errorf("Checklists = %v; want nil without the sheet", sum.Checklists)
	}
	g, err := excelize.OpenReader(bytes.NewReader(corr.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	got, err := g.GetRows(checklistReturnSheet)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !slices.Equal(got[1], []string{"010000024", "CHU Exemple"}) {
		t.Errorf("sheet Prérequis = %q; want one row 010000024, CHU Exemple", got)
	}
}

// TestChecklistHeaderRowHints: the sheet's headers are matched as the
// staff headers are, a parenthesised hint or an asterisk left out.
func TestChecklistHeaderRowHints(t *testing.T) {
	t.Parallel()
	cols, n := checklistHeaderRow([]gridCell{{Value: "N° FINESS *"}, {Value: "Référent 3C - nom (obligatoire)"}, {Value: "Commentaire"}})
	if n != 2 || cols[0] != "finess" || cols[1] != "referent_name" {
		t.Errorf("checklistHeaderRow = %v, %d; want finess and referent_name", cols, n)
	}
}
