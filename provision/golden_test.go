package provision

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dccprov/dccprov/templates"
)

// update rewrites golden files instead of comparing with them: go test ./provision -update.
var update = flag.Bool("update", false, "rewrite golden files")

// checkGolden compares got with the golden file testdata/golden/name byte for
// byte, or rewrites it under -update. On a mismatch the actual output is
// saved in the test's artifact folder and the first differing line shown.
func checkGolden(tb testing.TB, name string, got []byte) {
	tb.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			tb.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("reading golden: %v (run go test ./provision -update to create it)", err)
	}
	if bytes.Equal(got, want) {
		return
	}
	if t, ok := tb.(*testing.T); ok {
		actual := filepath.Join(t.ArtifactDir(), filepath.Base(name))
		if err := os.WriteFile(actual, got, 0o644); err == nil {
			tb.Logf("actual output saved as %s", actual)
		}
	}
	gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < max(len(gl), len(wl)); i++ {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			tb.Fatalf("%s differs from its golden at line %d:\n got: %q\nwant: %q\n(run go test ./provision -update if the change is intended)", name, i+1, g, w)
		}
	}
	tb.Fatalf("%s differs from its golden", name)
}

// testDate is the fixed date of the outputs under test.
var testDate = time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)

// testConfig returns a configuration with the embedded templates.
func testConfig(tb testing.TB) *Config {
	tb.Helper()
	defs, err := DefaultHabilitations(templates.FS)
	if err != nil {
		tb.Fatal(err)
	}
	return &Config{
		Templates:     templates.FS,
		Habilitations: defs,
		CSV:           CSVOptions{Separator: ','},
		Date:          testDate,
		BaseDN:        "dc=dcc,dc=invalid",
		Limits:        DefaultLimits,
	}
}

// The synthetic staff list of the output tests: two establishments, a
// doctor working in both, a nurse whose phone was repaired, a rejected row
// and a secretary on a hidden row with a role mailbox. No real person.
var (
	chuExemple      = Establishment{FINESS: "750000001", Name: "Centre Hospitalier Exemple"}
	cliniqueExemple = Establishment{FINESS: "750000002", Name: "Clinique Exemple"}
	medecin         = Profession{Code: "10", Label: "Médecin", Health: true}
	infirmier       = Profession{Code: "60", Label: "Infirmier", Health: true}
	secretaire      = Profession{Code: "331", Label: "Secrétaire assistante médico-administrative"}
)

var testHeader = []string{
	"Nom de naissance", "Nom d'usage", "Prénom", "Courriel", "Mobile", "Profession", "Spécialité",
	"RPPS/ADELI", "Établissement", "FINESS", "Habilitation(s)", "Mode de connexion",
}

// testTable returns the staff list as read: title rows, header on row 3,
// people on rows 4 to 8.
func testTable() *Table {
	t := &Table{
		Input: Input{File: "liste.xlsx", SHA256: "0000000000000000000000000000000000000000000000000000000000000000",
			Format: "xlsx", Sheet: "Personnels", HeaderRow: 3},
		Head: [][]string{
			{"Liste des personnels habilités — 3C Exemple"},
			{},
			testHeader,
		},
	}
	for i, h := range testHeader {
		t.Columns = append(t.Columns, Column{Field: Fields[i], Header: h, Index: i + 1})
	}
	values := [][]string{
		{"DUPONT", "", "Jean", "jean.dupont@chu-exemple.fr", "", "Médecin", "Oncologue", "19999900004", "Centre Hospitalier Exemple", "750000001", "Consultation; Coordonnateur de RCP", "CPS"},
		{"DUPONT", "", "Jean", "jean.dupont@chu-exemple.fr", "", "Médecin", "Oncologue", "19999900004", "Clinique Exemple", "750000002", "Consultation", "Carte CPS"},
		{"LÉVÊQUE", "MARTIN", "Marie-Hélène", "marie-helene.leveque@chu-exemple.fr", "612345678", "IDE", "", "", "Centre Hospitalier Exemple", "750000001", "Participant aux RCP", "code SMS"},
		{`=HYPERLINK("http://x.invalid")`, "", "Paul", "paul@@chu", "", "Astrologue", "", "", "Centre Hospitalier Exemple", "750000001", "Super-utilisateur", "Pigeon voyageur"},
		{"BERNARD", "", "Sophie", "secretariat.onco@chu-exemple.fr", "", "Secrétaire médicale", "", "", "Centre Hospitalier Exemple", "750000001", "Secrétaire de RCP", "Courriel"},
	}
	for i, v := range values {
		r := Row{Number: 4 + i, Values: v, Cells: map[Field]Cell{}, Hidden: i == 4}
		for j, s := range v {
			r.Cells[Fields[j]] = Cell{Row: r.Number, Col: j + 1, Header: testHeader[j], Value: s, Raw: s}
		}
		t.Rows = append(t.Rows, r)
	}
	t.Problems = []Problem{
		NewProblem(CellRepaired, t.Rows[2].Cells[FieldMobile], "", ""),
		NewProblem(RowHidden, Cell{Row: 8}, "", ""),
	}
	return t
}

