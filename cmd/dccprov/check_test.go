package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// checkCase is one `dccprov check` run and the exit status it must give.
type checkCase struct {
	name string
	args []string
	code int    // the exit status
	err  string // on stderr
}

func runCheckCase(t *testing.T, tc checkCase) (stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	tmp := t.TempDir()
	args := []string{"check", "--store", filepath.Join(tmp, "dccprov.db")}
	if !slices.Contains(tc.args, "--corrections") {
		// Keep the corrections workbook out of the source tree.
		args = append(args, "--corrections", filepath.Join(tmp, "corrections.xlsx"))
	}
	args = append(args, tc.args...)
	code := run(t.Context(), args, strings.NewReader(""), &out, &errb)
	if code != tc.code {
		t.Errorf("run(%q) = %d; want %d\nstderr: %s", args, code, tc.code, errb.String())
	}
	if tc.err != "" && !strings.Contains(errb.String(), tc.err) {
		t.Errorf("run(%q) stderr = %q; want it to contain %q", args, errb.String(), tc.err)
	}
	return out.String(), errb.String()
}

func TestCheckExitStatus(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	renamed := filepath.Join(dir, "liste.xlsx")
	checkCopyFile(t, filepath.Join(fixturesDir, "refuse-format.xls"), renamed)
	manque := checkWriteFile(t, dir, "manque.csv", "Nom;Prénom;Courriel\nDUPONT;Jeanne;jeanne.dupont@chu-exemple.fr\n")
	locked := filepath.Join(dir, "protege.xlsx")
	writeLockedWorkbook(t, locked, "s3cret")
	right := checkWriteFile(t, dir, "right.txt", "s3cret\n")
	wrong := checkWriteFile(t, dir, "wrong.txt", "nope\r\n")
	empty := checkWriteFile(t, dir, "empty.txt", "")

	tests := []checkCase{
		{"xls", []string{filepath.Join(fixturesDir, "refuse-format.xls")}, 2,
			"refuse-format.xls is an Excel 97-2003 workbook (.xls); open it in Excel or LibreOffice and save it as « Classeur Excel (.xlsx) », then run again"},
		{"ods", []string{filepath.Join(fixturesDir, "refuse-format.ods")}, 2,
			"refuse-format.ods is an OpenDocument spreadsheet"},
		{"xls renamed xlsx", []string{renamed}, 2, "liste.xlsx is an Excel 97-2003 workbook (.xls)"},
		{"missing column", []string{manque}, 2,
			"manque.csv: missing required column(s) Profession, Habilitation(s), Mode de connexion, Établissement ou FINESS; headers found: Nom | Prénom | Courriel"},
		{"absent", []string{filepath.Join(dir, "absent.xlsx")}, 2, "absent.xlsx"},
		{"encrypted, no password", []string{locked}, 2, "protege.xlsx is a password-protected workbook; run again with --password-file FILE"},
		{"encrypted, password", []string{locked, "--password-file", right}, 0, ""},
		{"encrypted, wrong password", []string{locked, "--password-file", wrong}, 2, "does not open this workbook"},
		{"encrypted, empty password file", []string{locked, "--password-file", empty}, 2, "is empty"},
		{"password file absent", []string{locked, "--password-file", filepath.Join(dir, "nope.txt")}, 2, "--password-file"},
		{"sheet absent", []string{filepath.Join(fixturesDir, "liste-openpyxl.xlsx"), "--sheet", "Feuil9"}, 2, `has no sheet "Feuil9"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, stderr := runCheckCase(t, tc)
			if strings.Contains(stderr, "s3cret") {
				t.Errorf("stderr shows the password: %q", stderr)
			}
		})
	}
}

// TestCheckFixtures runs check --json on every list written by another
// program and compares what intake decides (sheet, header row, rows read)
// with its .expected.json, and the exit status it expects.
func TestCheckFixtures(t *testing.T) {
	t.Parallel()
	expected, err := filepath.Glob(filepath.Join(fixturesDir, "*.expected.json"))
	if err != nil || len(expected) == 0 {
		t.Fatalf("no fixtures in %s: %v", fixturesDir, err)
	}
	for _, path := range expected {
		var want struct {
			File      string `json:"file"`
			Sheet     string `json:"sheet"`
			HeaderRow int    `json:"header_row"`
			Rows      int    `json:"rows"`
			Exit      int    `json:"exit"`
		}
		if err := json.Unmarshal(checkReadFile(t, path), &want); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		t.Run(want.File, func(t *testing.T) {
			t.Parallel()
			stdout, _ := runCheckCase(t, checkCase{args: []string{"--json", filepath.Join(fixturesDir, want.File)}, code: want.Exit})
			var got struct {
				Input struct {
					File      string `json:"file"`
					Sheet     string `json:"sheet"`
					HeaderRow int    `json:"header_row"`
				} `json:"input"`
				Rows struct {
					Read int `json:"read"`
				} `json:"rows"`
			}
			if err := json.Unmarshal([]byte(stdout), &got); err != nil {
				t.Fatalf("check --json %s: stdout is not one JSON object: %v", want.File, err)
			}
			if got.Input.File != want.File || got.Input.Sheet != want.Sheet || got.Input.HeaderRow != want.HeaderRow || got.Rows.Read != want.Rows {
				t.Errorf("check --json %s = %+v; want sheet %q, header row %d, %d rows", want.File, got, want.Sheet, want.HeaderRow, want.Rows)
			}
		})
	}
}

// TestCheckColumnsConfig maps headers dccprov does not know with the
// columns: section of the configuration.
func TestCheckColumnsConfig(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	list := checkWriteFile(t, dir, "maison.csv", "Export RH du 15/01/2026\n"+
		"Nom,Prénom,Courriel,Métier exercé,FINESS,Accès,Connexion\n"+
		"DUPONT,Jeanne,jeanne.dupont@chu-exemple.fr,IDE,010000347,Consultation,Mail\n")
	cfg := checkWriteFile(t, dir, "dccprov.yaml", "columns:\n  \"Métier exercé\": profession\n  \"Accès\": habilitations\n")
	stdout, _ := runCheckCase(t, checkCase{args: []string{"--json", "--config", cfg, list}, code: 0})
	for _, s := range []string{`"header_row": 2`, `"separator": ","`, `"read": 1`} {
		if !strings.Contains(stdout, s) {
			t.Errorf("check --json --config dccprov.yaml maison.csv: stdout lacks %s:\n%s", s, stdout)
		}
	}
	runCheckCase(t, checkCase{args: []string{list}, code: 2, err: "missing required column(s) Profession, Habilitation(s)"})
}

func writeLockedWorkbook(t testing.TB, path, password string) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, row := range [][]any{
		{"Nom", "Prénom", "Courriel", "Profession", "FINESS", "Habilitations", "Mode de connexion"},
		{"DUPONT", "Jeanne", "jeanne.dupont@chu-exemple.fr", "IDE", "010000347", "Consultation", "Mail"},
	} {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.SaveAs(path, excelize.Options{Password: password}); err != nil {
		t.Fatal(err)
	}
}

func checkWriteFile(t testing.TB, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func checkCopyFile(t testing.TB, from, to string) {
	t.Helper()
	if err := os.WriteFile(to, checkReadFile(t, from), 0o600); err != nil {
		t.Fatal(err)
	}
}

func checkReadFile(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
