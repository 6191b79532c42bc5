package provision

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// headerFields maps the headers used by the tests to fields. (The intake
// stage does this for real files.)
var headerFields = map[string]Field{
	"Nom": FieldBirthName, "Nom d'usage": FieldUsageName, "PRENOM": FieldFirstName, "Prénom": FieldFirstName,
	"Fonction": FieldProfession, "Profession": FieldProfession, "Specialite": FieldSpecialty, "Spécialité": FieldSpecialty,
	"RPPS": FieldID, "RPPS/ADELI": FieldID, "Courriel": FieldEmail, "Portable": FieldMobile,
	"Etablissement": FieldEstablishment, "FINESS": FieldFINESS, "Profil": FieldHabilitations,
	"Habilitations": FieldHabilitations, "Authentification": FieldLoginMode, "Mode de connexion": FieldLoginMode,
}

// newTable builds a table from a header and rows of strings; the header is
// on Excel row headerRow and the rows follow it.
func newTable(tb testing.TB, headerRow int, header []string, rows ...[]string) *Table {
	tb.Helper()
	t := &Table{Input: Input{HeaderRow: headerRow}}
	for i, h := range header {
		f, ok := headerFields[h]
		if !ok {
			tb.Fatalf("newTable: unknown header %q", h)
		}
		t.Columns = append(t.Columns, Column{Field: f, Header: h, Index: i + 1})
	}
	for i, vals := range rows {
		r := Row{Number: headerRow + 1 + i, Cells: map[Field]Cell{}, Values: vals}
		for _, col := range t.Columns {
			v := ""
			if col.Index-1 < len(vals) {
				v = vals[col.Index-1]
			}
			r.Cells[col.Field] = Cell{Row: r.Number, Col: col.Index, Header: col.Header, Value: v, Raw: v}
		}
		t.Rows = append(t.Rows, r)
	}
	return t
}

func mustValidator(tb testing.TB, cfg *Config) *Validator {
	tb.Helper()
	v, err := NewValidator(cfg)
	if err != nil {
		tb.Fatalf("NewValidator: %v", err)
	}
	return v
}

// readFixture reads one of the shared fixture lists with the real reader.
func readFixture(tb testing.TB, name string) *Table {
	tb.Helper()
	tab, err := ReadFile(tb.Context(), name, testConfig(tb))
	if err != nil {
		tb.Fatal(err)
	}
	return tab
}

type fixtureExpectation struct {
	File     string `json:"file"`
	Exit     int    `json:"exit"`
	Rows     int    `json:"rows"`
	Problems []struct {
		Row  int  `json:"row"`
		Code Code `json:"code"`
	} `json:"problems"`
	MayErrorRows  []int `json:"may_error_rows"`
	SignatureRows []int `json:"signature_rows"`
	Professions   []struct {
		Row  int    `json:"row"`
		Code string `json:"code"`
	} `json:"professions"`
}

// TestFixtures checks Check against what each shared fixture list expects
// (testdata/fixtures are copies of shared/fixtures, written by openpyxl,
// LibreOffice and Python's csv module as French Excel does): every planted
// problem at its row, no error elsewhere, the signature rows, the
// profession codes and the exit status.
func TestFixtures(t *testing.T) {
	t.Parallel()
	expected, err := filepath.Glob("testdata/fixtures/*.expected.json")
	if err != nil || len(expected) != 3 {
		t.Fatalf("fixture expectations: %v, %v", expected, err)
	}
	for _, exp := range expected {
		data, err := os.ReadFile(exp)
		if err != nil {
			t.Fatal(err)
		}
		var want fixtureExpectation
		if err := json.Unmarshal(data, &want); err != nil {
			t.Fatal(err)
		}
		t.Run(want.File, func(t *testing.T) {
			t.Parallel()
			checkFixture(t, filepath.Join("testdata/fixtures", want.File), want)
		})
	}
}

func checkFixture(t *testing.T, path string, want fixtureExpectation) {
	res, err := Check(t.Context(), path, testConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	people, problems := res.People, res.Problems
	if len(people) != want.Rows {
		t.Fatalf("Check(%s): %d people, want %d", path, len(people), want.Rows)
	}
	if got := res.Rejected(); got != (want.Exit == 1) {
		t.Errorf("Check(%s).Rejected() = %v, want exit %d", path, got, want.Exit)
	}
	expected := map[int]bool{}
	for _, w := range want.Problems {
		expected[w.Row] = true
		if !slices.ContainsFunc(problems, func(p Problem) bool { return p.Row == w.Row && p.Code == w.Code }) {
			t.Errorf("row %d: no %s; got %v", w.Row, w.Code, codesAt(problems, w.Row))
		}
	}
	for _, r := range want.MayErrorRows {
		expected[r] = true
	}
	for _, p := range problems {
		if p.Severity == SeverityError && !expected[p.Row] {
			t.Errorf("row %d: unexpected error %s (%s) in column %q", p.Row, p.Code, p.Message, p.Column)
		}
	}
	byRow := map[int]Person{}
	for _, p := range people {
		byRow[p.Row] = p
		if wantRejected := slices.ContainsFunc(problems, func(pr Problem) bool {
			return pr.Row == p.Row && pr.Severity == SeverityError
		}); (p.Status == StatusRejected) != wantRejected {
			t.Errorf("row %d: status %s with problems %v", p.Row, p.Status, codesAt(problems, p.Row))
		}
	}
	for _, w := range want.Professions {
		if got := byRow[w.Row].Profession.Code; got != w.Code {
			t.Errorf("row %d: profession %q, want %q", w.Row, got, w.Code)
		}
	}
	for _, p := range people {
		if p.Status != StatusAccepted {
			continue
		}
		sig := slices.ContainsFunc(p.Habilitations, func(r Request) bool { return r.Signature })
		if sig != slices.Contains(want.SignatureRows, p.Row) {
			t.Errorf("row %d: needs signature = %v, want %v", p.Row, sig, !sig)
		}
	}
}

func codesAt(ps []Problem, row int) []string {
	var out []string
	for _, p := range ps {
		if p.Row == row {
			out = append(out, string(p.Code)+"@"+p.Cell)
		}
	}
	return out
}

// TestProblemsNameTheirCell checks that every problem's cell reference
// matches its row and column.
func TestProblemsNameTheirCell(t *testing.T) {
	t.Parallel()
	tab := readFixture(t, "testdata/fixtures/liste-excel-fr.csv")
	_, problems := Validate(tab, testConfig(t))
	for _, p := range problems {
		if p.Cell == "" {
			continue
		}
		col := slices.IndexFunc(tab.Columns, func(c Column) bool { return c.Header == p.Column })
		if col < 0 {
			t.Errorf("problem %s row %d: column %q not in the header", p.Code, p.Row, p.Column)
			continue
		}
		if want := ColumnName(tab.Columns[col].Index) + strconv.Itoa(p.Row); p.Cell != want {
			t.Errorf("problem %s: cell %s, want %s", p.Code, p.Cell, want)
		}
		if p.Message == "" || p.Suggestion == "" || strings.HasSuffix(p.Message, " ") {
			t.Errorf("problem %s row %d: message %q, suggestion %q", p.Code, p.Row, p.Message, p.Suggestion)
		}
	}
}