// testPeople returns the people of [testTable], as validation and the run
// stage leave them.
func testPeople() []Person {
	oncologie := &Coded{Code: "SM36", Label: "Oncologie, option médicale (SM)"}
	dupont := func(row int, e Establishment, reqs []Request) Person {
		return Person{Row: row, Status: StatusAccepted, UID: "jean.dupont",
			BirthName: "DUPONT", FirstName: "Jean", Email: "jean.dupont@chu-exemple.fr",
			Profession: medecin, Specialty: oncologie, ID: NationalID{Kind: KindRPPS, Value: "19999900004"},
			Establishment: e, LoginMode: LoginCPS, Habilitations: reqs}
	}
	return []Person{
		dupont(4, chuExemple, []Request{
			{Code: "CONSULTATION", Label: "Consultation des dossiers", Status: RequestActive},
			{Code: "COORDONNATEUR_RCP", Label: "Coordonnateur de RCP", Signature: true, Status: RequestPendingSignature, Form: "DCC-750000001-20260115-01"},
		}),
		dupont(5, cliniqueExemple, []Request{
			{Code: "CONSULTATION", Label: "Consultation des dossiers"},
		}),
		{Row: 6, Status: StatusAccepted, UID: "marie-helene.leveque",
			BirthName: "LÉVÊQUE", UsageName: "MARTIN", FirstName: "Marie-Hélène",
			Email: "marie-helene.leveque@chu-exemple.fr", Mobile: "+33612345678",
			Profession: infirmier, ID: NationalID{Kind: KindADELI, Value: "751234567"},
			Establishment: chuExemple, LoginMode: LoginSMS,
			Habilitations: []Request{{Code: "PARTICIPANT_RCP", Label: "Participant aux RCP"}}},
		{Row: 7, Status: StatusRejected, Establishment: chuExemple, Habilitations: []Request{}},
		{Row: 8, Status: StatusAccepted, UID: "sophie.bernard",
			BirthName: "BERNARD", FirstName: "Sophie", Email: "secretariat.onco@chu-exemple.fr",
			Profession: secretaire, Establishment: chuExemple, LoginMode: LoginMail,
			Habilitations: []Request{{Code: "SECRETAIRE_RCP", Label: "Secrétaire de RCP"}}},
	}
}

// testProblems returns every problem of [testTable], sorted.
func testProblems() []Problem {
	t := testTable()
	row7 := t.Rows[3]
	ps := append([]Problem(nil), t.Problems...)
	ps = append(ps,
		NewProblem(NameInvalid, row7.Cells[FieldBirthName], "", ""),
		NewProblem(EmailInvalid, row7.Cells[FieldEmail], "", ""),
		NewProblem(ProfessionUnknown, row7.Cells[FieldProfession], "", "Libellés proches : Pharmacien, Psychomotricien."),
		NewProblem(HabilitationUnknown, row7.Cells[FieldHabilitations], "", ""),
		NewProblem(AuthModeUnknown, row7.Cells[FieldLoginMode], "", ""),
		NewProblem(EmailGeneric, t.Rows[4].Cells[FieldEmail], "", ""),
	)
	SortProblems(ps)
	return ps
}
