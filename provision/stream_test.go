package provision

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/text/encoding/charmap"
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
		writeQuirksList(tb),
	}
}

// writeQuirksList writes the workbook of writeQuirks (a hidden data sheet,
// so a problem of the list itself, merged cells, number formats).
func writeQuirksList(tb testing.TB) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "quirks.xlsx")
	writeQuirks(tb, path)
	return path
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
			if err := writeCorrectionsSplit(&wantBook, res.Table, res.People, res.Problems, cfg, correctionsProblemsPerSheet); err != nil {
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

// TestCSVFromFileMatchesMemory checks that a CSV list decoded from its file
// on each pass gives the table of the same bytes decoded in memory: UTF-8
// with and without byte-order mark, Windows-1252, a "sep=" first line, and
// the encodings still decoded in memory (UTF-16).
func TestCSVFromFileMatchesMemory(t *testing.T) {
	t.Parallel()
	base := "Nom;Prénom;Courriel;Profession;Habilitations;Mode de connexion;Établissement\n" +
		"LÉVÊQUE;Hélène;helene.leveque@chu-exemple.fr;Infirmière;Consultation;Mail;CHU Exemple\n" +
		"\"MARTIN\nDIT PAUL\";Paul;paul.martin@chu-exemple.fr;Médecin;\"Consultation;\nParticipant aux RCP\";CPS;CHU Exemple\n"
	w1252, err := charmap.Windows1252.NewEncoder().String(base)
	if err != nil {
		t.Fatal(err)
	}
	utf16le := []byte{0xFF, 0xFE}
	for _, r := range base {
		utf16le = append(utf16le, byte(r), byte(r>>8))
	}
	cases := map[string][]byte{
		"utf8.csv":     []byte(base),
		"bom.csv":      append([]byte("\ufeff"), base...),
		"w1252.csv":    []byte(w1252),
		"sep.csv":      []byte("sep=;\r\n" + base),
		"sep-1252.csv": []byte("sep=;\n" + w1252),
		"utf16.csv":    utf16le,
		"bad-bom.csv":  append([]byte("\ufeff"), append([]byte(base), 0xff)...),
	}
	for _, p := range streamCases(t) {
		if strings.HasSuffix(p, ".csv") {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			cases[filepath.Base(p)] = data
		}
	}
	for name, data := range cases {
		// Past csvSample bytes, a list is decoded from its file on each
		// pass: repeat its last line (in its own encoding) to get there.
		body := bytes.TrimRight(data, "\r\n")
		last := body[bytes.LastIndexByte(body, '\n')+1:]
		if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) {
			last = nil // UTF-16: kept small, decoded in memory either way
		}
		for len(last) > 0 && len(data) <= csvSample+len(last) {
			data = append(append(data, '\n'), last...)
		}
		path := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		fromFile, err := ReadFile(t.Context(), path, testConfig(t))
		if err != nil {
			t.Fatalf("ReadFile(%s) = %v", name, err)
		}
		inMemory, err := readData(t.Context(), data, name, testConfig(t))
		if err != nil {
			t.Fatalf("readData(%s) = %v", name, err)
		}
		if d := cmp.Diff(inMemory, fromFile); d != "" {
			t.Errorf("%s: table from the file differs from the one decoded in memory (-memory +file):\n%s", name, d)
		}
		if len(fromFile.Rows) == 0 {
			t.Errorf("%s: no row read", name)
		}
	}
}

// TestUTF8Stream checks the streaming UTF-8 check against utf8.Valid,
// every text cut in two at every byte.
func TestUTF8Stream(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "abc", "Hélène Œuvre €", "\U0001F600x", "é\xff", "\xe2\x82", "a\xe2\x82\xacb", "\xed\xa0\x80"} {
		for cut := 0; cut <= len(s); cut++ {
			var u utf8Stream
			u.Write([]byte(s[:cut]))
			u.Write([]byte(s[cut:]))
			if got, want := u.valid(), utf8.ValidString(s); got != want {
				t.Errorf("utf8Stream(%q cut at %d).valid() = %v; want %v", s, cut, got, want)
			}
		}
	}
}

// TestRunListProblems runs the batch on a workbook whose data sheet is
// hidden: the problem of the list itself (SHEET_HIDDEN, on its header row)
// is in the corrections workbook as in the report, and the run succeeds.
func TestRunListProblems(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "out")
	runBatch(t, writeQuirksList(t), dir)
	data, err := os.ReadFile(filepath.Join(dir, "corrections.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	f := mustOpenXLSX(t, data)
	rows, err := f.GetRows(correctionsProblemsSheet)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range rows {
		if len(r) > 4 && r[4] == string(SheetHidden) {
			found = true
		}
	}
	if !found {
		t.Errorf("corrections.xlsx of a hidden sheet lists no %s problem", SheetHidden)
	}
}
