package provision

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dccprov/dccprov/provision/annuaire"
	"github.com/dccprov/dccprov/provision/annuaire/annuairegen"
)

var sameNameTests = []struct {
	a, b string
	want bool
}{
	{"DUPONT", "DUPONT", true},
	{"Dupont", "DUPONT", true},                // case
	{"LÉVÊQUE", "LEVEQUE", true},              // accents
	{"Lévêque", "LEVÊQUE", true},              // accents on one side
	{"DUPONT", "DUPONT-MARTIN", true},         // one part of a compound
	{"MARTIN", "DUPONT-MARTIN", true},         // the other part
	{"DUPONT MARTIN", "DUPONT-MARTIN", true},  // hyphen or space
	{"DUPONT-MARTIN", "DUPONT", true},         // the compound on the list's side
	{"MARIE-HÉLÈNE", "MARIE HELENE", true},    // compound first name
	{"Marie", "MARIE-HÉLÈNE", true},           // one first name of two
	{"DE LA FONTAINE", "FONTAINE", true},      // particles
	{"FONTAINE", "DE LA FONTAINE", true},      // particles on the directory's side
	{"D'ARTAGNAN", "DARTAGNAN", true},         // d' glued
	{"D’ARTAGNAN", "D'ARTAGNAN", true},        // typographic apostrophe
	{"DU PLESSIS", "DUPLESSIS", true},         // du glued
	{"LE GUEN", "LEGUEN", true},               // le glued
	{"Van der Berg", "BERG", true},            // Dutch particles
	{"DUPONT", "DUPOND", false},               // another name
	{"DUPONT", "DURAND-MARTIN", false},        // a compound without it
	{"JEAN", "JEANNE", false},                 // a longer first name is another
	{"DE", "DE", true},                        // a name that is a particle: glued equal
	{"DE LA", "FONTAINE", false},              // only particles
	{"", "DUPONT", false},                     // empty
	{"MARTIN-DUPONT", "DUPONT-DURAND", false}, // two compounds sharing a part are two names
	{"ŒUVRARD", "OEUVRARD", true},             // œ
	{"N'DIAYE", "NDIAYE", true},               // apostrophe in a name
	{"SAINT-EXEMPLE", "ST EXEMPLE", false},    // abbreviations are not guessed
	{"MÜLLER", "MULLER", true},                // diaeresis
	{"GARCÍA LÓPEZ", "GARCIA", true},          // Spanish double name
	{"BEN SALAH", "BENSALAH", true},           // glued
}

