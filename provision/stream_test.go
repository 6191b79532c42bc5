package provision

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// streamCases are lists the streamed check must judge exactly as the
// check of a held table: the samples, the fixtures written by other
// programs, and a list written here with every cross-row case.
func streamCases(tb testing.TB) []string {
	tb.Helper()
	return []string{
		"../samples/liste-personnels.xlsx",
		"../samples/liste-personnels.csv",
		"testdata/fixtures/liste-openpyxl.xlsx",
		"testdata/fixtures/liste-libreoffice.xlsx",
		"testdata/fixtures/liste-excel-fr.csv",
		writeCrossRowList(tb),
	}
}

// writeCrossRowList writes a CSV list whose rows repeat, share emails and
// identifiers and name establishments by name alone, in every combination
// the cross-row checks tell apart.
func writeCrossRowList(tb testing.TB) string {
	tb.Helper()
	var b strings.Builder
	b.WriteString("Nom;Prénom;Courriel;Profession;N° RPPS;FINESS;Établissement;Habilitations;Mode de connexion;Portable\n")
	rows := []string{
		"MARTIN;Anne;anne.martin@chu-exemple.fr;Infirmière;;440000017;CHU Exemple;Consultation;SMS;0612345678",
		"MARTIN;Anne;anne.martin@chu-exemple.fr;Infirmière;;440000017;CHU Exemple;Consultation;SMS;0612345678",  // exact repeat
		"MARTIN;Anne;anne.martin@chu-exemple.fr;Infirmière;;440000017;CHU Exemple;Consultation;Mail;0612345678", // same person, other data
		"DURAND;Paul;anne.martin@chu-exemple.fr;Médecin;19999900004;440000017;CHU Exemple;Consultation;CPS;",    // shares the email
		"DURANT;Paul;paul.durand@chu-exemple.fr;Médecin;19999900004;440000017;CHU Exemple;Consultation;CPS;",    // same RPPS, other name
		"PETIT;Léa;lea.petit@chu-exemple.fr;Secrétaire médicale;;;CHU Exemple;Secrétaire de RCP;Mail;",          // establishment by name
		"PETIT;Léa;lea.petit@chu-exemple.fr;Secrétaire médicale;;;chu exemple;Consultation;Mail;",               // same, other data
		"ROUX;Marc;secretariat@chu-exemple.fr;Secrétaire médicale;;;Clinique Seule;Consultation;Mail;",
		"BLANC;Marc;secretariat@chu-exemple.fr;Secrétaire médicale;;;Clinique Seule;Consultation;Mail;",
		"NOIR;Marc;secretariat@chu-exemple.fr;Secrétaire médicale;;;Clinique Seule;Consultation;Mail;",
		";;;;;;;;;",
		"MARTIN;Anne;anne.martin@chu-exemple.fr;Infirmière;;440000017;CHU Exemple;Consultation;SMS;0612345678", // repeat, later
	}
	for i := range 7 { // more than maxListedRows people on one address
		rows = append(rows, fmt.Sprintf("GRIS%c;Jean;partage@chu-exemple.fr;Infirmier;;440000017;CHU Exemple;Consultation;Mail;", 'A'+i))
	}
	for _, r := range rows {
		b.WriteString(r + "\n")
	}
	path := filepath.Join(tb.TempDir(), "cross.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

// TestCheckFileMatchesCheck checks that the streamed check (two passes,
// compact keys, spooled report, streamed workbook) gives the report and the
// corrections workbook of the check of a held table, byte for byte, and the
// same counts and first problems.
func TestCheckFileMatchesCheck(t *testing.T) {
	t.Parallel()
	for _, path := range streamCases(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			cfg := testConfig(t)
			res, err := Check(t.Context(), path, cfg)
			if err != nil {
				t.Fatal(err)
			}
			var wantReport, wantBook bytes.Buffer
			if err := WriteReport(&wantReport, res.Report); err != nil {
				t.Fatal(err)
			}
			if err := WriteCorrections(&wantBook, res.Table, res.People, res.Problems, cfg.Date); err != nil {
				t.Fatal(err)
			}

			var book, report bytes.Buffer
			sum, err := CheckFile(t.Context(), path, cfg, &book, true)
			if err != nil {
				t.Fatalf("CheckFile(%s) = %v", path, err)
			}
			defer sum.Close()
			if err := sum.WriteReport(&report); err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(wantReport.String(), report.String()); d != "" {
				t.Errorf("CheckFile report differs from Check's (-want +got):\n%s", d)
			}
			if !bytes.Equal(wantBook.Bytes(), book.Bytes()) {
				t.Errorf("CheckFile corrections workbook differs from WriteCorrections'")
			}
			// Without the report, pass 2 checks again only the rows with a
			// problem of validation: the workbook must not change.
			var quick bytes.Buffer
			qs, err := CheckFile(t.Context(), path, cfg, &quick, false)
			if err != nil {
				t.Fatalf("CheckFile(%s, no report) = %v", path, err)
			}
			if !bytes.Equal(wantBook.Bytes(), quick.Bytes()) {
				t.Errorf("CheckFile without report: corrections workbook differs from WriteCorrections'")
			}
			if d := cmp.Diff(sum.First, qs.First); d != "" || qs.Rows != sum.Rows {
				t.Errorf("CheckFile without report: first problems or counts differ (-with +without):\n%s", d)
			}
			if sum.Rows != res.Report.Rows || sum.Problems != len(res.Problems) {
				t.Errorf("CheckFile counts %+v, %d problems; want %+v, %d", sum.Rows, sum.Problems, res.Report.Rows, len(res.Problems))
			}
			perCode := map[Code]int{}
			for _, p := range res.Problems {
				perCode[p.Code]++
			}
			if !maps.Equal(sum.PerCode, perCode) {
				t.Errorf("CheckFile per code %v; want %v", sum.PerCode, perCode)
			}
			n := min(len(res.Problems), SummaryProblems)
			if d := cmp.Diff(res.Problems[:n], sum.First); d != "" {
				t.Errorf("CheckFile first problems (-want +got):\n%s", d)
			}
		})
	}
}

// TestCheckFileCrossRow pins what the cross-row checks find in the list
// of writeCrossRowList, so that the equivalence above is not between two
// wrong answers.
func TestCheckFileCrossRow(t *testing.T) {
	t.Parallel()
	res, err := Check(t.Context(), writeCrossRowList(t), testConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range res.Problems {
		switch p.Code {
		case DuplicateRow, DuplicatePerson, EmailShared:
			got = append(got, fmt.Sprintf("%d %s %s", p.Row, p.Code, p.Message))
		}
	}
	want := []string{
		"2 DUPLICATE_PERSON La même personne apparaît aussi ligne 4 avec des informations différentes.",
		"2 EMAIL_SHARED L'adresse « anne.martin@chu-exemple.fr » est aussi donnée à une autre personne (ligne 5).",
		"3 DUPLICATE_ROW La ligne répète exactement la ligne 2 ; elle n'est prise en compte qu'une fois.",
		"4 DUPLICATE_PERSON La même personne apparaît aussi ligne 2 avec des informations différentes.",
		"4 EMAIL_SHARED L'adresse « anne.martin@chu-exemple.fr » est aussi donnée à une autre personne (ligne 5).",
		"5 EMAIL_SHARED L'adresse « anne.martin@chu-exemple.fr » est aussi donnée à une autre personne (ligne 2, 4).",
		"5 DUPLICATE_PERSON La même personne apparaît aussi ligne 6 avec des informations différentes.",
		"6 DUPLICATE_PERSON La même personne apparaît aussi ligne 5 avec des informations différentes.",
		"7 DUPLICATE_PERSON La même personne apparaît aussi ligne 8 avec des informations différentes.",
		"8 DUPLICATE_PERSON La même personne apparaît aussi ligne 7 avec des informations différentes.",
		"9 EMAIL_SHARED L'adresse « secretariat@chu-exemple.fr » est aussi donnée à une autre personne (ligne 10, 11).",
		"10 EMAIL_SHARED L'adresse « secretariat@chu-exemple.fr » est aussi donnée à une autre personne (ligne 9, 11).",
		"11 EMAIL_SHARED L'adresse « secretariat@chu-exemple.fr » est aussi donnée à une autre personne (ligne 9, 10).",
		"13 DUPLICATE_ROW La ligne répète exactement la ligne 2 ; elle n'est prise en compte qu'une fois.",
		"14 EMAIL_SHARED L'adresse « partage@chu-exemple.fr » est aussi donnée à une autre personne (ligne 15, 16, 17, 18, 19 et 1 autre(s)).",
	}
	// Only the rows up to 14 are pinned here; the other GRIS rows are alike.
	var head []string
	for _, g := range got {
		var row int
		fmt.Sscan(g, &row)
		if row <= 14 {
			head = append(head, g)
		}
	}
	if d := cmp.Diff(want, head); d != "" {
		t.Errorf("cross-row problems (-want +got):\n%s", d)
	}
}