func TestSameName(t *testing.T) {
	t.Parallel()
	for _, tt := range sameNameTests {
		if got := sameName(tt.a, tt.b); got != tt.want {
			t.Errorf("sameName(%q, %q) = %v; want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

// Establishments of the directory tests (synthetic FINESS numbers).
var (
	dirSite  = annuairegen.FINESS(1) // a site
	dirLegal = annuairegen.FINESS(2) // its legal entity
	dirOther = annuairegen.FINESS(3) // another site
)

func rppsN(n int) string  { return annuairegen.RPPS(9_000_000 + n) }
func adeliN(n int) string { return annuairegen.ADELI(900_000 + n) }

// dirPeople are the persons of the directory tests' extract.
var dirPeople = []annuairegen.Person{
	{ID: "8" + rppsN(1), LastName: "LÉVÊQUE-MARTIN", FirstName: "MARIE-HÉLÈNE", Profession: "60",
		Activities: []annuairegen.Activity{{FINESS: dirSite, Legal: dirLegal, Site: "CHU EXEMPLE"}}},
	{ID: "8" + rppsN(2), LastName: "DE LA FONTAINE", FirstName: "JEAN", Profession: "10",
		Activities: []annuairegen.Activity{{FINESS: dirSite, Legal: dirLegal, Site: "CHU EXEMPLE"}}},
	{ID: "8" + rppsN(3), LastName: "D'ARTAGNAN", FirstName: "CHARLES", Profession: "10",
		Activities: []annuairegen.Activity{{FINESS: dirOther, Site: "CLINIQUE EXEMPLE"}, {SIRET: annuairegen.SIRET(5), Site: "CABINET EXEMPLE"}}},
	{ID: "8" + rppsN(4), LastName: "MOREAU", FirstName: "JULIE", Profession: "10",
		Activities: []annuairegen.Activity{{FINESS: dirSite, Legal: dirLegal}}},
	{ID: "0" + adeliN(5), LastName: "EXEMPLE", FirstName: "PAUL", Profession: "70",
		Activities: []annuairegen.Activity{{FINESS: dirSite}}},
	{ID: "8" + rppsN(6), LastName: "BERNARD", FirstName: "LUC", Profession: "21",
		Activities: []annuairegen.Activity{{FINESS: dirSite}}},
	{ID: "8" + rppsN(8), LastName: "GARNIER", FirstName: "ANNE", Profession: "21",
		Activities: []annuairegen.Activity{{FINESS: dirSite}}},
	{ID: "8" + rppsN(9), LastName: "MOREL", FirstName: "ÉLISE", Profession: "10"}, // no activity
}

// dirListRows are the list of the directory tests, row 2 on, each with
// the directory's findings it must get ("CODE@CELL").
var dirListRows = []struct {
	row  string
	want []string
}{
	// Accents, case and one part of a compound name: no finding.
	{"LEVEQUE;;Marie-Helene;mh.leveque@chu-exemple.fr;Infirmier;" + rppsN(1) + ";" + dirSite, nil},
	// Particles; the FINESS of the legal entity is an activity there too.
	{"Fontaine;;Jean;jean.fontaine@chu-exemple.fr;Médecin;" + rppsN(2) + ";" + dirLegal, nil},
	// d' glued; none of the activities at the list's FINESS.
	{"DARTAGNAN;;Charles;c.dartagnan@chu-exemple.fr;Médecin;" + rppsN(3) + ";" + dirSite, []string{"ESTABLISHMENT_NOT_IN_DIRECTORY@G4"}},
	// The exercise name is the usage name, not the birth name.
	{"PETIT;MOREAU;Julie;julie.moreau@chu-exemple.fr;Médecin;" + rppsN(4) + ";" + dirSite, nil},
	// The number of someone else: on the birth name, the directory's name suggested.
	{"DURAND;;Paul;paul.durand@chu-exemple.fr;Médecin;" + rppsN(6) + ";" + dirSite, []string{"ID_NAME_MISMATCH@A6"}},
	// Same last name, another first name: on the first name (an ADELI number).
	{"EXEMPLE;;Pierre;pierre.exemple@chu-exemple.fr;Masseur-kinésithérapeute;" + adeliN(5) + ";" + dirSite, []string{"ID_NAME_MISMATCH@C7"}},
	// Luhn-valid but in no line of the extract.
	{"ROUX;;Marc;marc.roux@chu-exemple.fr;Médecin;" + rppsN(7) + ";" + dirSite, []string{"ID_NOT_IN_DIRECTORY@F8"}},
	// A pharmacist listed as a nurse: a warning, the row is accepted.
	{"GARNIER;;Anne;anne.garnier@chu-exemple.fr;Infirmier;" + rppsN(8) + ";" + dirSite, []string{"PROFESSION_MISMATCH@E9"}},
	// No activity recorded at all.
	{"MOREL;;Élise;elise.morel@chu-exemple.fr;Médecin;" + rppsN(9) + ";" + dirSite, []string{"ESTABLISHMENT_NOT_IN_DIRECTORY@G10"}},
	// No identifier: not checked.
	{"BLANC;;Léa;lea.blanc@chu-exemple.fr;Secrétaire médicale;;" + dirSite, nil},
}

// writeDirectoryCase writes the list and the extract (columns, encoding)
// of the directory tests and returns their paths.
func writeDirectoryCase(tb testing.TB, columns int, latin1 bool) (list, extract string) {
	tb.Helper()
	dir := tb.TempDir()
	var b strings.Builder
	b.WriteString("Nom;Nom d'usage;Prénom;Courriel;Profession;N° RPPS;FINESS;Établissement;Habilitations;Mode de connexion\n")
	for _, r := range dirListRows {
		mode := "CPS"
		if strings.Contains(r.row, "Secrétaire") {
			mode = "Mail"
		}
		b.WriteString(r.row + ";CHU Exemple;Consultation;" + mode + "\n")
	}
	list = filepath.Join(dir, "liste.csv")
	if err := os.WriteFile(list, []byte(b.String()), 0o644); err != nil {
		tb.Fatal(err)
	}
	extract = filepath.Join(dir, annuairegen.FileName("20260110"))
	f, err := os.Create(extract)
	if err != nil {
		tb.Fatal(err)
	}
	err = annuairegen.Write(f, annuairegen.Options{Lines: 2000, Columns: columns, Latin1: latin1, Seed: 7, People: dirPeople})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		tb.Fatal(err)
	}
	return list, extract
}

var directoryCodes = []Code{IDNotInDirectory, IDNameMismatch, ProfessionMismatch, EstablishmentNotInDirectory}

func TestDirectoryCodes(t *testing.T) {
	t.Parallel()
	for _, layout := range []struct {
		columns int
		latin1  bool
	}{{56, false}, {52, true}} {
		list, extract := writeDirectoryCase(t, layout.columns, layout.latin1)
		cfg := testConfig(t)
		cfg.Annuaire = extract
		res, err := Check(t.Context(), list, cfg)
		if err != nil {
			t.Fatal(err)
		}
		got := map[int][]string{}
		for _, p := range res.Problems {
			if slices.Contains(directoryCodes, p.Code) {
				got[p.Row] = append(got[p.Row], string(p.Code)+"@"+p.Cell)
			} else {
				t.Errorf("%d columns: row %d: unexpected %s %s (%s)", layout.columns, p.Row, p.Code, p.Cell, p.Message)
			}
		}
		for i, r := range dirListRows {
			if diff := cmp.Diff(r.want, got[i+2]); diff != "" {
				t.Errorf("%d columns: row %d (%s): directory findings (-want +got):\n%s", layout.columns, i+2, r.row, diff)
			}
		}
		for _, p := range res.Problems {
			switch {
			case p.Code == IDNameMismatch && p.Row == 6:
				if p.Suggestion != "BERNARD LUC" || !strings.Contains(p.Message, "« BERNARD LUC »") || !strings.Contains(p.Message, "DURAND Paul") {
					t.Errorf("row 6: ID_NAME_MISMATCH %q, suggestion %q; want the directory's name BERNARD LUC", p.Message, p.Suggestion)
				}
			case p.Code == ProfessionMismatch:
				if !strings.Contains(p.Message, "« Pharmacien »") || p.Severity != SeverityWarning {
					t.Errorf("PROFESSION_MISMATCH %q (%s); want the directory's profession, a warning", p.Message, p.Severity)
				}
			case p.Code == IDNotInDirectory:
				if !strings.Contains(p.Message, "extrait du 10/01/2026") || p.Value != rppsN(7) {
					t.Errorf("ID_NOT_IN_DIRECTORY %q, value %q; want the extract's date and the number", p.Message, p.Value)
				}
			case p.Code == EstablishmentNotInDirectory && p.Row == 4:
				if !strings.Contains(p.Suggestion, "CLINIQUE EXEMPLE (FINESS "+dirOther+")") {
					t.Errorf("row 4: ESTABLISHMENT_NOT_IN_DIRECTORY suggestion %q; want the person's activities", p.Suggestion)
				}
			}
		}
		want := &DirectoryInfo{Info: annuaire.Info{File: filepath.Base(extract), Date: "2026-01-10", Lines: 2000,
			Columns: layout.columns, Encoding: map[bool]string{false: annuaire.UTF8, true: annuaire.Latin1}[layout.latin1]},
			Checked: 9, Found: 8}
		if diff := cmp.Diff(want, res.Report.Annuaire); diff != "" {
			t.Errorf("report's annuaire (-want +got):\n%s", diff)
		}
		// Rejected: the mismatched names and the number not found.
		if r := res.Report.Rows; r.Rejected != 3 || r.Accepted != 7 || r.WithWarnings != 3 {
			t.Errorf("rows = %+v; want 3 rejected, 7 accepted of which 3 with warnings", r)
		}
	}
}

// TestDirectoryStreamMatchesCheck: the streamed check gives the report of
// the held one, the extract's account included, and so does a run.
func TestDirectoryStreamMatchesCheck(t *testing.T) {
	t.Parallel()
	list, extract := writeDirectoryCase(t, 56, false)
	cfg := testConfig(t)
	cfg.Annuaire = extract
	res, err := Check(t.Context(), list, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var held, streamed bytes.Buffer
	if err := WriteReport(&held, res.Report); err != nil {
		t.Fatal(err)
	}
	sum, err := CheckFile(t.Context(), list, cfg, io.Discard, true)
	if err != nil {
		t.Fatal(err)
	}
	defer sum.Close()
	if err := sum.WriteReport(&streamed); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(held.String(), streamed.String()); diff != "" {
		t.Errorf("streamed report differs from the held one (-held +streamed):\n%s", diff)
	}
	var r struct {
		Annuaire map[string]any `json:"annuaire"`
	}
	if err := json.Unmarshal(streamed.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	if r.Annuaire["file"] != filepath.Base(extract) || r.Annuaire["date"] != "2026-01-10" || r.Annuaire["lines"] != float64(2000) {
		t.Errorf("report's annuaire = %v; want file, date and lines", r.Annuaire)
	}
	if !bytes.Contains(streamed.Bytes(), []byte("\"input\"")) || bytes.Index(streamed.Bytes(), []byte("\"annuaire\"")) > bytes.Index(streamed.Bytes(), []byte("\"rows\"")) {
		t.Errorf("report: annuaire should come after input, before rows")
	}
	dir := t.TempDir()
	out, err := CreateOutDir(filepath.Join(dir, "out"), false)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if _, err := Run(t.Context(), list, out, &memStore{}, cfg); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "out", "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, fmt.Appendf(nil, "\"identifiers_found\": %d", 8)) {
		t.Errorf("run's report.json has no account of the extract")
	}
}

// TestDirectoryBadExtract: a file that is not an extract fails the check,
// naming it.
func TestDirectoryBadExtract(t *testing.T) {
	t.Parallel()
	list, _ := writeDirectoryCase(t, 56, false)
	cfg := testConfig(t)
	cfg.Annuaire = list // a staff list is no extract
	_, err := CheckFile(t.Context(), list, cfg, io.Discard, false)
	var fe *annuaire.FormatError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "liste.csv") {
		t.Errorf("CheckFile with a list as --annuaire = %v; want a FormatError naming the file", err)
	}
}
